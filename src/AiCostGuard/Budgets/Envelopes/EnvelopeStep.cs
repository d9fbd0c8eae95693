namespace AiCostGuard;

/// <summary>One move of an adaptive envelope's ceiling for one key, and why.</summary>
/// <param name="Envelope">The envelope's name.</param>
/// <param name="Key">The attribution key, e.g. <c>team=search</c>.</param>
/// <param name="Time">When it moved: the record that moved it.</param>
/// <param name="Change">Why it moved.</param>
/// <param name="Ceiling">The ceiling from then on, in US dollars.</param>
/// <param name="Spent">The key's spend in the period so far, in US dollars.</param>
/// <param name="Successes">The key's successful outcomes in the period so far.</param>
/// <param name="CostPerSuccess">Spent / successes, or <see langword="null"/> before the first success.</param>
public sealed record EnvelopeStep(string Envelope, string Key, DateTimeOffset Time, EnvelopeChange Change, decimal Ceiling, decimal Spent, int Successes, decimal? CostPerSuccess);
