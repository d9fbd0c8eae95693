using System.Globalization;
using AiCostGuard.PostgreSql.Tests.Infrastructure;
using AiCostGuard.Tests.Shared;

namespace AiCostGuard.PostgreSql.Tests;

/// <summary><c>aicostguard report|export|forecast|anomalies --connection</c> gives the same answers from PostgreSQL as <c>--ledger</c> from files, on the same records.</summary>
public sealed class CliTests(PostgreSqlServer server) : IClassFixture<PostgreSqlServer>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("aicostguard-pg-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Writes the same records to a JSON Lines ledger and to PostgreSQL; returns the file ledger's directory and the database's connection string.</summary>
    private async Task<(string Files, string Connection)> WriteBothAsync()
    {
        string files = Path.Combine(_folder, "ledger");
        string connection = await server.CreateDatabaseAsync();
        var start = new DateTimeOffset(2026, 7, 20, 9, 0, 0, TimeSpan.Zero);
        string[] teams = ["search", "support", "finance"];
        string[] models = ["gpt-4o-mini", "gpt-4o", "claude-sonnet-4-5"];
        await using (var file = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = files }))
        await using (var database = new PostgreSqlCostLedger(new PostgreSqlLedgerOptions { ConnectionString = connection }))
        {
            var both = new CompositeCostLedger(file, database);
            for (int i = 0; i < 400; i++)
            {
                string run = "run-" + (i / 4).ToString(CultureInfo.InvariantCulture);
                both.Record(new CostRecord
                {
                    Timestamp = start.AddMinutes(i * 37).AddTicks(i * 10),
                    Duration = TimeSpan.FromMilliseconds(100 + i),
                    Attribution = new CostAttribution { Team = teams[i % 3], Feature = "f" + (i % 5).ToString(CultureInfo.InvariantCulture), Tags = i % 7 == 0 ? new Dictionary<string, string> { ["region"] = "eu" } : new Dictionary<string, string>() },
                    ScopeName = "job",
                    ScopeId = run,
                    ModelId = models[i % 3],
                    Provider = "openai",
                    InputTokens = 1000 + i,
                    CachedInputTokens = i,
                    OutputTokens = 200 + i,
                    ReasoningTokens = i % 11,
                    EstimatedInputTokens = 990 + i,
                    Cost = 0.0000125m * (i + 1),

                    // Most calls itemized as the pipeline prices them (parts adding up to the cost), some priced whole, one with a remainder.
                    CostParts = i % 6 == 5 ? null : new CostParts(0.0000100m * (i + 1), 0.0000020m * (i + 1), i == 8 ? 0.0000001m : 0m, 0.0000005m * (i + 1), 0m, 0m, i % 9 == 0 ? 0.00001m : 0m),
                    CacheWriteTokens = i == 8 ? 10 : 0,
                    CostSource = i % 10 == 0 ? CostSource.Estimated : CostSource.ProviderReported,
                    Decision = i % 13 == 0 ? BudgetDecision.Rejected : i % 17 == 3 ? BudgetDecision.Denied : i % 5 == 1 ? BudgetDecision.TierReached : BudgetDecision.Allowed,
                    Outcome = i % 13 == 0 || i % 17 == 3 ? CallOutcome.NotSent : CallOutcome.Succeeded,
                    PolicyName = i % 17 == 3 ? "eu-data-stays-in-eu" : null,
                    BudgetTier = i % 5 == 1 ? "team-monthly@" + (i % 3 == 0 ? "80" : "95") : null,
                    Kind = i % 6 == 2 ? CallKind.Embedding : CallKind.Chat,

                    // Every eighth call answered by a response cache: what it would have cost, in the report's cache savings.
                    AvoidedCost = i % 8 == 7 ? 0.000420m * (i + 1) : null,
                });
                if (i % 50 == 0)
                {
                    both.Record(new EnvelopeStep("daily", "team=" + teams[i % 3], start.AddMinutes(i * 37), (EnvelopeChange)(i / 50 % 5), 5.00m + (0.10m * i), 0.0000125m * i, i / 4, i == 0 ? null : 0.0000125m * i / (i / 4)));
                }

                if (i % 4 == 3)
                {
                    both.Record(new OutcomeRecord { Timestamp = start.AddMinutes(i * 37), ScopeId = run, ScopeName = "job", Name = "done", IsSuccess = i % 3 != 0, Value = i % 2 == 0 ? 1.5m : null, Attribution = new CostAttribution { Team = teams[i % 3] } });
                }
            }
        }

        return (files, connection);
    }

    [Theory]
    [InlineData("team,feature", "table")]
    [InlineData("model,day", "csv")]
    [InlineData("team,model,day", "json")]
    public async Task Report_from_PostgreSQL_equals_report_from_files(string by, string format)
    {
        (string files, string connection) = await WriteBothAsync();

        var fromFiles = await Cli.RunAsync("report", "--ledger", files, "--by", by, "--format", format);
        var fromDatabase = await Cli.RunAsync("report", "--connection", connection, "--by", by, "--format", format);

        Assert.Equal((0, string.Empty), (fromFiles.Code, fromFiles.Error));
        Assert.Equal((0, string.Empty), (fromDatabase.Code, fromDatabase.Error));
        Assert.True(fromFiles.Output.Split('\n').Length > 5, fromFiles.Output);
        Assert.Equal(fromFiles.Output, fromDatabase.Output);
    }

    [Fact]
    public async Task The_records_read_from_PostgreSQL_equal_those_read_from_files_policies_tiers_embeddings_and_cache_savings_included()
    {
        (string files, string connection) = await WriteBothAsync();
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(connection);

        LedgerContents fromFiles = CostLedgerReader.Read(files);
        LedgerContents fromDatabase = await PostgreSqlLedgerReader.ReadAsync(dataSource);

        Assert.Equal(fromFiles.Calls, fromDatabase.Calls);
        Assert.Contains(fromDatabase.Calls, c => c.PolicyName is not null);
        Assert.Contains(fromDatabase.Calls, c => c.BudgetTier is not null);
        Assert.Contains(fromDatabase.Calls, c => c.Kind == CallKind.Embedding);
        Assert.Contains(fromDatabase.Calls, c => c.AvoidedCost is not null);
    }

    [Fact]
    public async Task Cache_savings_in_the_report_from_PostgreSQL_equal_those_from_files()
    {
        (string files, string connection) = await WriteBothAsync();

        var fromFiles = await Cli.RunAsync("report", "--ledger", files, "--by", "team", "--format", "json");
        var fromDatabase = await Cli.RunAsync("report", "--connection", connection, "--by", "team", "--format", "json");

        Assert.Equal((0, 0), (fromFiles.Code, fromDatabase.Code));
        using var report = System.Text.Json.JsonDocument.Parse(fromFiles.Output);
        decimal savings = report.RootElement.GetProperty("total").GetProperty("cacheSavingsUsd").GetDecimal();

        // The calls answered from the cache, sent ones only: i % 8 == 7, neither refused (i % 13 == 0) nor denied (i % 17 == 3).
        decimal expected = Enumerable.Range(0, 400).Where(i => i % 8 == 7 && i % 13 != 0 && i % 17 != 3).Sum(i => 0.000420m * (i + 1));
        Assert.Equal(expected, savings);
        Assert.Equal(fromFiles.Output, fromDatabase.Output);
    }

    [Fact]
    public async Task Focus_export_from_PostgreSQL_equals_the_export_from_files()
    {
        (string files, string connection) = await WriteBothAsync();
        string fileCsv = Path.Combine(_folder, "files.csv"), databaseCsv = Path.Combine(_folder, "database.csv");

        var fromFiles = await Cli.RunAsync("export", "focus", "--ledger", files, "--out", fileCsv);
        var fromDatabase = await Cli.RunAsync("export", "focus", "--connection", connection, "--out", databaseCsv);

        Assert.Equal(0, fromFiles.Code);
        Assert.Equal(0, fromDatabase.Code);

        // A header, then one row per charge of each call sent (54 of the 400 were refused or denied unsent): the itemized calls
        // have a row per kind of token, the calls priced whole one row.
        string[] rows = File.ReadAllLines(fileCsv);
        Assert.True(rows.Length > 1 + (2 * 346), $"{rows.Length} rows");
        Assert.Contains(rows, r => r.Contains("Cached Input Tokens", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("Request Fee", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("Unitemized", StringComparison.Ordinal));
        Assert.Equal(File.ReadAllText(fileCsv), File.ReadAllText(databaseCsv));
    }

    [Fact]
    public async Task The_html_report_from_PostgreSQL_shows_the_envelope_steps_the_files_show()
    {
        (string files, string connection) = await WriteBothAsync();
        string fileHtml = Path.Combine(_folder, "files.html"), databaseHtml = Path.Combine(_folder, "database.html");

        var fromFiles = await Cli.RunAsync("report", "--ledger", files, "--format", "html", "--out", fileHtml);
        var fromDatabase = await Cli.RunAsync("report", "--connection", connection, "--format", "html", "--out", databaseHtml);

        Assert.Equal((0, string.Empty), (fromFiles.Code, fromFiles.Error));
        Assert.Equal((0, string.Empty), (fromDatabase.Code, fromDatabase.Error));
        string html = File.ReadAllText(fileHtml);
        Assert.Contains("reached the cap", html, StringComparison.Ordinal);
        Assert.Contains("team=support", html, StringComparison.Ordinal);
        Assert.Equal(html, File.ReadAllText(databaseHtml));
    }

    /// <summary>Writes 60 days of generated spend for two teams, a spike on day 45 for one, to a JSON Lines ledger and to PostgreSQL.</summary>
    private async Task<(string Files, string Connection)> WriteHistoryAsync()
    {
        string files = Path.Combine(_folder, "history");
        string connection = await server.CreateDatabaseAsync();
        await using (var file = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = files }))
        await using (var database = new PostgreSqlCostLedger(new PostgreSqlLedgerOptions { ConnectionString = connection }))
        {
            var both = new CompositeCostLedger(file, database);
            foreach (CostRecord call in GeneratedLedger.Calls(seed: 7, team: "search", spike: d => d == 45 ? 6 : 1).Concat(GeneratedLedger.Calls(seed: 8, level: 5, team: "support")))
            {
                both.Record(call);
            }
        }

        return (files, connection);
    }

    [Theory]
    [InlineData("forecast", "--by", "team", "--horizon", "10", "--json")]
    [InlineData("forecast", "--as-of", "2026-04-20")]
    [InlineData("anomalies", "--by", "team", "--json")]
    [InlineData("anomalies", "--threshold", "3")]
    public async Task Forecast_and_anomalies_from_PostgreSQL_equal_those_from_files(params string[] args)
    {
        (string files, string connection) = await WriteHistoryAsync();

        var fromFiles = await Cli.RunAsync([args[0], "--ledger", files, .. args[1..]]);
        var fromDatabase = await Cli.RunAsync([args[0], "--connection", connection, .. args[1..]]);

        Assert.Equal((0, string.Empty), (fromFiles.Code, fromFiles.Error));
        Assert.Equal((0, string.Empty), (fromDatabase.Code, fromDatabase.Error));
        Assert.Matches(@"2026-0[45]-\d\d", fromFiles.Output);
        Assert.Equal(fromFiles.Output, fromDatabase.Output);
    }

    [Fact]
    public async Task Anomalies_from_PostgreSQL_find_the_spike_the_files_hold()
    {
        (_, string connection) = await WriteHistoryAsync();

        var result = await Cli.RunAsync("anomalies", "--connection", connection, "--by", "team");

        Assert.Equal(0, result.Code);
        Assert.StartsWith("2026-04-16  team=search  ", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("forecast")]
    [InlineData("anomalies")]
    public async Task Forecast_and_anomalies_take_either_files_or_a_connection_and_name_a_database_that_cannot_be_read(string command)
    {
        var neither = await Cli.RunAsync(command);
        var both = await Cli.RunAsync(command, "--ledger", _folder, "--connection", "Host=x");
        var unreachable = await Cli.RunAsync(command, "--connection", "Host=127.0.0.1;Port=1;Database=none;Timeout=2");

        Assert.All([neither, both], r => Assert.Equal((1, true), (r.Code, r.Error.Contains("give either --ledger", StringComparison.Ordinal))));
        Assert.Equal(1, unreachable.Code);
        Assert.Contains("cannot read the PostgreSQL ledger", unreachable.Error, StringComparison.Ordinal);
        Assert.Single(unreachable.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("--connection", "Host=127.0.0.1;Port=1;Database=none;Timeout=2", "cannot read the PostgreSQL ledger")]
    [InlineData("--connection", "Hots=nowhere", "cannot read the PostgreSQL ledger")]
    public async Task A_database_that_cannot_be_read_is_a_one_line_error(string option, string value, string message)
    {
        var result = await Cli.RunAsync("report", option, value);

        Assert.Equal(1, result.Code);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Neither_or_both_sources_is_a_one_line_error()
    {
        var neither = await Cli.RunAsync("report");
        var both = await Cli.RunAsync("report", "--ledger", _folder, "--connection", "Host=x");

        Assert.All([neither, both], r => Assert.Equal(1, r.Code));
        Assert.All([neither, both], r => Assert.Contains("give either --ledger", r.Error, StringComparison.Ordinal));
    }
}
