namespace AiCostGuard;

/// <summary>How <see cref="CloudEventsExport"/> writes usage events: their source, type and subject, and the markup billed per subject.</summary>
public sealed class CloudEventsExportOptions
{
    /// <summary>Gets or sets the events' <c>source</c>: a URI reference naming the application, e.g. <c>//billing/myapp</c>.</summary>
    /// <value>The default value is <c>aicostguard</c>.</value>
    public string Source { get; set; } = "aicostguard";

    /// <summary>Gets or sets the events' <c>type</c>, which a metering service matches its meters on.</summary>
    /// <value>The default value is <c>com.aicostguard.model.call</c>.</value>
    public string Type { get; set; } = "com.aicostguard.model.call";

    /// <summary>Gets or sets the attribution dimension written as each event's <c>subject</c>: the customer billed. One dimension.</summary>
    /// <value>The default value is <see cref="AttributionDimensions.Tenant"/>; a call without it has the subject <c>unattributed</c>.</value>
    public AttributionDimensions Subject { get; set; } = AttributionDimensions.Tenant;

    /// <summary>Gets the factor each subject's cost is multiplied by for the billed amount, e.g. <c>1.2</c> for a 20 % markup (chargeback); subjects not listed are billed at cost (showback).</summary>
    public IDictionary<string, decimal> Markup { get; } = new Dictionary<string, decimal>(StringComparer.Ordinal);

    /// <summary>Lists what is wrong with these options.</summary>
    /// <returns>The problems, each naming its property; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Source))
        {
            problems.Add($"{nameof(Source)}: a source is required.");
        }

        if (string.IsNullOrWhiteSpace(Type))
        {
            problems.Add($"{nameof(Type)}: a type is required.");
        }

        if (Subject is not (AttributionDimensions.Tenant or AttributionDimensions.Team or AttributionDimensions.Feature or AttributionDimensions.User or AttributionDimensions.CostCenter or AttributionDimensions.Environment))
        {
            problems.Add($"{nameof(Subject)}: '{Subject}' is not one attribution dimension.");
        }

        foreach (KeyValuePair<string, decimal> markup in Markup)
        {
            if (markup.Value <= 0)
            {
                problems.Add($"{nameof(Markup)}[{markup.Key}]: {markup.Value} is not a positive factor.");
            }
        }

        return problems;
    }
}
