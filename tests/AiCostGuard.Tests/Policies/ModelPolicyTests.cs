using System.Diagnostics;
using AiCostGuard.Tests.Fakes;
using AiCostGuard.Tests.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AiCostGuard.Tests.Policies;

/// <summary>Each kind of policy lets through what it allows and denies the rest before anything is sent.</summary>
public sealed class ModelPolicyTests
{
    private static CostAttribution Env(string environment) => new() { Environment = environment };

    private static ModelPolicy Policy(string name, Action<ModelPolicy> configure)
    {
        var policy = new ModelPolicy { Name = name };
        configure(policy);
        return policy;
    }

    /// <summary>Sends one call under <paramref name="attribution"/>; returns the denial, or null when it was sent.</summary>
    private static async Task<PolicyDeniedException?> CallAsync(IChatClient client, CostAttribution attribution, string model)
    {
        using AttributionScope scope = CostAttribution.Begin(attribution);
        try
        {
            await client.GetResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = model, MaxOutputTokens = 100 });
            return null;
        }
        catch (PolicyDeniedException e)
        {
            return e;
        }
    }

    private static void AssertDenied(Governed governed, PolicyDeniedException? denial, string policy, int callsBefore)
    {
        Assert.NotNull(denial);
        Assert.Equal(policy, denial.PolicyName);
        Assert.Equal(callsBefore, governed.Inner.Calls);
        CostRecord record = governed.Last;
        Assert.Equal(BudgetDecision.Denied, record.Decision);
        Assert.Equal(policy, record.PolicyName);
        Assert.Equal(CallOutcome.NotSent, record.Outcome);
        Assert.Equal(denial.Message, record.RefusalReason);
        Assert.Equal(0m, record.Cost);
    }

    [Fact]
    public async Task A_price_ceiling_on_output_lets_cheap_models_through_in_its_environment_and_denies_dear_ones()
    {
        var governed = new Governed(o => o.Policies.Add(Policy("dev-cheap", p =>
        {
            p.Match.Environment = "dev";
            p.MaximumOutputPerMillion = 1m;
        })));

        Assert.Null(await CallAsync(governed.Client, Env("dev"), "gpt-4o-mini"));
        Assert.Equal(BudgetDecision.Allowed, governed.Last.Decision);
        Assert.Null(governed.Last.PolicyName);
        PolicyDeniedException? denial = await CallAsync(governed.Client, Env("dev"), "gpt-4o");
        AssertDenied(governed, denial, "dev-cheap", callsBefore: 1);
        Assert.Contains("$1 per million", denial!.Message, StringComparison.Ordinal);
        Assert.Contains("$10", denial.Message, StringComparison.Ordinal);

        Assert.Null(await CallAsync(governed.Client, Env("prod"), "gpt-4o"));
        Assert.Equal(2, governed.Inner.Calls);
    }

    [Fact]
    public async Task A_price_ceiling_on_input_denies_a_model_above_it()
    {
        var governed = new Governed(o => o.Policies.Add(Policy("cheap-input", p => p.MaximumInputPerMillion = 1m)));

        Assert.Null(await CallAsync(governed.Client, Env("dev"), "gpt-4o-mini"));
        AssertDenied(governed, await CallAsync(governed.Client, Env("dev"), "o3"), "cheap-input", callsBefore: 1);
    }

    [Fact]
    public async Task Allowed_model_patterns_admit_provider_qualified_deployments_and_deny_the_rest_for_their_tenant()
    {
        var governed = new Governed(o => o.Policies.Add(Policy("acme-azure-only", p =>
        {
            p.Match.Tenant = "acme";
            p.AllowedModels.Add("azure/*");
        })));
        var acme = new CostAttribution { Tenant = "acme" };

        Assert.Null(await CallAsync(governed.Client, acme, "azure/gpt-4o"));
        PolicyDeniedException? denial = await CallAsync(governed.Client, acme, "gpt-4o");
        AssertDenied(governed, denial, "acme-azure-only", callsBefore: 1);
        Assert.Contains("azure/*", denial!.Message, StringComparison.Ordinal);
        Assert.Null(await CallAsync(governed.Client, new CostAttribution { Tenant = "globex" }, "gpt-4o"));
    }

    [Fact]
    public async Task A_pattern_qualified_by_the_clients_provider_matches_an_unprefixed_model()
    {
        // The fake client calls itself "fake": "gpt-4o-mini" is sent as fake/gpt-4o-mini.
        var governed = new Governed(o => o.Policies.Add(Policy("fake-mini", p => p.AllowedModels.Add("FAKE/gpt-4o-m?ni"))));

        Assert.Null(await CallAsync(governed.Client, Env("dev"), "gpt-4o-mini"));
        AssertDenied(governed, await CallAsync(governed.Client, Env("dev"), "gpt-4o"), "fake-mini", callsBefore: 1);
    }

    [Fact]
    public async Task Confidential_data_goes_only_to_approved_providers()
    {
        var governed = new Governed(o => o.Policies.Add(Policy("confidential-approved", p =>
        {
            p.Match.Tags["data"] = "confidential";
            p.ApprovedProviders.Add("Azure");
        })));
        var confidential = new CostAttribution { Team = "legal", Tags = new Dictionary<string, string> { ["data"] = "confidential" } };

        Assert.Null(await CallAsync(governed.Client, confidential, "azure/gpt-4o"));
        PolicyDeniedException? denial = await CallAsync(governed.Client, confidential, "gpt-4o");
        AssertDenied(governed, denial, "confidential-approved", callsBefore: 1);
        Assert.Contains("'fake'", denial!.Message, StringComparison.Ordinal);
        Assert.Null(await CallAsync(governed.Client, new CostAttribution { Team = "legal", Tags = new Dictionary<string, string> { ["data"] = "public" } }, "gpt-4o"));
    }

    [Fact]
    public async Task A_policy_that_denies_all_stops_the_models_it_matches_only()
    {
        var governed = new Governed(o => o.Policies.Add(Policy("no-o3-in-dev", p =>
        {
            p.Match.Environment = "dev";
            p.Match.Models.Add("o3*");
            p.DenyAll = true;
        })));

        AssertDenied(governed, await CallAsync(governed.Client, Env("dev"), "o3"), "no-o3-in-dev", callsBefore: 0);
        Assert.Null(await CallAsync(governed.Client, Env("dev"), "gpt-4o"));
        Assert.Null(await CallAsync(governed.Client, Env("prod"), "o3"));
    }

    [Fact]
    public async Task With_deny_by_default_a_call_no_policy_matches_is_denied_under_default()
    {
        var governed = new Governed(o =>
        {
            o.PolicyDefault = PolicyDefault.Deny;
            o.Policies.Add(Policy("prod-any", p =>
            {
                p.Match.Environment = "prod";
                p.MaximumOutputPerMillion = 100m;
            }));
        });

        Assert.Null(await CallAsync(governed.Client, Env("prod"), "gpt-4o"));
        PolicyDeniedException? denial = await CallAsync(governed.Client, Env("dev"), "gpt-4o");
        AssertDenied(governed, denial, ModelPolicy.DefaultPolicyName, callsBefore: 1);
        Assert.Contains(nameof(PolicyDefault), denial!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_policies_nothing_is_denied_by_default()
    {
        var governed = new Governed();

        Assert.Null(await CallAsync(governed.Client, Env("dev"), "o3"));
        Assert.Equal(PolicyDefault.Allow, new CostGovernanceOptions().PolicyDefault);
    }

    [Fact]
    public async Task In_shadow_mode_a_denied_call_is_sent_and_recorded_as_shadow_denied_with_the_policy()
    {
        var governed = new Governed(o =>
        {
            o.Mode = EnforcementMode.Shadow;
            o.Policies.Add(Policy("dev-cheap", p =>
            {
                p.Match.Environment = "dev";
                p.MaximumOutputPerMillion = 1m;
            }));
        });

        Assert.Null(await CallAsync(governed.Client, Env("dev"), "gpt-4o"));

        Assert.Equal(1, governed.Inner.Calls);
        Assert.Equal(BudgetDecision.ShadowDenied, governed.Last.Decision);
        Assert.Equal("dev-cheap", governed.Last.PolicyName);
        Assert.Equal(CallOutcome.Succeeded, governed.Last.Outcome);
        Assert.True(governed.Last.Cost > 0);
    }

    [Fact]
    public async Task A_policy_in_shadow_mode_records_while_an_enforced_one_still_denies()
    {
        var governed = new Governed(o =>
        {
            o.Policies.Add(Policy("trial-cheap", p =>
            {
                p.Mode = EnforcementMode.Shadow;
                p.MaximumOutputPerMillion = 1m;
            }));
            o.Policies.Add(Policy("no-claude", p =>
            {
                p.Match.Models.Add("claude-*");
                p.DenyAll = true;
            }));
        });

        Assert.Null(await CallAsync(governed.Client, Env("dev"), "gpt-4o"));
        Assert.Equal(BudgetDecision.ShadowDenied, governed.Last.Decision);
        Assert.Equal("trial-cheap", governed.Last.PolicyName);
        AssertDenied(governed, await CallAsync(governed.Client, Env("dev"), "claude-haiku-4-5"), "no-claude", callsBefore: 1);
    }

    [Fact]
    public async Task A_denied_call_and_a_shadow_denied_one_name_the_policy_on_the_span()
    {
        using var telemetry = new TelemetryHarness();
        var governed = new Governed(o => o.Policies.Add(Policy("dev-cheap", p =>
        {
            p.Match.Environment = "dev";
            p.MaximumOutputPerMillion = 1m;
            p.Mode = EnforcementMode.Shadow;
        })));
        var enforced = new Governed(o => o.Policies.Add(Policy("no-o3", p =>
        {
            p.Match.Models.Add("o3");
            p.DenyAll = true;
        })));

        await CallAsync(governed.Client, Env("dev"), "gpt-4o");
        await CallAsync(enforced.Client, Env("dev"), "o3");

        Activity[] spans = [.. telemetry.Spans.Where(s => s.Source.Name == CostGovernanceTelemetry.SourceName)];
        Activity shadow = Assert.Single(spans, s => "dev-cheap".Equals(s.GetTagItem(CostGovernanceTelemetry.PolicyAttribute)));
        Assert.Equal("shadow_denied", shadow.GetTagItem(CostGovernanceTelemetry.DecisionAttribute));
        Assert.Contains(shadow.Events, e => e.Name == CostGovernanceTelemetry.DecisionEventName && e.Tags.Any(t => t.Key == CostGovernanceTelemetry.PolicyAttribute && "dev-cheap".Equals(t.Value)));
        Activity denied = Assert.Single(spans, s => "no-o3".Equals(s.GetTagItem(CostGovernanceTelemetry.PolicyAttribute)));
        Assert.Equal("denied", denied.GetTagItem(CostGovernanceTelemetry.DecisionAttribute));
    }

    [Fact]
    public async Task A_denied_stream_never_opens_the_models_stream()
    {
        var governed = new Governed(o => o.Policies.Add(Policy("no-o3", p =>
        {
            p.Match.Models.Add("o3");
            p.DenyAll = true;
        })));

        PolicyDeniedException denial = await Assert.ThrowsAsync<PolicyDeniedException>(async () =>
        {
            await foreach (ChatResponseUpdate update in governed.Client.GetStreamingResponseAsync(Governed.Prompt(), new ChatOptions { ModelId = "o3" }))
            {
                Assert.Fail("A denied stream yielded " + update);
            }
        });

        Assert.Equal("no-o3", denial.PolicyName);
        Assert.Equal((0, 0), (governed.Inner.Calls, governed.Inner.StreamsDisposed));
        Assert.True(governed.Last.IsStreaming);
        Assert.Equal(BudgetDecision.Denied, governed.Last.Decision);
    }

    [Fact]
    public async Task A_call_rate_lets_twenty_o3_calls_an_hour_through_for_research_and_frees_a_slot_an_hour_after_each()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        var inner = new FakeChatClient();
        var ledger = new InMemoryCostLedger();
        IChatClient client = new ChatClientBuilder(inner)
            .UseCostGovernance(o =>
            {
                o.Ledger = ledger;
                o.Policies.Add(Policy("research-o3", p =>
                {
                    p.Match.Team = "research";
                    p.Match.Models.Add("o3");
                    p.CallRate = new PolicyCallRate { MaximumCalls = 20, Window = TimeSpan.FromHours(1) };
                }));
            })
            .Build(new ServiceCollection().AddSingleton<TimeProvider>(time).BuildServiceProvider());
        var research = new CostAttribution { Team = "research" };

        DateTimeOffset first = time.GetUtcNow();
        for (int i = 0; i < 20; i++)
        {
            Assert.Null(await CallAsync(client, research, "o3"));
            time.Advance(TimeSpan.FromMinutes(1));
        }

        PolicyDeniedException? denial = await CallAsync(client, research, "o3");
        Assert.NotNull(denial);
        Assert.Equal("research-o3", denial.PolicyName);
        Assert.Equal(first.AddHours(1), denial.RetryAt);
        Assert.Equal(20, inner.Calls);
        Assert.Equal(BudgetDecision.Denied, ledger.GetRecords()[^1].Decision);

        // Other models and other teams are not counted against it.
        Assert.Null(await CallAsync(client, research, "gpt-4o-mini"));
        Assert.Null(await CallAsync(client, new CostAttribution { Team = "search" }, "o3"));

        time.SetUtcNow(first.AddHours(1));
        Assert.Null(await CallAsync(client, research, "o3"));
        Assert.NotNull(await CallAsync(client, research, "o3"));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await CallAsync(client, research, "o3"));
    }

    [Fact]
    public async Task A_call_rate_keyed_by_user_gives_each_user_a_window_and_a_denied_call_uses_no_slot()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        var inner = new FakeChatClient();
        IChatClient client = new ChatClientBuilder(inner)
            .UseCostGovernance(o =>
            {
                o.Policies.Add(Policy("two-per-user", p => p.CallRate = new PolicyCallRate { MaximumCalls = 2, Window = TimeSpan.FromMinutes(10), Dimensions = AttributionDimensions.User }));
                o.Policies.Add(Policy("one-o3-an-hour", p =>
                {
                    p.Match.Models.Add("o3");
                    p.CallRate = new PolicyCallRate { MaximumCalls = 1, Window = TimeSpan.FromHours(1) };
                }));
            })
            .Build(new ServiceCollection().AddSingleton<TimeProvider>(time).BuildServiceProvider());
        var ann = new CostAttribution { User = "ann" };
        var bob = new CostAttribution { User = "bob" };

        Assert.Null(await CallAsync(client, ann, "o3"));

        // Bob's o3 call fits his own window but not the shared o3 rate: it is denied, and gives back Bob's slot.
        Assert.Equal("one-o3-an-hour", (await CallAsync(client, bob, "o3"))?.PolicyName);
        Assert.Null(await CallAsync(client, bob, "gpt-4o-mini"));
        Assert.Null(await CallAsync(client, bob, "gpt-4o-mini"));
        Assert.Equal("two-per-user", (await CallAsync(client, bob, "gpt-4o-mini"))?.PolicyName);
        Assert.Null(await CallAsync(client, ann, "gpt-4o-mini"));
        Assert.Equal(4, inner.Calls);
    }

    [Fact]
    public async Task A_denied_record_keeps_its_policy_through_the_JSON_Lines_ledger_and_an_old_line_reads_without_one()
    {
        string directory = Directory.CreateTempSubdirectory("aicostguard-policy-").FullName;
        try
        {
            await using (var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = directory }))
            {
                var governed = new Governed(o =>
                {
                    o.Ledger = ledger;
                    o.Policies.Add(Policy("no-o3", p =>
                    {
                        p.Match.Models.Add("o3");
                        p.DenyAll = true;
                    }));
                });
                await CallAsync(governed.Client, Env("dev"), "o3");
                await CallAsync(governed.Client, Env("dev"), "gpt-4o-mini");
            }

            // A line written before policies existed has no "policy" field.
            await File.WriteAllTextAsync(Path.Combine(directory, "0-old.jsonl"),
                """{"schema":1,"kind":"call","ts":"2026-03-01T09:00:00+00:00","durationMs":812.5,"model":"gpt-4o","streaming":false,"inputTokens":1000,"cachedInputTokens":0,"outputTokens":50,"reasoningTokens":0,"estimatedInputTokens":990,"estimatePrecision":"Exact","cost":0.003,"costSource":"ProviderReported","decision":"Allowed","maxOutputTokens":16384,"outcome":"Succeeded"}""" + "\n");

            LedgerContents contents = CostLedgerReader.Read(directory);
            Assert.Empty(contents.SkippedLines);
            Assert.Equal([null, "no-o3", null], contents.Calls.Select(c => c.PolicyName));
            Assert.Equal([BudgetDecision.Allowed, BudgetDecision.Denied, BudgetDecision.Allowed], contents.Calls.Select(c => c.Decision));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
