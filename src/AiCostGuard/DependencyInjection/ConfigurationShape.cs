using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace AiCostGuard;

/// <summary>
/// The settings types a configuration section binds to — its options type and every type of settings nested in it —
/// each named here, where trimming can see it, so <see cref="ConfigurationCheck"/> reads their properties in a trimmed
/// or native AOT application as it does elsewhere.
/// </summary>
/// <remarks>A nested type left out is a type configuration cannot set; a test walks each shape's type graph to keep it complete.</remarks>
internal sealed class ConfigurationShape
{
    private const DynamicallyAccessedMemberTypes Read = DynamicallyAccessedMemberTypes.PublicProperties;

    private readonly Dictionary<Type, PropertyInfo[]> _settings = [];

    private ConfigurationShape(Type root) => Root = root;

    /// <summary>Gets the options type the section binds to.</summary>
    public Type Root { get; }

    /// <summary>Gets the types whose settings configuration can set.</summary>
    public IReadOnlyCollection<Type> Types => _settings.Keys;

    /// <summary>A shape whose root is <typeparamref name="TOptions"/>.</summary>
    public static ConfigurationShape Of<[DynamicallyAccessedMembers(Read)] TOptions>()
        where TOptions : class => new ConfigurationShape(typeof(TOptions)).With<TOptions>();

    /// <summary>Adds a type of settings nested in the root.</summary>
    public ConfigurationShape With<[DynamicallyAccessedMembers(Read)] T>()
        where T : class
    {
        // The public instance properties the binder can bind: settable ones, and read-only ones it binds into.
        _settings[typeof(T)] = [.. typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod is not null)];
        return this;
    }

    /// <summary>The settings of <paramref name="type"/>, when configuration can set it.</summary>
    public bool TryGetSettings(Type type, [NotNullWhen(true)] out PropertyInfo[]? settings) => _settings.TryGetValue(type, out settings);
}
