using StackExchange.Redis;

namespace AiCostGuard.Redis;

/// <summary>
/// The generation key: a hash <c>{prefix}generation</c> with a random <c>id</c>, and <c>seeded</c> = 1 once a
/// reconciler has re-seeded the counters from the ledger. Redis restarted without persistence loses it with every
/// counter, which is how a store tells an empty Redis from its own earlier one.
/// </summary>
internal static class RedisGeneration
{
    public static RedisKey Key(string prefix) => prefix + "generation";

    /// <summary>Returns the current generation id, creating one when Redis holds none (a first start, or a restart that lost it).</summary>
    public static async Task<string> EnsureAsync(IDatabase database, string prefix)
    {
        await database.HashSetAsync(Key(prefix), "id", Guid.NewGuid().ToString("N"), When.NotExists);
        return (await ReadAsync(database, prefix)).Id!;
    }

    public static async Task<(string? Id, bool Seeded)> ReadAsync(IDatabase database, string prefix)
    {
        RedisValue[] values = await database.HashGetAsync(Key(prefix), ["id", "seeded"]);
        return (values[0].IsNull ? null : values[0].ToString(), values[1] == 1);
    }

    /// <summary>Starts a new, seeded generation: stores that stopped on a lost generation adopt it and resume.</summary>
    public static Task MarkSeededAsync(IDatabase database, string prefix) =>
        database.HashSetAsync(Key(prefix), [new HashEntry("id", Guid.NewGuid().ToString("N")), new HashEntry("seeded", 1)]);
}
