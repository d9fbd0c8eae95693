using System.Globalization;

namespace AiCostGuard;

/// <summary>
/// Thrown before a model call is sent (or a child scope begins, or a tool call runs) when it does not fit a ceiling
/// or cap: it says which limit, its value, what was already spent against it and what was asked for.
/// </summary>
public sealed class BudgetExceededException : InvalidOperationException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="limitKind">The ceiling that does not fit.</param>
    /// <param name="limit">The ceiling's value (tokens, or US dollars for <see cref="BudgetLimitKind.Cost"/>).</param>
    /// <param name="spent">What was already committed and reserved against it.</param>
    /// <param name="requested">What the call asked for: its worst case in the ceiling's unit.</param>
    /// <param name="budgetName">Where the ceiling is set: <c>request</c>, or a <see cref="BudgetScope"/>'s name.</param>
    /// <param name="modelId">The model the call was for.</param>
    public BudgetExceededException(BudgetLimitKind limitKind, decimal limit, decimal spent, decimal requested, string budgetName, string? modelId)
        : base(Describe(limitKind, limit, spent, requested, budgetName, modelId))
    {
        LimitKind = limitKind;
        Limit = limit;
        Spent = spent;
        Requested = requested;
        BudgetName = budgetName;
        ModelId = modelId;
    }

    /// <summary>Initializes a refusal by a <see cref="AiCostGuard.BudgetTier"/> whose action is <see cref="BudgetTierAction.Refuse"/>: the window's spend so far reached it.</summary>
    internal BudgetExceededException(BudgetLimitKind limitKind, decimal limit, decimal spent, string budgetName, string? modelId, string tier)
        : base($"{(modelId is null ? "This call" : $"The call to '{modelId}'")} is refused by tier '{tier}' of budget '{budgetName}': " +
               $"{(limit > 0m ? (spent / limit * 100m).ToString("0.#", CultureInfo.InvariantCulture) : "100")} % of its limit is spent, and the tier refuses calls until the window ends.")
    {
        LimitKind = limitKind;
        Limit = limit;
        Spent = spent;
        BudgetName = budgetName;
        ModelId = modelId;
        BudgetTier = tier;
    }

    /// <summary>Gets the ceiling that does not fit.</summary>
    public BudgetLimitKind LimitKind { get; }

    /// <summary>Gets the ceiling's value: tokens, or US dollars for <see cref="BudgetLimitKind.Cost"/>.</summary>
    public decimal Limit { get; }

    /// <summary>Gets what was already committed and reserved against the ceiling (zero for a per-request ceiling).</summary>
    public decimal Spent { get; }

    /// <summary>Gets what the call asked for: its worst case, in the ceiling's unit.</summary>
    public decimal Requested { get; }

    /// <summary>Gets where the ceiling is set: <c>request</c>, or a <see cref="BudgetScope"/>'s name.</summary>
    public string BudgetName { get; }

    /// <summary>Gets the model the call was for.</summary>
    public string? ModelId { get; }

    /// <summary>
    /// Gets the earliest time the ceiling can have room again without anyone releasing spend: the end of a period
    /// budget's calendar period, or of the newest bucket of its rolling window (when the oldest bucket leaves it).
    /// </summary>
    /// <value><see langword="null"/> for ceilings that waiting does not lift: per-request ceilings and run scopes.</value>
    public DateTimeOffset? RetryAt { get; init; }

    /// <summary>Gets the budget tier that refused the call, e.g. <c>team-monthly@100</c>, when a tier refused it rather than a ceiling.</summary>
    /// <value><see langword="null"/> for a refusal by a ceiling or cap.</value>
    public string? BudgetTier { get; }

    private static string Describe(BudgetLimitKind kind, decimal limit, decimal spent, decimal requested, string budget, string? model)
    {
        string Show(decimal value) => kind switch
        {
            BudgetLimitKind.Cost => "$" + value.ToString("0.######", CultureInfo.InvariantCulture),
            BudgetLimitKind.InputTokens or BudgetLimitKind.OutputTokens or BudgetLimitKind.TotalTokens => value.ToString("N0", CultureInfo.InvariantCulture) + " tokens",
            BudgetLimitKind.Duration => value.ToString("0.###", CultureInfo.InvariantCulture) + " s",
            _ => value.ToString("N0", CultureInfo.InvariantCulture),
        };
        string what = kind switch
        {
            BudgetLimitKind.InputTokens => "input-token ceiling",
            BudgetLimitKind.OutputTokens => "output-token ceiling",
            BudgetLimitKind.TotalTokens => "total-token ceiling",
            BudgetLimitKind.Cost => "cost ceiling",
            BudgetLimitKind.ModelCalls => "model-call cap",
            BudgetLimitKind.ToolCalls => "tool-call cap",
            BudgetLimitKind.ParallelToolCalls => "parallel tool-call cap",
            BudgetLimitKind.ConcurrentModelCalls => "concurrent model-call cap",
            BudgetLimitKind.ChildScopes => "child-scope cap",
            _ => "wall-time cap",
        };
        string call = model is null ? "This" : $"The call to '{model}'";
        return $"{call} would exceed the {what} of budget '{budget}': limit {Show(limit)}, " +
               $"already used {Show(spent)}, this asks {Show(requested)}.";
    }
}
