namespace AiCostGuard;

/// <summary>
/// An ambient attribution in force until disposed; returned by <see cref="CostAttribution.Begin(CostAttribution)"/>.
/// </summary>
/// <remarks>Dispose it on the same asynchronous flow that created it, typically with a <see langword="using"/> statement.</remarks>
public readonly struct AttributionScope : IDisposable
{
    private readonly CostAttribution? _previous;
    private readonly bool _active;

    internal AttributionScope(CostAttribution? previous)
    {
        _previous = previous;
        _active = true;
    }

    /// <summary>Restores the attribution that was ambient before this scope began.</summary>
    public void Dispose()
    {
        if (_active)
        {
            CostAttribution.Restore(_previous);
        }
    }
}
