using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace AiCostGuard;

/// <summary>
/// Walks a configuration section against the options type it binds to, before binding: a key that names no setting
/// (a typo such as <c>MaximumCots</c>) or a value the setting cannot take (<c>"MaximumCost": "lots"</c>) is a problem
/// naming its full path, where the configuration binder would ignore the key, throw on the first value, or silently
/// drop a whole list item. What is valid is kept, so the binding of the rest can still be validated.
/// </summary>
internal static class ConfigurationCheck
{
    /// <summary>Checks <paramref name="section"/> against the root of <paramref name="shape"/>.</summary>
    /// <returns>The problems, and the settings that are valid (by path relative to the section) to bind from.</returns>
    public static (List<string> Problems, Dictionary<string, string?> Valid) Check(IConfiguration section, ConfigurationShape shape)
    {
        var problems = new List<string>();
        var valid = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        _ = shape.TryGetSettings(shape.Root, out PropertyInfo[]? settings);
        CheckObject(section, shape, shape.Root, settings!, relative: null, problems, valid);
        return (problems, valid);
    }

    private static void CheckObject(IConfiguration section, ConfigurationShape shape, Type type, PropertyInfo[] settings, string? relative, List<string> problems, Dictionary<string, string?> valid)
    {
        foreach (IConfigurationSection child in section.GetChildren())
        {
            PropertyInfo? setting = Array.Find(settings, p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (setting is null)
            {
                string? near = Nearest(child.Key, settings.Select(p => p.Name));
                problems.Add($"{child.Path}: '{child.Key}' is not a setting of {type.Name}{(near is null ? string.Empty : $"; did you mean '{near}'?")}");
                continue;
            }

            CheckValue(child, shape, setting.PropertyType, Join(relative, child.Key), problems, valid);
        }
    }

    private static void CheckValue(IConfigurationSection section, ConfigurationShape shape, Type type, string relative, List<string> problems, Dictionary<string, string?> valid)
    {
        Type target = Nullable.GetUnderlyingType(type) ?? type;
        bool hasChildren = section.GetChildren().Any();
        if (IsScalar(target))
        {
            if (hasChildren)
            {
                problems.Add($"{section.Path}: takes a single {Describe(target)}, not a section.");
                return;
            }

            if (section.Value is { } value && Convert(value, type, target) is { } error)
            {
                problems.Add($"{section.Path}: '{value}' is not {error}.");
                return;
            }

            valid[relative] = section.Value;
            return;
        }

        if (!string.IsNullOrEmpty(section.Value) && !hasChildren)
        {
            problems.Add($"{section.Path}: takes settings of {Describe(target)}, not the value '{section.Value}'.");
            return;
        }

        if (DictionaryValueType(target) is { } valueType)
        {
            foreach (IConfigurationSection entry in section.GetChildren())
            {
                CheckValue(entry, shape, valueType, Join(relative, entry.Key), problems, valid);
            }

            return;
        }

        if (ElementType(target) is { } elementType)
        {
            foreach (IConfigurationSection item in section.GetChildren())
            {
                if (!int.TryParse(item.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    problems.Add($"{item.Path}: '{item.Key}' is not a list index; list items are numbered 0, 1, 2, ...");
                    continue;
                }

                CheckValue(item, shape, elementType, Join(relative, item.Key), problems, valid);
            }

            return;
        }

        if (!shape.TryGetSettings(target, out PropertyInfo[]? settings))
        {
            if (hasChildren)
            {
                problems.Add($"{section.Path}: {Describe(target)} cannot be set from configuration; set it in code.");
            }

            return;
        }

        CheckObject(section, shape, target, settings, relative, problems, valid);
    }

    /// <summary>Parses as the generated configuration binder does: in the invariant culture, enums by name ignoring case.</summary>
    /// <returns><see langword="null"/> when the value converts; else what was expected.</returns>
    private static string? Convert(string value, Type declared, Type target)
    {
        if (target == typeof(string))
        {
            return null;
        }

        if (value.Length == 0)
        {
            return declared != target ? null : Describe(target);
        }

        CultureInfo c = CultureInfo.InvariantCulture;
        bool parses = target switch
        {
            _ when target.IsEnum => Enum.TryParse(target, value, ignoreCase: true, out _),
            _ when target == typeof(bool) => bool.TryParse(value, out _),
            _ when target == typeof(int) => int.TryParse(value, NumberStyles.Integer, c, out _),
            _ when target == typeof(long) => long.TryParse(value, NumberStyles.Integer, c, out _),
            _ when target == typeof(short) => short.TryParse(value, NumberStyles.Integer, c, out _),
            _ when target == typeof(byte) => byte.TryParse(value, NumberStyles.Integer, c, out _),
            _ when target == typeof(sbyte) => sbyte.TryParse(value, NumberStyles.Integer, c, out _),
            _ when target == typeof(uint) => uint.TryParse(value, NumberStyles.Integer, c, out _),
            _ when target == typeof(ulong) => ulong.TryParse(value, NumberStyles.Integer, c, out _),
            _ when target == typeof(ushort) => ushort.TryParse(value, NumberStyles.Integer, c, out _),
            _ when target == typeof(char) => value.Length == 1,
            _ when target == typeof(double) => double.TryParse(value, NumberStyles.Float, c, out _),
            _ when target == typeof(float) => float.TryParse(value, NumberStyles.Float, c, out _),
            _ when target == typeof(decimal) => decimal.TryParse(value, NumberStyles.Float, c, out _),
            _ when target == typeof(TimeSpan) => TimeSpan.TryParse(value, c, out _),
            _ when target == typeof(DateTime) => DateTime.TryParse(value, c, DateTimeStyles.None, out _),
            _ when target == typeof(DateTimeOffset) => DateTimeOffset.TryParse(value, c, DateTimeStyles.None, out _),
            _ when target == typeof(DateOnly) => DateOnly.TryParse(value, c, DateTimeStyles.None, out _),
            _ when target == typeof(TimeOnly) => TimeOnly.TryParse(value, c, DateTimeStyles.None, out _),
            _ when target == typeof(Guid) => Guid.TryParse(value, out _),
            _ when target == typeof(Uri) => Uri.TryCreate(value, UriKind.RelativeOrAbsolute, out _),
            _ => false,
        };
        return parses ? null : Describe(target);
    }

    private static string Describe(Type type) => type switch
    {
        _ when type.IsEnum => $"one of {string.Join(", ", Enum.GetNames(type))}{(type.IsDefined(typeof(FlagsAttribute)) ? " (or several, comma-separated)" : string.Empty)}",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(TimeSpan) => "a time span such as 00:01:30",
        _ when type == typeof(decimal) || type == typeof(double) || type == typeof(float) => "a number such as 0.05",
        _ when type == typeof(int) || type == typeof(long) => "a whole number",
        _ => $"a {type.Name}",
    };

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(DateOnly) || type == typeof(TimeOnly)
        || type == typeof(Guid) || type == typeof(Uri);

    private static Type? DictionaryValueType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() is var d
        && (d == typeof(IDictionary<,>) || d == typeof(IReadOnlyDictionary<,>) || d == typeof(Dictionary<,>) || d == typeof(SortedDictionary<,>))
            ? type.GetGenericArguments()[1]
            : null;

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && type.GetGenericTypeDefinition() is var d
            && (d == typeof(IList<>) || d == typeof(List<>) || d == typeof(ICollection<>) || d == typeof(IEnumerable<>) || d == typeof(IReadOnlyList<>)
                || d == typeof(IReadOnlyCollection<>) || d == typeof(ISet<>) || d == typeof(HashSet<>))
            ? type.GetGenericArguments()[0]
        : null;

    private static string Join(string? relative, string key) => relative is null ? key : relative + ConfigurationPath.KeyDelimiter + key;

    /// <summary>The known name within two edits of <paramref name="key"/>, to suggest for a typo.</summary>
    private static string? Nearest(string key, IEnumerable<string> names)
    {
        string? best = null;
        int bestDistance = 3;
        foreach (string name in names)
        {
            int distance = Distance(key.ToUpperInvariant(), name.ToUpperInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (name, distance);
            }
        }

        return best;
    }

    private static int Distance(string a, string b)
    {
        // Levenshtein distance over two rows.
        int[] previous = new int[b.Length + 1];
        int[] current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
