using System.Collections.Frozen;

namespace AiCostGuard;

/// <summary>
/// Who a model call is booked to and why: tenant, team, feature, user, cost center, environment and free tags.
/// </summary>
/// <remarks>
/// <para>
/// Instances are immutable and validated when built: a value that is empty, too long or contains characters outside
/// letters, digits, space and <c>- _ . : / @ +</c> throws <see cref="ArgumentException"/> at the boundary, so user
/// input cannot reach metrics or the ledger unchecked.
/// </para>
/// <para>
/// Make an attribution ambient for a block of code with <see cref="Begin(CostAttribution)"/>; it flows across
/// <see langword="await"/>, <see cref="Task.WhenAll(Task[])"/>, <see cref="Parallel.ForEachAsync{TSource}(IEnumerable{TSource}, Func{TSource, CancellationToken, ValueTask})"/>
/// and nested agent calls. Nested scopes layer: a value set by an inner scope wins, a value it leaves unset is
/// inherited from the outer one. This type is thread-safe.
/// </para>
/// </remarks>
public sealed class CostAttribution : IEquatable<CostAttribution>
{
    /// <summary>The value booked for a required dimension that a call did not carry, in lenient mode.</summary>
    public const string Unattributed = "unattributed";

    private static readonly AsyncLocal<CostAttribution?> AmbientSlot = new();

    private readonly string? _tenant;
    private readonly string? _team;
    private readonly string? _feature;
    private readonly string? _user;
    private readonly string? _costCenter;
    private readonly string? _environment;
    private readonly FrozenDictionary<string, string> _tags = FrozenDictionary<string, string>.Empty;

    /// <summary>Gets an attribution with no value set.</summary>
    public static CostAttribution Empty { get; } = new();

    /// <summary>Gets the ambient attribution of the current asynchronous flow, or <see cref="Empty"/>.</summary>
    public static CostAttribution Current => AmbientSlot.Value ?? Empty;

    /// <summary>Gets the customer or organization the call serves.</summary>
    /// <exception cref="ArgumentException">The value is not a valid attribution value (see <see cref="AttributionValue"/>).</exception>
    public string? Tenant { get => _tenant; init => _tenant = AttributionValue.Validate(value, nameof(Tenant)); }

    /// <summary>Gets the team that owns the code making the call.</summary>
    /// <exception cref="ArgumentException">The value is not a valid attribution value (see <see cref="AttributionValue"/>).</exception>
    public string? Team { get => _team; init => _team = AttributionValue.Validate(value, nameof(Team)); }

    /// <summary>Gets the product feature the call belongs to.</summary>
    /// <exception cref="ArgumentException">The value is not a valid attribution value (see <see cref="AttributionValue"/>).</exception>
    public string? Feature { get => _feature; init => _feature = AttributionValue.Validate(value, nameof(Feature)); }

    /// <summary>Gets the end user the call acts for. Prefer a pseudonymous id over an e-mail address.</summary>
    /// <exception cref="ArgumentException">The value is not a valid attribution value (see <see cref="AttributionValue"/>).</exception>
    public string? User { get => _user; init => _user = AttributionValue.Validate(value, nameof(User)); }

    /// <summary>Gets the finance cost center to charge.</summary>
    /// <exception cref="ArgumentException">The value is not a valid attribution value (see <see cref="AttributionValue"/>).</exception>
    public string? CostCenter { get => _costCenter; init => _costCenter = AttributionValue.Validate(value, nameof(CostCenter)); }

    /// <summary>Gets the deployment environment, such as <c>prod</c> or <c>staging</c>.</summary>
    /// <exception cref="ArgumentException">The value is not a valid attribution value (see <see cref="AttributionValue"/>).</exception>
    public string? Environment { get => _environment; init => _environment = AttributionValue.Validate(value, nameof(Environment)); }

    /// <summary>Gets free tags: keys and values validated like the dimensions, at most <see cref="AttributionValue.MaximumTagCount"/>.</summary>
    /// <exception cref="ArgumentException">A key or value is not valid, or there are too many tags.</exception>
    public IReadOnlyDictionary<string, string> Tags
    {
        get => _tags;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.Count > AttributionValue.MaximumTagCount)
            {
                throw new ArgumentException($"An attribution carries at most {AttributionValue.MaximumTagCount} tags; {value.Count} were given.", nameof(Tags));
            }

            foreach (KeyValuePair<string, string> tag in value)
            {
                AttributionValue.Validate(tag.Key, "tag key");
                AttributionValue.Validate(tag.Value ?? throw new ArgumentException($"The tag '{tag.Key}' has a null value.", nameof(Tags)), $"tag '{tag.Key}'");
            }

            _tags = value.ToFrozenDictionary(StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// Makes <paramref name="attribution"/> ambient for the current asynchronous flow, layered over the ambient one,
    /// until the returned scope is disposed.
    /// </summary>
    /// <param name="attribution">The values to set; unset values are inherited from the enclosing scope.</param>
    /// <returns>A scope that restores the previous attribution when disposed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="attribution"/> is <see langword="null"/>.</exception>
    public static AttributionScope Begin(CostAttribution attribution)
    {
        ArgumentNullException.ThrowIfNull(attribution);
        CostAttribution? previous = AmbientSlot.Value;
        AmbientSlot.Value = previous is null ? attribution : attribution.Over(previous);
        return new AttributionScope(previous);
    }

    internal static void Restore(CostAttribution? previous) => AmbientSlot.Value = previous;

    /// <summary>Returns a new attribution whose set values come from this instance and unset values from <paramref name="fallback"/>.</summary>
    /// <param name="fallback">The attribution to inherit unset values from.</param>
    /// <returns>The layered attribution; this instance when <paramref name="fallback"/> adds nothing.</returns>
    public CostAttribution Over(CostAttribution fallback)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        if (ReferenceEquals(fallback, Empty) || ReferenceEquals(fallback, this))
        {
            return this;
        }

        Dictionary<string, string>? tags = null;
        if (fallback._tags.Count > 0)
        {
            tags = new Dictionary<string, string>(fallback._tags, StringComparer.Ordinal);
            foreach (KeyValuePair<string, string> tag in _tags)
            {
                tags[tag.Key] = tag.Value;
            }
        }

        return new CostAttribution(
            _tenant ?? fallback._tenant,
            _team ?? fallback._team,
            _feature ?? fallback._feature,
            _user ?? fallback._user,
            _costCenter ?? fallback._costCenter,
            _environment ?? fallback._environment,
            tags?.ToFrozenDictionary(StringComparer.Ordinal) ?? _tags);
    }

    /// <summary>Gets the dimensions of <paramref name="required"/> that this attribution leaves unset.</summary>
    /// <param name="required">The dimensions to check.</param>
    /// <returns>The missing dimensions; <see cref="AttributionDimensions.None"/> when all are set.</returns>
    public AttributionDimensions GetMissing(AttributionDimensions required)
    {
        AttributionDimensions missing = AttributionDimensions.None;
        if ((required & AttributionDimensions.Tenant) != 0 && _tenant is null) missing |= AttributionDimensions.Tenant;
        if ((required & AttributionDimensions.Team) != 0 && _team is null) missing |= AttributionDimensions.Team;
        if ((required & AttributionDimensions.Feature) != 0 && _feature is null) missing |= AttributionDimensions.Feature;
        if ((required & AttributionDimensions.User) != 0 && _user is null) missing |= AttributionDimensions.User;
        if ((required & AttributionDimensions.CostCenter) != 0 && _costCenter is null) missing |= AttributionDimensions.CostCenter;
        if ((required & AttributionDimensions.Environment) != 0 && _environment is null) missing |= AttributionDimensions.Environment;
        return missing;
    }

    /// <summary>Returns a copy with the <paramref name="dimensions"/> set to <see cref="Unattributed"/>.</summary>
    internal CostAttribution WithUnattributed(AttributionDimensions dimensions) => new(
        (dimensions & AttributionDimensions.Tenant) != 0 ? Unattributed : _tenant,
        (dimensions & AttributionDimensions.Team) != 0 ? Unattributed : _team,
        (dimensions & AttributionDimensions.Feature) != 0 ? Unattributed : _feature,
        (dimensions & AttributionDimensions.User) != 0 ? Unattributed : _user,
        (dimensions & AttributionDimensions.CostCenter) != 0 ? Unattributed : _costCenter,
        (dimensions & AttributionDimensions.Environment) != 0 ? Unattributed : _environment,
        _tags);

    /// <summary>Gets the value of one dimension.</summary>
    /// <param name="dimension">A single dimension.</param>
    /// <returns>The value, or <see langword="null"/> when unset.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is not a single dimension.</exception>
    public string? Get(AttributionDimensions dimension) => dimension switch
    {
        AttributionDimensions.Tenant => _tenant,
        AttributionDimensions.Team => _team,
        AttributionDimensions.Feature => _feature,
        AttributionDimensions.User => _user,
        AttributionDimensions.CostCenter => _costCenter,
        AttributionDimensions.Environment => _environment,
        _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Pass a single attribution dimension."),
    };

    /// <summary>Initializes a new, empty instance; set values with object initializers.</summary>
    public CostAttribution()
    {
    }

    private CostAttribution(string? tenant, string? team, string? feature, string? user, string? costCenter, string? environment, FrozenDictionary<string, string> tags)
    {
        _tenant = tenant;
        _team = team;
        _feature = feature;
        _user = user;
        _costCenter = costCenter;
        _environment = environment;
        _tags = tags;
    }

    /// <inheritdoc/>
    public bool Equals(CostAttribution? other) =>
        other is not null
        && _tenant == other._tenant && _team == other._team && _feature == other._feature
        && _user == other._user && _costCenter == other._costCenter && _environment == other._environment
        && _tags.Count == other._tags.Count
        && _tags.All(t => other._tags.TryGetValue(t.Key, out string? v) && v == t.Value);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as CostAttribution);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_tenant, _team, _feature, _user, _costCenter, _environment, _tags.Count);

    /// <inheritdoc/>
    public override string ToString()
    {
        var parts = new List<string>(6 + _tags.Count);
        if (_tenant is not null) parts.Add($"tenant={_tenant}");
        if (_team is not null) parts.Add($"team={_team}");
        if (_feature is not null) parts.Add($"feature={_feature}");
        if (_user is not null) parts.Add($"user={_user}");
        if (_costCenter is not null) parts.Add($"costCenter={_costCenter}");
        if (_environment is not null) parts.Add($"environment={_environment}");
        foreach (KeyValuePair<string, string> tag in _tags) parts.Add($"{tag.Key}={tag.Value}");
        return parts.Count == 0 ? "(none)" : string.Join(", ", parts);
    }
}
