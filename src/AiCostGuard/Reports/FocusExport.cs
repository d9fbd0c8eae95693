using System.Globalization;
using System.Text.Json;

namespace AiCostGuard;

/// <summary>
/// Writes call records as a FOCUS 1.2 (FinOps Open Cost and Usage Specification) cost and usage CSV, one row per charge:
/// each kind of token a call paid for is its own row.
/// </summary>
/// <remarks>
/// <para>Every mandatory FOCUS 1.2 column is present and non-null except where the specification allows null
/// (<c>ChargeClass</c> is null for a regular charge). Each row is a <c>Usage</c> charge in the
/// <c>AI and Machine Learning</c> service category.</para>
/// <para>A call's cost is itemized from its <see cref="CostRecord.CostParts"/>, one row per record and kind of token
/// that was consumed or charged (per record rather than per hour, so a row still carries its call's attribution, run and
/// trace): <c>Input Tokens</c> (neither read from nor written to the cache), <c>Cached Input Tokens</c>,
/// <c>Cache Write Tokens</c>, <c>Output Tokens</c> (reasoning excluded) and <c>Reasoning Tokens</c> in
/// <c>SkuMeter</c>, with <c>ConsumedQuantity</c> that kind's tokens in <c>Tokens</c>, <c>PricingUnit</c>
/// <c>1000000 Tokens</c>, <c>PricingQuantity</c> the tokens in millions and <c>ListUnitPrice</c> the rate per million
/// applied. <c>SkuPriceId</c> is <c>model/kind/rate</c>, so one price id has one unit price, and
/// <c>ListCost</c> = <c>ListUnitPrice</c> × <c>PricingQuantity</c> holds exactly with the ledger's <see cref="decimal"/>
/// amounts. A part that is not tokens at an exact rate per million — a request fee, audio and image tokens (which the
/// record does not count by kind), cache writes whose blend of 5-minute and 1-hour rates is no exact rate — is priced
/// per request (<c>PricingUnit</c> <c>Requests</c>, quantity 1, <c>SkuPriceId</c> ending in that amount).</para>
/// <para>The rows of a call add up to exactly its cost: should the parts and the cost disagree, the difference is a
/// <c>Unitemized</c> row priced per request. A call priced as a whole (unpriced, a worst case charged when settling
/// failed, or recorded before parts were kept) is one <c>Tokens</c> row priced per request.</para>
/// <para>List, contracted, billed and effective cost are equal: the ledger prices at list price with no commitment
/// discount. The attribution travels in <c>Tags</c> as a JSON object; the call's own token counts, cost source and
/// decision in <c>x_</c> columns (repeated on each row of the call), as FOCUS allows custom columns. Cells are written
/// by <see cref="CsvCell"/>: a model id or tag that would start a spreadsheet formula is neutralized.</para>
/// <para>Refused calls cost nothing and are left out. Thread-safe: it keeps no state.</para>
/// </remarks>
public static class FocusExport
{
    private const decimal TokensPerPricingUnit = 1_000_000m;

    /// <summary>The columns written, in order.</summary>
    public static IReadOnlyList<string> Columns { get; } =
    [
        "BilledCost", "BillingAccountId", "BillingAccountName", "BillingAccountType", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart",
        "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart",
        "ConsumedQuantity", "ConsumedUnit", "ContractedCost", "ContractedUnitPrice", "EffectiveCost", "InvoiceIssuerName",
        "ListCost", "ListUnitPrice", "PricingCategory", "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName",
        "ResourceId", "ResourceName", "ResourceType", "ServiceCategory", "ServiceName", "ServiceSubcategory",
        "SkuId", "SkuMeter", "SkuPriceId", "SubAccountId", "SubAccountName", "SubAccountType", "Tags",
        "x_InputTokens", "x_CachedInputTokens", "x_OutputTokens", "x_ReasoningTokens", "x_CostSource", "x_BudgetDecision", "x_RunId", "x_TraceId",
    ];

    /// <summary>Writes the header and one row per charge of each call sent.</summary>
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
        var charges = new List<FocusCharge>(6);
        foreach (CostRecord c in calls)
        {
            if (c.Outcome == CallOutcome.NotSent)
            {
                continue;
            }

            FocusCharge.Itemize(in c, charges);
            foreach (FocusCharge charge in charges)
            {
                Fill(fields, in c, charge, billingAccountId);
                CsvCell.WriteRow(writer, fields);
                rows++;
            }
        }

        return rows;
    }

    private static void Fill(string?[] fields, in CostRecord c, FocusCharge charge, string billingAccountId)
    {
        DateTime start = c.Timestamp.UtcDateTime;
        var month = new DateTime(start.Year, start.Month, 1, 0, 0, 0, DateTimeKind.Utc);

        // A charge period lies inside its billing period: a call that runs past midnight at the month's end is billed in the month it started.
        DateTime end = start + (c.Duration > TimeSpan.Zero ? c.Duration : TimeSpan.FromMilliseconds(1));
        end = end > month.AddMonths(1) ? month.AddMonths(1) : end;
        string provider = string.IsNullOrEmpty(c.Provider) ? "unknown" : c.Provider;
        string model = c.ModelId ?? "unknown";
        string cost = Money(charge.Cost);
        bool perToken = charge.UnitPrice is not null;
        string unitPrice = Money(charge.UnitPrice ?? charge.Cost);
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
        fields[i++] = charge.Kind == FocusCharge.WholeCall
            ? string.Create(CultureInfo.InvariantCulture, $"{model}: {c.InputTokens} input tokens ({c.CachedInputTokens} cached), {c.OutputTokens} output tokens")
            : string.Create(CultureInfo.InvariantCulture, $"{model}: {charge.Meter}, {charge.Quantity} {charge.Unit}");
        fields[i++] = "Usage-Based";
        fields[i++] = Time(end);
        fields[i++] = Time(start);
        fields[i++] = charge.Quantity.ToString(CultureInfo.InvariantCulture);
        fields[i++] = charge.Unit;
        fields[i++] = cost;
        fields[i++] = unitPrice;
        fields[i++] = cost;
        fields[i++] = provider;
        fields[i++] = cost;
        fields[i++] = unitPrice;
        fields[i++] = "Standard";
        fields[i++] = perToken ? Money(charge.Quantity / TokensPerPricingUnit) : "1";
        fields[i++] = perToken ? "1000000 Tokens" : "Requests";
        fields[i++] = provider;
        fields[i++] = provider;
        fields[i++] = model;
        fields[i++] = model;
        fields[i++] = "Model";
        fields[i++] = "AI and Machine Learning";
        fields[i++] = provider + " models";
        fields[i++] = "Generative AI";
        fields[i++] = model;
        fields[i++] = charge.Meter;
        fields[i++] = string.Create(CultureInfo.InvariantCulture, $"{model}/{charge.Kind}/{unitPrice}");
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
        fields[i] = c.TraceId == default ? null : c.TraceId.ToHexString();
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

        return JsonSerializer.Serialize(tags, ReportJsonContext.Default.SortedDictionaryStringString);
    }
}
