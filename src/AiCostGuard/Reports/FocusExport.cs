using System.Globalization;
using System.Text.Json;

namespace AiCostGuard;

/// <summary>
/// Writes call records as a FOCUS 1.2 (FinOps Open Cost and Usage Specification) cost and usage CSV, one row per call sent.
/// </summary>
/// <remarks>
/// <para>Every mandatory FOCUS 1.2 column is present and non-null except where the specification allows null
/// (<c>ChargeClass</c> is null for a regular charge). Each call is one <c>Usage</c> charge in the
/// <c>AI and Machine Learning</c> service category, priced per request: <c>PricingUnit</c> is <c>Requests</c>,
/// <c>PricingQuantity</c> 1 and <c>ListUnitPrice</c> the call's cost, so <c>ListCost</c> = <c>ListUnitPrice</c> ×
/// <c>PricingQuantity</c> holds exactly with the ledger's <see cref="decimal"/> cost; the tokens consumed are
/// <c>ConsumedQuantity</c> in <c>Tokens</c>. List, contracted, billed and effective cost are equal: the ledger prices at
/// list price with no commitment discount. The attribution travels in <c>Tags</c> as a JSON object; token counts,
/// cost source and decision in <c>x_</c> columns, as FOCUS allows custom columns. Cells are written by
/// <see cref="CsvCell"/>: a model id or tag that would start a spreadsheet formula is neutralized.</para>
/// <para>Refused calls cost nothing and are left out. Thread-safe: it keeps no state.</para>
/// </remarks>
public static class FocusExport
{
    /// <summary>The columns written, in order.</summary>
    public static IReadOnlyList<string> Columns { get; } =
    [
        "BilledCost", "BillingAccountId", "BillingAccountName", "BillingAccountType", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart",
        "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart",
        "ConsumedQuantity", "ConsumedUnit", "ContractedCost", "ContractedUnitPrice", "EffectiveCost", "InvoiceIssuerName",
        "ListCost", "ListUnitPrice", "PricingCategory", "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName",
        "ResourceId", "ResourceName", "ResourceType", "ServiceCategory", "ServiceName", "ServiceSubcategory",
        "SkuId", "SkuPriceId", "SubAccountId", "SubAccountName", "SubAccountType", "Tags",
        "x_InputTokens", "x_CachedInputTokens", "x_OutputTokens", "x_ReasoningTokens", "x_CostSource", "x_BudgetDecision", "x_RunId", "x_TraceId",
    ];

    /// <summary>Writes the header and one row per call sent.</summary>
    /// <param name="calls">The call records.</param>
    /// <param name="writer">Where the CSV goes.</param>
    /// <param name="billingAccountId">The <c>BillingAccountId</c>: the account the calls are billed to.</param>
    /// <returns>The number of rows written.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="billingAccountId"/> is empty.</exception>
    public static int Write(IEnumerable<CostRecord> calls, TextWriter writer, string billingAccountId = "aicostguard")
    {
        ArgumentNullException.ThrowIfNull(calls);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentException.ThrowIfNullOrWhiteSpace(billingAccountId);
        CsvCell.WriteRow(writer, Columns);
        int rows = 0;
        var fields = new string?[Columns.Count];
        foreach (CostRecord c in calls)
        {
            if (c.Outcome == CallOutcome.NotSent)
            {
                continue;
            }

            DateTime start = c.Timestamp.UtcDateTime;
            var month = new DateTime(start.Year, start.Month, 1, 0, 0, 0, DateTimeKind.Utc);

            // A charge period lies inside its billing period: a call that runs past midnight at the month's end is billed in the month it started.
            DateTime end = start + (c.Duration > TimeSpan.Zero ? c.Duration : TimeSpan.FromMilliseconds(1));
            end = end > month.AddMonths(1) ? month.AddMonths(1) : end;
            string provider = string.IsNullOrEmpty(c.Provider) ? "unknown" : c.Provider;
            string model = c.ModelId ?? "unknown";
            string cost = Money(c.Cost);
            int i = 0;
            fields[i++] = cost;
            fields[i++] = billingAccountId;
            fields[i++] = billingAccountId;
            fields[i++] = "AiCostGuard ledger";
            fields[i++] = "USD";
            fields[i++] = Time(month.AddMonths(1));
            fields[i++] = Time(month);
            fields[i++] = "Usage";
            fields[i++] = null;
            fields[i++] = string.Create(CultureInfo.InvariantCulture, $"{model}: {c.InputTokens} input tokens ({c.CachedInputTokens} cached), {c.OutputTokens} output tokens");
            fields[i++] = "Usage-Based";
            fields[i++] = Time(end);
            fields[i++] = Time(start);
            fields[i++] = (c.InputTokens + c.OutputTokens).ToString(CultureInfo.InvariantCulture);
            fields[i++] = "Tokens";
            fields[i++] = cost;
            fields[i++] = cost;
            fields[i++] = cost;
            fields[i++] = provider;
            fields[i++] = cost;
            fields[i++] = cost;
            fields[i++] = "Standard";
            fields[i++] = "1";
            fields[i++] = "Requests";
            fields[i++] = provider;
            fields[i++] = provider;
            fields[i++] = model;
            fields[i++] = model;
            fields[i++] = "Model";
            fields[i++] = "AI and Machine Learning";
            fields[i++] = provider + " models";
            fields[i++] = "Generative AI";
            fields[i++] = model;
            fields[i++] = model;
            fields[i++] = c.Attribution?.Tenant;
            fields[i++] = c.Attribution?.Tenant;
            fields[i++] = c.Attribution?.Tenant is null ? null : "Tenant";
            fields[i++] = Tags(c);
            fields[i++] = c.InputTokens.ToString(CultureInfo.InvariantCulture);
            fields[i++] = c.CachedInputTokens.ToString(CultureInfo.InvariantCulture);
            fields[i++] = c.OutputTokens.ToString(CultureInfo.InvariantCulture);
            fields[i++] = c.ReasoningTokens.ToString(CultureInfo.InvariantCulture);
            fields[i++] = RecordNames.Name(c.CostSource);
            fields[i++] = RecordNames.Name(c.Decision);
            fields[i++] = c.ScopeId;
            fields[i++] = c.TraceId == default ? null : c.TraceId.ToHexString();
            CsvCell.WriteRow(writer, fields);
            rows++;
        }

        return rows;
    }

    private static string Money(decimal value) => value.ToString("0.############################", CultureInfo.InvariantCulture);

    private static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Tags(in CostRecord c)
    {
        var tags = new SortedDictionary<string, string>(StringComparer.Ordinal);
        CostAttribution? a = c.Attribution;
        if (a is not null)
        {
            if (a.Tenant is not null) tags["tenant"] = a.Tenant;
            if (a.Team is not null) tags["team"] = a.Team;
            if (a.Feature is not null) tags["feature"] = a.Feature;
            if (a.User is not null) tags["user"] = a.User;
            if (a.CostCenter is not null) tags["costCenter"] = a.CostCenter;
            if (a.Environment is not null) tags["environment"] = a.Environment;
            foreach (KeyValuePair<string, string> tag in a.Tags)
            {
                tags.TryAdd(tag.Key, tag.Value);
            }
        }

        if (c.ScopeName is not null)
        {
            tags["run"] = c.ScopeName;
        }

        return JsonSerializer.Serialize(tags);
    }
}
