namespace AiCostGuard.Tests.Enforcement;

public sealed class CallClockTests
{
    /// <summary>
    /// A manual clock whose wall clock can be stepped (as NTP may) without moving its timestamps, and which counts
    /// wall-clock reads. (FakeTimeProvider derives its timestamps from its wall clock, so it cannot show the two apart.)
    /// </summary>
    private sealed class SteppingClock(DateTimeOffset start) : TimeProvider
    {
        private long _ticks;

        public TimeSpan Step { get; set; }

        public int WallClockReads { get; private set; }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public override DateTimeOffset GetUtcNow()
        {
            WallClockReads++;
            return start + TimeSpan.FromTicks(_ticks) + Step;
        }

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }

    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Start_times_within_the_refresh_interval_come_from_timestamps_without_reading_the_wall_clock()
    {
        var time = new SteppingClock(Start);
        var clock = new CallClock(time);
        int readsAtStart = time.WallClockReads;

        for (int i = 1; i <= 10; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(90));
            Assert.Equal(Start + TimeSpan.FromMilliseconds(90 * i), clock.GetUtcAt(clock.GetTimestamp()));
        }

        Assert.Equal(readsAtStart, time.WallClockReads);
    }

    [Fact]
    public void The_wall_clock_is_read_again_after_the_refresh_interval_and_a_step_in_it_shows_from_then_on()
    {
        var time = new SteppingClock(Start);
        var clock = new CallClock(time);
        time.Step = TimeSpan.FromMinutes(5);

        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(Start + TimeSpan.FromMilliseconds(500), clock.GetUtcAt(clock.GetTimestamp()));

        time.Advance(CallClock.Refresh);
        Assert.Equal(time.GetUtcNow(), clock.GetUtcAt(clock.GetTimestamp()));
        Assert.Equal(Start + TimeSpan.FromMinutes(5) + TimeSpan.FromMilliseconds(1500), clock.GetUtcAt(clock.GetTimestamp()));
    }

    [Fact]
    public void A_timestamp_taken_before_a_refresh_gets_the_wall_time_it_was_taken_at()
    {
        var time = new SteppingClock(Start);
        var clock = new CallClock(time);
        time.Advance(TimeSpan.FromSeconds(3));
        long taken = clock.GetTimestamp();
        time.Advance(TimeSpan.FromMilliseconds(250));

        Assert.Equal(Start + TimeSpan.FromSeconds(3), clock.GetUtcAt(taken));
    }
}
