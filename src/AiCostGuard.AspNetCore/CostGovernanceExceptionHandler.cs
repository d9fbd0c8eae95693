using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace AiCostGuard.AspNetCore;

/// <summary>
/// Answers AiCostGuard's refusals as problem details: a period budget or spend velocity with 429 and
/// <c>Retry-After</c>, another ceiling with <see cref="CostGovernanceProblemDetailsOptions.CeilingStatusCode"/>, a
/// concurrency cap with 429, missing attribution with 400, an unreachable budget store with 503, a call denied by a
/// model policy with 403 (429 and <c>Retry-After</c> when the policy's call rate is full).
/// </summary>
/// <remarks>
/// The problem names the limit, the budget and the model, from the exception; it never carries the request's messages.
/// Other exceptions are left to the next handler. Exceptions wrapped by a framework (Semantic Kernel, an
/// <see cref="AggregateException"/>) are found through their inner exceptions.
/// </remarks>
internal sealed class CostGovernanceExceptionHandler : IExceptionHandler
{
    private readonly IProblemDetailsService _problemDetails;
    private readonly CostGovernanceProblemDetailsOptions _options;
    private readonly TimeProvider _time;

    public CostGovernanceExceptionHandler(IProblemDetailsService problemDetails, IOptions<CostGovernanceProblemDetailsOptions> options, TimeProvider? time = null)
    {
        _problemDetails = problemDetails;
        _options = options.Value;
        _time = time ?? TimeProvider.System;
    }

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (Describe(Find(exception)) is not { } problem)
        {
            return false;
        }

        httpContext.Response.StatusCode = problem.Details.Status!.Value;
        if (problem.RetryAfter is { } retryAfter)
        {
            httpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
            problem.Details.Extensions["retryAfter"] = retryAfter;
        }

        return await _problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem.Details,
            Exception = exception,
        });
    }

    private static Exception? Find(Exception? exception)
    {
        for (Exception? e = exception; e is not null; e = e is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : e.InnerException)
        {
            if (e is BudgetExceededException or SpendVelocityExceededException or MissingAttributionException or BudgetStoreUnavailableException or PolicyDeniedException)
            {
                return e;
            }
        }

        return null;
    }

    private Problem? Describe(Exception? exception)
    {
        switch (exception)
        {
            case BudgetExceededException budget:
                var details = new ProblemDetails
                {
                    Title = "Budget exceeded",
                    Detail = budget.Message,
                };
                details.Extensions["limitKind"] = RecordNames.Name(budget.LimitKind);
                details.Extensions["budget"] = budget.BudgetName;
                if (budget.RetryAt is { } retryAt)
                {
                    details.Status = StatusCodes.Status429TooManyRequests;
                    return new Problem(details, Seconds(retryAt - _time.GetUtcNow()));
                }

                details.Status = budget.LimitKind == BudgetLimitKind.ConcurrentModelCalls ? StatusCodes.Status429TooManyRequests : _options.CeilingStatusCode;
                return new Problem(details, null);
            case SpendVelocityExceededException velocity:
                var rate = new ProblemDetails
                {
                    Status = StatusCodes.Status429TooManyRequests,
                    Title = "Spend rate too high",
                    Detail = velocity.Message,
                };
                rate.Extensions["rule"] = velocity.RuleName;

                // The rate is measured over the window; what is spent in it has left it one window later at most.
                return new Problem(rate, Seconds(velocity.Window switch
                {
                    SpendVelocityWindow.Second => TimeSpan.FromSeconds(1),
                    SpendVelocityWindow.Minute => TimeSpan.FromMinutes(1),
                    SpendVelocityWindow.Hour => TimeSpan.FromHours(1),
                    _ => throw new InvalidOperationException($"Undefined spend velocity window {(int)velocity.Window}."),
                }));
            case MissingAttributionException missing:
                var attribution = new ProblemDetails
                {
                    Status = _options.MissingAttributionStatusCode,
                    Title = "Missing cost attribution",
                    Detail = $"The request does not carry the attribution its model calls require: {missing.Missing}.",
                };
                attribution.Extensions["missing"] = CostAttributionOptions.Single(missing.Missing).Select(d => d.ToString()).ToArray();
                return new Problem(attribution, null);
            case PolicyDeniedException denied:
                var policy = new ProblemDetails
                {
                    // Waiting helps only a full call rate; any other denial stands until the policy changes.
                    Status = denied.RetryAt is null ? StatusCodes.Status403Forbidden : StatusCodes.Status429TooManyRequests,
                    Title = "Denied by policy",
                    Detail = denied.Message,
                };
                policy.Extensions["policy"] = denied.PolicyName;
                return new Problem(policy, denied.RetryAt is { } at ? Seconds(at - _time.GetUtcNow()) : null);
            case BudgetStoreUnavailableException:
                return new Problem(
                    new ProblemDetails
                    {
                        Status = StatusCodes.Status503ServiceUnavailable,
                        Title = "Budget store unavailable",
                        Detail = "The shared budget cannot be checked now, so the model call was not sent.",
                    },
                    null);
            default:
                return null;
        }
    }

    /// <summary>Whole seconds, rounded up and at least one, as <c>Retry-After</c> takes them.</summary>
    private static long Seconds(TimeSpan wait) => Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds));

    private sealed record Problem(ProblemDetails Details, long? RetryAfter);
}
