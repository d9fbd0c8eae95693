namespace AiCostGuard.Tests.Estimation;

/// <summary>
/// The reservation made for families without a shipped vocabulary holds on varied traffic: after 20 calls of a model it
/// covers the reported input on at least 95 % of calls with a mean over-reservation under 15 %, and after 60 calls its
/// mean absolute error is at most 10 %.
/// </summary>
public sealed class ReservationAccuracyTests
{
    public static TheoryData<string> Models() => [.. SimulatedProvider.Estimated.Select(p => p.ModelId)];

    [Theory]
    [MemberData(nameof(Models))]
    public void Reservations_cover_the_reported_input_and_stay_close_to_it(string modelId)
    {
        SimulatedProvider provider = SimulatedProvider.Estimated.Single(p => p.ModelId == modelId);
        int seed = int.TryParse(Environment.GetEnvironmentVariable("AICOSTGUARD_SEED"), out int s) ? s : 17;
        List<ReservationMeasurement.Call> calls = ReservationMeasurement.Run(provider, calls: 160, seed);
        TestContext.Current.TestOutputHelper?.WriteLine(ReservationMeasurement.Table(provider, calls));

        Assert.InRange(ReservationMeasurement.Coverage(calls.Skip(20)), 0.95, 1.0);
        Assert.InRange(ReservationMeasurement.OverReservation(calls.Skip(20)), -1.0, 0.15);
        Assert.InRange(ReservationMeasurement.ReservedError(calls.Skip(60)), 0, 0.10);
    }
}
