using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AiCostGuard.Tests.Estimation;

public sealed class ContentBoundsTests
{
    private const string OpenAI = "gpt-4o";
    private static readonly List<ChatMessage> Question = [new(ChatRole.User, "What is in this file?")];

    [Fact]
    public void A_PDF_is_bounded_by_its_page_count_times_the_text_and_image_of_a_page()
    {
        ContentTokenBound bound = Added(new DataContent(MediaSamples.Pdf(pages: 3, size: 200_000), "application/pdf"), OpenAI);

        Assert.Equal(3L * (ContentBounds.MaximumTextTokensPerPdfPage + TokenEstimator.MaximumTokensPerImage), bound.UpperBound);
        Assert.Equal(3L * (ContentBounds.TypicalTextTokensPerPdfPage + TokenEstimator.TokensPerImage), bound.Tokens);
    }

    [Fact]
    public void Pages_inside_compressed_object_streams_are_counted()
    {
        Assert.Equal(7, MediaHeaders.PdfPages(MediaSamples.Pdf(pages: 7, size: 50_000, compressed: true)));
        Assert.Equal(7, MediaHeaders.PdfPages(MediaSamples.Pdf(pages: 7, size: 50_000)));
    }

    [Fact]
    public void A_PDF_whose_pages_cannot_be_read_is_bounded_by_its_bytes_up_to_the_providers_page_limit()
    {
        byte[] unreadable = [.. "%PDF-1.7\n"u8.ToArray(), .. MediaSamples.Noise(12_800 - 9, seed: 1)];
        ContentTokenBound small = Added(new DataContent(unreadable, "application/pdf"), OpenAI);
        ContentTokenBound large = Added(new DataContent(MediaSamples.Noise(10_000_000, seed: 2), "application/pdf"), OpenAI);

        const long PerPage = ContentBounds.MaximumTextTokensPerPdfPage + TokenEstimator.MaximumTokensPerImage;
        Assert.Equal(12_800 / ContentBounds.MinimumBytesPerPdfPage * PerPage, small.UpperBound);
        Assert.Equal(100 * PerPage, large.UpperBound);
    }

    [Fact]
    public void Audio_is_bounded_by_the_duration_in_its_WAV_header_else_by_its_bytes_at_the_lowest_bitrate()
    {
        ContentTokenBound wav = Added(new DataContent(MediaSamples.Wav(8000, 1, 16, seconds: 10), "audio/wav"), OpenAI);
        ContentTokenBound mp3 = Added(new DataContent(MediaSamples.Noise(75_000, seed: 3), "audio/mpeg"), OpenAI);

        Assert.Equal((100L, 10L * ContentBounds.MaximumAudioTokensPerSecond), (wav.Tokens, wav.UpperBound));
        Assert.Equal(75_000 / ContentBounds.MinimumAudioBytesPerSecond * ContentBounds.MaximumAudioTokensPerSecond, mp3.UpperBound);
    }

    [Fact]
    public void Video_is_bounded_by_the_duration_its_MP4_header_declares_else_by_its_bytes()
    {
        ContentTokenBound declared = Added(new DataContent(MediaSamples.Mp4(seconds: 60, size: 4_000_000), "video/mp4"), "gemini-2.5-pro");
        ContentTokenBound unknown = Added(new DataContent(MediaSamples.Noise(125_000, seed: 4), "video/webm"), "gemini-2.5-pro");

        Assert.Equal(60L * ContentBounds.MaximumVideoTokensPerSecond, declared.UpperBound);
        Assert.Equal(100L * ContentBounds.MaximumVideoTokensPerSecond, unknown.UpperBound);
    }

    [Fact]
    public void An_image_is_counted_by_the_rule_of_the_models_family()
    {
        var image = new DataContent(MediaSamples.Png(1092, 1092), "image/png");

        Assert.Equal(765, Added(image, OpenAI).UpperBound);
        Assert.Equal(1590, Added(image, "claude-sonnet-4-5").UpperBound);
        Assert.Equal(ImageTokenCounter.MaximumClaudeTokens, Added(new DataContent(MediaSamples.Png(784, 1568), "image/png"), "claude-sonnet-4-5").UpperBound);

        // No published rule: the largest of them, here Pixtral's (1024 × 1024 once fitted: 64 × 64 patches and 64 row breaks).
        Assert.Equal((64 * 64) + 64, Added(image, "some-unknown-model").UpperBound);
    }

    [Fact]
    public void A_hosted_file_is_bounded_by_the_configured_worst_case_unless_its_size_and_type_bound_it()
    {
        var file = new HostedFileContent("file-abc");
        Assert.Equal(ContentBoundOptions.DefaultMaximumTokensPerFileReference, Added(file, OpenAI).UpperBound);
        Assert.Equal(ContentBoundOptions.DefaultMaximumTokensPerFileReference, Added(new UriContent("https://example.com/report.pdf", "application/pdf"), OpenAI).UpperBound);
        Assert.Equal(ContentBoundOptions.DefaultMaximumTokensPerFileReference, Added(new HostedVectorStoreContent("vs-1"), OpenAI).UpperBound);

        var configured = new ContentBoundOptions { MaximumTokensPerFileReference = 5000 };
        Assert.Equal(5000, Added(file, OpenAI, configured).UpperBound);

        var sized = new HostedFileContent("file-wav") { MediaType = "audio/wav", SizeInBytes = 7500 };
        Assert.Equal(10L * ContentBounds.MaximumAudioTokensPerSecond, Added(sized, OpenAI, configured).UpperBound);
    }

    [Fact]
    public void Reasoning_is_counted_like_text_and_text_given_as_bytes_like_its_characters()
    {
        const string Thought = "The user asks for the capital of France; Paris is the answer, and a short reply suffices.";
        long asText = Added(new TextContent(Thought), OpenAI).UpperBound;

        Assert.Equal(asText, Added(new TextReasoningContent(Thought), OpenAI).UpperBound);
        Assert.Equal(asText, Added(new DataContent(System.Text.Encoding.UTF8.GetBytes(Thought), "text/plain"), OpenAI).UpperBound);
        Assert.Equal(EstimatePrecision.Exact, TokenEstimator.EstimateInputTokens([new(ChatRole.Assistant, [new TextReasoningContent(Thought)])], OpenAI).Precision);
    }

    [Fact]
    public void Encrypted_reasoning_sent_back_is_bounded_by_the_length_of_its_blob()
    {
        string blob = Convert.ToBase64String(MediaSamples.Noise(3000, seed: 5));
        ContentTokenBound bound = Added(new TextReasoningContent(string.Empty) { ProtectedData = blob }, OpenAI);

        Assert.Equal(blob.Length, bound.UpperBound);
        Assert.Equal(EstimatePrecision.Bounded, TokenEstimator.EstimateInputTokens([new(ChatRole.Assistant, [new TextReasoningContent(null) { ProtectedData = blob }])], "claude-sonnet-4-5").Precision);
    }

    [Fact]
    public void Content_of_a_kind_without_a_rule_is_counted_as_its_JSON_and_never_as_nothing()
    {
        ContentTokenBound custom = Added(new Annotation { Note = new string('x', 4000) }, OpenAI);
        Assert.InRange(custom.UpperBound, 4000 / 8, 4000 * 3 + 100);
        Assert.True(Added(new ErrorContent("the tool failed"), OpenAI).UpperBound > 0);
    }

    [Fact]
    public void A_calibrator_adds_bounded_content_unscaled_and_never_learns_from_a_call_that_holds_it()
    {
        var calibrator = new InputTokenCalibrator();
        const string Model = "claude-sonnet-4-5";
        List<ChatMessage> withPdf = [new(ChatRole.User, [new TextContent("Summarize."), new DataContent(MediaSamples.Pdf(pages: 2, size: 10_000), "application/pdf")])];
        InputTokenEstimate raw = ModelTokenizer.For(Model).Estimate(withPdf, null, exactAbove: 0);
        InputTokenEstimate textOnly = calibrator.Apply(Model, ModelTokenizer.For(Model).Estimate([new(ChatRole.User, "Summarize.")], null, exactAbove: 0));
        InputTokenEstimate applied = calibrator.Apply(Model, raw);

        Assert.Equal(EstimatePrecision.Bounded, applied.Precision);
        Assert.Equal(textOnly.Tokens + raw.BoundedContent.Tokens, applied.Tokens);
        Assert.Equal(textOnly.UpperBound + raw.BoundedContent.UpperBound, applied.UpperBound);

        calibrator.Learn(Model, applied, 9000);
        Assert.Equal(0, calibrator.GetCalibration(Model).Samples);
        calibrator.Learn(Model, textOnly, 12);
        Assert.Equal(1, calibrator.GetCalibration(Model).Samples);
    }

    /// <summary>
    /// Whatever a message list holds, its bound is at least that of its text alone, and each non-text item that is not
    /// text adds to it: nothing is ever estimated at zero.
    /// </summary>
    [Property(MaxTest = 150)]
    public Property The_bound_of_a_message_list_never_falls_below_its_text_only_estimate_nor_is_zero()
    {
        Gen<AIContent[]> contents = Gen.Choose(1, 4).SelectMany(n => Gen.OneOf(TextItem(), NonTextItem()).ArrayOf(n));
        Gen<(AIContent[][] Messages, string Model)> requests =
            from count in Gen.Choose(1, 4)
            from messages in contents.ArrayOf(count)
            from model in Gen.Elements(OpenAI, "gpt-4", "claude-sonnet-4-5", "gemini-2.5-pro", "llama-3.1-70b", "mistral-large-2407", "open-mistral-nemo", "unknown-model")
            select (messages, model);
        return Prop.ForAll(requests.ToArbitrary(), request =>
        {
            List<ChatMessage> all = [.. request.Messages.Select(m => new ChatMessage(ChatRole.User, [.. m]))];
            List<ChatMessage> textOnly = [.. request.Messages.Select(m => new ChatMessage(ChatRole.User, [.. m.Where(c => c is TextContent)]))];
            InputTokenEstimate bound = Bound(all, request.Model);
            InputTokenEstimate text = Bound(textOnly, request.Model);
            int nonText = request.Messages.Sum(m => m.Count(c => c is not TextContent));

            return bound.UpperBound >= text.UpperBound && bound.UpperBound >= text.Tokens && bound.UpperBound > 0
                && bound.Tokens > 0 && bound.UpperBound >= bound.Tokens
                && (nonText == 0 || bound.UpperBound > text.UpperBound);
        });
    }

    private static Gen<AIContent> TextItem() =>
        Gen.Elements("Hello", "What does this show?", "数据分析报告", "x = 42; // 3.14159", "Ein kurzer Satz.").Select(t => (AIContent)new TextContent(t));

    private static Gen<AIContent> NonTextItem() => Gen.OneOf(
        Gen.Choose(1, 4).Select(n => (AIContent)new DataContent(MediaSamples.Pdf(n, 2000 * n, compressed: n % 2 == 0), "application/pdf")),
        Gen.Choose(1, 30).Select(s => (AIContent)new DataContent(MediaSamples.Wav(8000, 1, 8, s), "audio/wav")),
        Gen.Choose(1, 5000).Select(n => (AIContent)new DataContent(MediaSamples.Noise(n, n), "audio/mpeg")),
        Gen.Choose(1, 5000).Select(n => (AIContent)new DataContent(MediaSamples.Noise(n, n), "video/mp4")),
        Gen.Choose(1, 5000).Select(n => (AIContent)new DataContent(MediaSamples.Noise(n, n), "application/octet-stream")),
        Gen.Zip(Gen.Choose(1, 5000), Gen.Choose(1, 5000)).Select(s => (AIContent)new DataContent(MediaSamples.Png(s.Item1, s.Item2), "image/png")),
        Gen.Choose(1, 2000).Select(n => (AIContent)new DataContent(MediaSamples.Noise(n, n), "image/jpeg")),
        Gen.Elements("image/png", "application/pdf", "audio/wav", "video/mp4").Select(t => (AIContent)new UriContent("https://example.com/file", t)),
        Gen.Elements<long?>(null, 10, 100_000).Select(size => (AIContent)new HostedFileContent("file-1") { SizeInBytes = size, MediaType = size is null ? null : "application/pdf" }),
        Gen.Elements("Let me think.", "思考中").Select(t => (AIContent)new TextReasoningContent(t)),
        Gen.Constant((AIContent)new TextReasoningContent(null) { ProtectedData = "gAAAAABhZW5jcnlwdGVkIHJlYXNvbmluZw==" }),
        Gen.Constant((AIContent)new FunctionCallContent("call-1", "lookup", new Dictionary<string, object?> { ["city"] = "Paris" })),
        Gen.Constant((AIContent)new FunctionResultContent("call-1", "22 °C and sunny")),
        Gen.Constant((AIContent)new Annotation { Note = "checked" }));

    /// <summary>The reserved input of a request, with a calibrator that has learned nothing (the shared one learns from other tests).</summary>
    private static InputTokenEstimate Bound(List<ChatMessage> messages, string model, ContentBoundOptions? bounds = null)
    {
        ModelTokenizer tokenizer = ModelTokenizer.For(model).WithBounds(bounds);
        InputTokenEstimate raw = tokenizer.Estimate(messages, null, exactAbove: 0);
        return tokenizer.IsCounted ? raw : new InputTokenCalibrator().Apply(model, raw);
    }

    /// <summary>What one content adds to the question's estimate and bound.</summary>
    private static ContentTokenBound Added(AIContent content, string model, ContentBoundOptions? bounds = null)
    {
        InputTokenEstimate without = Bound(Question, model, bounds);
        InputTokenEstimate with = Bound([new(ChatRole.User, [.. Question[0].Contents, content])], model, bounds);
        return new(with.Tokens - without.Tokens, with.UpperBound - without.UpperBound);
    }

    /// <summary>A content kind of the application's own.</summary>
    private sealed class Annotation : AIContent
    {
        public string Note { get; set; } = string.Empty;
    }
}
