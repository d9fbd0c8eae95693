using System.Buffers;

namespace AiCostGuard;

/// <summary>
/// Scores a period's spend against a robust, seasonality-aware baseline of the periods before it: a day against the
/// weeks before it in a ledger, a window against the windows before it in a <see cref="SpendVelocityRule"/>.
/// </summary>
/// <remarks>
/// <para>The baseline is fitted to the last <see cref="BaselineLength"/> periods with statistics a single spike cannot
/// move: each phase of the season (each weekday, with a <see cref="SeasonLength"/> of 7) gets the median of its
/// periods as its share; the de-seasonalized spend gets a Theil–Sen trend (the median of the slopes between every two
/// periods) through the median level. The expected spend is that trend, one period on, times the period's share.</para>
/// <para>The score is the distance from the expected spend in robust standard deviations. Spend noise is taken to
/// grow with spend: the deviation is measured on the relative differences between periods one season apart (their
/// median absolute deviation × 1.4826 / √2), widened for the error of the fitted trend and shares, scaled to the
/// expected spend, and never below 2 % of the median spend (so a perfectly flat history does not make a cent's change
/// infinite). A score of <see cref="Threshold"/> or more is an anomaly, above or below.</para>
/// <para>Immutable and thread-safe.</para>
/// </remarks>
public sealed class SpendAnomalyDetector
{
    /// <summary>The default score from which a period is an anomaly.</summary>
    public const double DefaultThreshold = 5.0;

    /// <summary>The default number of earlier periods the baseline is fitted to: four weeks of days.</summary>
    public const int DefaultBaselineLength = 28;

    /// <summary>The most earlier periods a baseline may be fitted to.</summary>
    public const int MaximumBaselineLength = 366;

    private const double MadToSigma = 1.4826;
    private const double SmallestRelativeScale = 0.02;

    // The variance of a median of k normal values is about π/2 × σ² / k.
    private const double MedianVariance = Math.PI / 2;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="seasonLength">The periods in one season: 7 for days in a week, 1 for none.</param>
    /// <param name="threshold">The score from which a period is an anomaly.</param>
    /// <param name="baselineLength">The most earlier periods the baseline is fitted to.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range: the season from 1 to 28, the threshold from 1 to 1000, the baseline from <see cref="MinimumHistory"/> to <see cref="MaximumBaselineLength"/>.</exception>
    public SpendAnomalyDetector(int seasonLength = 7, double threshold = DefaultThreshold, int baselineLength = DefaultBaselineLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seasonLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(seasonLength, 28);
        if (!(threshold >= 1 && threshold <= 1000))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold is a score from 1 to 1000.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(baselineLength, Math.Max(7, 3 * seasonLength));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(baselineLength, MaximumBaselineLength);
        SeasonLength = seasonLength;
        Threshold = threshold;
        BaselineLength = baselineLength;
    }

    /// <summary>Gets the periods in one season.</summary>
    public int SeasonLength { get; }

    /// <summary>Gets the score from which a period is an anomaly.</summary>
    public double Threshold { get; }

    /// <summary>Gets the most earlier periods the baseline is fitted to.</summary>
    public int BaselineLength { get; }

    /// <summary>Gets the fewest earlier periods a period is scored against: three seasons (three weeks of days), and at least seven.</summary>
    /// <remarks>With two seasons each share is the median of two periods, and false alarms on ordinary noise are several times as frequent.</remarks>
    public int MinimumHistory => Math.Max(7, 3 * SeasonLength);

    /// <summary>Scores <paramref name="value"/> against the periods that precede it.</summary>
    /// <param name="history">The spend of the earlier periods, oldest first, the last one just before <paramref name="value"/>; only the last <see cref="BaselineLength"/> are used.</param>
    /// <param name="value">The spend of the period scored, in US dollars.</param>
    /// <param name="expected">The spend the baseline expects for the period.</param>
    /// <param name="score">How far <paramref name="value"/> is from <paramref name="expected"/>, in robust standard deviations.</param>
    /// <returns><see langword="true"/> when the history has at least <see cref="MinimumHistory"/> periods and the period was scored.</returns>
    public bool TryScore(ReadOnlySpan<decimal> history, decimal value, out decimal expected, out double score)
    {
        expected = 0m;
        score = 0;
        if (history.Length < MinimumHistory)
        {
            return false;
        }

        ReadOnlySpan<decimal> window = history[Math.Max(0, history.Length - BaselineLength)..];
        int n = window.Length;
        double[] rented = ArrayPool<double>.Shared.Rent((3 * n) + (n * (n - 1) / 2) + SeasonLength);
        try
        {
            Span<double> y = rented.AsSpan(0, n), z = rented.AsSpan(n, n), work = rented.AsSpan(2 * n, n);
            Span<double> slopes = rented.AsSpan(3 * n, n * (n - 1) / 2), shares = rented.AsSpan((3 * n) + (n * (n - 1) / 2), SeasonLength);
            for (int i = 0; i < n; i++)
            {
                y[i] = (double)window[i];
            }

            // The period scored is period n; period i is in phase (i - n) mod season, so the phases line up with it.
            // Shares are taken from the spend over a first, season-blind trend, so growth does not favour the latest phases.
            for (int i = 0; i < n; i++)
            {
                z[i] = y[i];
                work[i] = i;
            }

            (double a0, double b0) = TheilSen(z, work, slopes);
            for (int i = 0; i < n; i++)
            {
                double trend = a0 + (b0 * i);
                z[i] = trend > 0 ? y[i] / trend : 0;
            }

            Shares(z, n, shares, work);
            int points = 0;
            for (int i = 0; i < n; i++)
            {
                double share = shares[Phase(i, n)];
                if (share > 0)
                {
                    z[points] = y[i] / share;
                    work[points] = i;
                    points++;
                }
            }

            (double a, double b) = TheilSen(z[..points], work[..points], slopes);

            // The noise is measured on differences one season apart, which no fitted share can absorb: the residuals
            // of the fit itself are too small, as each share is the median of the very periods it is compared with.
            // The expected spend also carries the error of the trend, one period past the window, and of a share taken
            // from about n / season periods.
            // Spend noise grows with spend, so the differences are relative to the pair's mean, and the deviation is
            // scaled to the spend expected: a quiet weekend is held to its own noise, not to a busy weekday's.
            int lags = n - SeasonLength;
            for (int i = 0; i < lags; i++)
            {
                double mean = (y[i + SeasonLength] + y[i]) / 2;
                z[i] = mean > 0 ? (y[i + SeasonLength] - y[i]) / mean : 0;
            }

            double drift = Median(z[..lags]);
            for (int i = 0; i < lags; i++)
            {
                work[i] = Math.Abs(z[i] - drift);
            }

            double meanT = (n - 1) / 2.0, sxx = n * ((double)n * n - 1) / 12;
            double extrapolation = (1.0 / n) + ((n - meanT) * (n - meanT) / sxx);
            double shareError = SeasonLength == 1 ? 0 : MedianVariance * SeasonLength / n;
            double e = Math.Max(0, a + (b * n)) * shares[0];
            double scale = MadToSigma * Median(work[..lags]) / Math.Sqrt(2) * Math.Sqrt(1 + extrapolation + shareError) * e;
            scale = Math.Max(scale, Math.Max(SmallestRelativeScale * Median(y), 1e-6));
            expected = decimal.Round((decimal)e, 6, MidpointRounding.AwayFromZero);
            score = Math.Round(Math.Abs((double)value - e) / scale, 2);
            return true;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rented);
        }
    }

    /// <summary>Tells whether a score makes an anomaly.</summary>
    /// <param name="score">A score from <see cref="TryScore"/>.</param>
    /// <returns><see langword="true"/> when <paramref name="score"/> is at least <see cref="Threshold"/>.</returns>
    public bool IsAnomaly(double score) => score >= Threshold;

    private int Phase(int i, int n) => (((i - n) % SeasonLength) + SeasonLength) % SeasonLength;

    private void Shares(ReadOnlySpan<double> ratios, int n, Span<double> shares, Span<double> work)
    {
        if (SeasonLength == 1)
        {
            shares[0] = 1;
            return;
        }

        double sum = 0;
        for (int p = 0; p < SeasonLength; p++)
        {
            int count = 0;
            for (int i = 0; i < n; i++)
            {
                if (Phase(i, n) == p)
                {
                    work[count++] = ratios[i];
                }
            }

            shares[p] = Median(work[..count]);
            sum += shares[p];
        }

        for (int p = 0; p < SeasonLength; p++)
        {
            shares[p] = sum > 0 ? shares[p] * SeasonLength / sum : 1;
        }
    }

    private static (double A, double B) TheilSen(Span<double> z, Span<double> t, Span<double> slopes)
    {
        if (z.Length == 0)
        {
            return (0, 0);
        }

        int count = 0;
        for (int i = 0; i < z.Length; i++)
        {
            for (int j = i + 1; j < z.Length; j++)
            {
                slopes[count++] = (z[j] - z[i]) / (t[j] - t[i]);
            }
        }

        double b = count == 0 ? 0 : Median(slopes[..count]);
        for (int i = 0; i < z.Length; i++)
        {
            z[i] -= b * t[i];
        }

        return (Median(z), b);
    }

    /// <summary>The median of <paramref name="values"/>, which it sorts.</summary>
    private static double Median(Span<double> values)
    {
        values.Sort();
        int mid = values.Length / 2;
        return values.Length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }
}
