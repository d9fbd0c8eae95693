namespace AiCostGuard.Tests.Attribution;

public sealed class CostAttributionTests
{
    [Theory]
    [InlineData("")]
    [InlineData(" search")]
    [InlineData("search ")]
    [InlineData("team\nname")]
    [InlineData("<script>")]
    [InlineData("naïve")]
    public void Invalid_values_are_rejected_at_the_boundary(string value)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => new CostAttribution { Team = value });
        Assert.Contains("Team", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_longer_than_the_maximum_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new CostAttribution { Feature = new string('a', AttributionValue.MaximumLength + 1) });
        Assert.Equal(AttributionValue.MaximumLength, new CostAttribution { Feature = new string('a', AttributionValue.MaximumLength) }.Feature!.Length);
    }

    [Fact]
    public void Too_many_tags_or_invalid_tags_are_rejected()
    {
        var many = Enumerable.Range(0, AttributionValue.MaximumTagCount + 1).ToDictionary(i => $"k{i}", i => "v");
        Assert.Throws<ArgumentException>(() => new CostAttribution { Tags = many });
        Assert.Throws<ArgumentException>(() => new CostAttribution { Tags = new Dictionary<string, string> { ["ok"] = "bad\tvalue" } });
        Assert.Equal("v", new CostAttribution { Tags = new Dictionary<string, string> { ["k"] = "v" } }.Tags["k"]);
    }

    [Fact]
    public void Nested_scopes_layer_and_dispose_restores_the_outer_one()
    {
        Assert.Same(CostAttribution.Empty, CostAttribution.Current);
        using (CostAttribution.Begin(new CostAttribution { Tenant = "acme", Team = "search" }))
        {
            using (CostAttribution.Begin(new CostAttribution { Team = "ranking", Feature = "rerank" }))
            {
                CostAttribution inner = CostAttribution.Current;
                Assert.Equal("acme", inner.Tenant);
                Assert.Equal("ranking", inner.Team);
                Assert.Equal("rerank", inner.Feature);
            }

            Assert.Equal("search", CostAttribution.Current.Team);
            Assert.Null(CostAttribution.Current.Feature);
        }

        Assert.Same(CostAttribution.Empty, CostAttribution.Current);
    }

    [Fact]
    public async Task The_ambient_attribution_flows_across_await_WhenAll_and_Parallel_ForEachAsync()
    {
        using (CostAttribution.Begin(new CostAttribution { Team = "agents", Feature = "fanout" }))
        {
            await Task.Yield();
            Assert.Equal("agents", CostAttribution.Current.Team);

            string?[] seen = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
            {
                await Task.Yield();
                return CostAttribution.Current.Feature;
            }));
            Assert.All(seen, f => Assert.Equal("fanout", f));

            var fromParallel = new System.Collections.Concurrent.ConcurrentBag<string?>();
            await Parallel.ForEachAsync(Enumerable.Range(0, 16), async (_, _) =>
            {
                await Task.Yield();
                fromParallel.Add(CostAttribution.Current.Team);
            });
            Assert.Equal(16, fromParallel.Count);
            Assert.All(fromParallel, t => Assert.Equal("agents", t));
        }
    }

    [Fact]
    public void GetMissing_names_exactly_the_unset_required_dimensions()
    {
        var attribution = new CostAttribution { Team = "search" };
        Assert.Equal(AttributionDimensions.Feature | AttributionDimensions.Tenant, attribution.GetMissing(AttributionDimensions.Team | AttributionDimensions.Feature | AttributionDimensions.Tenant));
        Assert.Equal(AttributionDimensions.None, attribution.GetMissing(AttributionDimensions.Team));
    }

    [Fact]
    public void Equality_compares_every_dimension_and_tag()
    {
        var a = new CostAttribution { Team = "t", Tags = new Dictionary<string, string> { ["k"] = "v" } };
        var b = new CostAttribution { Team = "t", Tags = new Dictionary<string, string> { ["k"] = "v" } };
        var c = new CostAttribution { Team = "t", Tags = new Dictionary<string, string> { ["k"] = "w" } };
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal("team=t, k=v", a.ToString());
    }
}
