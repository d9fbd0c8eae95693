using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>Where a route sends a call.</summary>
/// <param name="ModelId">The model the call goes to.</param>
/// <param name="Options">The options it is sent with: the caller's when the model is unchanged, else a copy naming <paramref name="ModelId"/>.</param>
/// <param name="RoutedFrom">The model asked for, when the route sent the call elsewhere.</param>
/// <param name="Refusal">Why the call is refused, when the route cannot place it.</param>
internal readonly record struct RouteChoice(string? ModelId, ChatOptions? Options, string? RoutedFrom, ModelRoutingException? Refusal);
