namespace AiCostGuard;

/// <summary>The input tokens of a model call, estimated before it is sent.</summary>
/// <param name="Tokens">The estimate.</param>
/// <param name="Precision">How exact <paramref name="Tokens"/> is.</param>
/// <param name="UpperBound">A count the call cannot exceed (for byte-level BPE, every token holds at least one UTF-8 byte); equals <paramref name="Tokens"/> when exact.</param>
public readonly record struct InputTokenEstimate(long Tokens, EstimatePrecision Precision, long UpperBound);
