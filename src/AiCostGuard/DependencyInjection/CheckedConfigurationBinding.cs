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
    private readonly ConditionalWeakTable<TOptions, List<string>> _problems = [];

    public CheckedConfigurationBinding(string name, IConfiguration configuration) => (_name, _configuration) = (name, configuration);

    public void Configure(TOptions options) => Configure(Options.DefaultName, options);

    public void Configure(string? name, TOptions options)
    {
        if (!string.Equals(name ?? Options.DefaultName, _name, StringComparison.Ordinal))
        {
            return;
        }

        (List<string> problems, Dictionary<string, string?> valid) = ConfigurationCheck.Check(_configuration, typeof(TOptions));
        _problems.AddOrUpdate(options, problems);
        new ConfigurationBuilder().AddInMemoryCollection(valid).Build().Bind(options);
    }

    public ValidateOptionsResult Validate(string? name, TOptions options) =>
        _problems.TryGetValue(options, out List<string>? problems) && problems.Count > 0 ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
