using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;

namespace AiCostGuard.Tests.Telemetry;

[CollectionDefinition(nameof(LedgerTotalsIsolation), DisableParallelization = true)]
public sealed class LedgerTotalsIsolation;

/// <summary>The ledger's health, observed by telemetry: the metrics keep their names and add up what every ledger counted.</summary>
[Collection(nameof(LedgerTotalsIsolation))]
public sealed partial class LedgerTelemetryTests
{
    private static long Observe(string instrument)
    {
        long total = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter.Name == CostGovernanceTelemetry.SourceName && i.Name == instrument)
            {
                l.EnableMeasurementEvents(i);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => total += value);
        listener.Start();
        listener.RecordObservableInstruments();
        return total;
    }

    [Fact]
    public async Task The_dropped_and_write_failure_metrics_count_what_the_ledger_counted()
    {
        _ = CostGovernanceTelemetry.Meter;
        long droppedBefore = Observe(CostGovernanceTelemetry.LedgerDroppedMetric);
        long failuresBefore = Observe(CostGovernanceTelemetry.LedgerWriteFailuresMetric);
        string blocked = Path.Combine(Directory.CreateTempSubdirectory("aicostguard-ledger-").FullName, "ledger");
        File.WriteAllText(blocked, "not a directory");
        var ledger = new JsonLinesCostLedger(new JsonLinesLedgerOptions { Directory = blocked });
        for (int i = 0; i < 11; i++)
        {
            ledger.Record(new CostRecord { Timestamp = DateTimeOffset.UnixEpoch, ModelId = "gpt-4o-mini" });
        }

        await ledger.DisposeAsync();

        Assert.Equal(11, ledger.DroppedRecords);
        Assert.Equal(ledger.DroppedRecords, Observe(CostGovernanceTelemetry.LedgerDroppedMetric) - droppedBefore);
        Assert.Equal(ledger.WriteFailures, Observe(CostGovernanceTelemetry.LedgerWriteFailuresMetric) - failuresBefore);
        Assert.True(ledger.WriteFailures >= 1);
    }

    [Fact]
    public void The_ledger_depends_on_no_telemetry_type()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "AiCostGuard.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("The repository root was not found above " + AppContext.BaseDirectory);
        }

        string[] telemetryTypes = [.. Directory.GetFiles(Path.Combine(root, "src", "AiCostGuard", "Telemetry"), "*.cs").Select(Path.GetFileNameWithoutExtension)!];
        string[] ledgerFiles = Directory.GetFiles(Path.Combine(root, "src", "AiCostGuard", "Ledger"), "*.cs");

        Assert.NotEmpty(telemetryTypes);
        Assert.NotEmpty(ledgerFiles);
        Assert.All(ledgerFiles, file =>
        {
            string code = File.ReadAllText(file);
            Assert.All(telemetryTypes, type => Assert.False(Regex.IsMatch(code, $@"\b{Regex.Escape(type!)}\b"), $"{Path.GetFileName(file)} uses {type}"));
        });
    }
}
