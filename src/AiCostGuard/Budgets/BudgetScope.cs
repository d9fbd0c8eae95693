namespace AiCostGuard;

/// <summary>
/// A run — a workflow, an agent run, a batch job — whose budget every governed model call and tool call in its
/// asynchronous flow is charged to. Begin one with <see cref="Begin(BudgetLimits, string?, TimeProvider?)"/>; calls
/// inside it, across <see langword="await"/>, <see cref="Task.WhenAll(Task[])"/>,
/// <see cref="Parallel.ForEachAsync{TSource}(IEnumerable{TSource}, Func{TSource, CancellationToken, ValueTask})"/> and
/// agents called as tools, reserve their worst case against it before they are sent and commit their real usage after.
/// </summary>
/// <remarks>
/// <para>
/// Scopes nest. A child's <b>cost ceiling is carved from its parent</b> when it begins — a fixed amount
/// (<see cref="Begin(BudgetLimits, string?, TimeProvider?)"/>) or a share of what remains
/// (<see cref="BeginShare(decimal, string?, BudgetLimits?, TimeProvider?)"/>) — and what the child leaves unused
/// returns to the parent when it ends; the parent's <see cref="Spent"/> includes its children's spend as it happens.
/// A child without a cost ceiling spends directly against its parent's. Token ceilings and the caps on model calls,
/// tool calls and wall time nest without carving: a call must fit those of its scope and of every enclosing one, and
/// counts toward all of them.
/// </para>
/// <para>
/// Reservation is atomic, so the committed plus reserved usage of a scope never exceeds a ceiling through the calls
/// the middleware admits, however many run at once. A call whose provider reports more than its reserved worst case
/// (a provider that ignores <c>MaxOutputTokens</c>) is still committed as reported: money spent is recorded, never hidden.
/// </para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public sealed partial class BudgetScope : IDisposable
{
    private static readonly AsyncLocal<BudgetScope?> AmbientSlot = new();

    private readonly Lock _sync = new();
    private readonly TimeProvider _time;
    private readonly long _started;
    private BudgetUsage _committed;
    private BudgetUsage _reserved;
    private long _modelCalls;
    private long _toolCalls;
    private long _refusedToolCalls;
    private int _children;
    private decimal _carveRemaining;
    private bool _disposed;
    private object? _observed;

    private BudgetScope(BudgetLimits limits, string name, BudgetScope? parent, TimeProvider time)
    {
        Limits = limits;
        Name = name;
        Parent = parent;
        _time = time;
        _started = time.GetTimestamp();
        if (limits.MaximumConcurrentModelCalls is { } concurrent)
        {
            Concurrency = new SemaphoreSlim(concurrent, concurrent);
        }
    }

    /// <summary>Sees every scope begin and end; set once, by telemetry, when the library loads.</summary>
    internal static IBudgetScopeObserver? Observer { get; set; }

    /// <summary>Gets the innermost scope of the current asynchronous flow, or <see langword="null"/>.</summary>
    public static BudgetScope? Current => AmbientSlot.Value;

    /// <summary>
    /// Makes <paramref name="scope"/> ambient again on a flow that lost it — the next step of a stream, which runs on its
    /// consumer's flow — for the rest of the calling async method; returns what was ambient before.
    /// </summary>
    internal static BudgetScope? Resume(BudgetScope? scope)
    {
        BudgetScope? previous = AmbientSlot.Value;
        AmbientSlot.Value = scope;
        return previous;
    }

    /// <summary>Gets the scope's name, used in errors and the ledger.</summary>
    public string Name { get; }

    /// <summary>Gets an identifier unique to this scope, recorded with every call charged to it.</summary>
    public string Id { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Gets the ceilings (a copy taken when the scope began; for a share, the carved cost ceiling filled in).</summary>
    public BudgetLimits Limits { get; }

    /// <summary>Gets the enclosing scope, or <see langword="null"/>.</summary>
    public BudgetScope? Parent { get; }

    /// <summary>Gets what the calls charged to this scope and its children have committed: their provider-reported (or estimated) usage.</summary>
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

    /// <summary>Gets what is held for calls in flight and, in cost, for the unspent part of children's carves.</summary>
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

    /// <summary>Gets how many model calls (steps) have been admitted in this scope and its children.</summary>
    public long ModelCallCount
    {
        get
        {
            lock (_sync)
            {
                return _modelCalls;
            }
        }
    }

    /// <summary>Gets how many tool calls have run in this scope and its children.</summary>
    public long ToolCallCount
    {
        get
        {
            lock (_sync)
            {
                return _toolCalls;
            }
        }
    }

    /// <summary>Gets how many tool calls were refused because this scope's tool caps were reached.</summary>
    public long RefusedToolCallCount
    {
        get
        {
            lock (_sync)
            {
                return _refusedToolCalls;
            }
        }
    }

    /// <summary>Gets how many child scopes have begun directly inside this one.</summary>
    public int ChildCount
    {
        get
        {
            lock (_sync)
            {
                return _children;
            }
        }
    }

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

    /// <summary>Gets the wall-clock time since the scope began, on the scope's <see cref="TimeProvider"/>.</summary>
    public TimeSpan Elapsed => _time.GetElapsedTime(_started);

    /// <summary>Gets whether this scope's cost ceiling was carved from its parent's.</summary>
    internal bool CarvesCost => Parent is not null && Limits.MaximumCost.HasValue;

    /// <summary>The fan-out gate, when <see cref="BudgetLimits.MaximumConcurrentModelCalls"/> is set.</summary>
    internal SemaphoreSlim? Concurrency { get; }

    internal Lock Sync => _sync;

    /// <summary>Committed plus reserved; read under <see cref="Sync"/>.</summary>
    internal BudgetUsage Used => _committed + _reserved;

    /// <summary>Model calls admitted so far; read under <see cref="Sync"/>.</summary>
    internal long ModelCalls => _modelCalls;

    /// <summary>Tool calls run so far; read under <see cref="Sync"/>.</summary>
    internal long ToolCalls => _toolCalls;

    /// <summary>
    /// Begins a scope with <paramref name="limits"/>, nested in the current one, ambient until disposed. Inside a
    /// parent, a cost ceiling is carved from the parent's: it must fit what the parent has left.
    /// </summary>
    /// <param name="limits">The ceilings; copied, so later changes to the instance have no effect.</param>
    /// <param name="name">A name for errors and the ledger; defaults to <c>scope</c>.</param>
    /// <param name="timeProvider">The clock for <see cref="BudgetLimits.MaximumDuration"/>; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <returns>The scope. Dispose it (with <see langword="using"/>) on the flow that began it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="limits"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A limit is zero, negative or absurd; the message lists every problem.</exception>
    /// <exception cref="BudgetExceededException">The parent has no room for the carve, or has reached its child-scope cap.</exception>
    public static BudgetScope Begin(BudgetLimits limits, string? name = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(limits);
        IReadOnlyList<string> problems = limits.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid budget limits: " + string.Join("; ", problems), nameof(limits));
        }

        BudgetScope? parent = AmbientSlot.Value;
        var scope = new BudgetScope(limits.Clone(), ScopeName.Validate(name), parent, timeProvider ?? parent?._time ?? TimeProvider.System);
        if (parent is not null)
        {
            parent.AdmitChild(scope, share: null);
        }

        AmbientSlot.Value = scope;
        scope._observed = Observer?.Began(scope);
        return scope;
    }

    /// <summary>
    /// Begins a child scope whose cost ceiling is <paramref name="share"/> of what the enclosing scopes have left,
    /// carved from them now and returned, unspent, when it ends.
    /// </summary>
    /// <param name="share">The share of the remaining cost, greater than 0 and at most 1.</param>
    /// <param name="name">A name for errors and the ledger; defaults to <c>scope</c>.</param>
    /// <param name="limits">Other ceilings of the child; its <see cref="BudgetLimits.MaximumCost"/> is ignored.</param>
    /// <param name="timeProvider">The clock for <see cref="BudgetLimits.MaximumDuration"/>; <see langword="null"/> uses the parent's.</param>
    /// <returns>The scope. Dispose it (with <see langword="using"/>) on the flow that began it.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="share"/> is not in (0, 1].</exception>
    /// <exception cref="InvalidOperationException">There is no enclosing scope with a cost ceiling to share.</exception>
    /// <exception cref="BudgetExceededException">The parent has nothing left, or has reached its child-scope cap.</exception>
    public static BudgetScope BeginShare(decimal share, string? name = null, BudgetLimits? limits = null, TimeProvider? timeProvider = null)
    {
        if (share <= 0 || share > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(share), share, "A share of the remaining cost is greater than 0 and at most 1.");
        }

        BudgetScope parent = AmbientSlot.Value ?? throw new InvalidOperationException("BudgetScope.BeginShare needs an enclosing scope to carve from; begin one with BudgetScope.Begin first.");
        BudgetLimits copy = limits?.Clone() ?? new BudgetLimits();
        copy.MaximumCost = null;
        IReadOnlyList<string> problems = copy.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid budget limits: " + string.Join("; ", problems), nameof(limits));
        }

        var scope = new BudgetScope(copy, ScopeName.Validate(name), parent, timeProvider ?? parent._time);
        parent.AdmitChild(scope, share);
        AmbientSlot.Value = scope;
        scope._observed = Observer?.Began(scope);
        return scope;
    }

    /// <summary>
    /// Ends the scope: the enclosing scope becomes ambient again and the unspent part of a carved cost ceiling returns
    /// to it. Calls still in flight settle normally.
    /// </summary>
    public void Dispose()
    {
        decimal unspent;
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            unspent = _carveRemaining;
            _carveRemaining = 0;
        }

        if (ReferenceEquals(AmbientSlot.Value, this))
        {
            AmbientSlot.Value = Parent;
        }

        if (CarvesCost && unspent != 0)
        {
            for (BudgetScope? s = Parent; s is not null; s = s.Parent)
            {
                lock (s._sync)
                {
                    s._reserved -= new BudgetUsage(0, 0, unspent);
                }

                if (s.CarvesCost)
                {
                    break;
                }
            }
        }

        Observer?.Ended(this, _observed);
    }

    /// <summary>Adds a call's reservation; the caller holds <see cref="Sync"/> of this scope.</summary>
    internal void AddReservation(BudgetUsage worstCase)
    {
        _reserved += worstCase;
        _modelCalls++;
    }

    /// <summary>
    /// Releases a call's reservation and commits its actual usage, here and in every enclosing scope. Above a carving
    /// scope, the cost comes out of the carve held for it.
    /// </summary>
    internal void Settle(BudgetUsage reserved, BudgetUsage actual)
    {
        bool costReservedHere = true;
        decimal fromCarve = 0;
        for (BudgetScope? scope = this; scope is not null; scope = scope.Parent)
        {
            lock (scope._sync)
            {
                scope._reserved -= new BudgetUsage(reserved.InputTokens, reserved.OutputTokens, costReservedHere ? reserved.Cost : fromCarve);
                scope._committed += actual;
                if (scope.CarvesCost)
                {
                    fromCarve = Math.Min(Math.Max(actual.Cost, 0), scope._carveRemaining);
                    scope._carveRemaining -= fromCarve;
                }
            }

            if (scope.CarvesCost)
            {
                costReservedHere = false;
            }
        }
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Name} (spent {Spent.Cost:0.######} USD, {Spent.TotalTokens} tokens; {Limits})");
}
