using System.Diagnostics;

namespace AiCostGuard.Tests.Pricing;

/// <summary>The bundled catalog is what <c>eng/catalog</c> makes from the LiteLLM table the repository keeps.</summary>
public sealed class DefaultCatalogGeneratorTests
{
    private static string Python => AiCostGuard.Tests.Shared.DebianPackage.Ensure("python3", "python3");

    [Fact]
    public void The_generator_reproduces_the_bundled_catalog_byte_for_byte_from_the_table_given_as_its_argument()
    {
        string root = RepositoryRoot();
        string output = Path.Combine(Directory.CreateTempSubdirectory("aicostguard-catalog-").FullName, "catalog.json");

        (int code, string error) = Run(Path.Combine(root, "eng", "catalog", "generate_default_catalog.py"), LiteLlmCatalogTests.LiteLlmFile, output);

        Assert.True(code == 0, error);
        Assert.Equal(File.ReadAllBytes(Path.Combine(root, "src", "AiCostGuard", "Pricing", "DefaultPriceCatalog.json")), File.ReadAllBytes(output));
    }

    [Fact]
    public void Without_a_table_the_generator_stops_with_its_usage()
    {
        (int code, string error) = Run(Path.Combine(RepositoryRoot(), "eng", "catalog", "generate_default_catalog.py"));
        Assert.Equal(1, code);
        Assert.Contains("usage: generate_default_catalog.py LITELLM_JSON [OUTPUT_JSON]", error, StringComparison.Ordinal);
    }

    private static (int Code, string Error) Run(params string[] args)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        _ = output.Result;
        return (process.ExitCode, error);
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AiCostGuard.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("The repository root (AiCostGuard.sln) is not above the test's folder.");
    }
}
