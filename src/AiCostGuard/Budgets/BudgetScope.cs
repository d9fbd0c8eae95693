namespace AiCostGuard;

/// <summary>
/// A budget that every governed model call in an asynchronous flow is charged to: a workflow, an agent run, a batch
/// job. Begin one with <see cref="Begin(BudgetLimits, string?)"/>; calls inside it — across <see langword="await"/>,
/// <see cref="Task.WhenAll(Task[])"/> and <see cref="Parallel.ForEachAsync{TSource}(IEnumerable{TSource}, Func{TSource, CancellationToken, ValueTask})"/> —
/// reserve their worst case against it before they are sent and commit their real usage after.
/// </summary>
/// <remarks>
/// <para>
/// Scopes nest: a call is charged to the innermost scope and to every enclosing one, and must fit all of their
/// ceilings. Reservation is atomic, so the committed plus reserved usage of a scope never exceeds a ceiling through
/// the calls the middleware admits, however many run at once. A call whose provider reports more than its reserved
/// worst case (a provider that ignores <c>MaxOutputTokens</c>) is still committed as reported: money spent is
/// recorded, never hidden.
/// </para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public sealed class BudgetScope : IDisposable
{
    private static readonly AsyncLocal<BudgetScope?> AmbientSlot = new();

    private readonly Lock _sync = new();
    private BudgetUsage _committed;
    private BudgetUsage _reserved;
    private long _calls;
    private bool _disposed;
    private System.Diagnostics.Activity? _run;

    private BudgetScope(BudgetLimits limits, string name, BudgetScope? parent)
    {
        Limits = limits;
        Name = name;
        Parent = parent;
    }

    /// <summary>Gets the innermost scope of the current asynchronous flow, or <see langword="null"/>.</summary>
    public static BudgetScope? Current => AmbientSlot.Value;

    /// <summary>Gets the scope's name, used in errors and the ledger.</summary>
    public string Name { get; }

    /// <summary>Gets an identifier unique to this scope, recorded with every call charged to it.</summary>
    public string Id { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Gets the ceilings (a copy taken when the scope began).</summary>
    public BudgetLimits Limits { get; }

    /// <summary>Gets the enclosing scope, or <see langword="null"/>.</summary>
    public BudgetScope? Parent { get; }

    /// <summary>Gets what the calls charged to this scope have committed: their provider-reported (or estimated) usage.</summary>
    public BudgetUsage Spent
    {
        get
        {
            lock (_sync)
            {
                return _committed;
            }
        }
    }

    /// <summary>Gets the worst case held for calls in flight.</summary>
    public BudgetUsage Reserved
    {
        get
        {
            lock (_sync)
            {
                return _reserved;
            }
        }
    }

    /// <summary>Gets how many model calls have been charged to this scope.</summary>
    public long CallCount => Interlocked.Read(ref _calls);

    /// <summary>Gets the cost still available: the cost ceiling less spent and reserved; <see langword="null"/> without a cost ceiling.</summary>
    public decimal? RemainingCost
    {
        get
        {
            lock (_sync)
            {
                return Limits.MaximumCost - _committed.Cost - _reserved.Cost;
            }
        }
    }

    internal Lock Sync => _sync;

    /// <summary>Committed plus reserved; read under <see cref="Sync"/>.</summary>
    internal BudgetUsage Used => _committed + _reserved;

    /// <summary>Begins a scope with <paramref name="limits"/>, nested in the current one, ambient until disposed.</summary>
    /// <param name="limits">The ceilings; copied, so later changes to the instance have no effect.</param>
    /// <param name="name">A name for errors and the ledger; defaults to <c>scope</c>.</param>
    /// <returns>The scope. Dispose it (with <see langword="using"/>) on the flow that began it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="limits"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A limit is zero, negative or absurd; the message lists every problem.</exception>
    public static BudgetScope Begin(BudgetLimits limits, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(limits);
        IReadOnlyList<string> problems = limits.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid budget limits: " + string.Join("; ", problems), nameof(limits));
        }

        var scope = new BudgetScope(limits.Clone(), string.IsNullOrWhiteSpace(name) ? "scope" : name, AmbientSlot.Value);
        AmbientSlot.Value = scope;
        scope._run = RunTelemetry.Start(scope);
        return scope;
    }

    /// <summary>Ends the scope: the enclosing scope becomes ambient again. Calls still in flight settle normally.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (ReferenceEquals(AmbientSlot.Value, this))
        {
            AmbientSlot.Value = Parent;
        }

        RunTelemetry.Stop(this, _run);
    }

    /// <summary>Adds a reservation; the caller holds <see cref="Sync"/> of this scope.</summary>
    internal void AddReservation(BudgetUsage worstCase)
    {
        _reserved += worstCase;
        _calls++;
    }

    /// <summary>Releases a reservation and commits the actual usage, here and in every enclosing scope.</summary>
    internal void Settle(BudgetUsage reserved, BudgetUsage actual)
    {
        for (BudgetScope? scope = this; scope is not null; scope = scope.Parent)
        {
            lock (scope._sync)
            {
                scope._reserved -= reserved;
                scope._committed += actual;
            }
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} (spent {Spent.Cost:0.######} USD, {Spent.TotalTokens} tokens; {Limits})";
}
