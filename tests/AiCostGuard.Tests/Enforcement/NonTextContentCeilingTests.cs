using System.Diagnostics;
using AiCostGuard.Tests.Estimation;
using AiCostGuard.Tests.Fakes;
using AiCostGuard.Tests.Telemetry;

namespace AiCostGuard.Tests.Enforcement;

/// <summary>
/// Input that is not text is bounded before the call is sent, so a per-request cost ceiling holds: a large PDF, WAV,
/// hosted file or reasoning trace once passed a $0.05 ceiling as a dozen tokens and committed dollars.
/// </summary>
public sealed class NonTextContentCeilingTests
{
    private const decimal Ceiling = 0.05m;

    // $0.01 of gpt-4o output: the ceiling leaves $0.04, 16,000 input tokens.
    private static readonly ChatOptions Short = new() { MaxOutputTokens = 1000 };

    public static TheoryData<string> LargeInputs() => ["pdf", "wav", "hosted-file", "document-uri", "reasoning"];

    [Theory]
    [MemberData(nameof(LargeInputs))]
    public async Task Large_non_text_input_is_refused_before_it_is_sent_and_the_ledger_shows_the_bound(string kind)
    {
        var governed = new Governed(o => o.RequestLimits.MaximumCost = Ceiling, new FakeChatClient { ModelId = "gpt-4o", Usage = new() { InputTokenCount = 2_500_000, OutputTokenCount = 20 } });
        List<ChatMessage> prompt = [new(ChatRole.User, [new TextContent("Summarize this."), Large(kind)])];

        // The question alone fits the ceiling: it is the content that does not.
        await governed.Client.GetResponseAsync([new(ChatRole.User, "Summarize this.")], Short);
        Assert.Equal(1, governed.Inner.Calls);

        BudgetExceededException e = await Assert.ThrowsAsync<BudgetExceededException>(() => governed.Client.GetResponseAsync(prompt, Short));
        Assert.Equal(BudgetLimitKind.Cost, e.LimitKind);
        Assert.Equal(1, governed.Inner.Calls);
        CostRecord refused = governed.Last;
        Assert.Equal((BudgetDecision.Rejected, CallOutcome.NotSent), (refused.Decision, refused.Outcome));
        Assert.Equal(kind == "reasoning" ? EstimatePrecision.Exact : EstimatePrecision.Bounded, refused.EstimatePrecision);
        Assert.True(refused.EstimatedInputTokens > 5_000, $"{kind} was estimated at {refused.EstimatedInputTokens} tokens");
        Assert.Equal(0m, governed.Ledger.GetRecords().Sum(r => r.Decision == BudgetDecision.Rejected ? r.Cost : 0m));
    }

    [Fact]
    public async Task A_configured_worst_case_for_hosted_files_lets_a_small_file_through_the_ceiling()
    {
        List<ChatMessage> prompt = [new(ChatRole.User, [new TextContent("Summarize this."), new HostedFileContent("file-notes")])];
        var strict = new Governed(o => o.RequestLimits.MaximumCost = Ceiling, new FakeChatClient { ModelId = "gpt-4o" });
        await Assert.ThrowsAsync<BudgetExceededException>(() => strict.Client.GetResponseAsync(prompt, Short));

        var configured = new Governed(o => { o.RequestLimits.MaximumCost = Ceiling; o.ContentBounds.MaximumTokensPerFileReference = 2000; }, new FakeChatClient { ModelId = "gpt-4o" });
        await configured.Client.GetResponseAsync(prompt, Short);
        Assert.Equal(1, configured.Inner.Calls);
        Assert.Equal(EstimatePrecision.Bounded, configured.Last.EstimatePrecision);
    }

    [Fact]
    public async Task The_chat_span_of_a_call_whose_input_was_bounded_says_so()
    {
        using var telemetry = new TelemetryHarness();
        using IChatClient client = new ChatClientBuilder(new FakeChatClient()).UseOpenTelemetry().UseCostGovernance(o => o.Ledger = new InMemoryCostLedger()).Build();

        await client.GetResponseAsync([new(ChatRole.User, [new TextContent("Summarize this."), new DataContent(MediaSamples.Pdf(pages: 2, size: 4000), "application/pdf")])]);
        await client.GetResponseAsync([new(ChatRole.User, "Summarize this.")]);

        Activity[] chats = [.. telemetry.Spans.Where(s => s.Source.Name == CostGovernanceTelemetry.ExtensionsAISourceName)];
        Assert.Equal(2, chats.Length);
        Assert.Equal("bounded", chats[0].GetTagItem("aicostguard.estimate.precision"));
        Assert.Null(chats[1].GetTagItem("aicostguard.estimate.precision"));
    }

    [Fact]
    public void The_worst_case_for_hosted_files_is_validated_with_the_other_options()
    {
        var options = new CostGovernanceOptions();
        options.ContentBounds.MaximumTokensPerFileReference = 0;
        options.DefaultMaximumOutputTokens = 0;
        IReadOnlyList<string> problems = options.Validate();

        Assert.Contains(problems, p => p.StartsWith("ContentBounds.MaximumTokensPerFileReference:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("DefaultMaximumOutputTokens", StringComparison.Ordinal));
        Assert.Contains(new CostGovernanceOptions { ContentBounds = null! }.Validate(), p => p.Contains("ContentBounds", StringComparison.Ordinal));
        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new CostGovernanceChatClient(new FakeChatClient(), options));
    }

    [Fact]
    public void Options_copies_have_their_own_content_bounds()
    {
        var options = new CostGovernanceOptions();
        CostGovernanceOptions copy = options.Clone();
        copy.ContentBounds.MaximumTokensPerFileReference = 10;
        Assert.Equal(ContentBoundOptions.DefaultMaximumTokensPerFileReference, options.ContentBounds.MaximumTokensPerFileReference);
    }

    private static AIContent Large(string kind) => kind switch
    {
        "pdf" => new DataContent(MediaSamples.Pdf(pages: 40, size: 10_000_000), "application/pdf"),
        "wav" => new DataContent(MediaSamples.Wav(8000, 1, 8, seconds: 655), "audio/wav"),
        "hosted-file" => new HostedFileContent("file-report"),
        "document-uri" => new UriContent("https://example.com/annual-report.pdf", "application/pdf"),
        "reasoning" => new TextReasoningContent(string.Join(' ', Enumerable.Range(0, 40_000).Select(i => "step " + i.ToString(System.Globalization.CultureInfo.InvariantCulture)))),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
