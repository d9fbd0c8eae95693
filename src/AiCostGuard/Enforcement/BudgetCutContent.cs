using Microsoft.Extensions.AI;

namespace AiCostGuard;

/// <summary>
/// Marks a streamed response that the middleware cut at a ceiling. It arrives in the last update, whose
/// <see cref="ChatResponseUpdate.FinishReason"/> is <see cref="ChatFinishReason.Length"/>.
/// </summary>
public sealed class BudgetCutContent : AIContent
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="limitKind">The ceiling that was reached.</param>
    /// <param name="outputTokens">The output tokens counted when the stream was cut.</param>
    public BudgetCutContent(BudgetLimitKind limitKind, long outputTokens)
    {
        LimitKind = limitKind;
        OutputTokens = outputTokens;
    }

    /// <summary>Gets the ceiling that was reached.</summary>
    public BudgetLimitKind LimitKind { get; }

    /// <summary>Gets the output tokens counted when the stream was cut.</summary>
    public long OutputTokens { get; }
}
