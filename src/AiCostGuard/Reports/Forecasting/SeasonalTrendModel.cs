namespace AiCostGuard;

/// <summary>
/// A linear trend times a weekly profile, fitted to daily spend: <c>cost(t) = (a + b·t) × s[weekday(t)]</c>, with the
/// residual spread that gives prediction intervals.
/// </summary>
/// <remarks>
/// The profile is multiplicative because spend is volume times price: a quiet weekend is a share of a weekday, and
/// that share holds as the volume grows. The trend and the profile are fitted by alternating least squares (trend on
/// the de-seasonalized series, profile as the ratio of each weekday's spend to the trend's), which converges in a few
/// rounds. Only the last <see cref="FitWindowDays"/> days are fitted, so a change of level months ago does not bend
/// today's trend.
/// </remarks>
internal sealed class SeasonalTrendModel
{
    /// <summary>The most recent days fitted: eight weeks.</summary>
    public const int FitWindowDays = 56;

    private const int Rounds = 12;

    // The 90th percentile of the standard normal: an 80 % central interval.
    private const double Z80 = 1.2815515655446004;

    private readonly double _intercept;
    private readonly double _slope;
    private readonly double[] _profile;
    private readonly double _sigma;
    private readonly double _level;
    private readonly double _quantile;
    private readonly int _n;
    private readonly double _meanT;
    private readonly double _sxx;
    private readonly int _firstWeekday;

    private SeasonalTrendModel(double intercept, double slope, double[] profile, double sigma, double level, int dof, int n, double meanT, double sxx, int firstWeekday)
    {
        _intercept = intercept;
        _slope = slope;
        _profile = profile;
        _sigma = sigma;
        _level = level;
        _quantile = StudentQuantile(dof);
        _n = n;
        _meanT = meanT;
        _sxx = sxx;
        _firstWeekday = firstWeekday;
    }

    /// <summary>Fits the model to <paramref name="days"/>, whose first day is <paramref name="start"/>.</summary>
    /// <remarks>The caller checks there are at least two weeks of days.</remarks>
    public static SeasonalTrendModel Fit(ReadOnlySpan<decimal> days, DateOnly start)
    {
        int offset = Math.Max(0, days.Length - FitWindowDays);
        int n = days.Length - offset;
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = (double)days[offset + i];
        }

        int firstWeekday = (int)start.AddDays(offset).DayOfWeek;
        var profile = new double[7];
        Array.Fill(profile, 1.0);
        double a = 0, b = 0;
        double meanT = (n - 1) / 2.0;
        double sxx = 0;
        for (int t = 0; t < n; t++)
        {
            sxx += (t - meanT) * (t - meanT);
        }

        for (int round = 0; round < Rounds; round++)
        {
            (a, b) = Trend(y, profile, firstWeekday);
            Profile(y, a, b, firstWeekday, profile);
        }

        // Spend noise grows with spend: the residual spread is measured relative to the fitted value.
        double squares = 0, level = 0;
        int fitted = 0;
        for (int t = 0; t < n; t++)
        {
            double trend = Math.Max(0, a + (b * t));
            double f = trend * profile[(firstWeekday + t) % 7];
            level += trend;
            if (f > 0)
            {
                double e = (y[t] - f) / f;
                squares += e * e;
                fitted++;
            }
        }

        // Two trend parameters and six free weekday shares are estimated from the data.
        int dof = Math.Max(1, fitted - 8);
        return new SeasonalTrendModel(a, b, profile, Math.Sqrt(squares / dof), level / n, dof, n, meanT, sxx, firstWeekday);
    }

    /// <summary>Predicts the total of <paramref name="count"/> days starting <paramref name="ahead"/> days after the last fitted day (1 is the next day).</summary>
    /// <returns>The expected total and its 80 % prediction interval, never below zero.</returns>
    public (double Cost, double Low, double High) Predict(int ahead, int count)
    {
        double mean = 0, squares = 0, shares = 0, leverage = 0;
        Span<double> byWeekday = stackalloc double[7];
        for (int h = ahead; h < ahead + count; h++)
        {
            int t = _n - 1 + h;
            int weekday = (_firstWeekday + t) % 7;
            double share = _profile[weekday];
            double f = Math.Max(0, _intercept + (_slope * t)) * share;
            mean += f;
            squares += f * f;
            shares += share;
            leverage += share * (t - _meanT);
            byWeekday[weekday] += f;
        }

        // Three sources of error: each day's own noise; the fitted level and slope, shared by every day; and each
        // weekday's share, fitted from about n/7 days and shared by every such day of the horizon.
        double profileSquares = 0;
        foreach (double f in byWeekday)
        {
            profileSquares += f * f;
        }

        double trendScale = _sigma * _level;
        double variance = (_sigma * _sigma * (squares + (profileSquares * 7 / _n)))
            + (trendScale * trendScale * ((shares * shares / _n) + (leverage * leverage / _sxx)));
        double half = _quantile * Math.Sqrt(variance);
        return (mean, Math.Max(0, mean - half), mean + half);
    }

    private static (double A, double B) Trend(double[] y, double[] profile, int firstWeekday)
    {
        // Least squares of y/s on t, weighted by s² so each day counts by its share of spend (a zero-share day drops out).
        double sw = 0, st = 0, sz = 0, stt = 0, stz = 0;
        for (int t = 0; t < y.Length; t++)
        {
            double s = profile[(firstWeekday + t) % 7];
            double w = s * s;
            if (w == 0)
            {
                continue;
            }

            double z = y[t] / s;
            sw += w;
            st += w * t;
            sz += w * z;
            stt += w * t * t;
            stz += w * t * z;
        }

        double det = (sw * stt) - (st * st);
        if (sw == 0 || Math.Abs(det) < 1e-12)
        {
            return (sw == 0 ? 0 : sz / sw, 0);
        }

        double b = ((sw * stz) - (st * sz)) / det;
        return ((sz - (b * st)) / sw, b);
    }

    private static void Profile(double[] y, double a, double b, int firstWeekday, double[] profile)
    {
        Span<double> spend = stackalloc double[7];
        Span<double> trend = stackalloc double[7];
        for (int t = 0; t < y.Length; t++)
        {
            int d = (firstWeekday + t) % 7;
            spend[d] += y[t];
            trend[d] += Math.Max(0, a + (b * t));
        }

        double sum = 0;
        for (int d = 0; d < 7; d++)
        {
            profile[d] = trend[d] > 0 ? spend[d] / trend[d] : 1.0;
            sum += profile[d];
        }

        // Shares average one, so the trend alone carries the level.
        for (int d = 0; d < 7 && sum > 0; d++)
        {
            profile[d] *= 7 / sum;
        }
    }

    /// <summary>The 90th percentile of Student's t with <paramref name="dof"/> degrees of freedom (Cornish–Fisher expansion around the normal).</summary>
    private static double StudentQuantile(int dof)
    {
        double z = Z80, v = dof;
        double z3 = z * z * z, z5 = z3 * z * z;
        return z + ((z3 + z) / (4 * v)) + (((5 * z5) + (16 * z3) + (3 * z)) / (96 * v * v));
    }
}
