using System.Collections;
using System.Globalization;
using System.Reflection;
using AiCostGuard.PostgreSql.Tests.Infrastructure;
using Npgsql;

namespace AiCostGuard.PostgreSql.Tests;

/// <summary>
/// Every public property of <see cref="CostRecord"/>, <see cref="OutcomeRecord"/> and <see cref="EnvelopeStep"/> comes back
/// from PostgreSQL as it was written, found by reflection: a field added to a record and not stored (or not varied by
/// <see cref="Records"/>) fails here.
/// </summary>
public sealed class LedgerRecordRoundTripTests(PostgreSqlServer server) : IClassFixture<PostgreSqlServer>
{
    [Fact]
    public async Task Every_public_property_of_a_call_an_outcome_and_an_envelope_step_is_stored_and_read_back_exactly()
    {
        string connection = await server.CreateDatabaseAsync();
        CostRecord[] calls = [.. Enumerable.Range(0, 120).Select(i => Records.Call(i))];
        OutcomeRecord[] outcomes = [.. Enumerable.Range(0, 30).Select(Records.Outcome)];
        EnvelopeStep[] steps = [.. Enumerable.Range(0, 30).Select(Records.Step)];

        // One batch, so that rows read back in the order written.
        await using (var ledger = new PostgreSqlCostLedger(new PostgreSqlLedgerOptions { ConnectionString = connection, MaximumConcurrentBatches = 1 }))
        {
            foreach (CostRecord call in calls)
            {
                ledger.Record(call);
            }

            foreach (OutcomeRecord outcome in outcomes)
            {
                ledger.Record(outcome);
            }

            foreach (EnvelopeStep step in steps)
            {
                ledger.Record(step);
            }
        }

        await using var dataSource = NpgsqlDataSource.Create(connection);
        LedgerContents read = await PostgreSqlLedgerReader.ReadAsync(dataSource);

        Assert.Empty(read.SkippedLines);
        List<string> problems = [.. Problems(calls, read.Calls), .. Problems(outcomes, read.Outcomes), .. Problems(steps, read.EnvelopeSteps)];
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    /// <summary>Every public property of <typeparamref name="T"/> that the written records vary and the read ones do not hold as written.</summary>
    private static IEnumerable<string> Problems<T>(IReadOnlyList<T> written, IReadOnlyList<T> read)
    {
        string type = typeof(T).Name;
        if (written.Count != read.Count)
        {
            yield return $"{type}: wrote {written.Count}, read {read.Count}";
            yield break;
        }

        foreach (PropertyInfo property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            // A property the test records leave at one value would read back equal even if it were never stored.
            string[] values = [.. written.Select(c => Canonical(property.GetValue(c))).Distinct(StringComparer.Ordinal)];
            if (values.Length < 2)
            {
                yield return $"{type}.{property.Name}: the test records give it only the value {values.Single()}; vary it (Records) so the round trip covers it";
                continue;
            }

            if ((Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType) is { IsEnum: true } enumType)
            {
                string[] members = [.. Enum.GetValues(enumType).Cast<object>().Select(Canonical).Except(values, StringComparer.Ordinal)];
                if (members.Length > 0)
                {
                    yield return $"{type}.{property.Name}: the test records never set {string.Join(", ", members)}";
                }
            }

            for (int i = 0; i < written.Count; i++)
            {
                string expected = Canonical(property.GetValue(written[i])), actual = Canonical(property.GetValue(read[i]));
                if (expected != actual)
                {
                    yield return $"{type}.{property.Name} of record {i}: wrote {expected}, read {actual}";
                    break;
                }
            }
        }
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
