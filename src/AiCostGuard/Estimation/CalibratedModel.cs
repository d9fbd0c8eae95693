namespace AiCostGuard;

/// <summary>
/// What one <see cref="InputTokenCalibrator"/> learns of one model: its last <see cref="InputTokenCalibrator.Window"/> calls and the
/// fit made from them, refit under a lock on each call learned and read without one.
/// </summary>
internal sealed class CalibratedModel(ModelTokenizer tokenizer, CalibrationFit starting)
{
    private const int K = StartingRates.FeatureCount;
    private const int Window = InputTokenCalibrator.Window;
    private const double PriorDeviation = CalibrationFit.PriorDeviation;

    /// <summary>The weight of the starting rates, in calls whose whole input is of one class.</summary>
    private const double PriorWeight = 0.05;

    private const double PriorCalls = 1;

    /// <summary>The weight, in calls, of a model's pooled error moments in each feature's.</summary>
    private const double PooledCalls = 3;

    /// <summary>A call reported at more than this factor from its estimate (an image-heavy call, a wrong model id) is not learned from.</summary>
    private const double OutlierFactor = 4;

    private readonly Lock _sync = new();
    private readonly double[] _prior = starting.Rates;
    private readonly double[] _x = new double[Window * K];
    private readonly double[] _y = new double[Window];
    private int _count;
    private int _next;
    private long _samples;
    private CalibrationErrors _errors;
    private volatile CalibrationFit _current = starting;

    public ModelTokenizer Tokenizer { get; } = tokenizer;

    public CalibrationFit Current => _current;

    public void Learn(ReadOnlySpan<double> x, long reported, long raw, double z)
    {
        lock (_sync)
        {
            CalibrationFit fit = _current;
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
    private CalibrationFit Refit(double z)
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

        return new CalibrationFit(rates.ToArray(), bias, square, pooledBias, pooledSquare, z);
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
