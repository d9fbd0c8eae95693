using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>
/// Token counts of one model call, normalized to the Microsoft.Extensions.AI convention: <see cref="InputTokens"/> is all
/// input (cache reads and cache writes included) and <see cref="OutputTokens"/> is all output (reasoning included); every
/// other count is a part of one of them, so each token is priced exactly once.
/// </summary>
/// <param name="InputTokens">All input tokens, cache reads and writes included.</param>
/// <param name="OutputTokens">All output tokens, reasoning ones included.</param>
/// <param name="CachedInputTokens">The input tokens read from the provider's prompt cache.</param>
/// <param name="ReasoningTokens">The output tokens spent on reasoning.</param>
/// <remarks>
/// Build it from a provider's report with <see cref="FromUsageDetails(UsageDetails)"/> (Microsoft.Extensions.AI) or
/// <see cref="FromAnthropic"/> (Anthropic's wire usage, where cache reads and writes are reported beside input).
/// </remarks>
public readonly record struct TokenUsage(long InputTokens, long OutputTokens, long CachedInputTokens = 0, long ReasoningTokens = 0)
{
    /// <summary>The <see cref="UsageDetails.AdditionalCounts"/> keys read as 5-minute cache writes (Anthropic's names and their .NET spellings).</summary>
    private static readonly string[] CacheWriteKeys = ["CacheCreationInputTokens", "cache_creation_input_tokens", "InputTokenDetails.CacheCreationTokenCount", "CacheWriteInputTokens"];

    private static readonly string[] CacheWrite5mKeys = ["ephemeral_5m_input_tokens", "CacheCreation.Ephemeral5mInputTokens"];

    private static readonly string[] CacheWrite1hKeys = ["ephemeral_1h_input_tokens", "CacheCreation.Ephemeral1hInputTokens"];

    /// <summary>Gets the input tokens written to a 5-minute prompt cache; part of <see cref="InputTokens"/>.</summary>
    public long CacheWriteTokens { get; init; }

    /// <summary>Gets the input tokens written to a 1-hour prompt cache; part of <see cref="InputTokens"/>.</summary>
    public long CacheWriteOneHourTokens { get; init; }

    /// <summary>Gets the audio input tokens; part of the uncached <see cref="InputTokens"/>.</summary>
    public long AudioInputTokens { get; init; }

    /// <summary>Gets the image input tokens, where the model prices them apart; part of the uncached <see cref="InputTokens"/>.</summary>
    public long ImageInputTokens { get; init; }

    /// <summary>Gets the audio output tokens; part of <see cref="OutputTokens"/>.</summary>
    public long AudioOutputTokens { get; init; }

    /// <summary>Gets input plus output tokens.</summary>
    public long TotalTokens => InputTokens + OutputTokens;

    /// <summary>Gets all cache-write tokens, 5-minute and 1-hour.</summary>
    public long AllCacheWriteTokens => CacheWriteTokens + CacheWriteOneHourTokens;

    /// <summary>
    /// Normalizes Microsoft.Extensions.AI usage: cached within input, reasoning within output, and provider extras from
    /// <see cref="UsageDetails.AdditionalCounts"/>: the OpenAI adapter's <c>InputTokenDetails.AudioTokenCount</c>,
    /// <c>OutputTokenDetails.AudioTokenCount</c>, and Anthropic-style cache writes (<c>cache_creation_input_tokens</c>,
    /// <c>ephemeral_5m_input_tokens</c>, <c>ephemeral_1h_input_tokens</c> and their .NET spellings).
    /// </summary>
    /// <param name="usage">The reported usage.</param>
    /// <returns>The normalized usage; counts the provider did not report are zero.</returns>
    /// <remarks>
    /// Microsoft.Extensions.AI defines <see cref="UsageDetails.InputTokenCount"/> as all input, cache reads included, so a
    /// cached count above the input is an inconsistent report and is capped at the input. Cache writes are a provider extra
    /// outside that convention: when the input is too small to contain the reads and writes (an adapter that passes
    /// Anthropic's <c>input_tokens</c> through, where writes are reported beside input), the writes are added to the input
    /// rather than priced out of it, so nothing billed goes unpriced.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="usage"/> is <see langword="null"/>.</exception>
    public static TokenUsage FromUsageDetails(UsageDetails usage) => FromUsageDetails(usage, rawRepresentation: null);

    /// <summary>
    /// Normalizes <paramref name="usage"/> as <see cref="FromUsageDetails(UsageDetails)"/> does and, where it reports only
    /// a total of cache writes, splits that total into 5-minute and 1-hour writes as the provider's raw response
    /// (<paramref name="rawRepresentation"/>) reports them, so each is priced at its own rate.
    /// </summary>
    internal static TokenUsage FromUsageDetails(UsageDetails usage, object? rawRepresentation)
    {
        ArgumentNullException.ThrowIfNull(usage);
        long input = NonNegative(usage.InputTokenCount);
        long output = NonNegative(usage.OutputTokenCount);
        long cached = NonNegative(usage.CachedInputTokenCount);
        long reasoning = NonNegative(usage.ReasoningTokenCount);
        AdditionalPropertiesDictionary<long>? extra = usage.AdditionalCounts;
        long write5m = Read(extra, CacheWrite5mKeys);
        long write1h = Read(extra, CacheWrite1hKeys);
        if (write5m == 0 && write1h == 0)
        {
            write5m = Read(extra, CacheWriteKeys);

            // The reported total stays the count; the raw split only apportions it between the two rates.
            if (write5m > 0 && CacheWriteSplit.TryRead(rawRepresentation, out _, out long oneHour))
            {
                write1h = Math.Min(oneHour, write5m);
                write5m -= write1h;
            }
        }

        cached = Math.Min(cached, input);
        if (input < cached + write5m + write1h)
        {
            input += write5m + write1h;
        }

        long audioIn = Math.Min(Read(extra, ["InputTokenDetails.AudioTokenCount"]), input - cached - write5m - write1h);
        long audioOut = Read(extra, ["OutputTokenDetails.AudioTokenCount"]);
        reasoning = Math.Min(reasoning, output);
        audioOut = Math.Min(audioOut, output - reasoning);
        return new TokenUsage(input, output, cached, reasoning)
        {
            CacheWriteTokens = write5m,
            CacheWriteOneHourTokens = write1h,
            AudioInputTokens = audioIn,
            AudioOutputTokens = audioOut,
        };
    }

    /// <summary>
    /// Normalizes Anthropic's usage, where <c>input_tokens</c> counts only the uncached input and cache reads
    /// (<c>cache_read_input_tokens</c>) and writes (<c>cache_creation_input_tokens</c>, split by time to live in
    /// <c>cache_creation.ephemeral_5m_input_tokens</c> / <c>ephemeral_1h_input_tokens</c>) are reported beside it.
    /// </summary>
    /// <param name="inputTokens">Anthropic's <c>input_tokens</c>: uncached input only.</param>
    /// <param name="outputTokens">Anthropic's <c>output_tokens</c>, thinking included.</param>
    /// <param name="cacheReadTokens">Anthropic's <c>cache_read_input_tokens</c>.</param>
    /// <param name="cacheWrite5mTokens">Tokens written to the 5-minute cache (all of <c>cache_creation_input_tokens</c> when it is not split).</param>
    /// <param name="cacheWrite1hTokens">Tokens written to the 1-hour cache.</param>
    /// <returns>The usage with all input in <see cref="InputTokens"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative.</exception>
    public static TokenUsage FromAnthropic(long inputTokens, long outputTokens, long cacheReadTokens = 0, long cacheWrite5mTokens = 0, long cacheWrite1hTokens = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(outputTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(cacheReadTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(cacheWrite5mTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(cacheWrite1hTokens);
        return new TokenUsage(inputTokens + cacheReadTokens + cacheWrite5mTokens + cacheWrite1hTokens, outputTokens, cacheReadTokens)
        {
            CacheWriteTokens = cacheWrite5mTokens,
            CacheWriteOneHourTokens = cacheWrite1hTokens,
        };
    }

    /// <summary>
    /// Returns this usage with totals <paramref name="inputTokens"/> and <paramref name="outputTokens"/> and
    /// <paramref name="cachedInputTokens"/> cached, every part capped to fit its whole, so an estimated total cannot make
    /// the parts unpriceable.
    /// </summary>
    internal TokenUsage FittedTo(long inputTokens, long outputTokens, long cachedInputTokens)
    {
        long input = Math.Max(0, inputTokens);
        long output = Math.Max(0, outputTokens);
        long cached = Math.Clamp(cachedInputTokens, 0, input);
        long write5m = Math.Clamp(CacheWriteTokens, 0, input - cached);
        long write1h = Math.Clamp(CacheWriteOneHourTokens, 0, input - cached - write5m);
        long audioIn = Math.Clamp(AudioInputTokens, 0, input - cached - write5m - write1h);
        long imageIn = Math.Clamp(ImageInputTokens, 0, input - cached - write5m - write1h - audioIn);
        long reasoning = Math.Clamp(ReasoningTokens, 0, output);
        long audioOut = Math.Clamp(AudioOutputTokens, 0, output - reasoning);
        return new TokenUsage(input, output, cached, reasoning)
        {
            CacheWriteTokens = write5m,
            CacheWriteOneHourTokens = write1h,
            AudioInputTokens = audioIn,
            ImageInputTokens = imageIn,
            AudioOutputTokens = audioOut,
        };
    }

    private static long NonNegative(long? value) => value is > 0 ? value.Value : 0;

    private static long Read(AdditionalPropertiesDictionary<long>? counts, string[] keys)
    {
        if (counts is null)
        {
            return 0;
        }

        foreach (string key in keys)
        {
            if (counts.TryGetValue(key, out long value) && value > 0)
            {
                return value;
            }
        }

        return 0;
    }
}
