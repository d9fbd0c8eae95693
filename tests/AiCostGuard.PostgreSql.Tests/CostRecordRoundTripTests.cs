using System.Collections;
using System.Globalization;
using System.Reflection;
using AiCostGuard.PostgreSql.Tests.Infrastructure;
using Npgsql;

namespace AiCostGuard.PostgreSql.Tests;

/// <summary>
/// Every public property of <see cref="CostRecord"/> comes back from PostgreSQL as it was written, found by reflection:
/// a field added to the record and not stored (or not set by <see cref="Records.Call"/>) fails here.
/// </summary>
public sealed class CostRecordRoundTripTests(PostgreSqlServer server) : IClassFixture<PostgreSqlServer>
{
    private static readonly PropertyInfo[] Properties = typeof(CostRecord).GetProperties(BindingFlags.Public | BindingFlags.Instance);

    [Fact]
    public async Task Every_public_property_of_a_call_is_stored_and_read_back_exactly()
    {
        string connection = await server.CreateDatabaseAsync();
        CostRecord[] written = [.. Enumerable.Range(0, 120).Select(i => Records.Call(i))];
        await using (var ledger = new PostgreSqlCostLedger(new PostgreSqlLedgerOptions { ConnectionString = connection, MaximumConcurrentBatches = 1 }))
        {
            foreach (CostRecord call in written)
            {
                ledger.Record(call);
            }
        }

        await using var dataSource = NpgsqlDataSource.Create(connection);
        LedgerContents read = await PostgreSqlLedgerReader.ReadAsync(dataSource);

        Assert.Empty(read.SkippedLines);
        Assert.Equal(written.Length, read.Calls.Count);
        var problems = new List<string>();
        foreach (PropertyInfo property in Properties)
        {
            // A property the test records leave at one value would read back equal even if it were never stored.
            string[] values = [.. written.Select(c => Canonical(property.GetValue(c))).Distinct(StringComparer.Ordinal)];
            if (values.Length < 2)
            {
                problems.Add($"{property.Name}: Records.Call gives it only the value {values.Single()}; vary it so the round trip covers it");
                continue;
            }

            if ((Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType) is { IsEnum: true } enumType)
            {
                string[] members = [.. Enum.GetValues(enumType).Cast<object>().Select(Canonical).Except(values, StringComparer.Ordinal)];
                if (members.Length > 0)
                {
                    problems.Add($"{property.Name}: Records.Call never sets {string.Join(", ", members)}");
                }
            }

            for (int i = 0; i < written.Length; i++)
            {
                string expected = Canonical(property.GetValue(written[i])), actual = Canonical(property.GetValue(read.Calls[i]));
                if (expected != actual)
                {
                    problems.Add($"{property.Name} of call {i}: wrote {expected}, read {actual}");
                    break;
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void The_canonical_form_tells_apart_what_equality_does_not()
    {
        // decimal equality ignores the scale; the ledger keeps it (1.10 stays 1.10).
        Assert.NotEqual(Canonical(1.1m), Canonical(1.10m));
        Assert.NotEqual(Canonical(new CostParts(1.1m, 0m, 0m, 0m, 0m, 0m, 0m)), Canonical(new CostParts(1.10m, 0m, 0m, 0m, 0m, 0m, 0m)));
        Assert.NotEqual(Canonical(new CostAttribution { Tags = new Dictionary<string, string> { ["a"] = "1" } }), Canonical(new CostAttribution { Tags = new Dictionary<string, string> { ["a"] = "2" } }));
        Assert.NotEqual(Canonical((decimal?)null), Canonical(0m));
    }

    /// <summary>A value as text that differs whenever what the ledger must keep differs: decimals with their scale, objects by their public properties.</summary>
    private static string Canonical(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        decimal d => d.ToString(CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToString("O", CultureInfo.InvariantCulture),
        IFormattable f when value.GetType().IsPrimitive || value.GetType().IsEnum || value is TimeSpan => f.ToString(null, CultureInfo.InvariantCulture),
        IDictionary dictionary => "{" + string.Join(", ", dictionary.Keys.Cast<object>().Select(k => Canonical(k) + ": " + Canonical(dictionary[k])).Order(StringComparer.Ordinal)) + "}",
        IEnumerable<KeyValuePair<string, string>> pairs => "{" + string.Join(", ", pairs.Select(p => Canonical(p.Key) + ": " + Canonical(p.Value)).Order(StringComparer.Ordinal)) + "}",
        _ when value.GetType().Namespace is "AiCostGuard" => value.GetType().Name + "(" + string.Join(", ", value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).Select(p => p.Name + "=" + Canonical(p.GetValue(value)))) + ")",
        _ => value.ToString() ?? "null",
    };
}
