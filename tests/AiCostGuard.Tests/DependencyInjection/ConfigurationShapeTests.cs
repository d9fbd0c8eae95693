using AiCostGuard.Tests.Shared;

namespace AiCostGuard.Tests.DependencyInjection;

/// <summary>
/// Each configuration shape names every settings type its options nest, so that the configuration check reads the
/// same settings in a trimmed or native AOT application, where it cannot discover them, as it would by reflection.
/// </summary>
public sealed class ConfigurationShapeTests
{
    public static TheoryData<string> Shapes() => ["CostGovernance", "JsonLinesLedger"];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void A_shape_names_every_settings_type_reachable_from_its_options(string name)
    {
        ConfigurationShape shape = name switch
        {
            "CostGovernance" => ConfigurationShapes.CostGovernance,
            _ => ConfigurationShapes.JsonLinesLedger,
        };

        Assert.Equal(SettingsTypes.ReachableFrom(shape.Root).OrderBy(t => t.Name), shape.Types.OrderBy(t => t.Name));
    }

    [Fact]
    public void The_rule_finds_a_nested_settings_type_a_shape_leaves_out()
    {
        Assert.Contains(typeof(LongContextPrice), SettingsTypes.ReachableFrom(typeof(CostGovernanceOptions)));
        Assert.DoesNotContain(typeof(LongContextPrice), ConfigurationShape.Of<CostGovernanceOptions>().With<ModelPrice>().Types);
    }
}
