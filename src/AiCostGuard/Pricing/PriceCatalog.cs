using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
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
/// exact id has no price of its own.
/// </para>
/// <para>The bundled catalog is derived from LiteLLM's price table (MIT, © Berri AI), synced 2026-07-24; see <see cref="Source"/>.</para>
/// <para>Instances are immutable and thread-safe; resolved lookups are cached.</para>
/// </remarks>
public sealed partial class PriceCatalog
{
    private const int MaximumCachedSpellings = 4096;
    private static readonly Lazy<PriceCatalog> DefaultCatalog = new(LoadDefault);

    private readonly FrozenDictionary<string, ModelPrice> _models;
    private readonly ConcurrentDictionary<string, ModelPrice?> _resolved = new(StringComparer.OrdinalIgnoreCase);

    private PriceCatalog(FrozenDictionary<string, ModelPrice> models, string source)
    {
        _models = models;
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

        return count == 0 ? this : new PriceCatalog(dictionary.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase), Source + " + overrides");
    }

    /// <summary>Loads a catalog in AiCostGuard's JSON format (<c>{ "source": ..., "models": { "id": { "inputPerMillion": ... } } }</c>).</summary>
    /// <param name="json">The JSON stream.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="PriceCatalogFormatException">The JSON is malformed; the message names the entry and the field.</exception>
    public static PriceCatalog Load(Stream json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new PriceCatalogFormatException($"The price catalog is not valid JSON: {e.Message}", e);
        }

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
                dictionary[entry.Name] = ReadPrice(entry);
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

        if (_models.TryGetValue(modelId, out price))
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
            if (_models.TryGetValue(id, out ModelPrice? unprefixed))
            {
                return unprefixed;
            }
        }

        string undated = SnapshotSuffix().Replace(id, string.Empty);
        return undated.Length != id.Length && _models.TryGetValue(undated, out ModelPrice? family) ? family : null;
    }

    private static ModelPrice ReadPrice(JsonProperty entry)
    {
        if (entry.Value.ValueKind != JsonValueKind.Object)
        {
            throw new PriceCatalogFormatException($"Model '{entry.Name}': the entry must be a JSON object.");
        }

        JsonElement value = entry.Value;
        var price = new ModelPrice
        {
            Provider = value.TryGetProperty("provider", out JsonElement provider) && provider.ValueKind == JsonValueKind.String ? provider.GetString() : null,
            InputPerMillion = ReadDecimal(entry.Name, value, "inputPerMillion") ?? throw new PriceCatalogFormatException($"Model '{entry.Name}': the field 'inputPerMillion' is required."),
            CachedInputPerMillion = ReadDecimal(entry.Name, value, "cachedInputPerMillion"),
            OutputPerMillion = ReadDecimal(entry.Name, value, "outputPerMillion") ?? throw new PriceCatalogFormatException($"Model '{entry.Name}': the field 'outputPerMillion' is required."),
            MaximumOutputTokens = ReadInt(entry.Name, value, "maxOutputTokens"),
            ContextWindow = ReadInt(entry.Name, value, "contextWindow"),
        };
        try
        {
            Check(entry.Name, price);
        }
        catch (ArgumentException e)
        {
            throw new PriceCatalogFormatException(e.Message, e);
        }

        return price;
    }

    private static decimal? ReadDecimal(string model, JsonElement value, string field)
    {
        if (!value.TryGetProperty(field, out JsonElement element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDecimal(out decimal result))
        {
            throw new PriceCatalogFormatException($"Model '{model}': the field '{field}' must be a number; it is {element.GetRawText()}.");
        }

        return result;
    }

    private static int? ReadInt(string model, JsonElement value, string field)
    {
        if (!value.TryGetProperty(field, out JsonElement element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out int result) || result <= 0)
        {
            throw new PriceCatalogFormatException($"Model '{model}': the field '{field}' must be a positive whole number; it is {element.GetRawText()}.");
        }

        return result;
    }

    private static void Check(string modelId, ModelPrice price)
    {
        if (string.IsNullOrWhiteSpace(modelId))
        {
            throw new ArgumentException("A model id in a price catalog is empty.", nameof(modelId));
        }

        ArgumentNullException.ThrowIfNull(price);
        if (price.InputPerMillion < 0 || price.OutputPerMillion < 0 || price.CachedInputPerMillion < 0)
        {
            throw new ArgumentException($"Model '{modelId}': prices cannot be negative (input {price.InputPerMillion}, cached input {price.CachedInputPerMillion}, output {price.OutputPerMillion}).", nameof(price));
        }

        if (price.MaximumOutputTokens <= 0 || price.ContextWindow <= 0)
        {
            throw new ArgumentException($"Model '{modelId}': maximum output tokens and context window must be positive when set.", nameof(price));
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
