using System.CommandLine;

namespace AiCostGuard.Cli.Commands;

/// <summary><c>--catalog F</c>: the catalog a command prices with, a LiteLLM-format file (or <c>-</c>) when given, else the bundled default.</summary>
internal static class CatalogOption
{
    public static Option<string> Create() => new("--catalog") { Description = "A price file in LiteLLM's model_prices_and_context_window.json format (- for standard input)." };

    public static PriceCatalog Load(string? path)
    {
        if (path is null)
        {
            return PriceCatalog.Default;
        }

        // Parsed strictly first: a model listed twice would otherwise be priced by whichever entry the loader kept.
        byte[] bytes = CommandFiles.ReadBytes("--catalog", path);
        CommandFiles.ParseJson(path, bytes).Dispose();
        using var stream = new MemoryStream(bytes, writable: false);
        return PriceCatalog.LoadLiteLlm(stream, CommandFiles.Name(path));
    }

    /// <summary>The price of <paramref name="modelId"/>, or an error naming the model and the catalog.</summary>
    public static ModelPrice Price(PriceCatalog catalog, string modelId) =>
        catalog.TryGetPrice(modelId, out ModelPrice? price)
            ? price
            : throw new CommandInputException($"the model '{modelId}' has no price in the catalog ({catalog.Source}).");

    /// <summary>Runs a pricing computation, turning an amount too large for <see cref="decimal"/> into a clear error.</summary>
    public static T Checked<T>(string modelId, Func<T> price)
    {
        try
        {
            return price();
        }
        catch (OverflowException)
        {
            throw new CommandInputException($"the cost of these tokens at the rates of '{modelId}' is too large to compute (above 79228162514264337593543950335 USD): check the token counts and the catalog's rates.");
        }
    }
}
