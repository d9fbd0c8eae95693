using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AiCostGuard.PostgreSql;
using Npgsql;

namespace AiCostGuard.Cli.Commands;

/// <summary>
/// <c>aicostguard writers --connection C [--schema S] [--journal DIR] [--json]</c>: every writer of the PostgreSQL ledger
/// with how many records it was handed, stored and lost, and the numbers of the lost ones. <c>--journal</c> first stores
/// the counts writers killed on this machine left in that hand-off journal directory. Exits 0 when no writer with a final
/// count lost a record, 3 when one did.
/// </summary>
internal static class WritersCommand
{
    private const int RecordsLost = 3;

    public static Command Create(TextWriter output, TextWriter error)
    {
        Option<string> connection = LedgerInput.ConnectionOption();
        connection.Required = true;
        Option<string> schema = LedgerInput.SchemaOption();
        var journal = new Option<string>("--journal") { Description = "A hand-off journal directory (the ledger's HandOffJournalDirectory): first store the counts of the writers killed on this machine." };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("writers", "The writers of the PostgreSQL ledger: records handed over, stored and lost (a killed or failing writer's), with the numbers of the lost ones.")
        {
            connection, schema, journal, json,
        };
        command.SetAction(result => CommandOutput.Run(error, () =>
        {
            string name = result.GetValue(schema)!;
            IReadOnlyList<PostgreSqlLedgerWriter> writers;
            int recovered = 0;
            try
            {
                using NpgsqlDataSource dataSource = NpgsqlDataSource.Create(result.GetValue(connection)!);
                if (result.GetValue(journal) is { } directory)
                {
                    recovered = PostgreSqlLedgerWriters.StoreDeadAsync(dataSource, name, directory).GetAwaiter().GetResult();
                }

                writers = PostgreSqlLedgerWriters.ReadAsync(dataSource, name).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or ArgumentException or TimeoutException or IOException or UnauthorizedAccessException)
            {
                throw new CommandInputException($"cannot read the writers of the PostgreSQL ledger: {e.Message}");
            }

            long lost = writers.Where(w => w.State != LedgerWriterState.Running).Sum(w => w.Missing);
            if (result.GetValue(json))
            {
                Json(writers, recovered, lost, output);
            }
            else
            {
                Text(writers, recovered, lost, output);
            }

            return lost == 0 ? 0 : RecordsLost;
        }));
        return command;
    }

    private static void Text(IReadOnlyList<PostgreSqlLedgerWriter> writers, int recovered, long lost, TextWriter w)
    {
        w.WriteLine("writer            host  pid  started  state  handed_off  stored  missing  missing_numbers");
        foreach (PostgreSqlLedgerWriter r in writers)
        {
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Writer}  {TerminalText.Clean(r.Host)}  {r.ProcessId}  {r.StartedAt:yyyy-MM-ddTHH:mm:ssZ}  {State(r.State)}  {r.HandedOff}  {r.Stored}  {r.Missing}  {Ranges(r.MissingRanges)}"));
        }

        long inFlight = writers.Where(r => r.State == LedgerWriterState.Running).Sum(r => r.Missing);
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{writers.Count} writers ({recovered} recovered from journals), {writers.Sum(r => r.HandedOff)} records handed over, {writers.Sum(r => r.Stored)} stored, {lost} lost, {inFlight} not yet stored by running writers"));
    }

    private static void Json(IReadOnlyList<PostgreSqlLedgerWriter> writers, int recovered, long lost, TextWriter w)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("recovered", recovered);
            json.WriteNumber("lost", lost);
            json.WriteStartArray("writers");
            foreach (PostgreSqlLedgerWriter r in writers)
            {
                json.WriteStartObject();
                json.WriteString("writer", r.Writer);
                json.WriteString("host", r.Host);
                json.WriteNumber("processId", r.ProcessId);
                json.WriteString("startedAt", r.StartedAt.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", CultureInfo.InvariantCulture));
                json.WriteString("state", State(r.State));
                json.WriteNumber("handedOff", r.HandedOff);
                json.WriteNumber("stored", r.Stored);
                json.WriteNumber("missing", r.Missing);
                json.WriteStartArray("missingRanges");
                foreach (LedgerSequenceRange range in r.MissingRanges)
                {
                    json.WriteStartObject();
                    json.WriteNumber("first", range.First);
                    json.WriteNumber("last", range.Last);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        w.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static string State(LedgerWriterState state) => state switch
    {
        LedgerWriterState.Running => "running",
        LedgerWriterState.Closed => "closed",
        LedgerWriterState.Killed => "killed",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown writer state."),
    };

    private static string Ranges(IReadOnlyList<LedgerSequenceRange> ranges) =>
        ranges.Count == 0 ? "-" : string.Join(',', ranges.Select(r => r.First == r.Last ? r.First.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{r.First}-{r.Last}")));
}
