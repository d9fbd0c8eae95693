using System.IO.Compression;
using System.Reflection;

namespace AiCostGuard.Docs.Tests;

/// <summary>
/// The blocks compile against the libraries this build was pointed at: the projects' own output, or, in the run
/// against the packed packages, the very assemblies inside those packages.
/// </summary>
public sealed class ReferencedLibrariesTests
{
    public static TheoryData<string> Libraries() =>
        ["AiCostGuard", "AiCostGuard.SemanticKernel", "AiCostGuard.AgentFramework", "AiCostGuard.AspNetCore", "AiCostGuard.Redis", "AiCostGuard.PostgreSql"];

    [Theory]
    [MemberData(nameof(Libraries))]
    public void The_library_beside_the_tests_is_the_one_built_or_packed(string library)
    {
        byte[] compiledAgainst = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, library + ".dll"));
        string? packages = Metadata("DocsPackages");
        if (packages is { Length: > 0 })
        {
            string nupkg = Path.Combine(packages, $"{library}.{Metadata("DocsPackageVersion")}.nupkg");
            using ZipArchive package = ZipFile.OpenRead(nupkg);
            ZipArchiveEntry entry = package.GetEntry($"lib/net10.0/{library}.dll") ?? throw new InvalidOperationException($"{nupkg} holds no lib/net10.0/{library}.dll");
            using var packed = new MemoryStream();
            using (Stream stream = entry.Open())
            {
                stream.CopyTo(packed);
            }

            Assert.True(packed.ToArray().AsSpan().SequenceEqual(compiledAgainst), $"{library}.dll beside the tests is not the one in {nupkg}");
        }
        else
        {
            string configuration = typeof(ReferencedLibrariesTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
            string built = Path.Combine(ReadmeBlock.Root, "src", library, "bin", configuration, "net10.0", library + ".dll");
            Assert.True(File.ReadAllBytes(built).AsSpan().SequenceEqual(compiledAgainst), $"{library}.dll beside the tests is not {built}");
        }
    }

    private static string? Metadata(string key) =>
        typeof(ReferencedLibrariesTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;
}
