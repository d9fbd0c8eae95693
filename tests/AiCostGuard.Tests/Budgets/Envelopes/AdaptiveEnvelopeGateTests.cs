using System.Text;
using AiCostGuard.Tests.Fakes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AiCostGuard.Tests.Budgets.Envelopes;

/// <summary>Adaptive envelopes enforced at call time, by the rule the replay of a ledger follows.</summary>
public sealed class AdaptiveEnvelopeGateTests
{
    // A dollar per output token and nothing for input: a call's worst case is its MaxOutputTokens in dollars, its cost its output.
    private const string Model = "envelope-model";
    private static readonly ModelPrice DollarPerOutputToken = new() { InputPerMillion = 0m, OutputPerMillion = 1_000_000m, MaximumOutputTokens = 100 };

    private static AdaptiveEnvelopeOptions Envelope(decimal @base, decimal allowance, decimal cap, decimal? target = null) => new()
    {
        Name = "support-envelope",
        Dimensions = AttributionDimensions.Team,
        Period = BudgetPeriod.Monthly,
        Base = @base,
        AllowancePerSuccess = allowance,
        Cap = cap,
        TargetCostPerSuccess = target,
        OutcomeName = "ticket-resolved",
    };

    private sealed class Harness
    {
        public Harness(AdaptiveEnvelopeOptions envelope, Action<CostGovernanceOptions>? configure = null)
        {
            Envelope = envelope;
            var options = new CostGovernanceOptions { Ledger = Ledger, BudgetStore = Store };
            options.Prices[Model] = DollarPerOutputToken;
            options.AdaptiveEnvelopes.Add(envelope);
            configure?.Invoke(options);
            Inner.ModelId = Model;
            Inner.UsageFor = o => new UsageDetails { InputTokenCount = 10, OutputTokenCount = NextOutput ?? o!.MaxOutputTokens!.Value / 2 };
            Client = new CostGovernanceChatClient(Inner, options, Time);
        }

        public AdaptiveEnvelopeOptions Envelope { get; }

        public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

        public FakeChatClient Inner { get; } = new();

        public InMemoryCostLedger Ledger { get; } = new();

        public InMemoryBudgetStore Store { get; } = new();

        public CostGovernanceChatClient Client { get; }

        /// <summary>The output the provider reports for the next call; by default half of what the call may produce.</summary>
        public long? NextOutput { get; set; }

        /// <summary>A call that may cost at most <paramref name="worstCase"/> dollars (and costs half of it), a minute after the last event.</summary>
        public async Task Call(int worstCase = 2, string team = "support")
        {
            Time.Advance(TimeSpan.FromMinutes(1));
            using (CostAttribution.Begin(new CostAttribution { Team = team }))
            {
                await Client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = worstCase });
            }
        }

        public void Succeed(string team = "support", string name = "ticket-resolved", bool success = true)
        {
            Time.Advance(TimeSpan.FromMinutes(1));
            using (CostAttribution.Begin(new CostAttribution { Team = team }))
            using (BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "ticket"))
            {
                CostOutcomes.Record(Client.Ledger, run, name, success, timeProvider: Time);
            }
        }

        public IEnumerable<(EnvelopeChange, decimal)> Moves => Ledger.GetEnvelopeSteps().Select(s => (s.Change, s.Ceiling));

        public IReadOnlyList<EnvelopeStep> Replay() => AdaptiveEnvelope.Replay(Ledger.GetRecords(), Ledger.GetOutcomes(), Envelope);
    }

    [Fact]
    public async Task The_ceiling_grows_with_each_success_and_a_call_over_it_is_refused_before_it_is_sent()
    {
        var h = new Harness(Envelope(@base: 3m, allowance: 2m, cap: 100m));
        await h.Call();
        await h.Call();

        // $2 spent: a call that may cost $2 more does not fit the base of $3.
        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => h.Call());
        Assert.Equal(("support-envelope|team=support", BudgetLimitKind.Cost, 3m, 2m, 2m), (e.BudgetName, e.LimitKind, e.Limit, e.Spent, e.Requested));
        Assert.Equal(2, h.Inner.Calls);
        Assert.Equal((BudgetDecision.Rejected, CallOutcome.NotSent), (h.Ledger.GetRecords()[^1].Decision, h.Ledger.GetRecords()[^1].Outcome));

        h.Succeed(success: false);
        h.Succeed(name: "other-outcome");
        h.Succeed(team: "billing");
        await Assert.ThrowsAsync<BudgetExceededException>(() => h.Call());

        h.Succeed();
        await h.Call();
        Assert.Equal(3, h.Inner.Calls);
        Assert.Equal([(EnvelopeChange.PeriodStart, 3m), (EnvelopeChange.Success, 5m)], h.Moves.Where((_, i) => h.Ledger.GetEnvelopeSteps()[i].Key == "team=support"));
        Assert.Equal(h.Replay(), h.Ledger.GetEnvelopeSteps().OrderBy(s => s.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_cap_holds_whatever_the_successes()
    {
        var h = new Harness(Envelope(@base: 3m, allowance: 2m, cap: 6m));
        for (int i = 0; i < 5; i++)
        {
            h.Succeed();
        }

        await h.Call(worstCase: 4);
        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => h.Call(worstCase: 5));
        Assert.Equal((6m, 2m, 5m), (e.Limit, e.Spent, e.Requested));
        await h.Call(worstCase: 4);

        Assert.Equal([(EnvelopeChange.PeriodStart, 3m), (EnvelopeChange.Success, 5m), (EnvelopeChange.Capped, 6m)], h.Moves);
        Assert.Equal(h.Replay(), h.Ledger.GetEnvelopeSteps());
    }

    [Fact]
    public async Task The_review_gate_stops_growth_while_the_cost_per_success_is_above_its_target()
    {
        var h = new Harness(Envelope(@base: 4m, allowance: 2m, cap: 100m, target: 1m));
        await h.Call();
        await h.Call();
        await h.Call();

        // $3 over one and then two successes is above $1 a success: the ceiling stays at its base of $4.
        h.Succeed();
        h.Succeed();
        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => h.Call());
        Assert.Equal((4m, 3m), (e.Limit, e.Spent));

        // The third success brings it to $1: the ceiling catches up with all three, to $10.
        h.Succeed();
        await h.Call(worstCase: 6);

        // That call's $3 takes the cost per success to $2: the gate closes again.
        Assert.Equal([(EnvelopeChange.PeriodStart, 4m), (EnvelopeChange.GateClosed, 4m), (EnvelopeChange.GateOpened, 10m), (EnvelopeChange.GateClosed, 10m)], h.Moves);
        EnvelopeStep closed = h.Ledger.GetEnvelopeSteps()[1];
        Assert.Equal((3m, 1, 3m), (closed.Spent, closed.Successes, closed.CostPerSuccess));
        Assert.Equal(h.Replay(), h.Ledger.GetEnvelopeSteps());
    }

    [Fact]
    public async Task A_new_period_starts_again_from_the_base()
    {
        var h = new Harness(Envelope(@base: 3m, allowance: 2m, cap: 100m));
        h.Succeed();
        await h.Call(worstCase: 4);

        h.Time.Advance(TimeSpan.FromDays(31));
        await Assert.ThrowsAsync<BudgetExceededException>(() => h.Call(worstCase: 4));
        await h.Call(worstCase: 3);

        Assert.Equal([(EnvelopeChange.PeriodStart, 3m), (EnvelopeChange.Success, 5m), (EnvelopeChange.PeriodStart, 3m)], h.Moves);
        Assert.Equal(h.Replay(), h.Ledger.GetEnvelopeSteps());
    }

    [Fact]
    public async Task With_clamp_a_call_over_the_envelope_is_sent_with_the_output_it_can_pay()
    {
        var h = new Harness(Envelope(@base: 3m, allowance: 2m, cap: 100m), o =>
        {
            o.OverBudgetAction = OverBudgetAction.Clamp;
            o.MinimumClampedOutputTokens = 1;
        });

        await h.Call(worstCase: 10);

        Assert.Equal(3, h.Inner.ReceivedOptions[^1]!.MaxOutputTokens);
        CostRecord record = h.Ledger.GetRecords()[^1];
        Assert.Equal((BudgetDecision.Clamped, "support-envelope|team=support", 3L), (record.Decision, record.LimitBudget, record.MaximumOutputTokens));
    }

    [Fact]
    public async Task In_shadow_mode_a_call_over_the_envelope_is_sent_and_its_breach_recorded()
    {
        var h = new Harness(Envelope(@base: 1m, allowance: 2m, cap: 100m), o => o.Mode = EnforcementMode.Shadow);

        await h.Call(worstCase: 4);

        Assert.Equal(1, h.Inner.Calls);
        Assert.Equal("support-envelope|team=support", h.Ledger.GetRecords()[^1].LimitBudget);
    }

    [Property(MaxTest = 60)]
    public Property The_spend_of_a_period_never_exceeds_the_ceiling_in_force_when_each_call_is_made()
    {
        // Each step: 0 a success, otherwise a call that may cost that many dollars and costs from $1 up to as much (a reported
        // output of 0 beside an answer is read as unreported and estimated); days pass between some.
        Gen<(int Base, int Allowance, int Cap, int? Target, (int WorstCase, int Actual, int Hours)[] Steps)> runs =
            from @base in Gen.Choose(0, 10)
            from allowance in Gen.Choose(0, 5)
            from extra in Gen.Choose(0, 30)
            from target in Gen.Choose(0, 8).Select(t => t == 0 ? null : (int?)t)
            from steps in (from worst in Gen.Choose(0, 8) from actual in Gen.Choose(1, 8) from hours in Gen.Choose(0, 100) select (worst, Math.Min(worst, actual), hours)).ArrayOf()
            select (@base, allowance, @base + extra, target, steps);
        return Prop.ForAll(runs.ToArbitrary(), run =>
        {
            var h = new Harness(Envelope(run.Base, run.Allowance, run.Cap, run.Target));
            foreach ((int worstCase, int actual, int hours) in run.Steps)
            {
                h.Time.Advance(TimeSpan.FromHours(hours));
                if (worstCase == 0)
                {
                    h.Succeed();
                    continue;
                }

                DateTimeOffset periodStart = new(h.Time.GetUtcNow().Year, h.Time.GetUtcNow().Month, 1, 0, 0, 0, TimeSpan.Zero);
                IReadOnlyList<EnvelopeStep> steps = h.Ledger.GetEnvelopeSteps();
                EnvelopeStep? last = steps.Count == 0 ? null : steps[^1];
                decimal ceiling = last is not null && last.Time >= periodStart ? last.Ceiling : run.Base;
                h.NextOutput = actual;
                try
                {
                    h.Call(worstCase).GetAwaiter().GetResult();
                }
                catch (BudgetExceededException)
                {
                }

                decimal spent = h.Ledger.GetRecords().Where(r => r.Timestamp >= periodStart).Sum(r => r.Cost);
                if (spent > ceiling)
                {
                    return false.Label($"spent {spent} above the ceiling {ceiling}");
                }
            }

            return h.Replay().SequenceEqual(h.Ledger.GetEnvelopeSteps()).Label("the gate's steps are the replay's");
        });
    }

    [Fact]
    public async Task A_json_lines_ledger_keeps_the_ceiling_over_time_and_a_replay_of_its_records_agrees()
    {
        string dir = Directory.CreateTempSubdirectory("aicostguard-envelope-").FullName;
        try
        {
            IReadOnlyList<EnvelopeStep> inProcess;
            await using (var file = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = dir }))
            {
                var h = new Harness(Envelope(@base: 4m, allowance: 2m, cap: 8m, target: 1m), o => o.Ledger = new CompositeCostLedger(o.Ledger!, file));
                await h.Call();
                h.Succeed();
                h.Succeed();
                await h.Call();
                await h.Call();
                h.Succeed();
                h.Succeed();
                inProcess = h.Ledger.GetEnvelopeSteps();
            }

            LedgerContents read = CostLedgerReader.Read(dir);

            Assert.Empty(read.SkippedLines);
            Assert.Equal(inProcess, read.EnvelopeSteps);
            Assert.Equal([EnvelopeChange.PeriodStart, EnvelopeChange.Success, EnvelopeChange.Capped, EnvelopeChange.GateClosed, EnvelopeChange.GateOpened], read.EnvelopeSteps.Select(s => s.Change));
            Assert.Equal(AdaptiveEnvelope.Replay(read.Calls, read.Outcomes, Envelope(@base: 4m, allowance: 2m, cap: 8m, target: 1m)), read.EnvelopeSteps);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Envelopes_bind_from_configuration_and_are_enforced()
    {
        using ServiceProvider provider = Start("""
            { "AiCostGuard": {
                "Prices": { "envelope-model": { "InputPerMillion": 0, "OutputPerMillion": 1000000, "MaximumOutputTokens": 100 } },
                "AdaptiveEnvelopes": [ { "Name": "support-envelope", "Period": "Monthly", "Dimensions": "Team", "Base": 3, "AllowancePerSuccess": 2, "Cap": 9, "TargetCostPerSuccess": 1.5, "OutcomeName": "ticket-resolved" } ]
            } }
            """);

        provider.GetRequiredService<IStartupValidator>().Validate();
        AdaptiveEnvelopeOptions envelope = Assert.Single(provider.GetRequiredService<IOptions<CostGovernanceOptions>>().Value.AdaptiveEnvelopes);
        Assert.Equal((3m, 2m, 9m, 1.5m, "ticket-resolved"), (envelope.Base, envelope.AllowancePerSuccess, envelope.Cap, envelope.TargetCostPerSuccess, envelope.OutcomeName));

        IChatClient client = provider.GetRequiredService<IChatClient>();
        using (CostAttribution.Begin(new CostAttribution { Team = "support" }))
        {
            await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 4 }));
            using (BudgetScope run = BudgetScope.Begin(new BudgetLimits { MaximumCost = 1m }, "ticket"))
            {
                CostOutcomes.Record(provider.GetRequiredService<ICostLedger>(), run, "ticket-resolved", success: true);
            }

            await client.GetResponseAsync(Governed.Prompt(), new ChatOptions { MaxOutputTokens = 4 });
        }

        Assert.Equal(5m, provider.GetRequiredService<InMemoryCostLedger>().GetEnvelopeSteps()[^1].Ceiling);
    }

    [Theory]
    [InlineData("\"Base\": 10, \"AllowancePerSuccess\": 1, \"Cap\": 5", "AdaptiveEnvelopes[0].Cap: 5 is below the base 10.")]
    [InlineData("\"Base\": 1, \"AllowancePerSuccess\": -1, \"Cap\": 5", "AdaptiveEnvelopes[0].AllowancePerSuccess: -1 is negative.")]
    [InlineData("\"Base\": -1, \"AllowancePerSuccess\": 1, \"Cap\": 5", "AdaptiveEnvelopes[0].Base: -1 is negative.")]
    [InlineData("\"Base\": 1, \"AllowancePerSuccess\": 1, \"Cap\": 5, \"TargetCostPerSuccess\": 0", "AdaptiveEnvelopes[0].TargetCostPerSuccess: 0 is not a positive cost.")]
    [InlineData("\"Base\": 1, \"AllowancePerSuccess\": 1, \"Cap\": 5, \"Period\": \"Rolling\"", "AdaptiveEnvelopes[0].Period: 'Rolling' is not Daily, Weekly or Monthly.")]
    public void An_invalid_envelope_in_configuration_is_one_startup_error_naming_the_field(string fields, string problem)
    {
        using ServiceProvider provider = Start($$"""{ "AiCostGuard": { "AdaptiveEnvelopes": [ { "Name": "support-envelope", {{fields}} } ] } }""");

        OptionsValidationException e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal([problem], e.Failures);
    }

    [Fact]
    public void An_envelope_may_not_share_its_name_with_a_period_budget()
    {
        var options = new CostGovernanceOptions();
        options.PeriodBudgets.Add(new PeriodBudgetOptions { Name = "support", Limits = { MaximumCost = 1m } });
        options.AdaptiveEnvelopes.Add(new AdaptiveEnvelopeOptions { Name = "support", Base = 1m, Cap = 2m });

        OptionsValidationException e = Assert.Throws<OptionsValidationException>(() => new CostGovernanceChatClient(new FakeChatClient(), options));

        Assert.Equal(["AdaptiveEnvelopes[0].Name: 'support' already names a period budget or envelope; they would share one store key."], e.Failures);
    }

    private static ServiceProvider Start(string json)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection();
        services.AddCostGovernance(configuration.GetSection(CostGovernanceOptions.SectionName));
        services.AddChatClient(new FakeChatClient { ModelId = Model, Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 2 } }).UseCostGovernance();
        return services.BuildServiceProvider();
    }
}
