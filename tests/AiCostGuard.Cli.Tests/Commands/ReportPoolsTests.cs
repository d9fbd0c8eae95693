using System.Text.Json;

namespace AiCostGuard.Cli.Tests.Commands;

public sealed class ReportPoolsTests
{
    private const string Pools = """
        { "pools": [
            { "name": "h100", "costPerHour": 2.5, "models": ["llama-3-70b", "qwen-2.5-72b"], "capacityTokensPerSecond": 1000 },
            { "name": "spare", "costPerHour": 1, "models": ["mistral-7b"], "capacityTokensPerSecond": 500 } ] }
        """;

    private static async Task<string> LedgerAsync()
    {
        var start = new DateTimeOffset(2026, 7, 20, 9, 0, 0, TimeSpan.Zero);
        (string Team, string Model, long Tokens, int Day)[] calls =
        [
            ("search", "llama-3-70b", 7_000_000, 0), ("search", "qwen-2.5-72b", 333_333, 1),
            ("support", "llama-3-70b", 2_500_001, 1), ("support", "gpt-4o", 10_000, 0),
        ];
        return await GeneratedLedgerFile.WriteAsync(calls.Select(c => new CostRecord
        {
            Timestamp = start.AddDays(c.Day),
            Attribution = new CostAttribution { Team = c.Team },
            ModelId = c.Model,
            InputTokens = c.Tokens - 1000,
            OutputTokens = 1000,
            Cost = c.Model == "gpt-4o" ? 0.05m : 0m,
            CostSource = c.Model == "gpt-4o" ? CostSource.ProviderReported : CostSource.Unpriced,
            Outcome = CallOutcome.Succeeded,
        }));
    }

    [Fact]
    public async Task Json_allocates_each_pool_to_its_consumers_and_allocation_plus_idle_is_the_pool_cost()
    {
        string ledger = await LedgerAsync();
        using var files = new CliFixture();

        (int code, string output, string error) = LedgerFixture.Run("report", "--ledger", ledger, "--by", "team", "--format", "json", "--pools", files.File("pools.json", Pools));

        Assert.Equal((0, string.Empty), (code, error));
        using JsonDocument doc = JsonDocument.Parse(output);
        JsonElement pool = Assert.Single(doc.RootElement.GetProperty("pools").EnumerateArray());
        Assert.Equal(("h100", "2026-07-20", "2026-07-22"), (pool.GetProperty("name").GetString(), pool.GetProperty("start").GetString(), pool.GetProperty("end").GetString()));

        // Two days at $2.50 an hour: $120 for 172.8 M tokens of capacity.
        decimal cost = pool.GetProperty("cost").GetDecimal();
        Assert.Equal(120m, cost);
        JsonElement[] consumers = [.. pool.GetProperty("consumers").EnumerateArray()];
        Assert.Equal(["search", "support"], consumers.Select(c => c.GetProperty("key").GetProperty("team").GetString()));
        Assert.Equal(7_333_333, consumers[0].GetProperty("tokens").GetInt64());
        Assert.Equal(cost, consumers.Sum(c => c.GetProperty("cost").GetDecimal()) + pool.GetProperty("idle").GetDecimal());
        // What its calls are charged at call time: its tokens at $2.50 / 3600 / 1000 a token, to 18 decimals.
        Assert.Equal(7_333_333 * 0.000000694444444444m, consumers[0].GetProperty("cost").GetDecimal());
    }

    [Fact]
    public async Task The_table_shows_each_pool_after_the_report_with_its_idle_cost()
    {
        string ledger = await LedgerAsync();
        using var files = new CliFixture();

        (int code, string output, _) = LedgerFixture.Run("report", "--ledger", ledger, "--by", "team", "--pools", files.File("pools.json", Pools));

        Assert.Equal(0, code);
        Assert.Contains("pool h100: 120.00 USD from 2026-07-20 to 2026-07-21, 5.7 % of capacity used", output.Replace('\u00a0', ' '), StringComparison.Ordinal);
        Assert.Contains("  team=search  2 calls  7333333 tokens  5.092592 USD", output, StringComparison.Ordinal);
        Assert.Matches(@"  idle  113\.\d+ USD", output);
    }

    [Theory]
    [InlineData("""[{"name": "a", "costPerHour": 1, "models": ["m"], "capacityTokensPerSecond": -5}]""", "pools.json: pools[0].capacityTokensPerSecond: -5 is not a positive number")]
    [InlineData("""[{"name": "a", "costPerHour": 1, "models": ["m"], "capacityTokensPerSecond": 5}, {"name": "b", "costPerHour": 1, "models": ["M"], "capacityTokensPerSecond": 5}]""", "pools.json: pools[1].models: 'M' is already served by pool 'a'")]
    [InlineData("""[{"name": "a", "costPerHour": "cheap", "models": ["m"], "capacityTokensPerSecond": 5}]""", "pools.json at $[0].costPerHour:")]
    [InlineData("""[{"name": "a", "costPerHour": 1, "model": ["m"], "capacityTokensPerSecond": 5}]""", "pools.json at $[0].model:")]
    [InlineData("""{"pools": [""", "pools.json")]
    public async Task A_malformed_pools_file_is_a_one_line_error_naming_the_field(string pools, string message)
    {
        string ledger = await LedgerAsync();
        using var files = new CliFixture();

        (int code, _, string error) = LedgerFixture.Run("report", "--ledger", ledger, "--pools", files.File("pools.json", pools));

        Assert.Equal(1, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Pools_with_csv_say_which_formats_carry_them()
    {
        string ledger = await LedgerAsync();
        using var files = new CliFixture();

        (int code, _, string error) = LedgerFixture.Run("report", "--ledger", ledger, "--format", "csv", "--pools", files.File("pools.json", Pools));

        Assert.Equal(1, code);
        Assert.Equal("error: --pools works with --format table, json or html.", error.Trim());
    }
}
