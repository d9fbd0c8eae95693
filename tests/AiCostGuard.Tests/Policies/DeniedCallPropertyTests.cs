using AiCostGuard.Tests.Fakes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AiCostGuard.Tests.Policies;

/// <summary>Whatever the policies and the attribution, a denied call never reaches the model, and its denial is in the ledger under the policy's name.</summary>
public sealed class DeniedCallPropertyTests
{
    private static readonly string[] Models = ["gpt-4o-mini", "gpt-4o", "azure/gpt-4o", "o3", "claude-haiku-4-5", "gemini-2.5-flash"];

    private static readonly Gen<ModelPolicy> Policies =
        from environment in Gen.Elements<string?>(null, "dev", "prod")
        from team in Gen.Elements<string?>(null, "research", "search")
        from confidential in Gen.Elements(false, true)
        from models in Gen.Elements<string[]>([], ["o3*"], ["gpt-4o*"])
        from kind in Gen.Choose(0, 5)
        from mode in Gen.Elements<EnforcementMode?>(null, null, EnforcementMode.Shadow)
        from calls in Gen.Choose(1, 3)
        select Build(environment, team, confidential, models, kind, mode, calls);

    private static readonly Gen<CostAttribution> Attributions =
        from environment in Gen.Elements<string?>(null, "dev", "prod")
        from team in Gen.Elements<string?>(null, "research", "search")
        from confidential in Gen.Elements(false, true)
        select new CostAttribution
        {
            Environment = environment,
            Team = team,
            Tags = confidential ? new Dictionary<string, string> { ["data"] = "confidential" } : new Dictionary<string, string>(),
        };

    private static ModelPolicy Build(string? environment, string? team, bool confidential, string[] models, int kind, EnforcementMode? mode, int calls)
    {
        var policy = new ModelPolicy { Name = $"p{Guid.NewGuid():N}"[..12], Mode = mode };
        policy.Match.Environment = environment;
        policy.Match.Team = team;
        if (confidential)
        {
            policy.Match.Tags["data"] = "confidential";
        }

        foreach (string model in models)
        {
            policy.Match.Models.Add(model);
        }

        switch (kind)
        {
            case 0:
                policy.MaximumOutputPerMillion = 5m;
                break;
            case 1:
                policy.MaximumInputPerMillion = 1m;
                break;
            case 2:
                policy.AllowedModels.Add("*mini");
                policy.AllowedModels.Add("azure/*");
                break;
            case 3:
                policy.ApprovedProviders.Add("azure");
                break;
            case 4:
                policy.CallRate = new PolicyCallRate { MaximumCalls = calls, Window = TimeSpan.FromHours(1) };
                break;
            default:
                policy.DenyAll = true;
                break;
        }

        return policy;
    }

    [Property(MaxTest = 200)]
    public Property A_denied_call_is_never_sent_and_its_denial_is_recorded_with_the_policy() =>
        Prop.ForAll(
            (from n in Gen.Choose(0, 4) from policies in Gen.ArrayOf(Policies, n) select policies).ToArbitrary(),
            Gen.Elements(PolicyDefault.Allow, PolicyDefault.Deny).ToArbitrary(),
            (from n in Gen.Choose(1, 8) from calls in Gen.ArrayOf(Gen.Zip(Attributions, Gen.Elements(Models)), n) select calls).ToArbitrary(),
            (ModelPolicy[] policies, PolicyDefault unmatched, (CostAttribution, string)[] calls) =>
            {
                var options = new CostGovernanceOptions { PolicyDefault = unmatched };
                foreach (ModelPolicy policy in policies)
                {
                    options.Policies.Add(policy);
                }

                if (options.Validate().Count > 0)
                {
                    // Contradicting or empty combinations are startup errors, tested on their own.
                    return true;
                }

                var inner = new FakeChatClient();
                var ledger = new InMemoryCostLedger();
                var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
                IChatClient client = new ChatClientBuilder(inner)
                    .UseCostGovernance(o =>
                    {
                        o.Ledger = ledger;
                        o.PolicyDefault = unmatched;
                        foreach (ModelPolicy policy in policies)
                        {
                            o.Policies.Add(policy);
                        }
                    })
                    .Build(new ServiceCollection().AddSingleton<TimeProvider>(time).BuildServiceProvider());

                foreach ((CostAttribution attribution, string model) in calls)
                {
                    int sentBefore = inner.Calls;
                    using AttributionScope scope = CostAttribution.Begin(attribution);
                    try
                    {
                        client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = model, MaxOutputTokens = 50 }).GetAwaiter().GetResult();
                    }
                    catch (PolicyDeniedException e)
                    {
                        CostRecord denied = ledger.GetRecords()[^1];
                        if (inner.Calls != sentBefore || denied.Decision != BudgetDecision.Denied || denied.PolicyName != e.PolicyName
                            || denied.Outcome != CallOutcome.NotSent || (e.PolicyName != ModelPolicy.DefaultPolicyName && !policies.Any(p => p.Name == e.PolicyName)))
                        {
                            return false;
                        }

                        time.Advance(TimeSpan.FromMinutes(5));
                        continue;
                    }

                    CostRecord sent = ledger.GetRecords()[^1];
                    if (inner.Calls != sentBefore + 1 || sent.Decision == BudgetDecision.Denied || (sent.Decision == BudgetDecision.ShadowDenied) != (sent.PolicyName is not null))
                    {
                        return false;
                    }

                    time.Advance(TimeSpan.FromMinutes(5));
                }

                return true;
            });
}
