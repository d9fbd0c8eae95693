using System.Globalization;
using System.Text.Json;

namespace AiCostGuard.Cli.Commands;

/// <summary>The GPU pool part of <c>aicostguard report --pools</c>: each pool's cost, its consumers' allocation and its idle cost.</summary>
internal static class PoolReport
{
    public static void Table(IReadOnlyList<GpuPoolAllocation> pools, TextWriter w)
    {
        foreach (GpuPoolAllocation p in pools)
        {
            w.WriteLine();
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pool {p.Pool}: {M(p.Cost)} USD from {Day(p.Start)} to {Day(p.End.AddDays(-1))}, {p.Utilization:P1} of capacity used"));
            foreach (GpuPoolConsumer c in p.Consumers)
            {
                string key = c.Key.Count == 0 ? "all" : string.Join('|', c.Key.Select(k => $"{k.Key}={k.Value}"));
                w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {key}  {c.Calls} calls  {c.Tokens} tokens  {M(c.Cost)} USD"));
            }

            w.WriteLine($"  idle  {M(p.Idle)} USD");
        }
    }

    public static void Json(Utf8JsonWriter json, IReadOnlyList<GpuPoolAllocation> pools)
    {
        json.WriteStartArray("pools");
        foreach (GpuPoolAllocation p in pools)
        {
            json.WriteStartObject();
            json.WriteString("name", p.Pool);
            json.WriteString("start", Day(p.Start));
            json.WriteString("end", Day(p.End));
            json.WriteNumber("cost", LedgerGroups.Money(p.Cost));
            json.WriteNumber("capacityTokens", p.CapacityTokens);
            json.WriteNumber("utilization", p.Utilization);
            json.WriteStartArray("consumers");
            foreach (GpuPoolConsumer c in p.Consumers)
            {
                json.WriteStartObject();
                LedgerGroups.WriteKey(json, c.Key);
                json.WriteNumber("calls", c.Calls);
                json.WriteNumber("tokens", c.Tokens);
                json.WriteNumber("cost", LedgerGroups.Money(c.Cost));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteNumber("idle", LedgerGroups.Money(p.Idle));
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string M(decimal amount) => amount.ToString("0.00####", CultureInfo.InvariantCulture);
}
