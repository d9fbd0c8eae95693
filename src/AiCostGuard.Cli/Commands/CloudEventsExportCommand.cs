using System.CommandLine;
using System.Globalization;

namespace AiCostGuard.Cli.Commands;

/// <summary>
/// <c>aicostguard export cloudevents --ledger F... [--out F|-] [--subject tenant] [--markup acme=1.2,...] [--source S] [--type T]</c>:
/// one CloudEvents 1.0 JSON event per call, for usage-based billing and chargeback.
/// </summary>
internal static class CloudEventsExportCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var ledger = new Option<string[]>("--ledger") { Description = "JSON Lines ledger files, or directories of them.", Required = true, AllowMultipleArgumentsPerToken = true };
        var outFile = new Option<string>("--out") { Description = "The file to write, one event per line; - for the terminal.", DefaultValueFactory = _ => "-" };
        var subject = new Option<string>("--subject") { Description = "The attribution dimension billed, written as each event's subject: tenant, team, feature, user, costCenter or environment.", DefaultValueFactory = _ => "tenant" };
        var markup = new Option<string?>("--markup") { Description = "Factors billed per subject, e.g. acme=1.2,globex=1.1; others are billed at cost." };
        var source = new Option<string>("--source") { Description = "The events' source, a URI reference.", DefaultValueFactory = _ => new CloudEventsExportOptions().Source };
        var type = new Option<string>("--type") { Description = "The events' type.", DefaultValueFactory = _ => new CloudEventsExportOptions().Type };
        var command = new Command("cloudevents", "Write one CloudEvents 1.0 JSON event per call (ids stable across runs), for OpenMeter, Lago and chargeback.")
        {
            ledger, outFile, subject, markup, source, type,
        };
        command.SetAction(result => CommandOutput.Run(error, () =>
        {
            var options = new CloudEventsExportOptions { Source = result.GetValue(source)!, Type = result.GetValue(type)!, Subject = Subject(result.GetValue(subject)!) };
            foreach ((string name, decimal factor) in Markup(result.GetValue(markup)))
            {
                options.Markup[name] = factor;
            }

            if (options.Validate() is { Count: > 0 } problems)
            {
                throw new CommandInputException(string.Join(" ", problems));
            }

            LedgerContents contents = LedgerGroups.Read(result.GetValue(ledger)!, error);
            string path = result.GetValue(outFile)!;
            if (path == "-")
            {
                CloudEventsExport.Write(contents.Calls, output, options);
                return 0;
            }

            int events;
            using (var writer = new StreamWriter(path))
            {
                events = CloudEventsExport.Write(contents.Calls, writer, options);
            }

            output.WriteLine($"Wrote {events} CloudEvents to {path}");
            return 0;
        }));
        return command;
    }

    private static AttributionDimensions Subject(string value) => value.Trim().ToLowerInvariant() switch
    {
        "tenant" => AttributionDimensions.Tenant,
        "team" => AttributionDimensions.Team,
        "feature" => AttributionDimensions.Feature,
        "user" => AttributionDimensions.User,
        "costcenter" => AttributionDimensions.CostCenter,
        "environment" => AttributionDimensions.Environment,
        _ => throw new CommandInputException($"--subject '{value}' is not one of tenant, team, feature, user, costCenter, environment."),
    };

    private static IEnumerable<(string Name, decimal Factor)> Markup(string? value)
    {
        foreach (string part in (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !decimal.TryParse(part[(equals + 1)..], NumberStyles.Number & ~NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out decimal factor))
            {
                throw new CommandInputException($"--markup '{part}' is not subject=factor, e.g. acme=1.2.");
            }

            yield return (part[..equals], factor);
        }
    }
}
