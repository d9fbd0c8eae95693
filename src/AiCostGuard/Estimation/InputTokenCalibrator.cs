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

    private readonly ConcurrentDictionary<string, CalibratedModel> _models = new(StringComparer.OrdinalIgnoreCase);

    // Estimates known only as a token count are fitted apart: their one feature means something else.
    private readonly ConcurrentDictionary<string, CalibratedModel> _tokenCountModels = new(StringComparer.OrdinalIgnoreCase);
    private readonly CalibrationFit[] _starting;
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
        _starting = [.. Enum.GetValues<TokenizerFamily>().Select(family => CalibrationFit.Starting(StartingRates.For(family), _z))];
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
        CalibrationFit fit;
        if (modelId is not null && ModelsFor(estimate).TryGetValue(modelId, out CalibratedModel? model))
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

        // Content bounded by its per-kind rules is not text: its bound is added as it is, never scaled by what text taught.
        ContentTokenBound bounded = estimate.BoundedContent;
        long tokens = (long)Math.Ceiling(central) + bounded.Tokens;
        return estimate with { Tokens = tokens, UpperBound = Math.Max(tokens, (long)Math.Ceiling(central * fit.Factor(x, central)) + bounded.UpperBound) };
    }

    /// <summary>Learns from one call: the estimate made before sending it (raw or as <see cref="Apply"/> returned it) and the input tokens the provider reported.</summary>
    /// <param name="modelId">The model id; <see langword="null"/> is ignored.</param>
    /// <param name="estimate">The estimate; exact ones, those of counted families and those with <see cref="InputTokenEstimate.BoundedContent"/> (whose report says nothing of the text alone) are ignored.</param>
    /// <param name="reportedInputTokens">The input tokens the provider reported, cached ones included; zero or less is ignored.</param>
    public void Learn(string? modelId, in InputTokenEstimate estimate, long reportedInputTokens)
    {
        if (modelId is null || reportedInputTokens <= 0 || estimate.Precision == EstimatePrecision.Exact || !estimate.BoundedContent.IsEmpty
            || (estimate.Composition.IsEmpty && estimate.Tokens <= 0))
        {
            return;
        }

        ConcurrentDictionary<string, CalibratedModel> models = ModelsFor(estimate);
        if (!models.TryGetValue(modelId, out CalibratedModel? model))
        {
            ModelTokenizer tokenizer = ModelTokenizer.For(modelId);
            if (tokenizer.IsCounted || models.Count >= MaximumModels)
            {
                return;
            }

            model = models.GetOrAdd(modelId, static (_, state) => new CalibratedModel(state.Tokenizer, state.Self._starting[(int)state.Tokenizer.Family]), (Tokenizer: tokenizer, Self: this));
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
        if (modelId is not null && (_models.TryGetValue(modelId, out CalibratedModel? model) || _tokenCountModels.TryGetValue(modelId, out model)))
        {
            return model.Snapshot();
        }

        TokenizerFamily family = ModelTokenizer.For(modelId).Family;
        return _starting[(int)family].Describe(family, samples: 0, default);
    }

    /// <summary>Gets the process-wide calibration of <paramref name="modelId"/> in the shape <see cref="TokenEstimator.GetCalibration"/> has always reported.</summary>
    internal TokenCalibration GetScalarCalibration(string? modelId) =>
        modelId is not null && (_tokenCountModels.TryGetValue(modelId, out CalibratedModel? model) || _models.TryGetValue(modelId, out model)) ? model.Scalar() : new TokenCalibration(1.0, 0, 0);

    private ConcurrentDictionary<string, CalibratedModel> ModelsFor(in InputTokenEstimate estimate) => estimate.Composition.IsEmpty ? _tokenCountModels : _models;

    private static void Features(in InputTokenEstimate estimate, Span<double> x)
    {
        // An estimate without a composition is a plain token count: its tokens are the one feature with the request.
        TextComposition composition = estimate.Composition.IsEmpty ? new TextComposition { FixedTokens = estimate.Tokens - estimate.BoundedContent.Tokens } : estimate.Composition;
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
}
