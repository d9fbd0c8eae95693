using System.Collections.ObjectModel;

namespace AiCostGuard.Tests.Telemetry;

/// <summary>
/// A collection the in-memory exporters can add to from any thread — listeners are process-wide, so other tests'
/// spans arrive while a test reads its own — read only through a snapshot taken under the same lock.
/// </summary>
public sealed class LockedCollection<T> : Collection<T>
{
    private readonly Lock _sync = new();

    public T[] Snapshot()
    {
        lock (_sync)
        {
            return [.. Items];
        }
    }

    protected override void InsertItem(int index, T item)
    {
        lock (_sync)
        {
            base.InsertItem(index, item);
        }
    }

    protected override void ClearItems()
    {
        lock (_sync)
        {
            base.ClearItems();
        }
    }
}
