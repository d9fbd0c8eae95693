namespace AiCostGuard.Tests;

/// <summary>The size rules of the core: small files with one job each, and a thin middleware that only runs the pipeline.</summary>
public sealed partial class ArchitectureTests
{
    private const int MostLinesPerFile = 400;
    private const int MostMiddlewareLines = 299;

    [Fact]
    public void No_source_file_of_the_core_is_over_400_lines()
    {
        string[] large = [.. SourceFiles().Where(f => File.ReadLines(f).Count() > MostLinesPerFile).Select(f => $"{Path.GetRelativePath(SourceRoot(), f)}: {File.ReadLines(f).Count()} lines")];
        Assert.True(SourceFiles().Length > 100, "the core's sources were not found");
        Assert.True(large.Length == 0, "Over 400 lines:\n" + string.Join("\n", large));
    }

    [Fact]
    public void The_middleware_files_are_under_300_lines_in_total()
    {
        string[] middleware = Directory.GetFiles(Path.Combine(SourceRoot(), "Enforcement"), "CostGovernanceChatClient*.cs");
        int lines = middleware.Sum(f => File.ReadLines(f).Count());
        Assert.Equal(2, middleware.Length);
        Assert.True(lines <= MostMiddlewareLines, $"The middleware files have {lines} lines: the steps belong in the pipeline's own types.");
    }

    private static string[] SourceFiles() =>
        [.. Directory.GetFiles(SourceRoot(), "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))];
}
