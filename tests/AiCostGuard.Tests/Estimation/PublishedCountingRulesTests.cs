using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AiCostGuard.Tests.Estimation;

public sealed class PublishedCountingRulesTests
{
    // The tool-calling example of OpenAI's cookbook "How to count tokens with tiktoken", with the prompt_tokens the API
    // reported for it: 105 on gpt-3.5-turbo and gpt-4, 101 on gpt-4o and gpt-4o-mini.
    private static readonly AIFunctionDeclaration Weather = AIFunctionFactory.CreateDeclaration(
        "get_current_weather",
        "Get the current weather in a given location",
        JsonDocument.Parse("""
            {
              "type": "object",
              "properties": {
                "location": { "type": "string", "description": "The city and state, e.g. San Francisco, CA" },
                "unit": { "type": "string", "description": "The unit of temperature to return", "enum": ["celsius", "fahrenheit"] }
              },
              "required": ["location"]
            }
            """).RootElement);

    [Theory]
    [InlineData("gpt-3.5-turbo", 105)]
    [InlineData("gpt-4", 105)]
    [InlineData("gpt-4o", 101)]
    [InlineData("gpt-4o-mini", 101)]
    public void The_cookbook_tool_example_counts_the_prompt_tokens_the_API_reported(string model, int promptTokens)
    {
        List<ChatMessage> messages =
        [
            new(ChatRole.System, "You are a helpful assistant that can answer to questions about the weather."),
            new(ChatRole.User, "What's the weather like in San Francisco?"),
        ];
        InputTokenEstimate estimate = TokenEstimator.EstimateInputTokens(messages, model, new ChatOptions { Tools = [Weather] });
        Assert.Equal(EstimatePrecision.Exact, estimate.Precision);
        Assert.Equal(promptTokens, estimate.Tokens);
    }

    [Theory]
    [InlineData(1024, 1024, "high", 765)]
    [InlineData(2048, 4096, "high", 1105)]
    [InlineData(4096, 8192, null, 1105)]
    [InlineData(512, 512, "high", 255)]
    [InlineData(513, 512, "high", 425)]
    [InlineData(768, 768, "auto", 765)]
    [InlineData(4096, 8192, "low", 85)]
    public void Images_are_counted_by_the_published_tile_rule_from_their_header(int width, int height, string? detail, int tokens)
    {
        foreach (byte[] image in new[] { Png(width, height), Jpeg(width, height), Gif(width, height), WebP(width, height) })
        {
            var content = new DataContent(image, "image/png");
            if (detail is not null)
            {
                content.AdditionalProperties = new() { ["detail"] = detail };
            }

            List<ChatMessage> text = [new(ChatRole.User, "Describe this.")];
            List<ChatMessage> withImage = [new(ChatRole.User, [new TextContent("Describe this."), content])];
            Assert.Equal(tokens, TokenEstimator.EstimateInputTokens(withImage, "gpt-4o").Tokens - TokenEstimator.EstimateInputTokens(text, "gpt-4o").Tokens);
        }
    }

    [Fact]
    public void An_image_whose_size_cannot_be_read_is_estimated_at_the_default_and_bounded_by_the_largest_image()
    {
        List<ChatMessage> text = [new(ChatRole.User, "Describe this.")];
        foreach (AIContent image in new AIContent[] { new DataContent(new byte[] { 1, 2, 3, 4 }, "image/png"), new UriContent("https://example.com/cat.png", "image/png") })
        {
            List<ChatMessage> withImage = [new(ChatRole.User, [new TextContent("Describe this."), image])];
            InputTokenEstimate estimate = TokenEstimator.EstimateInputTokens(withImage, "gpt-4o");
            long textOnly = TokenEstimator.EstimateInputTokens(text, "gpt-4o").Tokens;

            Assert.Equal(EstimatePrecision.Bounded, estimate.Precision);
            Assert.Equal((TokenEstimator.TokensPerImage, TokenEstimator.MaximumTokensPerImage), (estimate.Tokens - textOnly, estimate.UpperBound - textOnly));
        }
    }

    [Fact]
    public void A_low_detail_image_is_exact_whatever_its_size()
    {
        var uri = new UriContent("https://example.com/cat.png", "image/png") { AdditionalProperties = new() { ["detail"] = "low" } };
        List<ChatMessage> withImage = [new(ChatRole.User, [new TextContent("Describe this."), uri])];
        List<ChatMessage> text = [new(ChatRole.User, "Describe this.")];

        InputTokenEstimate estimate = TokenEstimator.EstimateInputTokens(withImage, "gpt-4o");

        Assert.Equal((EstimatePrecision.Exact, 85L), (estimate.Precision, estimate.Tokens - TokenEstimator.EstimateInputTokens(text, "gpt-4o").Tokens));
    }

    [Property(MaxTest = 2000)]
    public Property No_image_costs_more_than_the_bound_used_for_an_image_of_unknown_size() =>
        Prop.ForAll(Gen.Choose(1, 20_000).ToArbitrary(), Gen.Choose(1, 20_000).ToArbitrary(), (width, height) =>
            ImageTokenCounter.Count(width, height, lowDetail: false) <= TokenEstimator.MaximumTokensPerImage);

    [Fact]
    public void The_bound_is_reached_by_a_long_narrow_image()
    {
        Assert.Equal(TokenEstimator.MaximumTokensPerImage, ImageTokenCounter.Count(768, 2048, lowDetail: false));
        Assert.Equal(TokenEstimator.MaximumTokensPerImage, ImageTokenCounter.Count(4000, 1500, lowDetail: false));
    }

    private static byte[] Png(int width, int height)
    {
        byte[] bytes = new byte[33];
        new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R' }.CopyTo(bytes, 0);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), height);
        return bytes;
    }

    private static byte[] Jpeg(int width, int height)
    {
        // SOI, an APP0 segment to skip, then a baseline start-of-frame with the size.
        var bytes = new List<byte> { 0xFF, 0xD8, 0xFF, 0xE0, 0, 16 };
        bytes.AddRange(new byte[14]);
        bytes.AddRange([0xFF, 0xC0, 0, 17, 8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 3]);
        bytes.AddRange(new byte[9]);
        return [.. bytes];
    }

    private static byte[] Gif(int width, int height) =>
        [(byte)'G', (byte)'I', (byte)'F', (byte)'8', (byte)'9', (byte)'a', (byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0, 0, 0];

    private static byte[] WebP(int width, int height)
    {
        byte[] bytes = new byte[30];
        "RIFF"u8.CopyTo(bytes);
        "WEBPVP8X"u8.CopyTo(bytes.AsSpan(8));
        int w = width - 1;
        int h = height - 1;
        bytes[24] = (byte)w;
        bytes[25] = (byte)(w >> 8);
        bytes[26] = (byte)(w >> 16);
        bytes[27] = (byte)h;
        bytes[28] = (byte)(h >> 8);
        bytes[29] = (byte)(h >> 16);
        return bytes;
    }
}
