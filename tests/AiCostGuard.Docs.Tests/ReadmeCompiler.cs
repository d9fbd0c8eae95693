using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AiCostGuard.Docs.Tests;

/// <summary>Compiles a <see cref="ReadmeBlock"/> against the libraries as built, with the usings a new project has.</summary>
internal static partial class ReadmeCompiler
{
    /// <summary>
    /// The namespaces every block may use without a <c>using</c>: the implicit usings of a <c>Microsoft.NET.Sdk.Web</c>
    /// project, and the two the README's first example opens.
    /// </summary>
    public static IReadOnlyList<string> ImplicitUsings { get; } =
    [
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Net.Http.Json", "System.Threading",
        "System.Threading.Tasks", "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Http",
        "Microsoft.AspNetCore.Routing", "Microsoft.Extensions.Configuration", "Microsoft.Extensions.DependencyInjection",
        "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging", "AiCostGuard", "Microsoft.Extensions.AI",
    ];

    private static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(LoadReferences);

    /// <summary>Compiles the block; returns its errors, each as <c>file:line: error CSnnnn: message</c> at its README line.</summary>
    public static IReadOnlyList<string> Errors(ReadmeBlock block)
    {
        SyntaxTree usings = CSharpSyntaxTree.ParseText(
            string.Concat(ImplicitUsings.Select(u => $"global using {u};\n")),
            CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest),
            path: "ImplicitUsings.cs");
        SyntaxTree program = CSharpSyntaxTree.ParseText(
            Program(block),
            CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest),
            path: block.File,
            encoding: Encoding.UTF8);
        CSharpCompilation compilation = CSharpCompilation.Create(
            "ReadmeBlock",
            [usings, program],
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        return [.. compilation.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d =>
            {
                FileLinePositionSpan at = d.Location.GetMappedLineSpan();
                return $"{at.Path}:{at.StartLinePosition.Line + 1}: error {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
            })];
    }

    /// <summary>
    /// The block as a program: its <c>using</c> directives first, then the names its <c>compile-with</c> comment declares,
    /// then its statements; <c>#line</c> maps every line back to the README.
    /// </summary>
    private static string Program(ReadmeBlock block)
    {
        string[] lines = block.Code.Split('\n');
        int directives = 0;
        while (directives < lines.Length && (UsingDirective().IsMatch(lines[directives]) || lines[directives].Trim().Length == 0))
        {
            directives++;
        }

        var text = new StringBuilder();
        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"#line {block.Line} \"{block.File}\"\n");
        foreach (string line in lines[..directives])
        {
            text.Append(line).Append('\n');
        }

        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"#line {block.Line - 2} \"{block.File}\"\n");
        foreach (string item in block.Context.Where(i => i.StartsWith("using ", StringComparison.Ordinal)))
        {
            text.Append(item).Append(";\n");
        }

        foreach (string item in block.Context.Where(i => !i.StartsWith("using ", StringComparison.Ordinal)))
        {
            text.Append(item).Append(" = default!;\n");
        }

        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"#line {block.Line + directives} \"{block.File}\"\n");
        foreach (string line in lines[directives..])
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The framework the tests run on (ASP.NET Core included) and every managed assembly beside them: the libraries and the SDKs the READMEs use.</summary>
    private static IReadOnlyList<MetadataReference> LoadReferences()
    {
        var byName = new Dictionary<string, MetadataReference>(StringComparer.OrdinalIgnoreCase);
        string platform = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        IEnumerable<string> candidates = platform.Split(Path.PathSeparator)
            .Concat(Directory.GetFiles(AppContext.BaseDirectory, "*.dll"));
        foreach (string path in candidates)
        {
            string name = Path.GetFileNameWithoutExtension(path);
            if (byName.ContainsKey(name) || name.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) || name.StartsWith("xunit", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            try
            {
                using var stream = File.OpenRead(path);
                using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
                if (!pe.HasMetadata)
                {
                    continue;
                }
            }
            catch (BadImageFormatException)
            {
                continue;
            }

            byName[name] = MetadataReference.CreateFromFile(path);
        }

        return [.. byName.Values];
    }

    [GeneratedRegex(@"^\s*using\s+(static\s+)?[A-Za-z_][\w.]*\s*;\s*(//.*)?$")]
    private static partial Regex UsingDirective();
}
