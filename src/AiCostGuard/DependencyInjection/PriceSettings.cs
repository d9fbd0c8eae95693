using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace AiCostGuard;

/// <summary>
/// Reads <see cref="CostGovernanceOptions.Prices"/> from configuration by hand: a price's rates are init-only, which
/// the generated configuration binder leaves unset, so a price bound by it would silently cost nothing.
/// </summary>
/// <remarks>Reads a section <see cref="ConfigurationCheck"/> has already checked: every value present parses.</remarks>
internal static class PriceSettings
{
    /// <summary>Sets each price of <paramref name="section"/> in <paramref name="prices"/>, by model id.</summary>
    public static void Bind(IConfiguration section, IDictionary<string, ModelPrice> prices)
    {
        foreach (IConfigurationSection entry in section.GetChildren())
        {
            prices[entry.Key] = Price(entry);
        }
    }

    private static ModelPrice Price(IConfiguration c) => new()
    {
        Provider = c[nameof(ModelPrice.Provider)],
        InputPerMillion = Decimal(c, nameof(ModelPrice.InputPerMillion)) ?? 0m,
        CachedInputPerMillion = Decimal(c, nameof(ModelPrice.CachedInputPerMillion)),
        CacheWritePerMillion = Decimal(c, nameof(ModelPrice.CacheWritePerMillion)),
        CacheWriteOneHourPerMillion = Decimal(c, nameof(ModelPrice.CacheWriteOneHourPerMillion)),
        OutputPerMillion = Decimal(c, nameof(ModelPrice.OutputPerMillion)) ?? 0m,
        ReasoningPerMillion = Decimal(c, nameof(ModelPrice.ReasoningPerMillion)),
        AudioInputPerMillion = Decimal(c, nameof(ModelPrice.AudioInputPerMillion)),
        AudioOutputPerMillion = Decimal(c, nameof(ModelPrice.AudioOutputPerMillion)),
        ImageInputPerMillion = Decimal(c, nameof(ModelPrice.ImageInputPerMillion)),
        RequestFee = Decimal(c, nameof(ModelPrice.RequestFee)),
        LongContextTiers = List(c, nameof(ModelPrice.LongContextTiers), LongContext),
        Flex = Tier(c, nameof(ModelPrice.Flex)),
        Priority = Tier(c, nameof(ModelPrice.Priority)),
        Batch = Tier(c, nameof(ModelPrice.Batch)),
        MaximumOutputTokens = Int(c, nameof(ModelPrice.MaximumOutputTokens)),
        ContextWindow = Int(c, nameof(ModelPrice.ContextWindow)),
        Capabilities = Value(c, nameof(ModelPrice.Capabilities)) is { } capabilities ? Enum.Parse<ModelCapabilities>(capabilities, ignoreCase: true) : null,
        GpuPool = c[nameof(ModelPrice.GpuPool)],
        EffectiveFrom = Value(c, nameof(ModelPrice.EffectiveFrom)) is { } from ? DateTimeOffset.Parse(from, CultureInfo.InvariantCulture) : null,
        Versions = List(c, nameof(ModelPrice.Versions), Price),
    };

    private static ServiceTierPrice? Tier(IConfiguration c, string key)
    {
        IConfigurationSection tier = c.GetSection(key);
        return tier.GetChildren().Any()
            ? new ServiceTierPrice
            {
                InputPerMillion = Decimal(tier, nameof(RateOverrides.InputPerMillion)),
                CachedInputPerMillion = Decimal(tier, nameof(RateOverrides.CachedInputPerMillion)),
                CacheWritePerMillion = Decimal(tier, nameof(RateOverrides.CacheWritePerMillion)),
                CacheWriteOneHourPerMillion = Decimal(tier, nameof(RateOverrides.CacheWriteOneHourPerMillion)),
                OutputPerMillion = Decimal(tier, nameof(RateOverrides.OutputPerMillion)),
                ReasoningPerMillion = Decimal(tier, nameof(RateOverrides.ReasoningPerMillion)),
                LongContextTiers = List(tier, nameof(ServiceTierPrice.LongContextTiers), LongContext),
            }
            : null;
    }

    private static LongContextPrice LongContext(IConfiguration c) => new()
    {
        AboveInputTokens = Value(c, nameof(LongContextPrice.AboveInputTokens)) is { } above ? long.Parse(above, NumberStyles.Integer, CultureInfo.InvariantCulture) : 0,
        InputPerMillion = Decimal(c, nameof(RateOverrides.InputPerMillion)),
        CachedInputPerMillion = Decimal(c, nameof(RateOverrides.CachedInputPerMillion)),
        CacheWritePerMillion = Decimal(c, nameof(RateOverrides.CacheWritePerMillion)),
        CacheWriteOneHourPerMillion = Decimal(c, nameof(RateOverrides.CacheWriteOneHourPerMillion)),
        OutputPerMillion = Decimal(c, nameof(RateOverrides.OutputPerMillion)),
        ReasoningPerMillion = Decimal(c, nameof(RateOverrides.ReasoningPerMillion)),
    };

    private static List<T>? List<T>(IConfiguration c, string key, Func<IConfiguration, T> read)
    {
        IConfigurationSection[] items = [.. c.GetSection(key).GetChildren()];
        return items.Length == 0 ? null : [.. items.Select(read)];
    }

    // An empty value is unset, as the binder reads it for a nullable setting.
    private static string? Value(IConfiguration c, string key) => c[key] is { Length: > 0 } value ? value : null;

    private static decimal? Decimal(IConfiguration c, string key) =>
        Value(c, key) is { } value ? decimal.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture) : null;

    private static int? Int(IConfiguration c, string key) =>
        Value(c, key) is { } value ? int.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture) : null;
}
