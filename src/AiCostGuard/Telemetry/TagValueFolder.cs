using System.Collections.Concurrent;

namespace AiCostGuard;

/// <summary>Bounds the cardinality of one metric tag: values outside an allow-list, or beyond a count of distinct values, become <c>other</c>.</summary>
/// <remarks>Thread-safe; a value already seen is a lock-free dictionary lookup with no allocation.</remarks>
internal sealed class TagValueFolder
{
    private readonly ConcurrentDictionary<string, string> _seen = new(StringComparer.Ordinal);
    private readonly HashSet<string>? _allowed;
    private readonly int _maximum;
    private readonly Lock _sync = new();

    public TagValueFolder(IEnumerable<string>? allowed, int maximum)
    {
        _allowed = allowed?.Any() == true ? new HashSet<string>(allowed, StringComparer.Ordinal) : null;
        _maximum = maximum;
    }

    public string Fold(string? value)
    {
        if (value is null)
        {
            return "none";
        }

        if (_seen.TryGetValue(value, out string? folded))
        {
            return folded;
        }

        if (_allowed is not null && !_allowed.Contains(value))
        {
            return CostGovernanceTelemetry.OtherValue;
        }

        lock (_sync)
        {
            if (_seen.Count >= _maximum)
            {
                return CostGovernanceTelemetry.OtherValue;
            }

            return _seen.GetOrAdd(value, value);
        }
    }
}
