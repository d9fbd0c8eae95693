namespace AiCostGuard;

/// <summary>
/// One model's rates and the uncertainty of each: immutable, replaced whole on each refit. The relative error of a
/// call is attributed to the features in proportion to their share of its estimate, so a call made of well-predicted
/// classes (Chinese, say) gets a narrow margin and one made of poorly predicted classes a wide one.
/// </summary>
internal sealed class CalibrationFit(double[] rates, double[] bias, double[] square, double pooledBias, double pooledSquare, double z)
{
    /// <summary>The relative deviation a model starts from, before any call: about 30 % more reserved at the default quantile.</summary>
    public const double PriorDeviation = 0.15;

    private const int K = StartingRates.FeatureCount;

    public double[] Rates { get; } = rates;

    public static CalibrationFit Starting(ReadOnlySpan<double> rates, double z)
    {
        double[] square = new double[K];
        Array.Fill(square, PriorDeviation * PriorDeviation);
        return new CalibrationFit(rates.ToArray(), new double[K], square, 0, PriorDeviation * PriorDeviation, z);
    }

    public double Predict(ReadOnlySpan<double> x)
    {
        double sum = 0;
        for (int k = 0; k < K; k++)
        {
            sum += Rates[k] * x[k];
        }

        return sum;
    }

    /// <summary>The factor from the estimate <paramref name="central"/> of <paramref name="x"/> to what to reserve.</summary>
    public double Factor(ReadOnlySpan<double> x, double central)
    {
        double m1 = 0, m2 = 0;
        for (int k = 0; k < K; k++)
        {
            double share = Rates[k] * x[k] / central;
            m1 += share * bias[k];
            m2 += share * square[k];
        }

        return Reserve(m1, m2, z);
    }

    public InputTokenCalibration Describe(TokenizerFamily family, long samples, in CalibrationErrors errors) => new()
    {
        Family = family,
        Samples = samples,
        Rates = StartingRates.Names.Select((name, k) => (name, k)).ToDictionary(p => p.name, p => Rates[p.k], StringComparer.Ordinal),
        RelativeStandardDeviation = Math.Sqrt(Math.Max(0, pooledSquare - (pooledBias * pooledBias))),
        ReserveFactor = Reserve(pooledBias, pooledSquare, z),
        MeanAbsolutePercentageError = samples == 0 ? 0 : 100 * errors.Absolute / samples,
        ReservedMeanAbsolutePercentageError = samples == 0 ? 0 : 100 * errors.ReservedAbsolute / samples,
        Coverage = samples == 0 ? 1 : (double)errors.Covered / samples,
    };

    private static double Reserve(double m1, double m2, double z) => Math.Max(1, 1 + m1 + (z * Math.Sqrt(Math.Max(0, m2 - (m1 * m1)))));
}
