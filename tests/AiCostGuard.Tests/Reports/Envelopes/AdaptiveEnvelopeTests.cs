namespace AiCostGuard.Tests.Reports.Envelopes;

public sealed class AdaptiveEnvelopeTests
{
    private static readonly DateTimeOffset Start = new(2026, 7, 20, 9, 0, 0, TimeSpan.Zero);

    private static AdaptiveEnvelopeOptions Envelope(decimal cap = 16m, decimal? target = null) => new()
    {
        Name = "support-envelope",
        Dimensions = AttributionDimensions.Team,
        Base = 10m,
        AllowancePerSuccess = 2m,
        Cap = cap,
        TargetCostPerSuccess = target,
        OutcomeName = "ticket-resolved",
    };

    private static CostRecord Call(int minute, decimal cost, string team = "support") =>
        new() { Timestamp = Start.AddMinutes(minute), Attribution = new CostAttribution { Team = team }, Cost = cost, Outcome = CallOutcome.Succeeded };

    private static OutcomeRecord Won(int minute, string team = "support", string name = "ticket-resolved", bool success = true) =>
        new() { Timestamp = Start.AddMinutes(minute), Attribution = new CostAttribution { Team = team }, Name = name, IsSuccess = success };

    [Fact]
    public void Each_success_adds_the_allowance_up_to_the_cap()
    {
        IReadOnlyList<EnvelopeStep> steps = AdaptiveEnvelope.Replay(
            [Call(0, 1m), Call(3, 1m)],
            [Won(1), Won(2), Won(4, success: false), Won(5, name: "other"), Won(6), Won(7)],
            Envelope());

        Assert.Equal(
            [(EnvelopeChange.PeriodStart, 10m), (EnvelopeChange.Success, 12m), (EnvelopeChange.Success, 14m), (EnvelopeChange.Capped, 16m)],
            steps.Select(s => (s.Change, s.Ceiling)));
        Assert.All(steps, s => Assert.Equal(("support-envelope", "team=support"), (s.Envelope, s.Key)));
        Assert.Equal((Start.AddMinutes(6), 2m, 3, 0.666667m), (steps[3].Time, steps[3].Spent, steps[3].Successes, steps[3].CostPerSuccess));
    }

    [Fact]
    public void Above_the_target_cost_per_success_the_ceiling_holds_then_catches_up()
    {
        IReadOnlyList<EnvelopeStep> steps = AdaptiveEnvelope.Replay(
            [Call(0, 3m)],
            [.. Enumerable.Range(1, 7).Select(i => Won(i))],
            Envelope(cap: 100m, target: 0.5m));

        // $3 over 1 to 5 successes is above $0.50 a success; the sixth brings it to the target.
        Assert.Equal(
            [(EnvelopeChange.PeriodStart, 10m), (EnvelopeChange.GateClosed, 10m), (EnvelopeChange.GateOpened, 22m), (EnvelopeChange.Success, 24m)],
            steps.Select(s => (s.Change, s.Ceiling)));
        Assert.Equal((1, 3m), (steps[1].Successes, steps[1].CostPerSuccess));
        Assert.Equal((6, 0.5m), (steps[2].Successes, steps[2].CostPerSuccess));
    }

    [Fact]
    public void Every_key_and_every_period_starts_again_from_the_base()
    {
        IReadOnlyList<EnvelopeStep> steps = AdaptiveEnvelope.Replay(
            [Call(0, 1m, "search"), Call(60 * 24 * 12, 1m)],
            [Won(1), Won(2, "search"), Won((60 * 24 * 12) + 1)],
            Envelope());

        Assert.Equal(
            ["team=search PeriodStart 10", "team=search Success 12", "team=support PeriodStart 10", "team=support Success 12", "team=support PeriodStart 10", "team=support Success 12"],
            steps.Select(s => $"{s.Key} {s.Change} {s.Ceiling}"));
        Assert.Equal(new DateTimeOffset(2026, 8, 1, 9, 0, 0, TimeSpan.Zero), steps[4].Time);
    }

    [Fact]
    public void An_envelope_whose_cap_is_below_its_base_is_refused_naming_the_field()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => AdaptiveEnvelope.Replay([], [], Envelope(cap: 5m, target: 0m)));

        Assert.Contains("Cap: 5 is below the base 10.", e.Message, StringComparison.Ordinal);
        Assert.Contains("TargetCostPerSuccess: 0 is not a positive cost.", e.Message, StringComparison.Ordinal);
    }
}
