using System.CommandLine;
using System.Globalization;
using AiCostGuard.Redis;
using Microsoft.Extensions.Configuration;
using StackExchange.Redis;

namespace AiCostGuard.Cli.Commands;

/// <summary>
/// <c>aicostguard reconcile --redis R --settings appsettings.json --ledger F|--connection C --from D --to D [--repair]</c>:
/// compares the Redis period-budget counters with the ledger, window by window, and with <c>--repair</c> sets drifted
/// ones to the ledger's totals. Exits 0 when no drift is left, 3 when some is.
/// </summary>
internal static class ReconcileCommand
{
    private const int DriftLeft = 3;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var ledger = new LedgerInput();
        var redis = new Option<string>("--redis") { Description = "The StackExchange.Redis configuration of the budget store, e.g. localhost:6379.", Required = true };
        var prefix = new Option<string>("--key-prefix") { Description = "The store's key prefix.", DefaultValueFactory = _ => new RedisBudgetStoreOptions().KeyPrefix };
        var settings = new Option<FileInfo>("--settings") { Description = "The application's settings file; its AiCostGuard:PeriodBudgets section names the budgets.", Required = true };
        var from = new Option<string>("--from") { Description = "The start of the range (inclusive), an ISO 8601 date or time; UTC unless it says otherwise.", Required = true };
        var to = new Option<string>("--to") { Description = "The end of the range (exclusive).", Required = true };
        var repair = new Option<bool>("--repair") { Description = "Set drifted windows to the ledger's totals (idempotent; safe beside running processes)." };
        var command = new Command("reconcile", "Compare the Redis budget counters with the ledger, and repair them from it.") { redis, prefix, settings, from, to, repair };
        ledger.AddTo(command);
        command.SetAction(result => CommandOutput.Run(error, () =>
        {
            DateTimeOffset start = Time(result.GetValue(from)!, "--from");
            DateTimeOffset end = Time(result.GetValue(to)!, "--to");
            if (end <= start)
            {
                throw new CommandInputException("--to must be after --from.");
            }

            IReadOnlyList<PeriodBudgetOptions> budgets = Budgets(result.GetValue(settings)!);
            LedgerContents contents = ledger.Read(result, error);
            var options = new RedisBudgetStoreOptions { Configuration = result.GetValue(redis), KeyPrefix = result.GetValue(prefix)! };
            IReadOnlyList<BudgetWindowReconciliation> windows;
            try
            {
                var reconciler = new RedisBudgetReconciler(options, budgets);
                try
                {
                    windows = (result.GetValue(repair)
                        ? reconciler.RepairAsync(contents.Calls, start, end)
                        : reconciler.CompareAsync(contents.Calls, start, end)).GetAwaiter().GetResult();
                }
                finally
                {
                    reconciler.DisposeAsync().AsTask().GetAwaiter().GetResult();
                }
            }
            catch (Exception e) when (e is RedisException or TimeoutException or Microsoft.Extensions.Options.OptionsValidationException)
            {
                throw new CommandInputException($"cannot reconcile with Redis: {e.Message}");
            }

            int drifted = 0, left = 0;
            output.WriteLine("budget  key  start  ledger_usd  redis_usd  drift_usd  ledger_tokens  redis_tokens  repair");
            foreach (BudgetWindowReconciliation w in windows.Where(w => w.HasDrift))
            {
                drifted++;
                if (w.Repair is not (BudgetRepair.Repaired or BudgetRepair.AlreadyRepaired))
                {
                    left++;
                }

                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{w.Budget}  {w.Key}  {w.Start:yyyy-MM-ddTHH:mm:ssZ}  {w.Ledger.Cost}  {w.Redis.Cost}  {w.Drift.Cost}  {w.Ledger.TotalTokens}  {w.Redis.TotalTokens}  {w.Repair}"));
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{windows.Count} windows compared, {drifted} drifted, {drifted - left} repaired, {left} left"));
            return left == 0 ? 0 : DriftLeft;
        }));
        return command;
    }

    private static DateTimeOffset Time(string value, string option) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset time)
            ? time
            : throw new CommandInputException($"{option} '{value}' is not an ISO 8601 date or time.");

    private static List<PeriodBudgetOptions> Budgets(FileInfo file)
    {
        if (!file.Exists)
        {
            throw new CommandInputException($"no settings file at '{file.FullName}'.");
        }

        IConfigurationSection section;
        try
        {
            section = new ConfigurationBuilder().AddJsonFile(file.FullName, optional: false).Build().GetSection("AiCostGuard:PeriodBudgets");
        }
        catch (FormatException e)
        {
            throw new CommandInputException($"'{file.FullName}' is not valid JSON: {e.Message}");
        }

        var budgets = new List<PeriodBudgetOptions>();
        try
        {
            section.Bind(budgets, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            // Binding a list wraps the error that names the key.
            throw new CommandInputException($"AiCostGuard:PeriodBudgets in '{file.FullName}': {(e.InnerException ?? e).Message}");
        }

        return budgets.Count > 0 ? budgets : throw new CommandInputException($"'{file.FullName}' has no AiCostGuard:PeriodBudgets to reconcile.");
    }
}
