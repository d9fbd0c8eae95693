using AiCostGuard.Tests.Shared;

namespace AiCostGuard.Tests.Reports.Anomalies;

public sealed class SpendAnomalyTests
{
    private const int Seeds = 40;

    [Fact]
    public void A_spike_and_a_drop_are_found_highest_score_first_with_their_expected_spend()
    {
        List<CostRecord> calls = GeneratedLedger.Calls(seed: 1, spike: day => day switch { 40 => 3.0, 50 => 0.1, _ => 1.0 });

        IReadOnlyList<SpendAnomaly> anomalies = SpendAnomaly.Find(calls);

        Assert.Equal([GeneratedLedger.Start.AddDays(40), GeneratedLedger.Start.AddDays(50)], anomalies.Take(2).Select(a => a.Date).Order());
        SpendAnomaly spike = anomalies.Single(a => a.Date == GeneratedLedger.Start.AddDays(40));
        Assert.InRange((double)spike.Expected, GeneratedLedger.Expected(40, 20, 0.25) * 0.85, GeneratedLedger.Expected(40, 20, 0.25) * 1.15);
        Assert.True(spike.Cost > 2 * spike.Expected);
        Assert.Empty(spike.Key);
        Assert.True(anomalies.Zip(anomalies.Skip(1)).All(p => p.First.Score >= p.Second.Score));
    }

    [Fact]
    public void Weekends_are_expected_to_be_quiet_so_a_weekend_at_weekday_level_is_the_anomaly()
    {
        // Day 47 is a Saturday (share 0.7): at 1.65 times that it looks like any weekday, but not like a Saturday.
        List<CostRecord> steady = GeneratedLedger.Calls(seed: 2, noise: 0.03);
        List<CostRecord> busySaturday = GeneratedLedger.Calls(seed: 2, noise: 0.03, spike: day => day == 47 ? 1.65 : 1.0);

        Assert.Empty(SpendAnomaly.Find(steady));
        SpendAnomaly anomaly = Assert.Single(SpendAnomaly.Find(busySaturday));
        Assert.Equal(DayOfWeek.Saturday, anomaly.Date.DayOfWeek);
    }

    [Fact]
    public void Groups_are_scored_against_their_own_baseline()
    {
        List<CostRecord> calls = [.. GeneratedLedger.Calls(seed: 3, level: 100, team: "big"), .. GeneratedLedger.Calls(seed: 4, level: 2, team: "small", spike: day => day == 30 ? 6.0 : 1.0)];

        SpendAnomaly anomaly = Assert.Single(SpendAnomaly.Find(calls, ReportDimensions.Team));

        Assert.Equal("small", anomaly.Key["team"]);
        Assert.Equal(GeneratedLedger.Start.AddDays(30), anomaly.Date);
    }

    [Fact]
    public void On_generated_ledgers_false_alarms_are_rare_and_doubled_days_are_found()
    {
        int scanned = 0, falseAlarms = 0, found = 0;
        for (int seed = 1; seed <= Seeds; seed++)
        {
            falseAlarms += SpendAnomaly.Find(GeneratedLedger.Calls(seed)).Count;
            scanned += 60 - 21;
            int day = 21 + (seed % 39);
            found += SpendAnomaly.Find(GeneratedLedger.Calls(seed, spike: d => d == day ? 2.0 : 1.0)).Any(a => a.Date == GeneratedLedger.Start.AddDays(day)) ? 1 : 0;
        }

        TestContext.Current.TestOutputHelper?.WriteLine(FormattableString.Invariant($"noise 10 %: {falseAlarms} false alarms in {scanned} days ({(double)falseAlarms / scanned:P2}); {found} of {Seeds} doubled days found"));
        Assert.InRange((double)falseAlarms / scanned, 0, 0.005);
        Assert.InRange(found, Seeds * 0.9, Seeds);
    }

    [Fact]
    public void A_ledger_without_calls_sent_has_no_anomaly_and_the_day_is_not_a_group()
    {
        Assert.Empty(SpendAnomaly.Find([new CostRecord { Timestamp = DateTimeOffset.UnixEpoch, Outcome = CallOutcome.NotSent }]));
        Assert.Throws<ArgumentOutOfRangeException>(() => SpendAnomaly.Find([], ReportDimensions.Day));
    }
}
