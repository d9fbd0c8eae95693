using System.Text.RegularExpressions;

namespace AiCostGuard.Tests.Estimation;

/// <summary>A vocabulary that cannot be loaded is found when a pipeline is built, not on the first call.</summary>
public sealed class VocabularyAvailabilityTests
{
    [Theory]
    [InlineData("gpt-4o")]
    [InlineData("gpt-4")]
    [InlineData("mistral-7b-instruct-v0.1")]
    [InlineData("mistral-large-2411")]
    [InlineData("claude-sonnet-4-5")]
    [InlineData(null)]
    public void The_shipped_vocabularies_are_found_without_loading_them(string? modelId) =>
        TokenEstimator.ThrowIfVocabularyMissing(modelId);

    [Fact]
    public void A_missing_embedded_vocabulary_is_reported_by_name()
    {
        var missing = new SentencePieceVocabulary("mistral-v9", "AiCostGuard.Estimation.Vocabularies.mistral-v9.model.deflate");
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(missing.ThrowIfMissing);
        Assert.Contains("mistral-v9", e.Message, StringComparison.Ordinal);
        Assert.False(missing.IsLoaded);
    }

    [Fact]
    public void A_missing_data_package_is_reported_by_name()
    {
        var missing = new TiktokenEncoding("p50k_base", "Microsoft.ML.Tokenizers.Data.P50kBase", static () => Type.GetType("Microsoft.ML.Tokenizers.P50kBaseTokenizerData, Microsoft.ML.Tokenizers.Data.P50kBase"), new Regex("."));
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(missing.ThrowIfMissing);
        Assert.Contains("Microsoft.ML.Tokenizers.Data.P50kBase", e.Message, StringComparison.Ordinal);
        Assert.False(missing.IsLoaded);
    }
}
