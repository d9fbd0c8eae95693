using AiCostGuard.AspNetCore;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the answer of AiCostGuard's refusals as problem details.</summary>
public static class CostGovernanceProblemDetailsServiceCollectionExtensions
{
    /// <summary>
    /// Registers problem details and an <see cref="IExceptionHandler"/> that answers a budget refusal with 429 and
    /// <c>Retry-After</c> (period budgets, spend velocity) or <see cref="CostGovernanceProblemDetailsOptions.CeilingStatusCode"/>
    /// (402 by default: per-request and run ceilings), missing attribution with 400 and an unreachable budget store with 503.
    /// Add <c>app.UseExceptionHandler()</c> to the pipeline for the handler to run.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Changes the status codes, or <see langword="null"/>.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    /// <remarks>Calling it again registers nothing twice. Invalid options fail when the host starts.</remarks>
    public static IServiceCollection AddCostGovernanceProblemDetails(this IServiceCollection services, Action<CostGovernanceProblemDetailsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddProblemDetails();
        OptionsBuilder<CostGovernanceProblemDetailsOptions> options = services.AddOptions<CostGovernanceProblemDetailsOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CostGovernanceProblemDetailsOptions>, Validator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExceptionHandler, CostGovernanceExceptionHandler>());
        return services;
    }

    private sealed class Validator : IValidateOptions<CostGovernanceProblemDetailsOptions>
    {
        public ValidateOptionsResult Validate(string? name, CostGovernanceProblemDetailsOptions options)
        {
            IReadOnlyList<string> problems = options.Validate();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
