using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>What a request uses beyond plain text, which the model it is routed to must accept.</summary>
internal static class RequestNeeds
{
    public static ModelCapabilities Of(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ModelCapabilities needs = ModelCapabilities.None;
        if (options is not null)
        {
            if (options.Tools is { Count: > 0 } && options.ToolMode is not NoneChatToolMode)
            {
                needs |= ModelCapabilities.Tools;
            }

            if (options.ResponseFormat is ChatResponseFormatJson { Schema: not null })
            {
                needs |= ModelCapabilities.JsonSchema;
            }

            if (options.Reasoning is { } reasoning
                && (reasoning.Effort is not (null or ReasoningEffort.None) || reasoning.Output is not (null or ReasoningOutput.None)))
            {
                needs |= ModelCapabilities.Reasoning;
            }
        }

        return HasImage(messages) ? needs | ModelCapabilities.ImageInput : needs;
    }

    private static bool HasImage(IEnumerable<ChatMessage> messages)
    {
        // Indexed when it is a list: the history is walked on every routed call, without boxing an enumerator.
        if (messages is IList<ChatMessage> list)
        {
            for (int m = 0; m < list.Count; m++)
            {
                if (HasImage(list[m]))
                {
                    return true;
                }
            }

            return false;
        }

        foreach (ChatMessage message in messages)
        {
            if (HasImage(message))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasImage(ChatMessage message)
    {
        IList<AIContent> contents = message.Contents;
        for (int i = 0; i < contents.Count; i++)
        {
            if ((contents[i] is DataContent data && data.HasTopLevelMediaType("image"))
                || (contents[i] is UriContent uri && uri.HasTopLevelMediaType("image")))
            {
                return true;
            }
        }

        return false;
    }
}
