using System.CommandLine;
using AiCostGuard.PostgreSql;
using Npgsql;

namespace AiCostGuard.Cli;

/// <summary>
/// Where a ledger command reads its records: <c>--ledger</c> (JSON Lines files) or <c>--connection</c> (the PostgreSQL
/// ledger, in <c>--schema</c>). Either gives the same <see cref="LedgerContents"/>, so every report reads the same from both.
/// </summary>
internal sealed class LedgerSource
{
    private readonly Option<string?> _files = new("--ledger") { Description = "A JSON Lines ledger file, or a directory of them." };
    private readonly Option<string?> _connection = new("--connection") { Description = "An Npgsql connection string (\"Host=...;Database=...\"): read the PostgreSQL ledger instead of files." };
    private readonly Option<string> _schema = new("--schema") { Description = "The PostgreSQL schema of the ledger (with --connection).", DefaultValueFactory = _ => "aicostguard" };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_files);
        command.Options.Add(_connection);
        command.Options.Add(_schema);
    }

    /// <summary>Reads the records, with a one-line <see cref="CliException"/> for a missing source, an unreachable database or an empty ledger.</summary>
    public LedgerContents Read(ParseResult result)
    {
        string? files = result.GetValue(_files);
        string? connection = result.GetValue(_connection);
        if ((files is null) == (connection is null))
        {
            throw new CliException("give either --ledger (JSON Lines files) or --connection (a PostgreSQL ledger).");
        }

        if (files is not null)
        {
            return CliErrors.ReadLedger(files);
        }

        string schema = result.GetValue(_schema)!;
        LedgerContents contents;
        try
        {
            using NpgsqlDataSource dataSource = NpgsqlDataSource.Create(connection!);
            contents = PostgreSqlLedgerReader.ReadAsync(dataSource, schema).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or ArgumentException or TimeoutException)
        {
            throw new CliException($"cannot read the PostgreSQL ledger: {e.Message}");
        }

        if (contents.Calls.Count == 0 && contents.Outcomes.Count == 0)
        {
            throw new CliException($"the PostgreSQL ledger in schema '{schema}' holds no record.");
        }

        return contents;
    }
}
