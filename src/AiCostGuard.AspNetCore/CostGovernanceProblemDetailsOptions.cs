using Microsoft.AspNetCore.Http;

namespace AiCostGuard.AspNetCore;

/// <summary>The status codes the cost governance exception handler answers refusals with.</summary>
public sealed class CostGovernanceProblemDetailsOptions
{
    /// <summary>
    /// Gets or sets the status code for a refusal that waiting does not lift: a per-request ceiling, or a run scope's
    /// ceiling or cap. Period budgets and spend velocity always answer 429 with <c>Retry-After</c>.
    /// </summary>
    /// <value>The default value is 402 (Payment Required); 429 (Too Many Requests) is the other accepted value.</value>
    public int CeilingStatusCode { get; set; } = StatusCodes.Status402PaymentRequired;

    /// <summary>Gets or sets the status code for a model call refused for missing attribution (<see cref="MissingAttributionException"/>).</summary>
    /// <value>The default value is 400 (Bad Request); any 4xx code is accepted.</value>
    public int MissingAttributionStatusCode { get; set; } = StatusCodes.Status400BadRequest;

    /// <summary>Lists every problem of these options.</summary>
    /// <returns>The problems; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (CeilingStatusCode is not (StatusCodes.Status402PaymentRequired or StatusCodes.Status429TooManyRequests))
        {
            problems.Add($"{nameof(CeilingStatusCode)}: {CeilingStatusCode} is neither 402 nor 429.");
        }

        if (MissingAttributionStatusCode is < 400 or > 499)
        {
            problems.Add($"{nameof(MissingAttributionStatusCode)}: {MissingAttributionStatusCode} is not a 4xx client-error status code.");
        }

        return problems;
    }
}
