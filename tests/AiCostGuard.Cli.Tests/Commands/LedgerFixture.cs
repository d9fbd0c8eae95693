namespace AiCostGuard.Cli.Tests.Commands;

/// <summary>A JSON Lines ledger of a week of calls by three teams and four features, with runs and outcomes, written by the real sink.</summary>
internal static class LedgerFixture
{
    public static readonly DateTimeOffset Start = new(2026, 7, 20, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Writes the ledger; every cost is multiplied by <paramref name="costScale"/>.</summary>
    public static async Task<string> WriteAsync(decimal costScale = 1m)
    {
        string dir = Directory.CreateTempSubdirectory("aicostguard-cli-").FullName;
        await using var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = dir });
        (string Team, string Feature, string Model, decimal Cost)[] shapes =
        [
            ("search", "summarize", "gpt-4o-mini", 0.0125m),
            ("search", "rerank", "gpt-4o-mini", 0.004m),
            ("support", "triage", "claude-sonnet-4-5", 0.031m),
            ("support", "reply-draft", "gpt-4o", 0.052m),
            ("finance", "weekly-report", "gpt-4o", 0.11m),
        ];
        for (int day = 0; day < 5; day++)
        {
            for (int i = 0; i < shapes.Length; i++)
            {
                (string team, string feature, string model, decimal cost) = shapes[i];
                string run = $"run-{day}-{i}";
                ledger.Record(new CostRecord
                {
                    Timestamp = Start.AddDays(day).AddMinutes(i),
                    Duration = TimeSpan.FromMilliseconds(800),
                    Attribution = new CostAttribution { Team = team, Feature = feature },
                    ScopeName = feature,
                    ScopeId = run,
                    ModelId = model,
                    Provider = "openai",
                    InputTokens = 1000 + (100 * day),
                    OutputTokens = 200,
                    Cost = cost * (day + 1) * costScale,
                    CostSource = CostSource.ProviderReported,
                    Outcome = CallOutcome.Succeeded,
                });
                ledger.Record(new OutcomeRecord { Timestamp = Start.AddDays(day), ScopeId = run, ScopeName = feature, Name = "done", IsSuccess = (day + i) % 3 != 0, Attribution = new CostAttribution { Team = team } });
            }
        }

        ledger.Record(new CostRecord { Timestamp = Start, Attribution = new CostAttribution { Team = "search" }, ModelId = "gpt-4o", Outcome = CallOutcome.NotSent, Decision = BudgetDecision.Rejected });
        return dir;
    }

    /// <summary>A realistic month: <paramref name="teams"/> teams over <paramref name="days"/> days, each team a few calls a day on three models, with runs and outcomes.</summary>
    public static async Task<string> WriteMonthAsync(int days = 30, int teams = 14)
    {
        string dir = Directory.CreateTempSubdirectory("aicostguard-cli-").FullName;
        await using var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = dir });
        string[] models = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5"];
        for (int day = 0; day < days; day++)
        {
            for (int team = 0; team < teams; team++)
            {
                for (int call = 0; call < 1 + ((day + team) % 3); call++)
                {
                    string run = $"run-{day}-{team}-{call}";
                    ledger.Record(new CostRecord
                    {
                        Timestamp = Start.AddDays(day).AddMinutes((team * 10) + call),
                        Duration = TimeSpan.FromMilliseconds(900),
                        Attribution = new CostAttribution { Team = $"team-{team + 1:00}", Feature = $"feature-{(team + call) % 5}" },
                        ScopeId = run,
                        ModelId = models[(team + call) % models.Length],
                        Provider = "openai",
                        InputTokens = 2000 + (37 * team) + (11 * day),
                        OutputTokens = 300 + (7 * call),
                        Cost = 0.0004m * (team + 1) * (1 + (day % 7)) + (0.00013m * call),
                        CostSource = CostSource.ProviderReported,
                        Outcome = CallOutcome.Succeeded,
                    });
                    ledger.Record(new OutcomeRecord { Timestamp = Start.AddDays(day), ScopeId = run, Name = "done", IsSuccess = (day + team + call) % 4 != 0 });
                }
            }
        }

        return dir;
    }

    public static (int Code, string Output, string Error) Run(params string[] args) => CliFixture.Run(args);
}
