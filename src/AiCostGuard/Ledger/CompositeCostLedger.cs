namespace AiCostGuard;

/// <summary>Records every call and outcome in several sinks, in order: typically an <see cref="InMemoryCostLedger"/> and a <see cref="JsonLinesCostLedger"/>.</summary>
/// <remarks>
/// A sink that throws does not keep the record from the sinks after it: every sink is offered the record, then the
/// first exception is rethrown. This type is thread-safe when its sinks are.
/// </remarks>
public sealed class CompositeCostLedger : ICostLedger
{
    private readonly ICostLedger[] _sinks;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="sinks">The sinks, recorded to in this order.</param>
    /// <exception cref="ArgumentNullException"><paramref name="sinks"/> or one of them is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sinks"/> is empty.</exception>
    public CompositeCostLedger(params IEnumerable<ICostLedger> sinks)
    {
        ArgumentNullException.ThrowIfNull(sinks);
        _sinks = [.. sinks];
        if (_sinks.Length == 0)
        {
            throw new ArgumentException("Give at least one ledger sink.", nameof(sinks));
        }

        foreach (ICostLedger sink in _sinks)
        {
            ArgumentNullException.ThrowIfNull(sink, nameof(sinks));
        }
    }

    /// <summary>Gets the sinks, in the order they are recorded to.</summary>
    public IReadOnlyList<ICostLedger> Sinks => _sinks;

    /// <inheritdoc/>
    public void Record(in CostRecord record)
    {
        Exception? first = null;
        foreach (ICostLedger sink in _sinks)
        {
            try
            {
                sink.Record(in record);
            }
            catch (Exception e) when (first is null)
            {
                first = e;
            }
        }

        if (first is not null)
        {
            throw first;
        }
    }

    /// <inheritdoc/>
    public void Record(in OutcomeRecord outcome)
    {
        Exception? first = null;
        foreach (ICostLedger sink in _sinks)
        {
            try
            {
                sink.Record(in outcome);
            }
            catch (Exception e) when (first is null)
            {
                first = e;
            }
        }

        if (first is not null)
        {
            throw first;
        }
    }

    /// <inheritdoc/>
    public void Record(EnvelopeStep envelopeStep)
    {
        Exception? first = null;
        foreach (ICostLedger sink in _sinks)
        {
            try
            {
                sink.Record(envelopeStep);
            }
            catch (Exception e) when (first is null)
            {
                first = e;
            }
        }

        if (first is not null)
        {
            throw first;
        }
    }

    /// <inheritdoc/>
    public void ThrowIfUnavailable()
    {
        foreach (ICostLedger sink in _sinks)
        {
            sink.ThrowIfUnavailable();
        }
    }
}
