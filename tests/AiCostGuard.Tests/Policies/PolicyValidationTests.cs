using System.Text;
using AiCostGuard.Tests.Fakes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiCostGuard.Tests.Policies;

/// <summary>A policy that can never match, names a model nothing is priced as, or contradicts another is a startup error naming it.</summary>
public sealed class PolicyValidationTests
{
    private static OptionsValidationException BuildFails(params ModelPolicy[] policies) =>
        Assert.Throws<OptionsValidationException>(() => new Governed(o =>
        {
            foreach (ModelPolicy policy in policies)
            {
                o.Policies.Add(policy);
            }
        }));

    private static ModelPolicy Policy(string name, Action<ModelPolicy> configure)
    {
        var policy = new ModelPolicy { Name = name };
        configure(policy);
        return policy;
    }

    [Fact]
    public void A_match_no_attribution_can_carry_can_never_match()
    {
        OptionsValidationException e = BuildFails(Policy("bad-team", p =>
        {
            p.Match.Team = "research team!";
            p.MaximumOutputPerMillion = 1m;
        }));

        string problem = Assert.Single(e.Failures);
        Assert.StartsWith("Policies[0].Match.Team:", problem, StringComparison.Ordinal);
        Assert.Contains("'bad-team' can never match", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_matched_model_pattern_nothing_is_priced_as_can_never_match()
    {
        OptionsValidationException e = BuildFails(Policy("o5-limit", p =>
        {
            p.Match.Models.Add("o5*");
            p.CallRate = new PolicyCallRate { MaximumCalls = 5, Window = TimeSpan.FromHours(1) };
        }));

        string problem = Assert.Single(e.Failures);
        Assert.StartsWith("Policies[0].Match.Models: 'o5*' matches no model in the price catalog", problem, StringComparison.Ordinal);
        Assert.Contains("'o5-limit' can never match", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_allowed_model_not_in_the_catalog_is_an_unknown_model()
    {
        OptionsValidationException e = BuildFails(Policy("typo", p => p.AllowedModels.Add("gtp-4o")));

        string problem = Assert.Single(e.Failures);
        Assert.StartsWith("Policies[0].AllowedModels: 'gtp-4o' matches no model in the price catalog", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_priced_by_an_override_or_a_snapshot_or_behind_a_provider_prefix_is_known()
    {
        var governed = new Governed(o =>
        {
            o.Prices["my-finetune"] = new ModelPrice { InputPerMillion = 1m, OutputPerMillion = 2m };
            o.ModelAliases["prod-chat"] = "gpt-4o";
            o.Policies.Add(Policy("known", p =>
            {
                p.AllowedModels.Add("my-finetune");
                p.AllowedModels.Add("gpt-4o-2024-08-06");
                p.AllowedModels.Add("prod-*");
                p.AllowedModels.Add("azure/*");
                p.AllowedModels.Add("bedrock/claude-haiku-4-5");
            }));
        });

        Assert.NotNull(governed.Client);
    }

    [Fact]
    public void Two_policies_on_the_same_calls_that_leave_no_model_between_them_contradict()
    {
        OptionsValidationException e = BuildFails(
            Policy("acme-azure", p =>
            {
                p.Match.Tenant = "acme";
                p.AllowedModels.Add("azure/*");
            }),
            Policy("acme-openai", p =>
            {
                p.Match.Tenant = "acme";
                p.AllowedModels.Add("openai/*");
            }));

        string problem = Assert.Single(e.Failures);
        Assert.StartsWith("Policies[0] 'acme-azure', Policies[1] 'acme-openai': these policies match the same calls and together allow none", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Policies_on_different_calls_or_that_overlap_do_not_contradict()
    {
        var governed = new Governed(o =>
        {
            o.Policies.Add(Policy("acme-azure", p =>
            {
                p.Match.Tenant = "acme";
                p.AllowedModels.Add("azure/*");
            }));
            o.Policies.Add(Policy("globex-openai", p =>
            {
                p.Match.Tenant = "globex";
                p.AllowedModels.Add("openai/*");
            }));
            o.Policies.Add(Policy("acme-cheap", p =>
            {
                p.Match.Tenant = "acme";
                p.MaximumOutputPerMillion = 1m;
            }));
        });

        Assert.NotNull(governed.Client);
    }

    [Fact]
    public void A_policy_whose_own_rules_leave_nothing_says_to_deny_all_if_that_is_meant()
    {
        OptionsValidationException e = BuildFails(Policy("dear-and-cheap", p =>
        {
            p.AllowedModels.Add("gpt-4o");
            p.MaximumOutputPerMillion = 1m;
        }));

        string problem = Assert.Single(e.Failures);
        Assert.StartsWith("Policies[0]: the policy 'dear-and-cheap' allows none of the priced models it matches;", problem, StringComparison.Ordinal);
        Assert.Contains("DenyAll", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_of_every_policy_is_listed_in_one_exception_with_the_other_options_problems()
    {
        OptionsValidationException e = Assert.Throws<OptionsValidationException>(() => new Governed(o =>
        {
            o.DefaultMaximumOutputTokens = 0;
            o.PolicyDefault = (PolicyDefault)7;
            o.Policies.Add(Policy("empty", _ => { }));
            o.Policies.Add(Policy("empty", p => p.DenyAll = true));
            o.Policies.Add(Policy(ModelPolicy.DefaultPolicyName, p => p.DenyAll = true));
            o.Policies.Add(Policy("both", p =>
            {
                p.DenyAll = true;
                p.MaximumInputPerMillion = 1m;
            }));
            o.Policies.Add(Policy("rate", p => p.CallRate = new PolicyCallRate { MaximumCalls = 0 }));
            o.Policies.Add(new ModelPolicy { MaximumOutputPerMillion = -1m });
            o.Policies.Add(null!);
            o.Policies.Add(Policy("mode", p =>
            {
                p.DenyAll = true;
                p.Mode = (EnforcementMode)9;
            }));
        }));

        string[] where = [.. e.Failures.Select(f => f[..f.IndexOf(": ", StringComparison.Ordinal)])];
        Assert.Equal(
            [
                "DefaultMaximumOutputTokens", "Policies[0]", "Policies[1].Name", "Policies[2].Name", "Policies[3].DenyAll",
                "Policies[4].CallRate.MaximumCalls", "Policies[4].CallRate.Window", "Policies[5].MaximumOutputPerMillion", "Policies[5].Name", "Policies[6]", "Policies[7].Mode", "PolicyDefault",
            ],
            where.Order(StringComparer.Ordinal));
        Assert.Contains(e.Failures, f => f.StartsWith("Policies[0]: the policy 'empty' sets no rule", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.StartsWith("Policies[1].Name: 'empty' names two policies", StringComparison.Ordinal));
    }

    [Fact]
    public void A_call_rate_window_outside_a_second_to_a_year_is_refused()
    {
        OptionsValidationException e = BuildFails(Policy("fast", p => p.CallRate = new PolicyCallRate { MaximumCalls = 1, Window = TimeSpan.FromMilliseconds(10) }));

        Assert.StartsWith("Policies[0].CallRate.Window: 00:00:00.0100000 is outside 1 second to 366 days", Assert.Single(e.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void A_policy_option_typo_in_configuration_fails_startup_naming_the_key()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes("""
            { "AiCostGuard": { "Policies": [ { "Name": "acme", "Match": { "Tennant": "acme" }, "AllowedModel": [ "azure/*" ] } ], "PolicyDefault": "Denyy" } }
            """))).Build();
        var services = new ServiceCollection();
        services.AddCostGovernance(configuration.GetSection(CostGovernanceOptions.SectionName));
        using ServiceProvider provider = services.BuildServiceProvider();

        OptionsValidationException e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(e.Failures, f => f.StartsWith("AiCostGuard:Policies:0:Match:Tennant:", StringComparison.Ordinal) && f.Contains("did you mean 'Tenant'", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.StartsWith("AiCostGuard:Policies:0:AllowedModel:", StringComparison.Ordinal) && f.Contains("did you mean 'AllowedModels'", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.StartsWith("AiCostGuard:PolicyDefault:", StringComparison.Ordinal));
    }
}
