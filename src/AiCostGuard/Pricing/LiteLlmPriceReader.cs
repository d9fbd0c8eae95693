using System.Globalization;
using System.Text.Json;

namespace AiCostGuard;

/// <summary>Reads one entry of LiteLLM's <c>model_prices_and_context_window.json</c> (USD per token) into a <see cref="ModelPrice"/> (USD per million).</summary>
internal static class LiteLlmPriceReader
{
    private const string AbovePrefix = "_above_";
    private const string AboveSuffix = "k_tokens";

    /// <summary>LiteLLM's field stems for each rate, in <see cref="Rate"/> order.</summary>
    private static readonly string[] RateFields =
    [
        "input_cost_per_token",
        "cache_read_input_token_cost",
        "cache_creation_input_token_cost",
        "cache_creation_input_token_cost_above_1hr",
        "output_cost_per_token",
        "output_cost_per_reasoning_token",
    ];

    private enum Rate
    {
        Input,
        CachedInput,
        CacheWrite,
        CacheWriteOneHour,
        Output,
        Reasoning,
    }

    /// <summary>Reads <paramref name="entry"/>; <see langword="null"/> for an entry that is not priced per token.</summary>
    public static ModelPrice? Read(JsonProperty entry)
    {
        string model = entry.Name;
        if (entry.Value.ValueKind != JsonValueKind.Object)
        {
            throw new PriceCatalogFormatException($"Entry '{model}': the entry must be a JSON object; it is {entry.Value.ValueKind}.");
        }

        if (model == "sample_spec")
        {
            return null;
        }

        JsonElement value = entry.Value;
        decimal? input = PerMillion(model, value, "input_cost_per_token");
        decimal? output = PerMillion(model, value, "output_cost_per_token");
        bool embedding = value.TryGetProperty("mode", out JsonElement mode) && mode.ValueKind == JsonValueKind.String && mode.ValueEquals("embedding");
        decimal? reasoning = PerMillion(model, value, "output_cost_per_reasoning_token");
        if (input is null && output is null && FirstTier(value) is { } first)
        {
            // Entries priced only by tiered_pricing: the range starting at zero holds the base rates.
            input = PerMillion(model, first, "input_cost_per_token", "tiered_pricing[0].");
            output = PerMillion(model, first, "output_cost_per_token", "tiered_pricing[0].");
            reasoning ??= PerMillion(model, first, "output_cost_per_reasoning_token", "tiered_pricing[0].");
        }

        if (input is null || (output is null && !embedding))
        {
            return null;
        }

        var longContext = new SortedDictionary<long, decimal?[]>();
        var tierLongContext = new Dictionary<string, SortedDictionary<long, decimal?[]>>(StringComparer.Ordinal);
        foreach (JsonProperty field in value.EnumerateObject())
        {
            if (ParseVariant(field.Name, out Rate rate, out long threshold, out string? tier) && (threshold > 0 || tier is not null))
            {
                decimal? price = PerMillion(model, value, field.Name);
                if (tier is null)
                {
                    Slot(longContext, threshold)[(int)rate] = price;
                }
                else if (threshold > 0)
                {
                    SortedDictionary<long, decimal?[]> own = tierLongContext.TryGetValue(tier, out var t) ? t : tierLongContext[tier] = new();
                    Slot(own, threshold)[(int)rate] = price;
                }
            }
        }

        ReadTieredPricing(model, value, longContext);
        return new ModelPrice
        {
            Provider = value.TryGetProperty("litellm_provider", out JsonElement provider) && provider.ValueKind == JsonValueKind.String ? provider.GetString() : null,
            InputPerMillion = input.Value,
            CachedInputPerMillion = PerMillion(model, value, "cache_read_input_token_cost") ?? PerMillion(model, value, "input_cost_per_token_cache_hit"),
            CacheWritePerMillion = PerMillion(model, value, "cache_creation_input_token_cost"),
            CacheWriteOneHourPerMillion = PerMillion(model, value, "cache_creation_input_token_cost_above_1hr"),
            OutputPerMillion = output ?? 0m,
            ReasoningPerMillion = reasoning,
            AudioInputPerMillion = PerMillion(model, value, "input_cost_per_audio_token"),
            AudioOutputPerMillion = PerMillion(model, value, "output_cost_per_audio_token"),
            ImageInputPerMillion = PerMillion(model, value, "input_cost_per_image_token"),
            RequestFee = PerRequest(model, value, "input_cost_per_request"),
            LongContextTiers = Tiers(longContext),
            Flex = ServiceTier(model, value, "flex", tierLongContext),
            Priority = ServiceTier(model, value, "priority", tierLongContext),
            Batch = ServiceTier(model, value, "batches", tierLongContext),
            MaximumOutputTokens = TokenCount(model, value, "max_output_tokens") ?? TokenCount(model, value, "max_tokens"),
            ContextWindow = TokenCount(model, value, "max_input_tokens"),
            Capabilities = Capabilities(value),
        };
    }

    /// <summary>The <c>supports_*</c> flags routing depends on; <see langword="null"/> when the entry states none of them.</summary>
    private static ModelCapabilities? Capabilities(JsonElement value)
    {
        bool stated = false;
        ModelCapabilities capabilities = ModelCapabilities.None;
        Flag("supports_function_calling", ModelCapabilities.Tools);
        Flag("supports_vision", ModelCapabilities.ImageInput);
        Flag("supports_response_schema", ModelCapabilities.JsonSchema);
        Flag("supports_reasoning", ModelCapabilities.Reasoning);
        return stated ? capabilities : null;

        void Flag(string field, ModelCapabilities capability)
        {
            if (value.TryGetProperty(field, out JsonElement flag) && flag.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                stated = true;
                capabilities |= flag.ValueKind == JsonValueKind.True ? capability : ModelCapabilities.None;
            }
        }
    }

    /// <summary>Splits <c>{rate}[_above_{N}k_tokens][_{tier}]</c> into its parts.</summary>
    private static bool ParseVariant(string name, out Rate rate, out long threshold, out string? tier)
    {
        rate = default;
        threshold = 0;
        tier = null;
        string rest = name;
        foreach (string suffix in (ReadOnlySpan<string>)["_flex", "_priority", "_batches"])
        {
            if (rest.EndsWith(suffix, StringComparison.Ordinal))
            {
                tier = suffix[1..];
                rest = rest[..^suffix.Length];
                break;
            }
        }

        int above = rest.LastIndexOf(AbovePrefix, StringComparison.Ordinal);
        if (above > 0 && rest.EndsWith(AboveSuffix, StringComparison.Ordinal)
            && long.TryParse(rest.AsSpan(above + AbovePrefix.Length, rest.Length - above - AbovePrefix.Length - AboveSuffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out long thousands))
        {
            threshold = thousands * 1000;
            rest = rest[..above];
        }

        int index = Array.IndexOf(RateFields, rest);
        if (index < 0)
        {
            return false;
        }

        rate = (Rate)index;
        return true;
    }

    private static decimal?[] Slot(SortedDictionary<long, decimal?[]> tiers, long threshold) =>
        tiers.TryGetValue(threshold, out decimal?[]? slot) ? slot : tiers[threshold] = new decimal?[RateFields.Length];

    private static void ReadTieredPricing(string model, JsonElement value, SortedDictionary<long, decimal?[]> longContext)
    {
        if (!value.TryGetProperty("tiered_pricing", out JsonElement list) || list.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new PriceCatalogFormatException($"Entry '{model}': the field 'tiered_pricing' must be an array; it is {list.GetRawText()}.");
        }

        int index = 0;
        foreach (JsonElement tier in list.EnumerateArray())
        {
            string field = $"tiered_pricing[{index++}]";
            if (tier.ValueKind != JsonValueKind.Object || !tier.TryGetProperty("range", out JsonElement range) || range.ValueKind != JsonValueKind.Array
                || range.GetArrayLength() == 0 || range[0].ValueKind != JsonValueKind.Number || !range[0].TryGetDouble(out double from) || from < 0)
            {
                throw new PriceCatalogFormatException($"Entry '{model}': the field '{field}.range' must be an array starting with a non-negative token count.");
            }

            if (from == 0)
            {
                continue;
            }

            decimal?[] slot = Slot(longContext, (long)from);
            for (int r = 0; r < RateFields.Length; r++)
            {
                slot[r] ??= PerMillion(model, tier, RateFields[r], field + ".");
            }
        }
    }

    private static JsonElement? FirstTier(JsonElement value)
    {
        if (!value.TryGetProperty("tiered_pricing", out JsonElement list) || list.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (JsonElement tier in list.EnumerateArray())
        {
            if (tier.ValueKind == JsonValueKind.Object && tier.TryGetProperty("range", out JsonElement range) && range.ValueKind == JsonValueKind.Array
                && range.GetArrayLength() > 0 && range[0].ValueKind == JsonValueKind.Number && range[0].GetDouble() == 0)
            {
                return tier;
            }
        }

        return null;
    }

    private static List<LongContextPrice>? Tiers(SortedDictionary<long, decimal?[]> tiers)
    {
        if (tiers.Count == 0)
        {
            return null;
        }

        var list = new List<LongContextPrice>(tiers.Count);
        foreach (KeyValuePair<long, decimal?[]> tier in tiers)
        {
            decimal?[] r = tier.Value;
            list.Add(new LongContextPrice
            {
                AboveInputTokens = tier.Key,
                InputPerMillion = r[(int)Rate.Input],
                CachedInputPerMillion = r[(int)Rate.CachedInput],
                CacheWritePerMillion = r[(int)Rate.CacheWrite],
                CacheWriteOneHourPerMillion = r[(int)Rate.CacheWriteOneHour],
                OutputPerMillion = r[(int)Rate.Output],
                ReasoningPerMillion = r[(int)Rate.Reasoning],
            });
        }

        return list;
    }

    private static ServiceTierPrice? ServiceTier(string model, JsonElement value, string tier, Dictionary<string, SortedDictionary<long, decimal?[]>> longContext)
    {
        string suffix = "_" + tier;
        decimal? input = PerMillion(model, value, "input_cost_per_token" + suffix);
        decimal? cached = PerMillion(model, value, "cache_read_input_token_cost" + suffix);
        decimal? write = PerMillion(model, value, "cache_creation_input_token_cost" + suffix);
        decimal? output = PerMillion(model, value, "output_cost_per_token" + suffix);
        decimal? reasoning = PerMillion(model, value, "output_cost_per_reasoning_token" + suffix);
        List<LongContextPrice>? own = longContext.TryGetValue(tier, out var tiers) ? Tiers(tiers) : null;
        if (input is null && cached is null && write is null && output is null && reasoning is null && own is null)
        {
            return null;
        }

        return new ServiceTierPrice
        {
            InputPerMillion = input,
            CachedInputPerMillion = cached,
            CacheWritePerMillion = write,
            OutputPerMillion = output,
            ReasoningPerMillion = reasoning,
            LongContextTiers = own,
        };
    }

    private static decimal? PerMillion(string model, JsonElement value, string field, string prefix = "") =>
        PerRequest(model, value, field, prefix) is { } perToken ? perToken * 1_000_000m : null;

    private static decimal? PerRequest(string model, JsonElement value, string field, string prefix = "")
    {
        if (!value.TryGetProperty(field, out JsonElement element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        // The file's floats are read from their JSON text, so 2.5e-06 is exactly 0.0000025, never a binary approximation.
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDecimal(out decimal result))
        {
            throw new PriceCatalogFormatException($"Entry '{model}': the field '{prefix}{field}' must be a number; it is {element.GetRawText()}.");
        }

        if (result < 0)
        {
            throw new PriceCatalogFormatException($"Entry '{model}': the field '{prefix}{field}' cannot be negative; it is {element.GetRawText()}.");
        }

        return result;
    }

    private static int? TokenCount(string model, JsonElement value, string field)
    {
        if (!value.TryGetProperty(field, out JsonElement element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        // Some entries write counts as floats (2000000.0); a whole number is accepted in any spelling. Moderation entries
        // state 0 output tokens, which means no stated limit rather than a limit of zero.
        if (element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out double zero) && zero == 0)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out double count) || count < 0 || count != Math.Floor(count))
        {
            throw new PriceCatalogFormatException($"Entry '{model}': the field '{field}' must be a positive whole number; it is {element.GetRawText()}.");
        }

        return (int)Math.Min(int.MaxValue, count);
    }
}
