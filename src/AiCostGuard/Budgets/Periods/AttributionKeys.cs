using System.Runtime.CompilerServices;

namespace AiCostGuard;

/// <summary>
/// The keys of a call's attribution on a fixed list of dimension sets (one per period budget or velocity rule), built
/// once per <see cref="CostAttribution"/> instance: ambient attributions are reused across calls.
/// </summary>
internal sealed class AttributionKeys
{
    private readonly AttributionDimensions[] _dimensions;
    private readonly ConditionalWeakTable<CostAttribution, string[]> _keys = new();
    private readonly ConditionalWeakTable<CostAttribution, string[]>.CreateValueCallback _build;

    public AttributionKeys(AttributionDimensions[] dimensions)
    {
        _dimensions = dimensions;
        _build = Build;
    }

    /// <summary>The keys of <paramref name="attribution"/>, in the order of the dimension sets.</summary>
    public string[] For(CostAttribution attribution) => _keys.GetValue(attribution, _build);

    private string[] Build(CostAttribution attribution)
    {
        var keys = new string[_dimensions.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = AttributionKey.Build(_dimensions[i], attribution);
        }

        return keys;
    }
}
