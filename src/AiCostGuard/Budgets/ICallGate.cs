namespace AiCostGuard;

/// <summary>
/// A budget the call pipeline checks after the scopes admitted a call and before it is sent — period budgets, spend
/// velocity rules, and any further gate — and settles with the call's actual usage after.
/// </summary>
/// <remarks>
/// Gates run in the order they are registered. A gate refuses by throwing (a <see cref="BudgetExceededException"/> or
/// another refusal); the pipeline then releases what the gates before it hold. In shadow mode a gate admits and
/// reports the breach in <see cref="GateHold.ShadowBreach"/>. A gate must be thread-safe.
/// </remarks>
internal interface ICallGate
{
    /// <summary>Admits <paramref name="demand"/>, holding what it reserves in the returned hold.</summary>
    ValueTask<GateHold> AdmitAsync(GateDemand demand, CancellationToken cancellationToken);

    /// <summary>Commits <paramref name="actual"/> against <paramref name="hold"/> and refunds the rest; never throws.</summary>
    ValueTask SettleAsync(GateHold hold, BudgetUsage actual);

    /// <summary>Refunds all of <paramref name="hold"/>: the call was not sent; never throws.</summary>
    ValueTask ReleaseAsync(GateHold hold);
}
