namespace AiCostGuard;

/// <summary>An expected amount of spend and its 80 % prediction interval, in US dollars.</summary>
/// <param name="Cost">The expected cost.</param>
/// <param name="Low">The lower bound of the 80 % prediction interval (the 10th percentile); never below zero.</param>
/// <param name="High">The upper bound of the 80 % prediction interval (the 90th percentile).</param>
public readonly record struct SpendRange(decimal Cost, decimal Low, decimal High);
