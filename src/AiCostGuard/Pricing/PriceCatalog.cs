using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AiCostGuard;

/// <summary>
/// Model prices by model id: the bundled default catalog, a catalog file, or either with user overrides.
/// </summary>
/// <remarks>
/// <para>
/// Lookups ignore case and resolve common spellings of the same model: a provider prefix (<c>openai/gpt-4o</c>) and
/// a dated snapshot (<c>gpt-4o-2024-08-06</c>, <c>claude-sonnet-4-5-20250929</c>) fall back to the base entry when the
/// exact id has no price of its own; configured aliases (<see cref="WithAliases"/>, for Azure deployment names) map a
/// name to a catalog model. An exact hit costs one frozen-dictionary probe; other spellings are resolved once and cached.
/// </para>
/// <para>The bundled catalog is derived from LiteLLM's price table (MIT, © Berri AI), synced 2026-07-24; see <see cref="Source"/>.</para>
/// <para>Instances are immutable and thread-safe; resolved lookups are cached.</para>
/// </remarks>
public sealed partial class PriceCatalog
{
    private const int MaximumCachedSpellings = 4096;
    private static readonly Lazy<PriceCatalog> DefaultCatalog = new(LoadDefault);

    private static readonly FrozenDictionary<string, ModelPrice> NoAliases = FrozenDictionary<string, ModelPrice>.Empty;

    private readonly FrozenDictionary<string, ModelPrice> _models;
    private readonly FrozenDictionary<string, ModelPrice> _aliases;
    private readonly FrozenDictionary<string, string> _aliasTargets;
    private readonly ConcurrentDictionary<string, ModelPrice?> _resolved = new(StringComparer.OrdinalIgnoreCase);

    private PriceCatalog(FrozenDictionary<string, ModelPrice> models, string source, FrozenDictionary<string, ModelPrice>? aliases = null, FrozenDictionary<string, string>? aliasTargets = null)
    {
        _models = models;
        _aliases = aliases ?? NoAliases;
        _aliasTargets = aliasTargets ?? FrozenDictionary<string, string>.Empty;
        Source = source;
    }

    /// <summary>Gets the bundled default catalog: the current flagship and small models of the major providers.</summary>
    public static PriceCatalog Default => DefaultCatalog.Value;

    /// <summary>Gets where the prices come from and when they were taken.</summary>
    public string Source { get; }

    /// <summary>Gets the priced models by id.</summary>
    public IReadOnlyDictionary<string, ModelPrice> Models => _models;

    /// <summary>Creates a catalog from prices keyed by model id.</summary>
    /// <param name="models">The prices.</param>
    /// <param name="source">Where the prices come from.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="ArgumentException">A model id is empty or a price is negative.</exception>
    public static PriceCatalog Create(IEnumerable<KeyValuePair<string, ModelPrice>> models, string source = "user")
    {
        ArgumentNullException.ThrowIfNull(models);
        var dictionary = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, ModelPrice> model in models)
        {
            Check(model.Key, model.Value);
            dictionary[model.Key] = model.Value;
        }

        return new PriceCatalog(dictionary.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase), source);
    }

    /// <summary>Returns a catalog with this catalog's prices, replaced or extended by <paramref name="overrides"/>.</summary>
    /// <param name="overrides">Prices that win over this catalog's.</param>
    /// <returns>The new catalog; this instance when there is nothing to override.</returns>
    /// <exception cref="ArgumentException">A model id is empty or a price is negative.</exception>
    public PriceCatalog WithOverrides(IEnumerable<KeyValuePair<string, ModelPrice>> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var dictionary = new Dictionary<string, ModelPrice>(_models, StringComparer.OrdinalIgnoreCase);
        int count = 0;
        foreach (KeyValuePair<string, ModelPrice> model in overrides)
        {
            Check(model.Key, model.Value);
            dictionary[model.Key] = model.Value;
            count++;
        }

        return count == 0 ? this : new PriceCatalog(dictionary.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase), Source + " + overrides", _aliases, _aliasTargets);
    }

    /// <summary>
    /// Returns a catalog in which every model a pool serves is priced from its pool (<see cref="GpuPool.CostPerToken"/>
    /// for every kind of token) instead of its list price; the listed model's output limit and context window are kept.
    /// </summary>
    /// <param name="pools">The pools; <see cref="GpuPool.Validate"/> must find no problem.</param>
    /// <returns>The new catalog; this instance when there is no pool.</returns>
    /// <exception cref="ArgumentException">The pools are invalid; the message lists every problem.</exception>
    public PriceCatalog WithGpuPools(IEnumerable<GpuPool> pools)
    {
        ArgumentNullException.ThrowIfNull(pools);
        GpuPool[] list = [.. pools];
        if (list.Length == 0)
        {
            return this;
        }

        if (AiCostGuard.GpuPool.Validate(list) is { Count: > 0 } problems)
        {
            throw new ArgumentException("Invalid GPU pools: " + string.Join(" ", problems), nameof(pools));
        }

        var dictionary = new Dictionary<string, ModelPrice>(_models, StringComparer.OrdinalIgnoreCase);
        foreach (GpuPool pool in list)
        {
            foreach (string model in pool.Models)
            {
                dictionary[model] = pool.Price(TryGetPrice(model, out ModelPrice? listed) ? listed : null);
            }
        }

        return new PriceCatalog(dictionary.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase), Source + " + GPU pools", _aliases, _aliasTargets);
    }

    /// <summary>
    /// Returns a catalog in which each alias (such as an Azure OpenAI deployment name) is priced as the catalog model it
    /// names. An alias is looked up after the exact model ids and before prefix and snapshot resolution.
    /// </summary>
    /// <param name="aliases">Alias → model id; the model id may itself use a provider prefix or a dated snapshot.</param>
    /// <returns>The new catalog; this instance when there are no aliases.</returns>
    /// <exception cref="ArgumentException">An alias is empty, or names a model this catalog does not price.</exception>
    public PriceCatalog WithAliases(IEnumerable<KeyValuePair<string, string>> aliases)
    {
        ArgumentNullException.ThrowIfNull(aliases);
        var dictionary = new Dictionary<string, ModelPrice>(_aliases, StringComparer.OrdinalIgnoreCase);
        var targets = new Dictionary<string, string>(_aliasTargets, StringComparer.OrdinalIgnoreCase);
        int count = 0;
        foreach (KeyValuePair<string, string> alias in aliases)
        {
            if (string.IsNullOrWhiteSpace(alias.Key))
            {
                throw new ArgumentException("A model alias is empty.", nameof(aliases));
            }

            if (!TryGetPrice(alias.Value, out ModelPrice? price))
            {
                throw new ArgumentException($"The alias '{alias.Key}' names the model '{alias.Value}', which has no price in the catalog.", nameof(aliases));
            }

            dictionary[alias.Key] = price;
            targets[alias.Key] = alias.Value;
            count++;
        }

        return count == 0 ? this : new PriceCatalog(_models, Source, dictionary.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase), targets.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Loads a catalog in LiteLLM's <c>model_prices_and_context_window.json</c> format, keyed exactly as the file is
    /// (<c>claude-sonnet-4-5</c>, <c>dashscope/qwen-plus</c>, <c>azure/gpt-4o</c>...).
    /// </summary>
    /// <param name="json">The JSON stream.</param>
    /// <param name="source">Where the file comes from, for <see cref="Source"/>.</param>
    /// <returns>The catalog.</returns>
    /// <remarks>
    /// <para>
    /// Read per entry (USD per token, converted exactly to USD per million): <c>input_cost_per_token</c>,
    /// <c>output_cost_per_token</c>, <c>cache_read_input_token_cost</c> (else <c>input_cost_per_token_cache_hit</c>),
    /// <c>cache_creation_input_token_cost</c>, <c>cache_creation_input_token_cost_above_1hr</c>,
    /// <c>output_cost_per_reasoning_token</c>, <c>input_cost_per_audio_token</c>, <c>output_cost_per_audio_token</c>,
    /// <c>input_cost_per_image_token</c>, <c>input_cost_per_request</c>; every <c>*_above_{N}k_tokens</c> variant as a
    /// long-context tier above N×1000 input tokens; the <c>_flex</c>, <c>_priority</c> and <c>_batches</c> variants as
    /// service tiers (with their own long-context variants); <c>tiered_pricing</c> ranges as long-context tiers;
    /// <c>max_input_tokens</c>, <c>max_output_tokens</c> (else <c>max_tokens</c>) and <c>litellm_provider</c>.
    /// </para>
    /// <para>
    /// Entries without both token prices (image generation, per-second audio and video, rerank, search, and the
    /// <c>sample_spec</c> documentation entry) are skipped: they are not priced per token, and loading them without a
    /// price would make their calls look free. Embedding entries, which have no output, are loaded with an output price of zero.
    /// </para>
    /// </remarks>
    /// <exception cref="PriceCatalogFormatException">The JSON is malformed or a field has the wrong type or a negative value; the message names the entry and the field.</exception>
    public static PriceCatalog LoadLiteLlm(Stream json, string source = "LiteLLM model_prices_and_context_window.json")
    {
        ArgumentNullException.ThrowIfNull(json);
        using JsonDocument document = Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new PriceCatalogFormatException("A LiteLLM price file must be a JSON object keyed by model name.");
        }

        var dictionary = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);
        foreach (JsonProperty entry in document.RootElement.EnumerateObject())
        {
            if (LiteLlmPriceReader.Read(entry) is { } price)
            {
                dictionary[entry.Name] = Checked(entry.Name, price);
            }
        }

        return new PriceCatalog(dictionary.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase), source);
    }

    /// <summary>Finds the price of <paramref name="modelId"/> in force at <paramref name="time"/> (see <see cref="ModelPrice.At"/>).</summary>
    /// <param name="modelId">The model id, as sent to or reported by the provider.</param>
    /// <param name="time">When the call started.</param>
    /// <param name="price">The price version in force, when found.</param>
    /// <returns><see langword="true"/> when the model is priced.</returns>
    public bool TryGetPrice(string? modelId, DateTimeOffset time, [NotNullWhen(true)] out ModelPrice? price)
    {
        if (TryGetPrice(modelId, out price))
        {
            price = price.At(time);
            return true;
        }

        return false;
    }

    /// <summary>Loads a catalog in AiCostGuard's JSON format (<c>{ "source": ..., "models": { "id": { "inputPerMillion": ... } } }</c>).</summary>
    /// <param name="json">The JSON stream.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="PriceCatalogFormatException">The JSON is malformed; the message names the entry and the field.</exception>
    public static PriceCatalog Load(Stream json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document = Parse(json);
        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("models", out JsonElement models) || models.ValueKind != JsonValueKind.Object)
            {
                throw new PriceCatalogFormatException("The price catalog must be a JSON object with a \"models\" object.");
            }

            string source = root.TryGetProperty("source", out JsonElement s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "file";
            var dictionary = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);
            foreach (JsonProperty entry in models.EnumerateObject())
            {
                dictionary[entry.Name] = Checked(entry.Name, CatalogPriceReader.Read(entry));
            }

            return new PriceCatalog(dictionary.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase), source);
        }
    }

    /// <summary>Finds the price of <paramref name="modelId"/>, resolving provider prefixes and dated snapshots.</summary>
    /// <param name="modelId">The model id, as sent to or reported by the provider.</param>
    /// <param name="price">The price, when found.</param>
    /// <returns><see langword="true"/> when the model is priced.</returns>
    public bool TryGetPrice(string? modelId, [NotNullWhen(true)] out ModelPrice? price)
    {
        if (string.IsNullOrEmpty(modelId))
        {
            price = null;
            return false;
        }

        if (_models.TryGetValue(modelId, out price) || _aliases.TryGetValue(modelId, out price))
        {
            return true;
        }

        if (!_resolved.TryGetValue(modelId, out price))
        {
            price = Resolve(modelId);
            if (_resolved.Count < MaximumCachedSpellings)
            {
                _resolved.TryAdd(modelId, price);
            }
        }

        return price is not null;
    }

    private ModelPrice? Resolve(string modelId)
    {
        string id = modelId;
        int slash = id.LastIndexOf('/');
        if (slash >= 0 && slash < id.Length - 1)
        {
            id = id[(slash + 1)..];
            if (_models.TryGetValue(id, out ModelPrice? unprefixed) || _aliases.TryGetValue(id, out unprefixed))
            {
                return unprefixed;
            }
        }

        string undated = SnapshotSuffix().Replace(id, string.Empty);
        return undated.Length != id.Length && _models.TryGetValue(undated, out ModelPrice? family) ? family : null;
    }

    private static JsonDocument Parse(Stream json)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new PriceCatalogFormatException($"The price catalog is not valid JSON: {e.Message}", e);
        }
    }

    private static ModelPrice Checked(string modelId, ModelPrice price)
    {
        try
        {
            Check(modelId, price);
        }
        catch (ArgumentException e)
        {
            throw new PriceCatalogFormatException(e.Message, e);
        }

        return price;
    }

    private static void Check(string modelId, ModelPrice price)
    {
        if (string.IsNullOrWhiteSpace(modelId))
        {
            throw new ArgumentException("A model id in a price catalog is empty.", nameof(modelId));
        }

        ArgumentNullException.ThrowIfNull(price);
        if (price.InputPerMillion < 0 || price.OutputPerMillion < 0 || price.CachedInputPerMillion < 0 || price.CacheWritePerMillion < 0
            || price.CacheWriteOneHourPerMillion < 0 || price.ReasoningPerMillion < 0 || price.AudioInputPerMillion < 0 || price.AudioOutputPerMillion < 0
            || price.ImageInputPerMillion < 0 || price.RequestFee < 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Model '{modelId}': prices cannot be negative (input {price.InputPerMillion}, cached input {price.CachedInputPerMillion}, output {price.OutputPerMillion})."), nameof(price));
        }

        foreach (ServiceTierPrice? tier in (ReadOnlySpan<ServiceTierPrice?>)[price.Flex, price.Priority, price.Batch])
        {
            if (tier is not null && (tier.InputPerMillion < 0 || tier.CachedInputPerMillion < 0 || tier.CacheWritePerMillion < 0 || tier.CacheWriteOneHourPerMillion < 0
                || tier.OutputPerMillion < 0 || tier.ReasoningPerMillion < 0))
            {
                throw new ArgumentException($"Model '{modelId}': service-tier prices cannot be negative.", nameof(price));
            }

            CheckLongContext(modelId, tier?.LongContextTiers);
        }

        CheckLongContext(modelId, price.LongContextTiers);
        if (price.Versions is { } versions)
        {
            foreach (ModelPrice version in versions)
            {
                if (version is null || version.Versions is { Count: > 0 })
                {
                    throw new ArgumentException($"Model '{modelId}': a price version is missing or has versions of its own.", nameof(price));
                }

                Check(modelId, version);
            }
        }

        if (price.MaximumOutputTokens <= 0 || price.ContextWindow <= 0)
        {
            throw new ArgumentException($"Model '{modelId}': maximum output tokens and context window must be positive when set.", nameof(price));
        }
    }

    private static void CheckLongContext(string modelId, IReadOnlyList<LongContextPrice>? tiers)
    {
        if (tiers is null)
        {
            return;
        }

        foreach (LongContextPrice tier in tiers)
        {
            if (tier is null || tier.AboveInputTokens <= 0)
            {
                throw new ArgumentException($"Model '{modelId}': a long-context tier needs a positive threshold.", nameof(tiers));
            }

            if (tier.InputPerMillion < 0 || tier.CachedInputPerMillion < 0 || tier.CacheWritePerMillion < 0 || tier.CacheWriteOneHourPerMillion < 0
                || tier.OutputPerMillion < 0 || tier.ReasoningPerMillion < 0)
            {
                throw new ArgumentException($"Model '{modelId}': long-context prices cannot be negative.", nameof(tiers));
            }
        }
    }

    private static PriceCatalog LoadDefault()
    {
        using Stream stream = typeof(PriceCatalog).Assembly.GetManifestResourceStream("AiCostGuard.Pricing.DefaultPriceCatalog.json")
            ?? throw new InvalidOperationException("The bundled price catalog resource is missing from the AiCostGuard assembly.");
        return Load(stream);
    }

    // -2024-08-06, -20250929, @20240620 and -0613 style snapshot suffixes.
    [GeneratedRegex(@"([-@](\d{4}-\d{2}-\d{2}|\d{8}|\d{4}))$", RegexOptions.CultureInvariant)]
    private static partial Regex SnapshotSuffix();
}
