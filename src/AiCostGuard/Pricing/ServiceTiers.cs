using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>
/// Reads the service tier of a call. Microsoft.Extensions.AI has no service-tier option: the OpenAI adapter takes it
/// through <c>ChatOptions.RawRepresentationFactory</c> (the SDK's <c>ChatCompletionOptions</c>), which a middleware cannot
/// read back, and reports the tier used only in telemetry. So the request's tier is read from
/// <c>ChatOptions.AdditionalProperties["service_tier"]</c> (OpenAI's wire name, also accepted as <c>ServiceTier</c>), and
/// the tier actually used, when an adapter reports it, from the response's <c>AdditionalProperties</c> under the same
/// keys; the response wins.
/// </summary>
internal static class ServiceTiers
{
    public static string? FromOptions(ChatOptions? options) => Read(options?.AdditionalProperties);

    public static string? FromResponse(ChatResponse? response) => Read(response?.AdditionalProperties);

    private static string? Read(AdditionalPropertiesDictionary? properties)
    {
        if (properties is null || properties.Count == 0)
        {
            return null;
        }

        object? value = properties.TryGetValue("service_tier", out object? snake) ? snake : properties.TryGetValue("ServiceTier", out object? pascal) ? pascal : null;
        return value?.ToString() is { Length: > 0 } tier ? tier : null;
    }
}
