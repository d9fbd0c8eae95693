using System.Text.RegularExpressions;
using Mono.Cecil;
using Mono.Cecil.Cil;
using NetArchTest.Rules;

namespace AiCostGuard.Tests;

/// <summary>
/// The concept folders of <c>src/AiCostGuard</c> form layers: a folder may use the folders below it and never one
/// above, so no two concepts depend on each other in a circle. The library has one namespace, so a type's folder is
/// where its source file is; its dependencies are read from the compiled IL (signatures, bodies, attributes).
/// </summary>
public sealed partial class ArchitectureTests
{
    /// <summary>The layering, bottom first; the README's Layout section draws the same.</summary>
    internal static readonly string[] Layers =
    [
        "Settings",
        "Attribution",
        "Pricing",
        "Estimation",
        "Models",
        "Budgets",
        "RunCaps",
        "Policies",
        "Ledger",
        "Reports",
        "Quotes",
        "Routing",
        "Telemetry",
        "Caching",
        "Enforcement",
        "Resilience",
        "Embeddings",
        "DependencyInjection",
    ];

    [Fact]
    public void No_concept_folder_depends_on_one_above_it()
    {
        Dictionary<string, string> folders = FoldersOfTypes();
        var violations = new SortedSet<string>(StringComparer.Ordinal);
        var rule = new LayerRule(folders, violations);
        NetArchTest.Rules.TestResult result = Types.InAssembly(typeof(CostGovernanceChatClient).Assembly)
            .That().ResideInNamespace("AiCostGuard")
            .Should().MeetCustomRule(rule)
            .GetResult();

        Assert.True(rule.Checked > 50, $"only {rule.Checked} types were checked");
        Assert.True(violations.Count == 0 && result.IsSuccessful, "Dependencies against the layering:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void Every_concept_folder_has_a_place_in_the_layering()
    {
        string[] unplaced = [.. Directory.GetDirectories(SourceRoot()).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj") && !Layers.Contains(f))!];
        Assert.Empty(unplaced);
        Assert.Empty(Directory.GetFiles(SourceRoot(), "*.cs"));
    }

    [Fact]
    public void The_layer_rule_reports_a_dependency_on_a_folder_above()
    {
        // The rule itself must be able to fail: the pipeline (Enforcement) uses the budgets, so read the other way it is a violation.
        var folders = new Dictionary<string, string>(StringComparer.Ordinal) { ["BudgetScope"] = "Enforcement", ["CallPipeline"] = "Budgets" };
        var violations = new SortedSet<string>(StringComparer.Ordinal);
        using ModuleDefinition module = ModuleDefinition.ReadModule(typeof(CostGovernanceChatClient).Assembly.Location);
        var rule = new LayerRule(folders, violations);

        Assert.False(rule.MeetsRule(module.GetType("AiCostGuard.CallPipeline")));
        Assert.Contains("Budgets.CallPipeline -> Enforcement.BudgetScope", violations);
    }

    private static string SourceRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "AiCostGuard.sln")))
            {
                return Path.Combine(d.FullName, "src", "AiCostGuard");
            }
        }

        throw new InvalidOperationException("The repository root (AiCostGuard.sln) is not above " + AppContext.BaseDirectory);
    }

    /// <summary>Each top-level type's concept folder: the folder of the file named after it, else of the one file that declares it.</summary>
    private static Dictionary<string, string> FoldersOfTypes()
    {
        string root = SourceRoot();
        var byFile = new Dictionary<string, string>(StringComparer.Ordinal);
        var declared = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(root, file);
            if (relative.StartsWith("obj", StringComparison.Ordinal) || relative.StartsWith("bin", StringComparison.Ordinal))
            {
                continue;
            }

            string folder = relative.Split(Path.DirectorySeparatorChar)[0];
            byFile[Path.GetFileNameWithoutExtension(file).Split('.')[0]] = folder;
            foreach (Match m in Declaration().Matches(File.ReadAllText(file)))
            {
                (declared.TryGetValue(m.Groups[1].Value, out HashSet<string>? set) ? set : declared[m.Groups[1].Value] = []).Add(folder);
            }
        }

        var folders = new Dictionary<string, string>(byFile, StringComparer.Ordinal);
        foreach ((string type, HashSet<string> where) in declared)
        {
            if (!folders.ContainsKey(type) && where.Count == 1)
            {
                folders[type] = where.First();
            }
        }

        return folders;
    }

    [GeneratedRegex(@"\b(?:class|struct|interface|enum|record)\s+([A-Z]\w*)")]
    private static partial Regex Declaration();

    /// <summary>Fails a type that references a type of a folder above its own.</summary>
    private sealed class LayerRule(Dictionary<string, string> folders, SortedSet<string> violations) : ICustomRule
    {
        public int Checked { get; private set; }

        public bool MeetsRule(TypeDefinition type)
        {
            TypeDefinition outer = Outermost(type);
            if (outer.Name.StartsWith('<') || !folders.TryGetValue(outer.Name, out string? from))
            {
                return true;
            }

            Checked++;
            bool ok = true;
            foreach (TypeReference used in References(type))
            {
                TypeReference target = used.GetElementType();
                while (target.DeclaringType is { } declaring)
                {
                    target = declaring;
                }

                if (target.Namespace != "AiCostGuard" || !folders.TryGetValue(target.Name, out string? to) || to == from)
                {
                    continue;
                }

                if (Array.IndexOf(Layers, to) > Array.IndexOf(Layers, from))
                {
                    violations.Add($"{from}.{outer.Name} -> {to}.{target.Name}");
                    ok = false;
                }
            }

            return ok;
        }

        private static TypeDefinition Outermost(TypeDefinition type)
        {
            while (type.DeclaringType is { } declaring)
            {
                type = declaring;
            }

            return type;
        }

        private static IEnumerable<TypeReference> References(TypeDefinition type)
        {
            foreach (TypeDefinition nested in type.NestedTypes)
            {
                foreach (TypeReference r in References(nested))
                {
                    yield return r;
                }
            }

            if (type.BaseType is { } baseType)
            {
                foreach (TypeReference r in Expand(baseType))
                {
                    yield return r;
                }
            }

            foreach (InterfaceImplementation i in type.Interfaces)
            {
                foreach (TypeReference r in Expand(i.InterfaceType))
                {
                    yield return r;
                }
            }

            foreach (CustomAttribute a in type.CustomAttributes)
            {
                yield return a.AttributeType;
            }

            foreach (FieldDefinition field in type.Fields)
            {
                foreach (TypeReference r in Expand(field.FieldType))
                {
                    yield return r;
                }
            }

            foreach (PropertyDefinition property in type.Properties)
            {
                foreach (TypeReference r in Expand(property.PropertyType))
                {
                    yield return r;
                }
            }

            foreach (EventDefinition e in type.Events)
            {
                foreach (TypeReference r in Expand(e.EventType))
                {
                    yield return r;
                }
            }

            foreach (MethodDefinition method in type.Methods)
            {
                foreach (TypeReference r in Expand(method.ReturnType))
                {
                    yield return r;
                }

                foreach (ParameterDefinition p in method.Parameters)
                {
                    foreach (TypeReference r in Expand(p.ParameterType))
                    {
                        yield return r;
                    }
                }

                if (!method.HasBody)
                {
                    continue;
                }

                foreach (VariableDefinition v in method.Body.Variables)
                {
                    foreach (TypeReference r in Expand(v.VariableType))
                    {
                        yield return r;
                    }
                }

                foreach (Instruction instruction in method.Body.Instructions)
                {
                    IEnumerable<TypeReference> operands = instruction.Operand switch
                    {
                        TypeReference t => Expand(t),
                        MethodReference m => Expand(m.DeclaringType).Concat(Expand(m.ReturnType)).Concat(m.Parameters.SelectMany(p => Expand(p.ParameterType)))
                            .Concat(m is GenericInstanceMethod g ? g.GenericArguments.SelectMany(Expand) : []),
                        FieldReference f => Expand(f.DeclaringType).Concat(Expand(f.FieldType)),
                        _ => [],
                    };
                    foreach (TypeReference r in operands)
                    {
                        yield return r;
                    }
                }
            }
        }

        private static IEnumerable<TypeReference> Expand(TypeReference type)
        {
            yield return type;
            if (type is GenericInstanceType generic)
            {
                foreach (TypeReference argument in generic.GenericArguments)
                {
                    foreach (TypeReference r in Expand(argument))
                    {
                        yield return r;
                    }
                }
            }

            if (type is TypeSpecification specification && specification.ElementType is { } element && !ReferenceEquals(element, type))
            {
                foreach (TypeReference r in Expand(element))
                {
                    yield return r;
                }
            }
        }
    }
}
