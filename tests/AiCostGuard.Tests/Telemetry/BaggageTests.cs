using AiCostGuard.Tests.Fakes;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;

namespace AiCostGuard.Tests.Telemetry;

public sealed class BaggageTests
{
    private static readonly BaggagePropagator Propagator = new();

    [Fact]
    public async Task Downstream_a_call_books_to_the_team_and_feature_of_the_incoming_baggage_and_drops_invalid_values()
    {
        using var telemetry = new TelemetryHarness();
        var governed = new Governed(o => o.Telemetry.EnableBaggage = true);
        var incoming = new Dictionary<string, string> { ["baggage"] = "aicostguard.team=checkout,aicostguard.feature=bad%0Avalue%3Cscript%3E,aicostguard.user=not-allowed" };
        PropagationContext context = Propagator.Extract(default, incoming, (carrier, key) => carrier.TryGetValue(key, out string? v) ? [v] : []);
        Baggage.Current = context.Baggage;
        try
        {
            await governed.Client.GetResponseAsync(Governed.Prompt());
        }
        finally
        {
            Baggage.Current = default;
        }

        CostAttribution booked = governed.Last.Attribution;
        Assert.Equal("checkout", booked.Team);
        Assert.Null(booked.Feature);
        Assert.Null(booked.User);
        Assert.Equal(1, telemetry.Sum(CostGovernanceTelemetry.BaggageRejectedMetric, ("key", "aicostguard.feature")));
    }

    [Fact]
    public async Task Upstream_the_outgoing_request_carries_the_allow_listed_dimensions_in_W3C_baggage()
    {
        var headers = new Dictionary<string, string>();
        var inner = new FakeChatClient
        {
            OnCall = (_, _) =>
            {
                Propagator.Inject(new PropagationContext(default, Baggage.Current), headers, (carrier, key, value) => carrier[key] = value);
                return Task.CompletedTask;
            },
        };
        var governed = new Governed(o => o.Telemetry.EnableBaggage = true, inner);
        using (CostAttribution.Begin(new CostAttribution { Team = "search", Feature = "rerank", User = "u-1" }))
        {
            await governed.Client.GetResponseAsync(Governed.Prompt());
        }

        string baggage = headers["baggage"];
        Assert.Contains("aicostguard.team=search", baggage, StringComparison.Ordinal);
        Assert.Contains("aicostguard.feature=rerank", baggage, StringComparison.Ordinal);
        Assert.DoesNotContain("u-1", baggage, StringComparison.Ordinal);
        Assert.Equal(default, Baggage.Current);
    }

    [Fact]
    public async Task Without_the_option_baggage_is_neither_read_nor_written()
    {
        var headers = new Dictionary<string, string>();
        var inner = new FakeChatClient
        {
            OnCall = (_, _) =>
            {
                Propagator.Inject(new PropagationContext(default, Baggage.Current), headers, (carrier, key, value) => carrier[key] = value);
                return Task.CompletedTask;
            },
        };
        var governed = new Governed(inner: inner);
        Baggage.Current = Baggage.Create(new Dictionary<string, string> { ["aicostguard.team"] = "checkout" });
        try
        {
            using (CostAttribution.Begin(new CostAttribution { Feature = "rerank" }))
            {
                await governed.Client.GetResponseAsync(Governed.Prompt());
            }
        }
        finally
        {
            Baggage.Current = default;
        }

        Assert.Null(governed.Last.Attribution.Team);
        Assert.DoesNotContain("rerank", headers.GetValueOrDefault("baggage") ?? string.Empty, StringComparison.Ordinal);
    }
}
