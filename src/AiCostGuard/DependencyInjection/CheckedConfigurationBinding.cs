using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AiCostGuard;

/// <summary>
/// Binds options from configuration after <see cref="ConfigurationCheck"/>, and reports what it found through
/// options validation: unknown keys and unusable values join the other problems in the one exception thrown at startup.
/// </summary>
/// <remarks>Only the valid settings are bound, so a bad value cannot stop the binder before every problem is listed.</remarks>
internal sealed class CheckedConfigurationBinding<TOptions> : IConfigureNamedOptions<TOptions>, IValidateOptions<TOptions>
    where TOptions : class
{
    private readonly string _name;
    private readonly IConfiguration _configuration;
    private readonly ConfigurationShape _shape;
    private readonly Action<IConfiguration, TOptions> _bind;
    private readonly ConditionalWeakTable<TOptions, List<string>> _problems = [];

    /// <param name="name">The name of the options.</param>
    /// <param name="configuration">The section they bind from.</param>
    /// <param name="shape">The settings types of <typeparamref name="TOptions"/>.</param>
    /// <param name="bind">Binds the valid settings: a call on the concrete type, so the binder's source generator binds it without reflection.</param>
    public CheckedConfigurationBinding(string name, IConfiguration configuration, ConfigurationShape shape, Action<IConfiguration, TOptions> bind) =>
        (_name, _configuration, _shape, _bind) = (name, configuration, shape, bind);

    public void Configure(TOptions options) => Configure(Options.DefaultName, options);

    public void Configure(string? name, TOptions options)
    {
        if (!string.Equals(name ?? Options.DefaultName, _name, StringComparison.Ordinal))
        {
            return;
        }

        (List<string> problems, Dictionary<string, string?> valid) = ConfigurationCheck.Check(_configuration, _shape);
        _problems.AddOrUpdate(options, problems);
        _bind(new ConfigurationBuilder().AddInMemoryCollection(valid).Build(), options);
    }

    public ValidateOptionsResult Validate(string? name, TOptions options) =>
        _problems.TryGetValue(options, out List<string>? problems) && problems.Count > 0 ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
