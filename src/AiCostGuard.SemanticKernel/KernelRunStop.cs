namespace AiCostGuard;

/// <summary>
/// Carries a hard stop out of Semantic Kernel's tool loop: the loop turns an exception thrown by a function into a
/// result for the model, so the function filter of the outermost kernel call holds this box, the auto-invocation filter
/// fills it and ends the loop, and the outermost call throws.
/// </summary>
internal sealed class KernelRunStop
{
    private static readonly AsyncLocal<KernelRunStop?> AmbientSlot = new();

    public static KernelRunStop? Current => AmbientSlot.Value;

    public BudgetExceededException? Refusal { get; set; }

    /// <summary>Makes a new box ambient when none is; the returned box is the one to check, <see langword="null"/> when an outer call owns it.</summary>
    public static KernelRunStop? BeginOutermost()
    {
        if (AmbientSlot.Value is not null)
        {
            return null;
        }

        var stop = new KernelRunStop();
        AmbientSlot.Value = stop;
        return stop;
    }

    public static void End(KernelRunStop? owned)
    {
        if (owned is not null)
        {
            AmbientSlot.Value = null;
        }
    }
}
