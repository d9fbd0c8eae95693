using System.Collections.Concurrent;

namespace AiCostGuard;

/// <summary>
/// How many times each kernel function was invoked through a kernel with <c>AddCostGovernance()</c>, counted by
/// <see cref="CostGovernanceFunctionInvocationFilter"/>. The cost of the model calls made inside each function is in
/// the ledger, under the attribution tag <see cref="KernelCostGovernanceOptions.FunctionTag"/>.
/// </summary>
/// <remarks>Resolve it from the kernel's services. This type is thread-safe.</remarks>
public sealed class KernelFunctionCallCounts
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    /// <summary>Gets how many times a function was invoked.</summary>
    /// <param name="functionName">The function, as <c>Plugin.Function</c> or, outside a plugin, its name.</param>
    /// <returns>The count; zero for a function never invoked.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="functionName"/> is <see langword="null"/>.</exception>
    public long GetCount(string functionName)
    {
        ArgumentNullException.ThrowIfNull(functionName);
        return _counts.TryGetValue(functionName, out long count) ? count : 0;
    }

    /// <summary>Returns every function invoked so far with its count.</summary>
    /// <returns>A snapshot, by function name.</returns>
    public IReadOnlyDictionary<string, long> ToDictionary() => new Dictionary<string, long>(_counts, StringComparer.Ordinal);

    internal void Increment(string functionName) => _counts.AddOrUpdate(functionName, 1, static (_, count) => count + 1);
}
