using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Reflection;
using Polly.Timeout;

namespace AiCostGuard;

/// <summary>
/// Which provider failures are worth retrying, and how long the provider asked to wait, for the SDKs users have: a
/// network failure, a timeout, or an HTTP status of 408, 429 or 5xx — read from <see cref="HttpRequestException"/> or
/// from the status property provider SDKs put on their own exceptions (<c>ClientResultException.Status</c> of the
/// OpenAI and Azure OpenAI SDKs, a <c>StatusCode</c> elsewhere) — and <c>Retry-After</c> from the raw response they carry.
/// </summary>
/// <remarks>
/// Read by reflection, once per exception type, so the core depends on no provider SDK; only failures pay for it. In a
/// trimmed or native AOT application a property trimming removed reads as absent: the failure is then not retried, or its
/// retry waits its own backoff rather than <c>Retry-After</c>: never more attempts than the policy allows.
/// </remarks>
internal static class TransientFailures
{
    private const string FailsSafe = "A provider SDK's status and headers are read where the application keeps them. Where trimming removed them, the failure is not retried, or a retry waits its own backoff instead of Retry-After: never more attempts than the policy allows.";

    private static readonly ConcurrentDictionary<Type, PropertyInfo?> StatusProperties = new();

    public static bool IsTransient(Exception exception) => exception switch
    {
        TimeoutException or TimeoutRejectedException => true,
        HttpRequestException { StatusCode: null } => true,
        HttpRequestException { StatusCode: { } code } => IsTransient((int)code),
        _ => Status(exception) is { } status && IsTransient(status),
    };

    /// <summary>The wait a failed response asked for in its <c>Retry-After</c> header (seconds or an HTTP date), when it carries one.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = FailsSafe)]
    public static TimeSpan? RetryAfter(Exception exception, DateTimeOffset now)
    {
        object? response = exception.GetType().GetMethod("GetRawResponse", Type.EmptyTypes)?.Invoke(exception, null);
        object? headers = response?.GetType().GetProperty("Headers")?.GetValue(response);
        MethodInfo? tryGet = headers?.GetType().GetMethod("TryGetValue", [typeof(string), typeof(string).MakeByRefType()]);
        if (tryGet is null)
        {
            return null;
        }

        object?[] arguments = ["Retry-After", null];
        if (tryGet.Invoke(headers, arguments) is not true || arguments[1] is not string value)
        {
            return null;
        }

        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at) && at > now
            ? at - now
            : null;
    }

    private static bool IsTransient(int status) => status is (int)HttpStatusCode.RequestTimeout or (int)HttpStatusCode.TooManyRequests or >= 500 and < 600;

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = FailsSafe)]
    private static int? Status(Exception exception)
    {
        PropertyInfo? property = StatusProperties.GetOrAdd(exception.GetType(), static type =>
            type.GetProperty("Status") is { PropertyType: var t } status && (t == typeof(int) || t == typeof(HttpStatusCode)) ? status
            : type.GetProperty("StatusCode") is { PropertyType: var u } code && (u == typeof(int) || u == typeof(HttpStatusCode) || u == typeof(HttpStatusCode?) || u == typeof(int?)) ? code
            : null);
        return property?.GetValue(exception) switch
        {
            int i => i,
            HttpStatusCode c => (int)c,
            _ => null,
        };
    }
}
