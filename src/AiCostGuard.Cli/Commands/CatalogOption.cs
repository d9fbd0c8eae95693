namespace AiCostGuard.Cli.Commands;

/// <summary>The catalog a command prices with: a LiteLLM-format file when given, else the bundled default.</summary>
internal static class CatalogOption
{
    public static PriceCatalog Load(FileInfo? file)
    {
        if (file is null)
        {
            return PriceCatalog.Default;
        }

        using FileStream stream = file.OpenRead();
        return PriceCatalog.LoadLiteLlm(stream, file.Name);
    }
}
