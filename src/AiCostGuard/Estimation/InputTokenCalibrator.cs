using System.Collections.Concurrent;

namespace AiCostGuard;

/// <summary>
/// Learns, per model and per character class, how many input tokens a model family without a shipped vocabulary
/// (Claude, Gemini, Llama, Mistral Tekken, unknown models) spends, from the usage its provider reports; and gives the
/// input to reserve before a call: an upper bound at <see cref="Quantile"/> of what the provider will report.
/// </summary>
/// <remarks>
/// <para>
/// The estimate is linear in the call's <see cref="TextComposition"/>: a rate per request, per message and per character
/// class. Each model's rates are the least-squares fit, in relative error, of its last <see cref="Window"/> calls, drawn
/// toward its family's documented starting rates (a ridge prior, which also settles the classes a model's traffic has
/// not shown yet) and kept non-negative. A Chinese-heavy call therefore does not drag the rate of English prose with it,
/// as a single average ratio does.
/// </para>
/// <para>
/// The reservation is <c>estimate × (1 + bias + z × σ)</c>, where <c>z</c> is the standard normal quantile of
/// <see cref="Quantile"/> and <c>σ</c> the relative deviation of the reported input from leave-one-out estimates over
/// the window, pooled with a prior deviation of 15 % worth one call: wide for a model not seen yet (its starting rates
/// reserve about 30 % more), narrowing as its calls are learned.
/// </para>
/// <para>
/// Counted families (OpenAI, the shipped Mistral vocabularies) pass through unchanged. An estimate without a composition
/// (a bare token count, as <see cref="TokenEstimator.Calibrate(string?, long, long)"/> gives) is fitted apart, as a rate
/// per token and per request. Bounded: at most <see cref="MaximumModels"/> models of each kind are learned; further
/// models keep their family's starting rates. Thread-safe:
/// <see cref="Apply"/> reads an immutable fit without locking; <see cref="Learn"/> refits one model under that model's
/// lock (tens of microseconds).
/// </para>
/// </remarks>
public sealed class InputTokenCalibrator
{
    /// <summary>The quantile of the reported input that a reservation covers by default: 97.5 %.</summary>
    public const double DefaultQuantile = 0.975;

    /// <summary>The calls per model the fit is made from: the most recent ones, so a provider's change of tokenizer is followed.</summary>
    public const int Window = 128;

    /// <summary>The most models one calibrator learns.</summary>
    public const int MaximumModels = 256;

    private const int K = StartingRates.FeatureCount;

    /// <summary>The weight of the starting rates, in calls whose whole input is of one class.</summary>
    private const double PriorWeight = 0.05;

    private const double PriorDeviation = 0.15;
    private const double PriorCalls = 1;

    /// <summary>The weight, in calls, of a model's pooled error moments in each feature's.</summary>
    private const double PooledCalls = 3;

    /// <summary>A call reported at more than this factor from its estimate (an image-heavy call, a wrong model id) is not learned from.</summary>
    private const double OutlierFactor = 4;

    private readonly ConcurrentDictionary<string, Model> _models = new(StringComparer.OrdinalIgnoreCase);

    // Estimates known only as a token count are fitted apart: their one feature means something else.
    private readonly ConcurrentDictionary<string, Model> _tokenCountModels = new(StringComparer.OrdinalIgnoreCase);
    private readonly Fit[] _starting;
    private readonly double _z;

    /// <summary>Initializes a calibrator that reserves at <see cref="DefaultQuantile"/>.</summary>
    public InputTokenCalibrator()
        : this(DefaultQuantile)
    {
    }

    /// <summary>Initializes a calibrator.</summary>
    /// <param name="quantile">The share of calls whose reported input the reservation should cover, above 0.5 and below 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="quantile"/> is not above 0.5 and below 1.</exception>
    public InputTokenCalibrator(double quantile)
    {
        if (!(quantile > 0.5 && quantile < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(quantile), quantile, "The quantile must be above 0.5 and below 1, such as 0.975.");
        }

        Quantile = quantile;
        _z = NormalQuantile(quantile);
        _starting = [.. Enum.GetValues<TokenizerFamily>().Select(family => Fit.Starting(StartingRates.For(family), _z))];
    }

    /// <summary>Gets the calibrator shared by the process: the one behind <see cref="TokenEstimator.EstimateInputTokens"/> and <see cref="TokenEstimator.Calibrate(string?, long, long)"/>.</summary>
    public static InputTokenCalibrator Shared { get; } = new();

    /// <summary>Gets the share of calls whose reported input a reservation is meant to cover.</summary>
    /// <value>The default value is <see cref="DefaultQuantile"/>.</value>
    public double Quantile { get; }

    /// <summary>Gets the number of models learned from estimates with a <see cref="TextComposition"/>.</summary>
    public int Count => _models.Count;

    /// <summary>
    /// Applies the calibration of <paramref name="modelId"/> to an estimate: <see cref="InputTokenEstimate.Tokens"/> becomes
    /// the calibrated estimate and <see cref="InputTokenEstimate.UpperBound"/> what to reserve. Counted estimates (exact, or
    /// of a family whose vocabulary ships) are returned unchanged.
    /// </summary>
    /// <param name="modelId">The model id.</param>
    /// <param name="estimate">The estimate made before sending; its <see cref="InputTokenEstimate.Composition"/> is what is calibrated (an estimate without one is taken as a token count).</param>
    /// <returns>The calibrated estimate; its composition is kept, so it can be given to <see cref="Learn"/> as it is.</returns>
    public InputTokenEstimate Apply(string? modelId, in InputTokenEstimate estimate)
    {
        if (estimate.Precision == EstimatePrecision.Exact || (estimate.Composition.IsEmpty && estimate.Tokens <= 0))
        {
            return estimate;
        }

        ModelTokenizer tokenizer;
        Fit fit;
        if (modelId is not null && ModelsFor(estimate).TryGetValue(modelId, out Model? model))
        {
            tokenizer = model.Tokenizer;
            fit = model.Current;
        }
        else
        {
            tokenizer = ModelTokenizer.For(modelId);
            fit = _starting[(int)tokenizer.Family];
        }

        if (tokenizer.IsCounted)
        {
            return estimate;
        }

        Span<double> x = stackalloc double[K];
        Features(estimate, x);
        double central = Math.Max(1, fit.Predict(x));
        long tokens = (long)Math.Ceiling(central);
        return estimate with { Tokens = tokens, UpperBound = Math.Max(tokens, (long)Math.Ceiling(central * fit.Factor(x, central))) };
    }

    /// <summary>Learns from one call: the estimate made before sending it (raw or as <see cref="Apply"/> returned it) and the input tokens the provider reported.</summary>
    /// <param name="modelId">The model id; <see langword="null"/> is ignored.</param>
    /// <param name="estimate">The estimate; exact ones and those of counted families are ignored.</param>
    /// <param name="reportedInputTokens">The input tokens the provider reported, cached ones included; zero or less is ignored.</param>
    public void Learn(string? modelId, in InputTokenEstimate estimate, long reportedInputTokens)
    {
        if (modelId is null || reportedInputTokens <= 0 || estimate.Precision == EstimatePrecision.Exact || (estimate.Composition.IsEmpty && estimate.Tokens <= 0))
        {
            return;
        }

        ConcurrentDictionary<string, Model> models = ModelsFor(estimate);
        if (!models.TryGetValue(modelId, out Model? model))
        {
            ModelTokenizer tokenizer = ModelTokenizer.For(modelId);
            if (tokenizer.IsCounted || models.Count >= MaximumModels)
            {
                return;
            }

            model = models.GetOrAdd(modelId, static (_, state) => new Model(state.Tokenizer, state.Self._starting[(int)state.Tokenizer.Family]), (Tokenizer: tokenizer, Self: this));
        }

        Span<double> x = stackalloc double[K];
        Features(estimate, x);
        model.Learn(x, reportedInputTokens, estimate.Tokens, _z);
    }

    /// <summary>Gets what has been learned about <paramref name="modelId"/>.</summary>
    /// <param name="modelId">The model id.</param>
    /// <returns>The calibration (of estimates with a composition, else of token counts); the family's starting rates with no samples for a model not learned.</returns>
    public InputTokenCalibration GetCalibration(string? modelId)
    {
        if (modelId is not null && (_models.TryGetValue(modelId, out Model? model) || _tokenCountModels.TryGetValue(modelId, out model)))
        {
            return model.Snapshot();
        }

        TokenizerFamily family = ModelTokenizer.For(modelId).Family;
        return _starting[(int)family].Describe(family, samples: 0, default);
    }

    /// <summary>Gets the process-wide calibration of <paramref name="modelId"/> in the shape <see cref="TokenEstimator.GetCalibration"/> has always reported.</summary>
    internal TokenCalibration GetScalarCalibration(string? modelId) =>
        modelId is not null && (_tokenCountModels.TryGetValue(modelId, out Model? model) || _models.TryGetValue(modelId, out model)) ? model.Scalar() : new TokenCalibration(1.0, 0, 0);

    private ConcurrentDictionary<string, Model> ModelsFor(in InputTokenEstimate estimate) => estimate.Composition.IsEmpty ? _tokenCountModels : _models;

    private static void Features(in InputTokenEstimate estimate, Span<double> x)
    {
        // An estimate without a composition is a plain token count: its tokens are the one feature with the request.
        TextComposition composition = estimate.Composition.IsEmpty ? new TextComposition { FixedTokens = estimate.Tokens } : estimate.Composition;
        StartingRates.Features(composition, x);
    }

    /// <summary>The standard normal quantile (Acklam's rational approximation; relative error below 1.2e-9).</summary>
    internal static double NormalQuantile(double p)
    {
        ReadOnlySpan<double> a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        ReadOnlySpan<double> b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        ReadOnlySpan<double> c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        ReadOnlySpan<double> d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double Low = 0.02425;
        if (p < Low)
        {
            double q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }

        if (p > 1 - Low)
        {
            return -NormalQuantile(1 - p);
        }

        double r = p - 0.5, s = r * r;
        return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
    }

    /// <summary>
    /// One model's rates and the uncertainty of each: immutable, replaced whole on each refit. The relative error of a
    /// call is attributed to the features in proportion to their share of its estimate, so a call made of well-predicted
    /// classes (Chinese, say) gets a narrow margin and one made of poorly predicted classes a wide one.
    /// </summary>
    private sealed class Fit(double[] rates, double[] bias, double[] square, double pooledBias, double pooledSquare, double z)
    {
        public double[] Rates { get; } = rates;

        public static Fit Starting(ReadOnlySpan<double> rates, double z)
        {
            double[] square = new double[K];
            Array.Fill(square, PriorDeviation * PriorDeviation);
            return new Fit(rates.ToArray(), new double[K], square, 0, PriorDeviation * PriorDeviation, z);
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

        public InputTokenCalibration Describe(TokenizerFamily family, long samples, in Errors errors) => new()
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

    private struct Errors
    {
        public double Absolute;
        public double ReservedAbsolute;
        public long Covered;
        public double RatioToRaw;
    }

    private sealed class Model(ModelTokenizer tokenizer, Fit starting)
    {
        private readonly Lock _sync = new();
        private readonly double[] _prior = starting.Rates;
        private readonly double[] _x = new double[Window * K];
        private readonly double[] _y = new double[Window];
        private int _count;
        private int _next;
        private long _samples;
        private Errors _errors;
        private volatile Fit _current = starting;

        public ModelTokenizer Tokenizer { get; } = tokenizer;

        public Fit Current => _current;

        public void Learn(ReadOnlySpan<double> x, long reported, long raw, double z)
        {
            lock (_sync)
            {
                Fit fit = _current;
                double central = Math.Max(1, fit.Predict(x));
                double reserved = Math.Max(Math.Ceiling(central), Math.Ceiling(central * fit.Factor(x, central)));
                _samples++;
                _errors.Absolute += Math.Abs(Math.Ceiling(central) - reported) / reported;
                _errors.ReservedAbsolute += Math.Abs(reserved - reported) / reported;
                _errors.Covered += reserved >= reported ? 1 : 0;
                _errors.RatioToRaw += raw > 0 ? (double)reported / raw : 1;
                double ratio = reported / central;
                if (_count >= 2 && (ratio > OutlierFactor || ratio < 1 / OutlierFactor))
                {
                    return;
                }

                x.CopyTo(_x.AsSpan(_next * K, K));
                _y[_next] = reported;
                _next = (_next + 1) % Window;
                _count = Math.Min(_count + 1, Window);
                _current = Refit(z);
            }
        }

        public InputTokenCalibration Snapshot()
        {
            lock (_sync)
            {
                return _current.Describe(Tokenizer.Family, _samples, _errors);
            }
        }

        public TokenCalibration Scalar()
        {
            lock (_sync)
            {
                return new TokenCalibration(_samples == 0 ? 1 : _errors.RatioToRaw / _samples, _samples, _samples == 0 ? 0 : 100 * _errors.Absolute / _samples);
            }
        }

        /// <summary>Weighted least squares in relative error with a ridge prior toward the starting rates, kept non-negative; then the leave-one-out deviation.</summary>
        private Fit Refit(double z)
        {
            Span<double> a = stackalloc double[K * K];
            Span<double> b = stackalloc double[K];
            Span<double> rates = stackalloc double[K];
            Span<bool> pinned = stackalloc bool[K];
            for (int iteration = 0; iteration <= K; iteration++)
            {
                Normal(a, b, pinned);
                if (!Cholesky.Factor(a))
                {
                    return _current;
                }

                Cholesky.Solve(a, b, rates);
                bool changed = false;
                for (int k = 0; k < K; k++)
                {
                    if (!pinned[k] && rates[k] < 0)
                    {
                        pinned[k] = true;
                        changed = true;
                    }
                }

                if (!changed)
                {
                    break;
                }
            }

            // Leave-one-out relative errors: e / (1 − h), with h the leverage of the call in the fit; each attributed to
            // the features by their share of the call's estimate, on top of a prior worth one call.
            Span<double> solved = stackalloc double[K];
            Span<double> weighted = stackalloc double[K];
            Span<double> weight = stackalloc double[K];
            weight.Clear();
            double[] bias = new double[K];
            double[] square = new double[K];
            double sum = 0, squares = 0;
            for (int i = 0; i < _count; i++)
            {
                ReadOnlySpan<double> x = _x.AsSpan(i * K, K);
                double y = _y[i];
                double predicted = 0;
                for (int k = 0; k < K; k++)
                {
                    predicted += rates[k] * x[k];
                    weighted[k] = pinned[k] ? 0 : x[k] / y;
                }

                Cholesky.Solve(a, weighted, solved);
                double leverage = 0;
                for (int k = 0; k < K; k++)
                {
                    leverage += weighted[k] * solved[k];
                }

                double error = Math.Clamp((y - predicted) / y / Math.Max(1e-3, 1 - leverage), -0.9, 0.9);

                // As a ratio of reported to estimated, which is what the reservation multiplies.
                double excess = (1 / (1 - error)) - 1;
                sum += excess;
                squares += excess * excess;
                for (int k = 0; k < K; k++)
                {
                    double share = predicted > 0 ? rates[k] * x[k] / predicted : 0;
                    weight[k] += share;
                    bias[k] += share * excess;
                    square[k] += share * excess * excess;
                }
            }

            // The model's pooled moments (with the prior worth one call), then each feature's, drawn toward the pooled
            // ones by a few calls' worth so a feature seen in few calls keeps the model's margin.
            double n = PriorCalls + _count;
            double pooledBias = sum / n;
            double pooledSquare = ((PriorCalls * PriorDeviation * PriorDeviation) + squares) / n;
            for (int k = 0; k < K; k++)
            {
                bias[k] = (bias[k] + (PooledCalls * pooledBias)) / (weight[k] + PooledCalls);
                square[k] = (square[k] + (PooledCalls * pooledSquare)) / (weight[k] + PooledCalls);
            }

            return new Fit(rates.ToArray(), bias, square, pooledBias, pooledSquare, z);
        }

        private void Normal(Span<double> a, Span<double> b, ReadOnlySpan<bool> pinned)
        {
            a.Clear();
            b.Clear();
            for (int i = 0; i < _count; i++)
            {
                ReadOnlySpan<double> x = _x.AsSpan(i * K, K);
                double w = 1 / (_y[i] * _y[i]);
                for (int r = 0; r < K; r++)
                {
                    if (x[r] == 0)
                    {
                        continue;
                    }

                    double wx = w * x[r];
                    b[r] += wx * _y[i];
                    for (int c = 0; c < K; c++)
                    {
                        a[(r * K) + c] += wx * x[c];
                    }
                }
            }

            for (int k = 0; k < K; k++)
            {
                // The prior: each rate within about its own size of the starting one (a tenth of a token for rates that start at zero).
                double scale = Math.Max(_prior[k], 0.1);
                double precision = PriorWeight / (scale * scale);
                a[(k * K) + k] += precision;
                b[k] += precision * _prior[k];
                if (pinned[k])
                {
                    // Held at zero: its row and column drop out.
                    for (int j = 0; j < K; j++)
                    {
                        a[(k * K) + j] = 0;
                        a[(j * K) + k] = 0;
                    }

                    a[(k * K) + k] = 1;
                    b[k] = 0;
                }
            }
        }
    }

    /// <summary>Cholesky factorization of a small symmetric positive-definite matrix, in place (lower triangle).</summary>
    private static class Cholesky
    {
        public static bool Factor(Span<double> a)
        {
            for (int j = 0; j < K; j++)
            {
                double diagonal = a[(j * K) + j];
                for (int k = 0; k < j; k++)
                {
                    diagonal -= a[(j * K) + k] * a[(j * K) + k];
                }

                if (!(diagonal > 0))
                {
                    return false;
                }

                double root = Math.Sqrt(diagonal);
                a[(j * K) + j] = root;
                for (int i = j + 1; i < K; i++)
                {
                    double sum = a[(i * K) + j];
                    for (int k = 0; k < j; k++)
                    {
                        sum -= a[(i * K) + k] * a[(j * K) + k];
                    }

                    a[(i * K) + j] = sum / root;
                }
            }

            return true;
        }

        public static void Solve(ReadOnlySpan<double> l, ReadOnlySpan<double> b, Span<double> x)
        {
            for (int i = 0; i < K; i++)
            {
                double sum = b[i];
                for (int k = 0; k < i; k++)
                {
                    sum -= l[(i * K) + k] * x[k];
                }

                x[i] = sum / l[(i * K) + i];
            }

            for (int i = K - 1; i >= 0; i--)
            {
                double sum = x[i];
                for (int k = i + 1; k < K; k++)
                {
                    sum -= l[(k * K) + i] * x[k];
                }

                x[i] = sum / l[(i * K) + i];
            }
        }
    }
}
