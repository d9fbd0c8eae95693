using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AiCostGuard;

// The overloads mirror Microsoft.Extensions.AI's own GetResponseAsync set (messages or one prompt, then options and a
// token, both optional); they differ in the type of their first parameters, so no call is ambiguous.
#pragma warning disable RS0026

/// <summary>
/// Per-call attribution: send one call booked to an attribution layered over the ambient one.
/// </summary>
public static class AttributedChatClientExtensions
{
    /// <summary>Sends a chat request attributed to <paramref name="attribution"/> (layered over the ambient attribution).</summary>
    /// <param name="client">The chat client; governed somewhere in its pipeline by <c>UseCostGovernance()</c>.</param>
    /// <param name="messages">The chat messages.</param>
    /// <param name="attribution">Who and why the call is booked to; its unset values are inherited from the ambient attribution.</param>
    /// <param name="options">The chat options.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The response.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/>, <paramref name="messages"/> or <paramref name="attribution"/> is <see langword="null"/>.</exception>
    public static async Task<ChatResponse> GetResponseAsync(
        this IChatClient client,
        IEnumerable<ChatMessage> messages,
        CostAttribution attribution,
        ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(attribution);
        using (CostAttribution.Begin(attribution))
        {
            return await client.GetResponseAsync(messages, options, cancellationToken);
        }
    }

    /// <summary>Sends a user prompt attributed to <paramref name="attribution"/> (layered over the ambient attribution).</summary>
    /// <param name="client">The chat client; governed somewhere in its pipeline by <c>UseCostGovernance()</c>.</param>
    /// <param name="chatMessage">The text of the user message to send.</param>
    /// <param name="attribution">Who and why the call is booked to; its unset values are inherited from the ambient attribution.</param>
    /// <param name="options">The chat options.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The response.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/>, <paramref name="chatMessage"/> or <paramref name="attribution"/> is <see langword="null"/>.</exception>
    public static Task<ChatResponse> GetResponseAsync(
        this IChatClient client,
        string chatMessage,
        CostAttribution attribution,
        ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chatMessage);
        return client.GetResponseAsync([new ChatMessage(ChatRole.User, chatMessage)], attribution, options, cancellationToken);
    }

    /// <summary>Sends a user prompt as a streaming request attributed to <paramref name="attribution"/> (layered over the ambient attribution).</summary>
    /// <param name="client">The chat client; governed somewhere in its pipeline by <c>UseCostGovernance()</c>.</param>
    /// <param name="chatMessage">The text of the user message to send.</param>
    /// <param name="attribution">Who and why the call is booked to; its unset values are inherited from the ambient attribution.</param>
    /// <param name="options">The chat options.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The response updates.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/>, <paramref name="chatMessage"/> or <paramref name="attribution"/> is <see langword="null"/>.</exception>
    public static IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        this IChatClient client,
        string chatMessage,
        CostAttribution attribution,
        ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chatMessage);
        return client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, chatMessage)], attribution, options, cancellationToken);
    }

    /// <summary>Sends a streaming chat request attributed to <paramref name="attribution"/> (layered over the ambient attribution).</summary>
    /// <param name="client">The chat client; governed somewhere in its pipeline by <c>UseCostGovernance()</c>.</param>
    /// <param name="messages">The chat messages.</param>
    /// <param name="attribution">Who and why the call is booked to; its unset values are inherited from the ambient attribution.</param>
    /// <param name="options">The chat options.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The response updates.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/>, <paramref name="messages"/> or <paramref name="attribution"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// The attribution is ambient during every step of the enumeration, so model calls that a tool loop makes
    /// between updates are booked to it as well.
    /// </remarks>
    public static IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        this IChatClient client,
        IEnumerable<ChatMessage> messages,
        CostAttribution attribution,
        ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(attribution);
        return Stream(client, messages, attribution, options, cancellationToken);

        static async IAsyncEnumerable<ChatResponseUpdate> Stream(
            IChatClient client,
            IEnumerable<ChatMessage> messages,
            CostAttribution attribution,
            ChatOptions? options,
            [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            IAsyncEnumerator<ChatResponseUpdate> updates;
            using (CostAttribution.Begin(attribution))
            {
                updates = client.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            }

            await using (updates)
            {
                while (true)
                {
                    bool hasNext;
                    using (CostAttribution.Begin(attribution))
                    {
                        hasNext = await updates.MoveNextAsync();
                    }

                    if (!hasNext)
                    {
                        yield break;
                    }

                    yield return updates.Current;
                }
            }
        }
    }
}
