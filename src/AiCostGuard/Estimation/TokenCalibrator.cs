using System.Collections.Concurrent;

namespace AiCostGuard;

/// <summary>
/// Learns, per model, the ratio of provider-reported input tokens to length-based estimates, for model families without
/// a public tokenizer.
/// </summary>
/// <remarks>
/// <para>
/// The running estimate is an exponentially weighted mean of each call's ratio, with weight 1/n for the first
/// <see cref="WarmUpSamples"/> calls (a plain mean) and <see cref="Smoothing"/> after, so it follows a provider's change of
/// tokenizer. Robust: once warm, a single ratio is clamped to within a factor of <see cref="OutlierFactor"/> of the current
/// estimate (a tool-heavy or image-heavy call must not swing it), and the ratio itself stays within
/// [<see cref="MinimumRatio"/>, <see cref="MaximumRatio"/>].
/// </para>
/// <para>Bounded: at most <see cref="MaximumModels"/> models are tracked; calls to further models use the documented ratio. Thread-safe: each model's state is updated under its own lock, never across an await.</para>
/// </remarks>
internal sealed class TokenCalibrator
{
    public const int MaximumModels = 256;
    public const int WarmUpSamples = 10;
    public const double Smoothing = 0.1;
    public const double OutlierFactor = 2.0;
    public const double MinimumRatio = 0.25;
    public const double MaximumRatio = 4.0;

    private readonly ConcurrentDictionary<string, State> _models = new(StringComparer.OrdinalIgnoreCase);

    public int Count => _models.Count;

    public void Observe(string modelId, long estimated, long reported)
    {
        if (estimated <= 0 || reported <= 0)
        {
            return;
        }

        if (!_models.TryGetValue(modelId, out State? state))
        {
            if (_models.Count >= MaximumModels)
            {
                return;
            }

            state = _models.GetOrAdd(modelId, static _ => new State());
        }

        state.Observe((double)reported / estimated, estimated, reported);
    }

    public TokenCalibration Get(string? modelId) =>
        modelId is not null && _models.TryGetValue(modelId, out State? state) ? state.Snapshot() : new TokenCalibration(1.0, 0, 0);

    public long Apply(string? modelId, long estimated)
    {
        if (modelId is null || !_models.TryGetValue(modelId, out State? state))
        {
            return estimated;
        }

        double ratio = state.Ratio;
        return (long)Math.Ceiling(estimated * ratio);
    }

    private sealed class State
    {
        private readonly Lock _sync = new();
        private double _ratio = 1.0;
        private long _samples;
        private double _errorSum;

        public double Ratio
        {
            get
            {
                lock (_sync)
                {
                    return _ratio;
                }
            }
        }

        public void Observe(double ratio, long estimated, long reported)
        {
            lock (_sync)
            {
                double predicted = Math.Ceiling(estimated * _ratio);
                _errorSum += Math.Abs(predicted - reported) / reported;
                _samples++;
                if (_samples > WarmUpSamples)
                {
                    ratio = Math.Clamp(ratio, _ratio / OutlierFactor, _ratio * OutlierFactor);
                }

                double weight = _samples <= WarmUpSamples ? 1.0 / _samples : Smoothing;
                _ratio = Math.Clamp(_ratio + (weight * (ratio - _ratio)), MinimumRatio, MaximumRatio);
            }
        }

        public TokenCalibration Snapshot()
        {
            lock (_sync)
            {
                return new TokenCalibration(_ratio, _samples, _samples == 0 ? 0 : 100.0 * _errorSum / _samples);
            }
        }
    }
}
