namespace AiCostGuard.Tests.Fakes;

/// <summary>A fake model behind <c>UseCostGovernance()</c>, with the ledger at hand.</summary>
public sealed class Governed
{
    public Governed(Action<CostGovernanceOptions>? configure = null, FakeChatClient? inner = null)
    {
        Inner = inner ?? new FakeChatClient();
        Client = new ChatClientBuilder(Inner)
            .UseCostGovernance(o =>
            {
                o.Ledger = Ledger;
                configure?.Invoke(o);
            })
            .Build();
    }

    public FakeChatClient Inner { get; }

    public InMemoryCostLedger Ledger { get; } = new();

    public IChatClient Client { get; }

    public CostRecord Last => Ledger.GetRecords()[^1];

    public static List<ChatMessage> Prompt(string text = "What is the answer to life, the universe and everything?") =>
        [new(ChatRole.System, "You are terse."), new(ChatRole.User, text)];
}
