using System.CommandLine;

namespace AiCostGuard.Cli.Commands;

/// <summary><c>--service-tier</c>: standard, flex, priority or batch; any other name is an error, never priced as standard.</summary>
internal static class ServiceTierOption
{
    private static readonly string[] Tiers = ["standard", "flex", "priority", "batch"];

    public static Option<string> Create()
    {
        var option = new Option<string>("--service-tier") { Description = "standard, flex, priority or batch." };
        option.Validators.Add(result =>
        {
            string? tier = result.GetValueOrDefault<string>();
            if (tier is not null && !Tiers.Contains(tier, StringComparer.OrdinalIgnoreCase))
            {
                result.AddError($"--service-tier '{tier}' is not one of standard, flex, priority, batch.");
            }
        });
        return option;
    }

    /// <summary>The tier to price with, in lower case; <see langword="null"/> when none is given (standard).</summary>
    public static string? Read(string? tier) => tier?.ToLowerInvariant();
}
