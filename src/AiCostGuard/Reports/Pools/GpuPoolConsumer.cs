namespace AiCostGuard;

/// <summary>One consumer's share of a <see cref="GpuPoolAllocation"/>.</summary>
/// <param name="Key">The consumer's value for each dimension grouped by (<c>team</c>, <c>feature</c>, <c>model</c>); <c>-</c> for an unset value.</param>
/// <param name="Calls">The calls it sent to the pool's models.</param>
/// <param name="Tokens">The tokens (input and output) of those calls.</param>
/// <param name="Cost">The pool's cost allocated to it, in US dollars: its token share of the pool's capacity.</param>
public sealed record GpuPoolConsumer(IReadOnlyDictionary<string, string> Key, long Calls, long Tokens, decimal Cost);
