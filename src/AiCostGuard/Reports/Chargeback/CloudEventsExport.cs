using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace AiCostGuard;

/// <summary>
/// Writes call records as CloudEvents 1.0 in the structured JSON format, one event per line, for usage-based billing
/// (OpenMeter, Lago) and chargeback.
/// </summary>
/// <remarks>
/// <para>Each call sent is one event: <c>id</c> is derived from the record (the SHA-256 of its ledger line, with a
/// counter for identical records), so exporting the same ledger twice gives the same ids and a metering service can
/// deduplicate; <c>subject</c> is the call's value for <see cref="CloudEventsExportOptions.Subject"/>; <c>time</c> the
/// call's start. <c>data</c> holds <c>model</c>, <c>provider</c>, <c>tokens</c> by kind (<c>input</c>,
/// <c>cachedInput</c>, <c>cacheWrite</c>, <c>output</c>, <c>reasoning</c>, <c>total</c>), <c>cost</c> and
/// <c>billed</c> (cost × the subject's markup) as JSON numbers in US dollars, <c>markup</c>, <c>costSource</c>,
/// <c>attribution</c> (its dimensions, and its <c>tags</c>), <c>run</c> and <c>traceId</c>.</para>
/// <para>Refused calls cost nothing and are left out. Thread-safe: it keeps no state.</para>
/// </remarks>
public static class CloudEventsExport
{
    /// <summary>Writes one event per call sent.</summary>
    /// <param name="calls">The call records.</param>
    /// <param name="writer">Where the events go, one JSON object per line.</param>
    /// <param name="options">The source, type, subject and markup; the defaults when <see langword="null"/>.</param>
    /// <returns>The number of events written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="calls"/> or <paramref name="writer"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid; the message lists every problem.</exception>
    public static int Write(IEnumerable<CostRecord> calls, TextWriter writer, CloudEventsExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(calls);
        ArgumentNullException.ThrowIfNull(writer);
        options ??= new CloudEventsExportOptions();
        IReadOnlyList<string> problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid CloudEvents export options: " + string.Join(" ", problems), nameof(options));
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var line = new ArrayBufferWriter<byte>();
        var events = new ArrayBufferWriter<byte>();
        using var record = new Utf8JsonWriter(line);
        using var json = new Utf8JsonWriter(events);
        int count = 0;
        foreach (CostRecord c in calls)
        {
            if (c.Outcome == CallOutcome.NotSent)
            {
                continue;
            }

            line.ResetWrittenCount();
            record.Reset(line);
            CostLedgerJson.Write(record, in c);
            record.Flush();
            string id = Convert.ToHexStringLower(SHA256.HashData(line.WrittenSpan))[..32];
            int repeat = seen.TryGetValue(id, out int n) ? n + 1 : 0;
            seen[id] = repeat;
            if (repeat > 0)
            {
                id += "-" + repeat.ToString(CultureInfo.InvariantCulture);
            }

            events.ResetWrittenCount();
            json.Reset(events);
            WriteEvent(json, c, id, options);
            json.Flush();
            writer.Write(System.Text.Encoding.UTF8.GetString(events.WrittenSpan));
            writer.Write('\n');
            count++;
        }

        return count;
    }

    private static void WriteEvent(Utf8JsonWriter json, in CostRecord c, string id, CloudEventsExportOptions options)
    {
        CostAttribution attribution = c.Attribution ?? CostAttribution.Empty;
        string subject = attribution.Get(options.Subject) ?? CostAttribution.Unattributed;
        decimal markup = options.Markup.TryGetValue(subject, out decimal m) ? m : 1m;
        json.WriteStartObject();
        json.WriteString("specversion", "1.0");
        json.WriteString("id", id);
        json.WriteString("source", options.Source);
        json.WriteString("type", options.Type);
        json.WriteString("subject", subject);
        json.WriteString("time", c.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
        json.WriteString("datacontenttype", "application/json");
        json.WriteStartObject("data");
        json.WriteString("model", c.ModelId ?? "unknown");
        json.WriteString("provider", string.IsNullOrEmpty(c.Provider) ? "unknown" : c.Provider);
        json.WriteStartObject("tokens");
        json.WriteNumber("input", c.InputTokens);
        json.WriteNumber("cachedInput", c.CachedInputTokens);
        json.WriteNumber("cacheWrite", c.CacheWriteTokens);
        json.WriteNumber("output", c.OutputTokens);
        json.WriteNumber("reasoning", c.ReasoningTokens);
        json.WriteNumber("total", c.InputTokens + c.OutputTokens);
        json.WriteEndObject();
        json.WriteNumber("cost", Normalize(c.Cost));
        json.WriteNumber("billed", Normalize(c.Cost * markup));
        json.WriteNumber("markup", Normalize(markup));
        json.WriteString("costSource", c.CostSource.ToString());
        json.WriteStartObject("attribution");
        foreach ((string name, string? value) in Attribution(attribution))
        {
            if (value is not null)
            {
                json.WriteString(name, value);
            }
        }

        if (attribution.Tags.Count > 0)
        {
            json.WriteStartObject("tags");
            foreach (KeyValuePair<string, string> tag in attribution.Tags)
            {
                json.WriteString(tag.Key, tag.Value);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
        if (c.ScopeId is { } run)
        {
            json.WriteString("run", run);
        }

        if (c.TraceId != default)
        {
            json.WriteString("traceId", c.TraceId.ToHexString());
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static IEnumerable<(string Name, string? Value)> Attribution(CostAttribution a)
    {
        yield return ("tenant", a.Tenant);
        yield return ("team", a.Team);
        yield return ("feature", a.Feature);
        yield return ("user", a.User);
        yield return ("costCenter", a.CostCenter);
        yield return ("environment", a.Environment);
    }

    private static decimal Normalize(decimal amount) => amount / 1.0000000000000000000000000000m;
}
