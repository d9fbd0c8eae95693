using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace AiCostGuard;

/// <summary>Writes and parses the lines of <see cref="CostLedgerSchema"/>.</summary>
internal static class CostLedgerJson
{
    public static void Write(Utf8JsonWriter json, in CostRecord r)
    {
        json.WriteStartObject();
        json.WriteNumber("schema", CostLedgerSchema.Version);
        json.WriteString("kind", "call");
        json.WriteString("ts", r.Timestamp);
        json.WriteNumber("durationMs", Math.Round(r.Duration.TotalMilliseconds, 3));
        WriteAttribution(json, r.Attribution, r.ScopeName, r.ScopeId);
        WriteIf(json, "model", r.ModelId);
        WriteIf(json, "requestedModel", r.RequestedModelId);
        WriteIf(json, "provider", r.Provider);
        json.WriteBoolean("streaming", r.IsStreaming);
        json.WriteNumber("inputTokens", r.InputTokens);
        json.WriteNumber("cachedInputTokens", r.CachedInputTokens);
        json.WriteNumber("outputTokens", r.OutputTokens);
        json.WriteNumber("reasoningTokens", r.ReasoningTokens);
        if (r.CacheWriteTokens != 0)
        {
            json.WriteNumber("cacheWriteTokens", r.CacheWriteTokens);
        }

        json.WriteNumber("estimatedInputTokens", r.EstimatedInputTokens);
        json.WriteString("estimatePrecision", r.EstimatePrecision.ToString());
        json.WriteNumber("cost", r.Cost);
        if (r.CostParts is { } parts)
        {
            WriteParts(json, in parts);
        }

        json.WriteString("costSource", r.CostSource.ToString());
        json.WriteString("decision", r.Decision.ToString());
        if (r.LimitKind is { } kind)
        {
            json.WriteString("limitKind", kind.ToString());
        }

        WriteIf(json, "limitBudget", r.LimitBudget);
        json.WriteNumber("maxOutputTokens", r.MaximumOutputTokens);
        WriteIf(json, "refusal", r.RefusalReason);
        WriteIf(json, "policy", r.PolicyName);
        WriteIf(json, "budgetTier", r.BudgetTier);
        json.WriteString("outcome", r.Outcome.ToString());
        if (r.PricingNotes != PricingNotes.None)
        {
            json.WriteString("pricingNotes", r.PricingNotes.ToString());
        }

        if (r.Kind != CallKind.Chat)
        {
            json.WriteString("callKind", r.Kind.ToString());
        }

        if (r.AvoidedCost is { } avoided)
        {
            json.WriteNumber("avoidedCost", avoided);
        }

        if (r.TraceId != default)
        {
            json.WriteString("traceId", r.TraceId.ToHexString());
            json.WriteString("spanId", r.SpanId.ToHexString());
        }

        json.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter json, in OutcomeRecord o)
    {
        json.WriteStartObject();
        json.WriteNumber("schema", CostLedgerSchema.Version);
        json.WriteString("kind", "outcome");
        json.WriteString("ts", o.Timestamp);
        WriteAttribution(json, o.Attribution, o.ScopeName, o.ScopeId);
        json.WriteString("name", o.Name);
        json.WriteBoolean("success", o.IsSuccess);
        if (o.Value is { } value)
        {
            json.WriteNumber("value", value);
        }

        json.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter json, EnvelopeStep step)
    {
        json.WriteStartObject();
        json.WriteNumber("schema", CostLedgerSchema.Version);
        json.WriteString("kind", "envelope");
        json.WriteString("ts", step.Time);
        json.WriteString("envelope", step.Envelope);
        json.WriteString("key", step.Key);
        json.WriteString("change", step.Change.ToString());
        json.WriteNumber("ceiling", step.Ceiling);
        json.WriteNumber("spent", step.Spent);
        json.WriteNumber("successes", step.Successes);
        if (step.CostPerSuccess is { } perSuccess)
        {
            json.WriteNumber("costPerSuccess", perSuccess);
        }

        json.WriteEndObject();
    }

    /// <summary>Parses one line; returns why it was skipped, or <see langword="null"/>.</summary>
    public static string? Parse(ReadOnlySpan<byte> line, List<CostRecord> calls, List<OutcomeRecord> outcomes, List<EnvelopeStep> envelopeSteps)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            using JsonDocument document = JsonDocument.ParseValue(ref reader);
            JsonElement e = document.RootElement;
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("schema", out JsonElement schema) || !schema.TryGetInt32(out int version))
            {
                return "not a ledger record (no \"schema\")";
            }

            if (version != CostLedgerSchema.Version)
            {
                return $"schema {version} is not supported (this reader knows {CostLedgerSchema.Version})";
            }

            string? kind = Str(e, "kind");
            CostAttribution attribution = ReadAttribution(e);
            DateTimeOffset ts = e.GetProperty("ts").GetDateTimeOffset();
            switch (kind)
            {
                case "call":
                    calls.Add(new CostRecord
                    {
                        Timestamp = ts,
                        Duration = TimeSpan.FromMilliseconds(Num(e, "durationMs")),
                        Attribution = attribution,
                        ScopeName = Str(e, "scope"),
                        ScopeId = Str(e, "scopeId"),
                        ModelId = Str(e, "model"),
                        RequestedModelId = Str(e, "requestedModel"),
                        Provider = Str(e, "provider"),
                        IsStreaming = e.TryGetProperty("streaming", out JsonElement s) && s.GetBoolean(),
                        InputTokens = Long(e, "inputTokens"),
                        CachedInputTokens = Long(e, "cachedInputTokens"),
                        OutputTokens = Long(e, "outputTokens"),
                        ReasoningTokens = Long(e, "reasoningTokens"),
                        CacheWriteTokens = Long(e, "cacheWriteTokens"),
                        EstimatedInputTokens = Long(e, "estimatedInputTokens"),
                        EstimatePrecision = Enum<EstimatePrecision>(e, "estimatePrecision"),
                        Cost = e.GetProperty("cost").GetDecimal(),
                        CostParts = e.TryGetProperty("costParts", out JsonElement parts) ? ReadParts(parts) : null,
                        CostSource = Enum<CostSource>(e, "costSource"),
                        Decision = Enum<BudgetDecision>(e, "decision"),
                        LimitKind = Str(e, "limitKind") is { } limit ? System.Enum.Parse<BudgetLimitKind>(limit) : null,
                        LimitBudget = Str(e, "limitBudget"),
                        MaximumOutputTokens = Long(e, "maxOutputTokens"),
                        RefusalReason = Str(e, "refusal"),
                        PolicyName = Str(e, "policy"),
                        Outcome = Enum<CallOutcome>(e, "outcome"),
                        TraceId = Str(e, "traceId") is { Length: 32 } trace ? ActivityTraceId.CreateFromString(trace) : default,
                        SpanId = Str(e, "spanId") is { Length: 16 } span ? ActivitySpanId.CreateFromString(span) : default,
                        PricingNotes = Str(e, "pricingNotes") is { } notes ? System.Enum.Parse<PricingNotes>(notes) : PricingNotes.None,
                        BudgetTier = Str(e, "budgetTier"),
                        Kind = Str(e, "callKind") is { } callKind ? System.Enum.Parse<CallKind>(callKind) : CallKind.Chat,
                        AvoidedCost = e.TryGetProperty("avoidedCost", out JsonElement avoidedCost) ? avoidedCost.GetDecimal() : null,
                    });
                    return null;
                case "outcome":
                    outcomes.Add(new OutcomeRecord
                    {
                        Timestamp = ts,
                        Attribution = attribution,
                        ScopeName = Str(e, "scope"),
                        ScopeId = Str(e, "scopeId"),
                        Name = Str(e, "name") ?? throw new FormatException("an outcome has no name"),
                        IsSuccess = e.GetProperty("success").GetBoolean(),
                        Value = e.TryGetProperty("value", out JsonElement v) ? v.GetDecimal() : null,
                    });
                    return null;
                case "envelope":
                    envelopeSteps.Add(new EnvelopeStep(
                        Str(e, "envelope") ?? throw new FormatException("an envelope step has no envelope"),
                        Str(e, "key") ?? throw new FormatException("an envelope step has no key"),
                        ts,
                        Enum<EnvelopeChange>(e, "change"),
                        e.GetProperty("ceiling").GetDecimal(),
                        e.GetProperty("spent").GetDecimal(),
                        e.GetProperty("successes").GetInt32(),
                        e.TryGetProperty("costPerSuccess", out JsonElement c) ? c.GetDecimal() : null));
                    return null;
                default:
                    return $"unknown record kind '{kind}'";
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException or ArgumentException or OverflowException)
        {
            return "incomplete or malformed line: " + ex.Message;
        }
    }

    // Only the parts that cost something are written; a missing part reads as zero.
    private static void WriteParts(Utf8JsonWriter json, in CostParts p)
    {
        json.WriteStartObject("costParts");
        WritePart(json, "input", p.UncachedInput);
        WritePart(json, "cachedInput", p.CachedInput);
        WritePart(json, "cacheWrite", p.CacheWrite);
        WritePart(json, "output", p.Output);
        WritePart(json, "reasoning", p.Reasoning);
        WritePart(json, "audioAndImage", p.AudioAndImage);
        WritePart(json, "requestFee", p.RequestFee);
        json.WriteEndObject();

        static void WritePart(Utf8JsonWriter json, string name, decimal value)
        {
            if (value != 0m)
            {
                json.WriteNumber(name, value);
            }
        }
    }

    private static CostParts ReadParts(JsonElement p) => new(
        Part(p, "input"), Part(p, "cachedInput"), Part(p, "cacheWrite"), Part(p, "output"), Part(p, "reasoning"), Part(p, "audioAndImage"), Part(p, "requestFee"));

    private static decimal Part(JsonElement e, string name) => e.TryGetProperty(name, out JsonElement v) ? v.GetDecimal() : 0m;

    private static void WriteAttribution(Utf8JsonWriter json, CostAttribution? a, string? scope, string? scopeId)
    {
        if (a is not null)
        {
            WriteIf(json, "tenant", a.Tenant);
            WriteIf(json, "team", a.Team);
            WriteIf(json, "feature", a.Feature);
            WriteIf(json, "user", a.User);
            WriteIf(json, "costCenter", a.CostCenter);
            WriteIf(json, "environment", a.Environment);
            if (a.Tags.Count > 0)
            {
                json.WriteStartObject("tags");
                foreach (KeyValuePair<string, string> tag in a.Tags)
                {
                    json.WriteString(tag.Key, tag.Value);
                }

                json.WriteEndObject();
            }
        }

        WriteIf(json, "scope", scope);
        WriteIf(json, "scopeId", scopeId);
    }

    private static CostAttribution ReadAttribution(JsonElement e)
    {
        Dictionary<string, string>? tags = null;
        if (e.TryGetProperty("tags", out JsonElement t) && t.ValueKind == JsonValueKind.Object)
        {
            tags = [];
            foreach (JsonProperty p in t.EnumerateObject())
            {
                tags[p.Name] = p.Value.GetString() ?? string.Empty;
            }
        }

        var attribution = new CostAttribution
        {
            Tenant = Str(e, "tenant"),
            Team = Str(e, "team"),
            Feature = Str(e, "feature"),
            User = Str(e, "user"),
            CostCenter = Str(e, "costCenter"),
            Environment = Str(e, "environment"),
        };
        return tags is null ? attribution : new CostAttribution { Tags = tags }.Over(attribution);
    }

    private static void WriteIf(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long Long(JsonElement e, string name) => e.TryGetProperty(name, out JsonElement v) ? v.GetInt64() : 0;

    private static double Num(JsonElement e, string name) => e.TryGetProperty(name, out JsonElement v) ? v.GetDouble() : 0;

    private static TEnum Enum<TEnum>(JsonElement e, string name)
        where TEnum : struct, Enum =>
        System.Enum.Parse<TEnum>(Str(e, name) ?? throw new FormatException($"\"{name}\" is missing"));

    /// <summary>Serializes into a reusable buffer, then appends the line feed.</summary>
    /// <summary>Writes one record and its newline into <paramref name="buffer"/>; the record is passed by reference, never boxed.</summary>
    public static void WriteLine(ArrayBufferWriter<byte> buffer, Utf8JsonWriter json, in CostRecord call, in OutcomeRecord outcome, bool isOutcome, EnvelopeStep? step = null)
    {
        json.Reset(buffer);
        if (step is not null)
        {
            Write(json, step);
        }
        else if (isOutcome)
        {
            Write(json, in outcome);
        }
        else
        {
            Write(json, in call);
        }

        json.Flush();
        buffer.GetSpan(1)[0] = (byte)'\n';
        buffer.Advance(1);
    }

    public static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
