using System.Globalization;
using System.Text.Json;

namespace AiCostGuard;

/// <summary>Reads one model entry of AiCostGuard's own catalog format (camel-case USD per million, as <see cref="ModelPrice"/> names them).</summary>
internal static class CatalogPriceReader
{
    public static ModelPrice Read(JsonProperty entry)
    {
        string model = entry.Name;
        if (entry.Value.ValueKind != JsonValueKind.Object)
        {
            throw new PriceCatalogFormatException($"Model '{model}': the entry must be a JSON object.");
        }

        return ReadPrice(model, entry.Value, allowVersions: true);
    }

    private static ModelPrice ReadPrice(string model, JsonElement value, bool allowVersions)
    {
        List<ModelPrice>? versions = null;
        if (allowVersions && value.TryGetProperty("versions", out JsonElement list) && list.ValueKind != JsonValueKind.Null)
        {
            if (list.ValueKind != JsonValueKind.Array)
            {
                throw new PriceCatalogFormatException($"Model '{model}': the field 'versions' must be an array of price objects.");
            }

            versions = [];
            foreach (JsonElement version in list.EnumerateArray())
            {
                if (version.ValueKind != JsonValueKind.Object)
                {
                    throw new PriceCatalogFormatException($"Model '{model}': each entry of 'versions' must be a JSON object.");
                }

                versions.Add(ReadPrice(model, version, allowVersions: false));
            }
        }

        return new ModelPrice
        {
            Provider = value.TryGetProperty("provider", out JsonElement provider) && provider.ValueKind == JsonValueKind.String ? provider.GetString() : null,
            InputPerMillion = Decimal(model, value, "inputPerMillion") ?? throw new PriceCatalogFormatException($"Model '{model}': the field 'inputPerMillion' is required."),
            CachedInputPerMillion = Decimal(model, value, "cachedInputPerMillion"),
            CacheWritePerMillion = Decimal(model, value, "cacheWritePerMillion"),
            CacheWriteOneHourPerMillion = Decimal(model, value, "cacheWriteOneHourPerMillion"),
            OutputPerMillion = Decimal(model, value, "outputPerMillion") ?? throw new PriceCatalogFormatException($"Model '{model}': the field 'outputPerMillion' is required."),
            ReasoningPerMillion = Decimal(model, value, "reasoningPerMillion"),
            AudioInputPerMillion = Decimal(model, value, "audioInputPerMillion"),
            AudioOutputPerMillion = Decimal(model, value, "audioOutputPerMillion"),
            ImageInputPerMillion = Decimal(model, value, "imageInputPerMillion"),
            RequestFee = Decimal(model, value, "requestFee"),
            LongContextTiers = LongContext(model, value, "longContextTiers"),
            Flex = Tier(model, value, "flex"),
            Priority = Tier(model, value, "priority"),
            Batch = Tier(model, value, "batch"),
            MaximumOutputTokens = Int(model, value, "maxOutputTokens"),
            ContextWindow = Int(model, value, "contextWindow"),
            Capabilities = Capabilities(model, value),
            EffectiveFrom = Date(model, value, "effectiveFrom"),
            Versions = versions,
        };
    }

    private static ServiceTierPrice? Tier(string model, JsonElement value, string field)
    {
        if (!value.TryGetProperty(field, out JsonElement tier) || tier.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (tier.ValueKind != JsonValueKind.Object)
        {
            throw new PriceCatalogFormatException($"Model '{model}': the field '{field}' must be a JSON object of rates.");
        }

        string prefix = field + ".";
        return new ServiceTierPrice
        {
            InputPerMillion = Decimal(model, tier, "inputPerMillion", prefix),
            CachedInputPerMillion = Decimal(model, tier, "cachedInputPerMillion", prefix),
            CacheWritePerMillion = Decimal(model, tier, "cacheWritePerMillion", prefix),
            CacheWriteOneHourPerMillion = Decimal(model, tier, "cacheWriteOneHourPerMillion", prefix),
            OutputPerMillion = Decimal(model, tier, "outputPerMillion", prefix),
            ReasoningPerMillion = Decimal(model, tier, "reasoningPerMillion", prefix),
            LongContextTiers = LongContext(model, tier, "longContextTiers", prefix),
        };
    }

    private static List<LongContextPrice>? LongContext(string model, JsonElement value, string field, string prefix = "")
    {
        if (!value.TryGetProperty(field, out JsonElement list) || list.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new PriceCatalogFormatException($"Model '{model}': the field '{prefix}{field}' must be an array.");
        }

        var tiers = new List<LongContextPrice>();
        int index = 0;
        foreach (JsonElement tier in list.EnumerateArray())
        {
            string at = $"{prefix}{field}[{index++}].";
            if (tier.ValueKind != JsonValueKind.Object)
            {
                throw new PriceCatalogFormatException($"Model '{model}': the field '{at.TrimEnd('.')}' must be a JSON object.");
            }

            tiers.Add(new LongContextPrice
            {
                AboveInputTokens = Int(model, tier, "aboveInputTokens", at) ?? throw new PriceCatalogFormatException($"Model '{model}': the field '{at}aboveInputTokens' is required."),
                InputPerMillion = Decimal(model, tier, "inputPerMillion", at),
                CachedInputPerMillion = Decimal(model, tier, "cachedInputPerMillion", at),
                CacheWritePerMillion = Decimal(model, tier, "cacheWritePerMillion", at),
                CacheWriteOneHourPerMillion = Decimal(model, tier, "cacheWriteOneHourPerMillion", at),
                OutputPerMillion = Decimal(model, tier, "outputPerMillion", at),
                ReasoningPerMillion = Decimal(model, tier, "reasoningPerMillion", at),
            });
        }

        return tiers;
    }

    private static decimal? Decimal(string model, JsonElement value, string field, string prefix = "")
    {
        if (!value.TryGetProperty(field, out JsonElement element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDecimal(out decimal result))
        {
            throw new PriceCatalogFormatException($"Model '{model}': the field '{prefix}{field}' must be a number; it is {element.GetRawText()}.");
        }

        return result;
    }

    private static int? Int(string model, JsonElement value, string field, string prefix = "")
    {
        if (!value.TryGetProperty(field, out JsonElement element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out int result) || result <= 0)
        {
            throw new PriceCatalogFormatException($"Model '{model}': the field '{prefix}{field}' must be a positive whole number; it is {element.GetRawText()}.");
        }

        return result;
    }

    /// <summary>The <c>capabilities</c> array (<c>["tools", "imageInput", "jsonSchema", "reasoning"]</c>); <see langword="null"/> when absent.</summary>
    private static ModelCapabilities? Capabilities(string model, JsonElement value)
    {
        if (!value.TryGetProperty("capabilities", out JsonElement list) || list.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new PriceCatalogFormatException($"Model '{model}': the field 'capabilities' must be an array of names such as \"tools\".");
        }

        ModelCapabilities capabilities = ModelCapabilities.None;
        foreach (JsonElement item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || !Enum.TryParse(item.GetString(), ignoreCase: true, out ModelCapabilities one)
                || one == ModelCapabilities.None || !Enum.IsDefined(one))
            {
                throw new PriceCatalogFormatException($"Model '{model}': '{item.GetRawText()}' in 'capabilities' is not one of tools, imageInput, jsonSchema, reasoning.");
            }

            capabilities |= one;
        }

        return capabilities;
    }

    private static DateTimeOffset? Date(string model, JsonElement value, string field)
    {
        if (!value.TryGetProperty(field, out JsonElement element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.String
            || !DateTimeOffset.TryParse(element.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset result))
        {
            throw new PriceCatalogFormatException($"Model '{model}': the field '{field}' must be an ISO 8601 date; it is {element.GetRawText()}.");
        }

        return result;
    }
}
