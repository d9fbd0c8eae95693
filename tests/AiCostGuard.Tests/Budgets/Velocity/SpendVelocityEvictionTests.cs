using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;

namespace AiCostGuard.Tests.Budgets.Velocity;

public sealed class SpendVelocityEvictionTests
{
    private static readonly DateTimeOffset Start = new(2026, 5, 10, 12, 0, 0, TimeSpan.Zero);

    private static SpendVelocityRule Rule(SpendVelocityWindow window, decimal maximum, double? multiplier = null, double? anomaly = null) =>
        new() { Name = "runaway", Dimensions = AttributionDimensions.User, Window = window, MaximumCost = maximum, BaselineMultiplier = multiplier, AnomalyThreshold = anomaly, Action = SpendVelocityAction.Block };

    private static string User(int i) => "user=" + i.ToString(CultureInfo.InvariantCulture);

    /// <summary>A call as the gate makes it: admitted when the rate is at or under the threshold, then booked.</summary>
    private static bool Call(SpendVelocityMeter meter, string key, DateTimeOffset now, decimal cost)
    {
        (decimal spent, decimal threshold, _) = meter.Read(key, now);
        if (spent > threshold)
        {
            return false;
        }

        meter.Add(key, now, cost);
        return true;
    }

    [Theory]
    [InlineData(SpendVelocityWindow.Minute, null, 1000, 60)]
    [InlineData(SpendVelocityWindow.Second, 2.0, 100, 64 * 10)]
    public void A_hundred_thousand_users_arriving_over_time_keep_the_meter_to_the_users_that_still_count(SpendVelocityWindow window, double? multiplier, int millisecondsApart, int live)
    {
        var time = new FakeTimeProvider(Start);
        var meter = new SpendVelocityMeter(Rule(window, 1m, multiplier));
        int most = 0;
        for (int i = 0; i < 100_000; i++)
        {
            Assert.True(Call(meter, User(i), time.GetUtcNow(), 0.01m));
            if (i % 16 == 0)
            {
                // Counting takes every lock of the dictionary: sampled, so the test stays quick.
                most = Math.Max(most, meter.KeyCount);
            }

            time.Advance(TimeSpan.FromMilliseconds(millisecondsApart));
        }

        // `live` users still count (their spend is in the window, or their norm is not yet forgotten); the sweep checks
        // two keys per new one, so at most about as many again wait for it.
        Assert.InRange(most, live - 16, (2 * live) + 4);
    }

    [Fact]
    public void Without_eviction_every_user_ever_seen_stays()
    {
        var time = new FakeTimeProvider(Start);
        var meter = new SpendVelocityMeter(Rule(SpendVelocityWindow.Minute, 1m), evictIdleKeys: false);
        for (int i = 0; i < 1000; i++)
        {
            meter.Add(User(i), time.GetUtcNow(), 0.01m);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(1000, meter.KeyCount);
    }

    [Fact]
    public void A_key_evicted_then_reused_starts_fresh_and_its_limit_still_holds()
    {
        var time = new FakeTimeProvider(Start);
        var meter = new SpendVelocityMeter(Rule(SpendVelocityWindow.Minute, 1m));
        Assert.True(Call(meter, "user=a", time.GetUtcNow(), 1.5m));
        Assert.False(Call(meter, "user=a", time.GetUtcNow(), 0.1m));
        time.Advance(TimeSpan.FromSeconds(30));
        meter.Add("user=b", time.GetUtcNow(), 1.5m);

        // A minute after its spend, user a no longer counts: new users sweep it out, but not user b, still in its window.
        time.Advance(TimeSpan.FromSeconds(31));
        // Each new user checks two keys, so four of them cover every key at least once.
        foreach (string user in new[] { "user=c", "user=d", "user=e", "user=f" })
        {
            meter.Add(user, time.GetUtcNow(), 0.1m);
        }

        Assert.Equal(5, meter.KeyCount);
        Assert.False(Call(meter, "user=b", time.GetUtcNow(), 0.1m));

        Assert.Equal((0m, 1m, TimeSpan.Zero), meter.Read("user=a", time.GetUtcNow()));
        Assert.True(Call(meter, "user=a", time.GetUtcNow(), 0.6m));
        Assert.True(Call(meter, "user=a", time.GetUtcNow(), 0.6m));
        Assert.False(Call(meter, "user=a", time.GetUtcNow(), 0.1m));
        Assert.Equal(1.2m, meter.Read("user=a", time.GetUtcNow()).Cost);
    }

    [Fact]
    public async Task A_booking_racing_the_sweep_that_evicts_its_key_is_counted()
    {
        // Each booking of the hot key comes 61 s after its last, so the sweep of a newcomer arriving at the same moment
        // may evict the hot key's ring while the booking holds it: the booking must land in the key's new ring.
        var meter = new SpendVelocityMeter(Rule(SpendVelocityWindow.Minute, 1000m));
        long clock = Start.UtcTicks;
        int lost = 0;
        using var done = new CancellationTokenSource();
        Task newcomers = Task.Run(() =>
        {
            for (int i = 0; !done.IsCancellationRequested; i++)
            {
                meter.Add(User(i), new DateTimeOffset(Volatile.Read(ref clock), TimeSpan.Zero), 0.01m);
            }
        });
        await Task.Run(() =>
        {
            for (int k = 1; k <= 20_000; k++)
            {
                var now = new DateTimeOffset(Start.UtcTicks + (k * TimeSpan.TicksPerSecond * 61), TimeSpan.Zero);
                Volatile.Write(ref clock, now.UtcTicks);
                meter.Add("user=hot", now, 0.01m);
                if (meter.Read("user=hot", now).Cost != 0.01m)
                {
                    lost++;
                }
            }
        });
        await done.CancelAsync();
        await newcomers;

        Assert.Equal(0, lost);
    }

    [Fact]
    public void A_learned_norm_keeps_its_key_until_the_key_has_been_idle_long_enough_to_forget_it()
    {
        var time = new FakeTimeProvider(Start);
        var meter = new SpendVelocityMeter(Rule(SpendVelocityWindow.Minute, 1m, multiplier: 2));
        meter.Add("user=a", time.GetUtcNow(), 3m);
        time.Advance(TimeSpan.FromMinutes(SpendVelocityMeter.ForgetAfterWindows - 1));
        foreach (string user in new[] { "user=b", "user=c", "user=d" })
        {
            meter.Add(user, time.GetUtcNow(), 0.1m);
        }

        Assert.Equal(4, meter.KeyCount);

        time.Advance(TimeSpan.FromMinutes(1));
        foreach (string user in new[] { "user=e", "user=f", "user=g", "user=h" })
        {
            meter.Add(user, time.GetUtcNow(), 0.1m);
        }

        Assert.Equal(7, meter.KeyCount);
    }

    internal sealed record Booking(int Key, int Gap, int Cents);

    private static readonly Gen<Booking[]> Steps = Gen.ArrayOf(
        from key in Gen.Choose(0, 24)
        from gap in Gen.OneOf(Gen.Choose(0, 3), Gen.Choose(0, 3), Gen.Choose(4, 70), Gen.Choose(71, 1000))
        from cents in Gen.Choose(0, 60)
        select new Booking(key, gap, cents));

    [Property(MaxTest = 300)]
    public Property Eviction_changes_no_decision() =>
        Prop.ForAll(Rules.ToArbitrary(), Steps.ToArbitrary(), (rule, steps) => SameDecisions(rule.Window, rule.Multiplier, rule.Anomaly, steps));

    private static readonly Gen<(SpendVelocityWindow Window, double? Multiplier, double? Anomaly)> Rules =
        from window in Gen.Elements(SpendVelocityWindow.Second, SpendVelocityWindow.Minute, SpendVelocityWindow.Hour)
        from multiplier in Gen.Elements<double?>(null, 1.5, 3.0)
        from anomaly in Gen.Elements<double?>(null, 2.0)
        select (window, multiplier, anomaly);

    private static (string Key, DateTimeOffset Start, decimal Cost, decimal Expected, double Score) Shape(SpendAnomalyEventArgs e) =>
        (e.Key, e.WindowStart, e.Cost, e.Expected, e.Score);

    private static void SameDecisions(SpendVelocityWindow window, double? multiplier, double? anomaly, Booking[] steps)
    {
        SpendVelocityRule evictingRule = Rule(window, 1m, multiplier, anomaly);
        SpendVelocityRule keepingRule = Rule(window, 1m, multiplier, anomaly);
        var evicting = new SpendVelocityMeter(evictingRule);
        var keeping = new SpendVelocityMeter(keepingRule, evictIdleKeys: false);
        var evictingAnomalies = new List<SpendAnomalyEventArgs>();
        var keepingAnomalies = new List<SpendAnomalyEventArgs>();
        evictingRule.AnomalyDetected += (_, e) => evictingAnomalies.Add(e);
        keepingRule.AnomalyDetected += (_, e) => keepingAnomalies.Add(e);

        // A gap counts in tenths of the rule's window, so big gaps let keys go idle for many windows.
        long tenth = evicting.BucketTicks * evicting.BucketCount / 10;
        DateTimeOffset now = Start;
        foreach (Booking step in steps)
        {
            now = now.AddTicks(step.Gap * tenth);
            string key = User(step.Key);
            Assert.Equal(keeping.Read(key, now), evicting.Read(key, now));
            Assert.Equal(Call(keeping, key, now, step.Cents / 100m), Call(evicting, key, now, step.Cents / 100m));
        }

        Assert.Equal(keepingAnomalies.Select(Shape), evictingAnomalies.Select(Shape));
        Assert.True(evicting.KeyCount <= keeping.KeyCount);
    }
}
