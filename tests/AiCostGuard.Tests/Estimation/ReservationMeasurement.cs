using System.Globalization;
using System.Text;

namespace AiCostGuard.Tests.Estimation;

/// <summary>Runs generated traffic through an <see cref="InputTokenCalibrator"/> the way the middleware does: apply before the call, learn after it.</summary>
internal static class ReservationMeasurement
{
    public sealed record Call(int Index, string Kind, long Raw, long Central, long Reserved, long Reported);

    public static List<Call> Run(SimulatedProvider provider, int calls, int seed, InputTokenCalibrator? calibrator = null)
    {
        calibrator ??= new InputTokenCalibrator();
        var corpus = new TrafficCorpus(seed);
        var results = new List<Call>(calls);
        for (int i = 1; i <= calls; i++)
        {
            (string kind, ChatMessage[] messages) = corpus.NextCall();
            InputTokenEstimate raw = TokenEstimator.Estimate(messages, null, encoding: null, exactAbove: 0);
            InputTokenEstimate applied = calibrator.Apply(provider.ModelId, raw);
            long reported = provider.Report(messages);
            results.Add(new Call(i, kind, StartingRates.Estimate(raw.Composition, TokenEstimator.GetTokenizerFamily(provider.ModelId)), applied.Tokens, applied.UpperBound, reported));
            calibrator.Learn(provider.ModelId, raw, reported);
        }

        return results;
    }

    public static double Coverage(IEnumerable<Call> calls) => calls.Average(c => c.Reserved >= c.Reported ? 1.0 : 0.0);

    public static double OverReservation(IEnumerable<Call> calls) => calls.Average(c => (double)(c.Reserved - c.Reported) / c.Reported);

    public static double ReservedError(IEnumerable<Call> calls) => calls.Average(c => Math.Abs((double)(c.Reserved - c.Reported)) / c.Reported);

    public static double CentralError(IEnumerable<Call> calls) => calls.Average(c => Math.Abs((double)(c.Central - c.Reported)) / c.Reported);

    public static double RawError(IEnumerable<Call> calls) => calls.Average(c => Math.Abs((double)(c.Raw - c.Reported)) / c.Reported);

    public static string Percent(double value) => (100 * value).ToString("F1", CultureInfo.InvariantCulture) + " %";

    public static string Table(SimulatedProvider provider, List<Call> calls)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{provider.ModelId} ({TokenEstimator.GetTokenizerFamily(provider.ModelId)}; reported input simulated with {provider.Simulation})\n");
        text.Append(CultureInfo.InvariantCulture, $"  uncalibrated MAE {Percent(RawError(calls))}; calls 21+: coverage {Percent(Coverage(calls.Skip(20)))}, mean over-reservation {Percent(OverReservation(calls.Skip(20)))}; calls 61+: MAE reserved {Percent(ReservedError(calls.Skip(60)))}, MAE estimate {Percent(CentralError(calls.Skip(60)))}\n");
        text.Append("  per kind, calls 21+:   kind        calls  coverage  over-res.  MAE reserved  estimate bias  MAE estimate\n");
        foreach (IGrouping<string, Call> kind in calls.Skip(20).GroupBy(c => c.Kind).OrderBy(g => Array.IndexOf(TrafficCorpus.Kinds, g.Key)))
        {
            text.Append(CultureInfo.InvariantCulture, $"                          {kind.Key,-11} {kind.Count(),5}  {Percent(Coverage(kind)),8}  {Percent(OverReservation(kind)),9}  {Percent(ReservedError(kind)),10}  {Percent(kind.Average(c => (double)(c.Central - c.Reported) / c.Reported)),12}  {Percent(CentralError(kind)),11}\n");
        }

        return text.ToString();
    }
}
