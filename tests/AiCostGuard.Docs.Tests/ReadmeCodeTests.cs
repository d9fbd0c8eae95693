namespace AiCostGuard.Docs.Tests;

/// <summary>Every C# block of every README compiles against the libraries as built: what a newcomer copies works.</summary>
public sealed class ReadmeCodeTests
{
    /// <summary>How many blocks may be marked <c>not-compiled</c>: deliberately partial code stays the exception.</summary>
    private const int MaximumNotCompiled = 2;

    public static TheoryData<string, int> Blocks()
    {
        var data = new TheoryData<string, int>();
        foreach (ReadmeBlock block in ReadmeBlock.All())
        {
            data.Add(block.File, block.Line);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void The_block_compiles(string file, int line)
    {
        ReadmeBlock block = Assert.Single(ReadmeBlock.Parse(file), b => b.Line == line);
        if (block.NotCompiledReason is not null)
        {
            Assert.False(string.IsNullOrWhiteSpace(block.NotCompiledReason), $"{block}: a not-compiled block must say why.");
            return;
        }

        IReadOnlyList<string> errors = ReadmeCompiler.Errors(block);
        Assert.True(errors.Count == 0, string.Join('\n', [
            $"The C# block at {block} does not compile:",
            .. errors.Select(e => "  " + e),
            "Fix the code in the README. If the block uses names it does not declare (a client, a builder, options), declare them",
            "on the line just before its ```csharp fence, e.g. <!-- compile-with: IChatClient model; IServiceCollection services; using Npgsql -->.",
            $"Namespaces open without a using: {string.Join(", ", ReadmeCompiler.ImplicitUsings)}.",
            $"Only code that cannot compile by design may be marked <!-- not-compiled: why --> (at most {MaximumNotCompiled} in all).",
        ]));
    }

    [Fact]
    public void Every_readme_is_read_and_blocks_left_uncompiled_are_few_and_say_why()
    {
        IReadOnlyList<ReadmeBlock> blocks = ReadmeBlock.All();
        Assert.Contains("README.md", ReadmeBlock.Readmes());
        Assert.True(blocks.Count(b => b.File == "README.md") >= 5, $"only {blocks.Count(b => b.File == "README.md")} C# blocks found in README.md");
        ReadmeBlock[] skipped = [.. blocks.Where(b => b.NotCompiledReason is not null)];
        Assert.True(
            skipped.Length <= MaximumNotCompiled,
            $"{skipped.Length} blocks are marked not-compiled, more than {MaximumNotCompiled}: {string.Join(", ", skipped.Select(b => $"{b} ({b.NotCompiledReason})"))}. Make them compile, with <!-- compile-with: ... --> for the names they assume.");
        Assert.All(skipped, b => Assert.False(string.IsNullOrWhiteSpace(b.NotCompiledReason), $"{b}: say why it is not compiled"));
    }
}
