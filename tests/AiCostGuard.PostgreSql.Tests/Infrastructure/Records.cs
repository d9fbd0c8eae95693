using System.Diagnostics;
using System.Globalization;

namespace AiCostGuard.PostgreSql.Tests.Infrastructure;

/// <summary>Varied ledger records for round trips: every field set, decimals of every scale, times to the microsecond (PostgreSQL's precision).</summary>
public static class Records
{
    private static readonly decimal[] Costs =
    [
        0m, 0.000001m, 1.10m, 0.0000000000000000000000000001m, 123456789.123456789m, decimal.MaxValue, decimal.MinValue,
        -0.5m, 79228162514264337593543950.335m, 0.1000m,
    ];

    public static CostRecord Call(int i, DateTimeOffset? at = null)
    {
        var random = new Random(i);
        DateTimeOffset time = at ?? new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(random.NextInt64(0, TimeSpan.TicksPerDay * 60) / 10 * 10);
        return new CostRecord
        {
            Timestamp = time,
            Duration = TimeSpan.FromTicks(random.NextInt64(0, TimeSpan.TicksPerMinute) / 10 * 10),
            Attribution = i % 5 == 0
                ? CostAttribution.Empty
                : new CostAttribution
                {
                    Tenant = "tenant-" + (i % 3).ToString(CultureInfo.InvariantCulture),
                    Team = "team-" + (i % 4).ToString(CultureInfo.InvariantCulture),
                    Feature = i % 2 == 0 ? "chat" : null,
                    User = i % 7 == 0 ? "user@example" : null,
                    CostCenter = i % 3 == 0 ? "cc-1" : null,
                    Environment = "prod",
                    Tags = i % 4 == 0 ? new Dictionary<string, string> { ["region"] = "eu-west", ["tier"] = "gold" } : new Dictionary<string, string>(),
                },
            ScopeName = i % 2 == 0 ? "run" : null,
            ScopeId = "scope-" + i.ToString(CultureInfo.InvariantCulture),
            ModelId = i % 6 == 0 ? null : "gpt-4o-mini",
            RequestedModelId = i % 8 == 0 ? "gpt-4o" : null,
            Provider = i % 9 == 4 ? "anthropic" : "openai",
            IsStreaming = i % 2 == 1,
            InputTokens = random.NextInt64(0, long.MaxValue),
            CachedInputTokens = random.Next(),
            OutputTokens = random.Next(),
            ReasoningTokens = random.Next(),
            EstimatedInputTokens = random.Next(),
            EstimatePrecision = Member<EstimatePrecision>(i),
            Cost = Costs[i % Costs.Length] + (i % Costs.Length < 4 ? random.Next(0, 1000) * 0.000001m : 0m),
            CostSource = Member<CostSource>(i),
            Decision = Member<BudgetDecision>(i),
            LimitKind = i % 3 == 0 ? null : Member<BudgetLimitKind>(i / 3),
            LimitBudget = i % 3 == 0 ? null : "request",
            MaximumOutputTokens = random.Next(),
            RefusalReason = i % 10 == 0 ? "missing attribution: team" : null,
            Attempt = i % 4,
            Outcome = Member<CallOutcome>(i),
            TraceId = i % 2 == 0 ? ActivityTraceId.CreateRandom() : default,
            SpanId = i % 2 == 0 ? ActivitySpanId.CreateRandom() : default,
            CacheWriteTokens = random.Next(),
            ServiceTier = i % 5 == 0 ? null : "flex",
            PricingNotes = (PricingNotes)(i % 64),
            CostParts = i % 3 == 2
                ? null
                : new CostParts(Costs[i % Costs.Length] / 7, 0.000001m * i, i % 2 == 0 ? 0m : 0.0010m, 1.10m, -0.5m * (i % 2), 0.0000000000000000000000000001m * i, i % 4 == 0 ? 0.01m : 0m),
            PolicyName = i % 4 == 1 ? "no-preview-models-in-prod" : null,
            BudgetTier = i % 5 == 2 ? "team-monthly@" + (50 + (i % 4 * 15)).ToString(CultureInfo.InvariantCulture) : null,
            Kind = Member<CallKind>(i),
            AvoidedCost = i % 3 == 1 ? Costs[(i / 3) % Costs.Length] : null,
        };
    }

    /// <summary>What a ledger of <paramref name="version"/> holds of <paramref name="call"/>: only the fields it has columns for.</summary>
    public static CostRecord AsWrittenBy(int version, CostRecord call)
    {
        if (version < 4)
        {
            call = call with { PolicyName = null, BudgetTier = null, Kind = CallKind.Chat, AvoidedCost = null };
        }

        return version < 3 ? call with { CostParts = null } : call;
    }

    /// <summary>Every member of <typeparamref name="T"/> in turn, so each name is stored and parsed back.</summary>
    public static T Member<T>(int i)
        where T : struct, Enum
    {
        T[] members = Enum.GetValues<T>();
        return members[i % members.Length];
    }

    public static EnvelopeStep Step(int i) => new(
        i % 2 == 0 ? "team-daily" : "feature-weekly",
        "team=team-" + (i % 4).ToString(CultureInfo.InvariantCulture),
        new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(i).AddTicks(i * 10),
        Member<EnvelopeChange>(i),
        10.00m + (0.25m * i),
        0.123456789m * i,
        i,
        i == 0 ? null : 0.123456789m / i);

    public static OutcomeRecord Outcome(int i) => new()
    {
        Timestamp = new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(i).AddTicks(i * 10),
        Attribution = new CostAttribution { Team = "team-" + (i % 4).ToString(CultureInfo.InvariantCulture) },
        ScopeName = i % 5 == 0 ? null : "run",
        ScopeId = "scope-" + i.ToString(CultureInfo.InvariantCulture),
        Name = i % 3 == 0 ? "answer-accepted" : "ticket-resolved",
        IsSuccess = i % 3 != 0,
        Value = i % 2 == 0 ? 12.50m : null,
    };
}
