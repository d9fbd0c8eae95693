namespace AiCostGuard;

/// <summary>
/// A pool of self-hosted GPUs (vLLM, Ollama, TGI) that serves some models at a fixed cost per hour: its calls are
/// charged their share of its token capacity instead of per-token list prices — at call time
/// (<see cref="CostGovernanceOptions.GpuPools"/>) and in the report's allocation (<c>GpuPoolAllocation</c>), by one
/// rate, <see cref="CostPerToken"/>.
/// </summary>
public sealed class GpuPool
{
    // Exact to the attodollar (10⁻¹⁸ USD) per token: a rate finer than any bill, that still multiplies exactly by any token count.
    private const int RateDecimals = 18;

    /// <summary>Gets or sets the pool's name.</summary>
    public string? Name { get; set; }

    /// <summary>Gets or sets what the pool costs per hour, in US dollars, used or not.</summary>
    public decimal CostPerHour { get; set; }

    /// <summary>Gets the models the pool serves, as the ledger names them; a model is served by one pool at most.</summary>
    public IList<string> Models { get; init; } = [];

    /// <summary>Gets or sets the tokens (input and output) the pool can process per second at full load.</summary>
    public double CapacityTokensPerSecond { get; set; }

    /// <summary>
    /// Gets what one token (input or output) costs on this pool: its share of the capacity,
    /// <c>CostPerHour / 3600 / CapacityTokensPerSecond</c>, rounded down at the 18th decimal place so that a call is priced
    /// exactly and calls within the capacity do not add up to more than the pool costs.
    /// </summary>
    /// <exception cref="InvalidOperationException">The capacity is not a positive number.</exception>
    public decimal CostPerToken
    {
        get
        {
            if (!(CapacityTokensPerSecond > 0) || double.IsInfinity(CapacityTokensPerSecond))
            {
                throw new InvalidOperationException($"The pool '{Name}' has no positive capacity ({CapacityTokensPerSecond} tokens per second).");
            }

            return decimal.Round(CostPerHour / 3600m / (decimal)CapacityTokensPerSecond, RateDecimals, MidpointRounding.ToZero);
        }
    }

    /// <summary>Gets what <paramref name="tokens"/> tokens cost on this pool: <paramref name="tokens"/> × <see cref="CostPerToken"/>.</summary>
    /// <param name="tokens">The tokens, input and output.</param>
    /// <returns>The cost in US dollars.</returns>
    public decimal GetCost(long tokens) => tokens * CostPerToken;

    /// <summary>The price a model served by this pool is charged at: every kind of token at <see cref="CostPerToken"/>, with the listed model's limits.</summary>
    internal ModelPrice Price(ModelPrice? listed)
    {
        decimal perMillion = CostPerToken * 1_000_000m;
        return new ModelPrice
        {
            Provider = listed?.Provider,
            InputPerMillion = perMillion,
            CachedInputPerMillion = perMillion,
            CacheWritePerMillion = perMillion,
            CacheWriteOneHourPerMillion = perMillion,
            OutputPerMillion = perMillion,
            MaximumOutputTokens = listed?.MaximumOutputTokens,
            ContextWindow = listed?.ContextWindow,
            Capabilities = listed?.Capabilities,
            GpuPool = Name,
        };
    }

    /// <summary>Lists what is wrong with a set of pools: a missing name or model, a negative cost, a capacity that is not positive, a model in two pools.</summary>
    /// <param name="pools">The pools.</param>
    /// <param name="prefix">What names the list in each message: <c>pools</c> in a pools file, <c>GpuPools</c> in the options.</param>
    /// <returns>The problems, each naming the pool's index and field; empty when the pools are valid.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pools"/> is <see langword="null"/>.</exception>
    public static IReadOnlyList<string> Validate(IReadOnlyList<GpuPool> pools, string prefix = "pools")
    {
        ArgumentNullException.ThrowIfNull(pools);
        var problems = new List<string>();
        var owners = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < pools.Count; i++)
        {
            string at = $"{prefix}[{i}]";
            if (pools[i] is not { } pool)
            {
                problems.Add($"{at}: the pool is missing.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(pool.Name))
            {
                problems.Add($"{at}.name: a name is required.");
            }

            if (pool.CostPerHour < 0)
            {
                problems.Add($"{at}.costPerHour: {pool.CostPerHour} is negative.");
            }

            if (!(pool.CapacityTokensPerSecond > 0) || double.IsInfinity(pool.CapacityTokensPerSecond))
            {
                problems.Add($"{at}.capacityTokensPerSecond: {pool.CapacityTokensPerSecond} is not a positive number of tokens per second.");
            }

            if (pool.Models is null || pool.Models.Count == 0)
            {
                problems.Add($"{at}.models: list the models the pool serves.");
                continue;
            }

            foreach (string model in pool.Models)
            {
                if (string.IsNullOrWhiteSpace(model))
                {
                    problems.Add($"{at}.models: a model name is empty.");
                }
                else if (!owners.TryAdd(model, pool.Name ?? at))
                {
                    problems.Add($"{at}.models: '{model}' is already served by pool '{owners[model]}'; pools for one model may not overlap.");
                }
            }
        }

        return problems;
    }
}
