using System.Text;

namespace AiCostGuard.Tests.Pricing;

/// <summary>What a model accepts, read from LiteLLM's <c>supports_*</c> flags and from the catalog's own <c>capabilities</c>.</summary>
public sealed class ModelCapabilitiesTests
{
    private static MemoryStream Json(string json) => new(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void LiteLlms_supports_flags_become_capabilities_and_an_entry_stating_none_has_none_known()
    {
        PriceCatalog catalog = PriceCatalog.LoadLiteLlm(Json("""
            {
              "both": { "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06, "supports_function_calling": true, "supports_vision": false, "supports_response_schema": true, "supports_reasoning": true },
              "plain": { "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06, "supports_vision": false },
              "silent": { "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06 }
            }
            """));

        Assert.Equal(ModelCapabilities.Tools | ModelCapabilities.JsonSchema | ModelCapabilities.Reasoning, catalog.Models["both"].Capabilities);
        Assert.Equal(ModelCapabilities.None, catalog.Models["plain"].Capabilities);
        Assert.Null(catalog.Models["silent"].Capabilities);
    }

    [Fact]
    public void The_bundled_catalog_has_the_capabilities_of_the_litellm_table_it_was_made_from()
    {
        string table = Path.Combine(AppContext.BaseDirectory, "data", "litellm", "model_prices_and_context_window.json");
        using FileStream file = File.OpenRead(table);
        PriceCatalog litellm = PriceCatalog.LoadLiteLlm(file);

        Assert.Equal(litellm.Models["gpt-4o"].Capabilities, PriceCatalog.Default.Models["gpt-4o"].Capabilities);
        Assert.Equal(litellm.Models["o3"].Capabilities, PriceCatalog.Default.Models["o3"].Capabilities);
        Assert.Equal(ModelCapabilities.Tools, PriceCatalog.Default.Models["gpt-3.5-turbo"].Capabilities);
        // Every chat model states its capabilities; LiteLLM states none for the embeddings models, which write no output.
        Assert.All(PriceCatalog.Default.Models.Values.Where(p => p.OutputPerMillion > 0), p => Assert.NotNull(p.Capabilities));
        Assert.Null(PriceCatalog.Default.Models["text-embedding-3-small"].Capabilities);
    }

    [Theory]
    [InlineData("\"tools\"", "'capabilities' must be an array")]
    [InlineData("[\"tools\", \"telepathy\"]", "'\"telepathy\"' in 'capabilities' is not one of")]
    [InlineData("[\"none\"]", "'\"none\"' in 'capabilities' is not one of")]
    [InlineData("[3]", "'3' in 'capabilities' is not one of")]
    public void A_malformed_capabilities_field_names_the_model_and_the_value(string capabilities, string message)
    {
        PriceCatalogFormatException e = Assert.Throws<PriceCatalogFormatException>(() => PriceCatalog.Load(Json(
            $$"""{ "models": { "mine": { "inputPerMillion": 1, "outputPerMillion": 2, "capabilities": {{capabilities}} } } }""")));

        Assert.Contains("Model 'mine'", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_catalog_format_reads_capabilities_by_name_in_any_case()
    {
        PriceCatalog catalog = PriceCatalog.Load(Json("""{ "models": { "mine": { "inputPerMillion": 1, "outputPerMillion": 2, "capabilities": ["Tools", "imageInput"] }, "bare": { "inputPerMillion": 1, "outputPerMillion": 2, "capabilities": [] } } }"""));

        Assert.Equal(ModelCapabilities.Tools | ModelCapabilities.ImageInput, catalog.Models["mine"].Capabilities);
        Assert.Equal(ModelCapabilities.None, catalog.Models["bare"].Capabilities);
    }
}
