using AiCostGuard.Redis.Tests.Infrastructure;
using AiCostGuard.Tests.Shared;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiCostGuard.Redis.Tests;

public sealed class RedisBudgetStoreServiceCollectionExtensionsTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static readonly BudgetLimits Ceiling = new() { MaximumCost = 10m };

    private static BudgetWindow Today(string prefix) =>
        new($"{prefix}-{Guid.NewGuid():N}", DateTimeOffset.UtcNow.Date, DateTimeOffset.UtcNow.Date.AddDays(1), TimeSpan.Zero, 1);

    [Fact]
    public async Task Without_a_configuration_string_the_store_shares_the_registered_connection_and_leaves_it_open()
    {
        await using ConnectionMultiplexer shared = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint);
        var services = new ServiceCollection();
        services.AddSingleton<IConnectionMultiplexer>(shared);
        services.AddRedisBudgetStore(Section(new() { ["KeyPrefix"] = "shared-connection:", ["UseLeases"] = "false" }));
        BudgetWindow window = Today("shared");

        await using (ServiceProvider provider = services.BuildServiceProvider())
        {
            IBudgetStore store = provider.GetRequiredService<IBudgetStore>();
            Assert.True((await store.TryReserveAsync(window, "call", new BudgetUsage(1, 1, 0.5m), Ceiling)).IsReserved);
            await store.CommitAsync(window, "call", new BudgetUsage(1, 1, 0.25m));
            Assert.Equal(0.25m, (await store.GetUsageAsync(window)).Used.Cost);
        }

        // Without the shared connection the options would have no way to connect and fail validation; the store wrote
        // under the bound prefix, and disposing it left the application's connection open.
        Assert.NotEmpty(await KeysAsync("shared-connection:*"));
        Assert.True(shared.IsConnected);
        await shared.GetDatabase().PingAsync();
    }

    [Fact]
    public void Options_bind_from_configuration_and_every_problem_is_listed_when_the_store_is_resolved()
    {
        var services = new ServiceCollection();
        services.AddRedisBudgetStore(Section(new()
        {
            ["Configuration"] = redis.Endpoint,
            ["FailurePolicy"] = "FailOpn",
            ["LeaseFractoin"] = "0.5",
            ["FailOpenLimits:MaximumCost"] = "-1",
        }));
        using ServiceProvider provider = services.BuildServiceProvider();

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IBudgetStore>());

        Assert.Contains(error.Failures, f => f.StartsWith("Redis:FailurePolicy: 'FailOpn' is not one of", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("'LeaseFractoin' is not a setting of RedisBudgetStoreOptions; did you mean 'LeaseFraction'?", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("FailOpenLimits.MaximumCost", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bound_options_reach_the_store()
    {
        var services = new ServiceCollection();
        services.AddRedisBudgetStore(Section(new() { ["Configuration"] = redis.Endpoint, ["KeyPrefix"] = "bound:", ["UseLeases"] = "false" }));
        BudgetWindow window = Today("bound");

        await using (ServiceProvider provider = services.BuildServiceProvider())
        {
            IBudgetStore store = provider.GetRequiredService<IBudgetStore>();
            Assert.True((await store.TryReserveAsync(window, "call", new BudgetUsage(1, 1, 0.5m), Ceiling)).IsReserved);
        }

        Assert.NotEmpty(await KeysAsync("bound:*"));
    }

    private static IConfigurationSection Section(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.ToDictionary(s => "Redis:" + s.Key, s => s.Value)).Build().GetSection("Redis");

    private async Task<List<RedisKey>> KeysAsync(string pattern)
    {
        await using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint);
        return [.. connection.GetServer(redis.Endpoint).Keys(pattern: pattern)];
    }

    [Fact]
    public void The_configuration_shape_names_every_settings_type_of_the_options()
    {
        ConfigurationShape shape = RedisBudgetStoreServiceCollectionExtensions.Shape;
        Assert.Equal(SettingsTypes.ReachableFrom(typeof(RedisBudgetStoreOptions)).OrderBy(t => t.Name), shape.Types.OrderBy(t => t.Name));
    }
}
