using System.Text;

namespace AiCostGuard;

/// <summary>Builds the key a period budget or velocity rule keeps an attribution's spend under.</summary>
internal static class AttributionKey
{
    private static readonly AttributionDimensions[] Order =
    [
        AttributionDimensions.Tenant,
        AttributionDimensions.Team,
        AttributionDimensions.Feature,
        AttributionDimensions.User,
        AttributionDimensions.CostCenter,
        AttributionDimensions.Environment,
    ];

    /// <summary>Gets the key part, e.g. <c>team=search|feature=chat</c>; <c>all</c> for no dimension. Values are validated attribution values, so '|' and '=' cannot occur in them.</summary>
    public static string Build(AttributionDimensions dimensions, CostAttribution attribution)
    {
        if (dimensions == AttributionDimensions.None)
        {
            return "all";
        }

        var key = new StringBuilder();
        foreach (AttributionDimensions dimension in Order)
        {
            if ((dimensions & dimension) == 0)
            {
                continue;
            }

            if (key.Length > 0)
            {
                key.Append('|');
            }

            key.Append(Name(dimension)).Append('=').Append(attribution.Get(dimension) ?? CostAttribution.Unattributed);
        }

        return key.ToString();
    }

    private static string Name(AttributionDimensions dimension) => dimension switch
    {
        AttributionDimensions.Tenant => "tenant",
        AttributionDimensions.Team => "team",
        AttributionDimensions.Feature => "feature",
        AttributionDimensions.User => "user",
        AttributionDimensions.CostCenter => "costCenter",
        _ => "environment",
    };
}
