using System.Runtime.CompilerServices;

namespace AiCostGuard;

/// <summary>
/// Who hears of the outcomes recorded in a ledger: the adaptive envelope gates of the clients that record their calls
/// in it. <c>CostOutcomes.Record</c> tells them, so an envelope's ceiling grows as the outcomes are recorded.
/// </summary>
/// <remarks>Keyed by the ledger instance, held weakly on both sides: a client or ledger that is gone is forgotten. Thread-safe.</remarks>
internal static class OutcomeListeners
{
    private static readonly ConditionalWeakTable<object, List<WeakReference<AdaptiveEnvelopeGate>>> Listeners = new();

    /// <summary>Makes <paramref name="gate"/> hear of every outcome recorded in <paramref name="ledger"/>.</summary>
    public static void Add(object ledger, AdaptiveEnvelopeGate gate)
    {
        List<WeakReference<AdaptiveEnvelopeGate>> gates = Listeners.GetOrCreateValue(ledger);
        lock (gates)
        {
            gates.RemoveAll(g => !g.TryGetTarget(out _));
            gates.Add(new WeakReference<AdaptiveEnvelopeGate>(gate));
        }
    }

    /// <summary>Tells the gates listening to <paramref name="ledger"/> of an outcome recorded in it.</summary>
    public static void Publish(object ledger, DateTimeOffset time, CostAttribution attribution, string name, bool success)
    {
        if (!Listeners.TryGetValue(ledger, out List<WeakReference<AdaptiveEnvelopeGate>>? gates))
        {
            return;
        }

        AdaptiveEnvelopeGate[] listening;
        lock (gates)
        {
            listening = [.. gates.Select(g => g.TryGetTarget(out AdaptiveEnvelopeGate? gate) ? gate : null).OfType<AdaptiveEnvelopeGate>()];
        }

        foreach (AdaptiveEnvelopeGate gate in listening)
        {
            gate.OnOutcome(time, attribution, name, success);
        }
    }
}
