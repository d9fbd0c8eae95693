namespace AiCostGuard;

/// <summary>
/// The JSON Lines ledger format: one JSON object per line, UTF-8, each line complete and ending in <c>\n</c>.
/// </summary>
/// <remarks>
/// <para>Every line carries <c>"schema": 1</c> (<see cref="Version"/>) and <c>"kind"</c>: <c>"call"</c>, <c>"outcome"</c> or <c>"envelope"</c>.
/// Readers skip, and report, lines of a newer schema, of an unknown kind, or cut short by a crash.</para>
/// <para>Attribution fields, on both kinds, each omitted when unset: <c>tenant</c>, <c>team</c>, <c>feature</c>,
/// <c>user</c>, <c>costCenter</c>, <c>environment</c>, <c>tags</c> (an object of strings); <c>scope</c>, <c>scopeId</c>.</para>
/// <para>A <c>call</c> line: <c>ts</c> (ISO 8601 start time), <c>durationMs</c>, <c>model</c>, <c>requestedModel</c>
/// (the model asked for, when the call was routed or degraded to another or answered by a model of another family; omitted
/// otherwise, and in lines written before it existed), <c>provider</c>,
/// <c>streaming</c>, <c>inputTokens</c>, <c>cachedInputTokens</c>, <c>outputTokens</c>, <c>reasoningTokens</c>,
/// <c>cacheWriteTokens</c> (omitted when zero), <c>estimatedInputTokens</c>, <c>estimatePrecision</c>, <c>cost</c> (US
/// dollars, a JSON number written with the full <see cref="decimal"/> precision), <c>costParts</c> (an object of the
/// <see cref="CostParts"/> that cost something: <c>input</c>, <c>cachedInput</c>, <c>cacheWrite</c>, <c>output</c>,
/// <c>reasoning</c>, <c>audioAndImage</c>, <c>requestFee</c>; omitted when the cost was not priced part by part, and in
/// lines written before it existed), <c>costSource</c>, <c>decision</c>, <c>limitKind</c>, <c>limitBudget</c>,
/// <c>maxOutputTokens</c>, <c>refusal</c>, <c>policy</c> (the model policy behind a <c>Denied</c> or <c>ShadowDenied</c>
/// decision; omitted otherwise), <c>budgetTier</c> (the budget tier in force, omitted below every tier), <c>outcome</c>,
/// <c>pricingNotes</c> (omitted when none; <c>GpuPool</c> for a call priced from its GPU pool), <c>callKind</c> (omitted
/// for <c>Chat</c>; <c>Embedding</c> for an embeddings call), <c>avoidedCost</c> (US dollars, only on a call a response
/// cache answered), <c>traceId</c>, <c>spanId</c>. Enumerations are written by name.</para>
/// <para>An <c>outcome</c> line: <c>ts</c>, <c>name</c>, <c>success</c>, <c>value</c> (US dollars, optional).</para>
/// <para>An <c>envelope</c> line, one per move of an adaptive envelope's ceiling (<see cref="EnvelopeStep"/>): <c>ts</c>,
/// <c>envelope</c>, <c>key</c>, <c>change</c>, <c>ceiling</c>, <c>spent</c>, <c>successes</c>, <c>costPerSuccess</c> (optional).</para>
/// <para>No prompt or completion text is ever written. New fields may be added within a version; a change in the
/// meaning of a field makes a new version.</para>
/// </remarks>
public static class CostLedgerSchema
{
    /// <summary>The schema version written in every line's <c>"schema"</c> field.</summary>
    public const int Version = 1;

    /// <summary>The file extension of ledger files.</summary>
    public const string FileExtension = ".jsonl";
}
