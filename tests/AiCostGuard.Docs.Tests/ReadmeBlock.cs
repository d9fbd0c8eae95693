using System.Reflection;
using System.Text.RegularExpressions;

namespace AiCostGuard.Docs.Tests;

/// <summary>
/// One C# code block of a README: where it starts, its code, and what the line just before its fence says about it.
/// </summary>
/// <remarks>
/// A block is compiled as a program of top-level statements. The line before the fence may be an HTML comment, which
/// renders as nothing:
/// <list type="bullet">
/// <item><c>&lt;!-- compile-with: IChatClient model; using Npgsql; string question --&gt;</c> declares the names (and
/// namespaces) the block assumes without showing them, separated by <c>;</c>.</item>
/// <item><c>&lt;!-- not-compiled: why --&gt;</c> marks a block that is deliberately not C# that compiles; such blocks
/// are counted and must stay rare.</item>
/// </list>
/// </remarks>
internal sealed partial record ReadmeBlock(string File, int Line, string Code, IReadOnlyList<string> Context, string? NotCompiledReason)
{
    /// <summary>The repository root: the directory holding <c>AiCostGuard.sln</c>.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The READMEs whose C# blocks are compiled: the repository's, and every package's and sample's.</summary>
    public static IEnumerable<string> Readmes()
    {
        yield return "README.md";
        foreach (string folder in new[] { "src", "samples" })
        {
            string dir = Path.Combine(Root, folder);
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (string readme in Directory.GetFiles(dir, "README.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                string relative = Path.GetRelativePath(Root, readme).Replace('\\', '/');
                if (!relative.Contains("/bin/", StringComparison.Ordinal) && !relative.Contains("/obj/", StringComparison.Ordinal))
                {
                    yield return relative;
                }
            }
        }
    }

    /// <summary>Every C# block of every README.</summary>
    public static IReadOnlyList<ReadmeBlock> All() => [.. Readmes().SelectMany(Parse)];

    /// <summary>The C# blocks of one README (<c>```csharp</c>, <c>```cs</c> or <c>```c#</c>).</summary>
    public static IEnumerable<ReadmeBlock> Parse(string file)
    {
        string[] lines = System.IO.File.ReadAllLines(Path.Combine(Root, file));
        for (int i = 0; i < lines.Length; i++)
        {
            Match fence = CSharpFence().Match(lines[i]);
            if (!fence.Success)
            {
                continue;
            }

            string indent = fence.Groups["indent"].Value;
            int first = i + 1;
            int end = first;
            while (end < lines.Length && !lines[end].TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                end++;
            }

            if (end == lines.Length)
            {
                throw new InvalidOperationException($"{file}:{i + 1}: the C# block opened here is never closed with ```.");
            }

            string code = string.Join('\n', lines[first..end].Select(l => l.StartsWith(indent, StringComparison.Ordinal) ? l[indent.Length..] : l));
            string before = PreviousNonBlank(lines, i);
            Match context = CompileWith().Match(before);
            Match notCompiled = NotCompiled().Match(before);
            yield return new ReadmeBlock(
                file,
                first + 1,
                code,
                context.Success ? [.. context.Groups["items"].Value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] : [],
                notCompiled.Success ? notCompiled.Groups["why"].Value.Trim() : null);
            i = end;
        }
    }

    /// <summary>The block's position, as a test case names it.</summary>
    public override string ToString() => $"{File}:{Line}";

    private static string PreviousNonBlank(string[] lines, int index)
    {
        for (int j = index - 1; j >= 0; j--)
        {
            if (lines[j].Trim().Length > 0)
            {
                return lines[j].Trim();
            }
        }

        return string.Empty;
    }

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "AiCostGuard.sln")))
            {
                return dir.FullName;
            }
        }

        // Built outside the repository (the packed-packages run): the root the project was built from.
        string? built = typeof(ReadmeBlock).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        return built is not null && System.IO.File.Exists(Path.Combine(built, "AiCostGuard.sln"))
            ? built
            : throw new InvalidOperationException($"No AiCostGuard.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"^(?<indent>\s*)```\s*(csharp|cs|c#)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex CSharpFence();

    [GeneratedRegex(@"^<!--\s*compile-with:(?<items>.*?)-->$")]
    private static partial Regex CompileWith();

    [GeneratedRegex(@"^<!--\s*not-compiled:(?<why>.*?)-->$")]
    private static partial Regex NotCompiled();
}
