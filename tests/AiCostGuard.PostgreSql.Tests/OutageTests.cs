using System.Diagnostics.Metrics;
using AiCostGuard.PostgreSql.Tests.Infrastructure;
using Microsoft.Extensions.AI;

namespace AiCostGuard.PostgreSql.Tests;

/// <summary>PostgreSQL stopped and started again under a running ledger: what is kept, what is counted as dropped, and when calls are refused.</summary>
public sealed class OutageTests(PostgreSqlServer server) : IClassFixture<PostgreSqlServer>
{
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromMinutes(1);

    private static PostgreSqlLedgerOptions Options(string connection, bool failClosed, int capacity = 10_000) => new()
    {
        ConnectionString = connection,
        FailClosed = failClosed,
        QueueCapacity = capacity,
        WaitWhenQueueFull = false,
        RetryDelay = TimeSpan.FromMilliseconds(20),
        MaximumRetryDelay = TimeSpan.FromMilliseconds(200),
    };

    /// <summary>A signal raised when the ledger's availability changes to <paramref name="failing"/>.</summary>
    private static Task WhenAsync(PostgreSqlCostLedger ledger, bool failing)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ledger.AvailabilityChanged += (_, _) =>
        {
            if (ledger.IsFailing == failing)
            {
                signal.TrySetResult();
            }
        };
        return signal.Task.WaitAsync(RecoveryTimeout);
    }

    [Fact]
    public async Task Fail_open_keeps_what_fits_counts_every_record_it_drops_and_writes_the_rest_when_the_server_returns()
    {
        string connection = await server.CreateDatabaseAsync();
        const int Capacity = 100, During = 1_000;
        long droppedMetric = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == CostGovernanceTelemetry.SourceName && instrument.Name == CostGovernanceTelemetry.LedgerDroppedMetric)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref droppedMetric, value));
        listener.Start();

        await using var ledger = new PostgreSqlCostLedger(Options(connection, failClosed: false, Capacity));
        for (int i = 0; i < 10; i++)
        {
            ledger.Record(Records.Call(i));
        }

        await ledger.FlushAsync();
        Task failing = WhenAsync(ledger, failing: true);
        await server.StopAsync();
        try
        {
            for (int i = 10; i < 10 + During; i++)
            {
                ledger.Record(Records.Call(i));
                ledger.ThrowIfUnavailable();
            }

            await failing;
            await ledger.FlushAsync();
            Assert.True(ledger.IsFailing);
        }
        finally
        {
            Task recovered = WhenAsync(ledger, failing: false);
            await server.StartAsync();
            await recovered;
        }

        await ledger.FlushAsync();
        long stored = await Database.ScalarAsync<long>(connection, "SELECT count(*) FROM aicostguard.calls");
        long distinct = await Database.ScalarAsync<long>(connection, "SELECT count(DISTINCT scope_id) FROM aicostguard.calls");

        // Nothing is lost unseen: every record is stored once or counted as dropped.
        Assert.Equal(10 + During, stored + ledger.DroppedCount);
        Assert.Equal(stored, distinct);
        Assert.InRange(ledger.DroppedCount, During - (2 * Capacity), During);
        // The metric is an observable total for the process: collect it now.
        listener.RecordObservableInstruments();
        Assert.True(droppedMetric >= ledger.DroppedCount, $"the metric counted {droppedMetric} drops, the ledger {ledger.DroppedCount}");
        Assert.False(ledger.IsFailing);
    }

    [Fact]
    public async Task Fail_closed_refuses_calls_while_the_server_is_down_and_admits_them_again_on_its_own_when_it_returns()
    {
        string connection = await server.CreateDatabaseAsync();
        await using var ledger = new PostgreSqlCostLedger(Options(connection, failClosed: true));
        var model = new CountingChatClient();
        IChatClient client = new ChatClientBuilder(model).UseCostGovernance(o => o.Ledger = ledger).Build();
        await client.GetResponseAsync("hello");
        await ledger.FlushAsync();

        Task failing = WhenAsync(ledger, failing: true);
        await server.StopAsync();
        try
        {
            // The record of this call cannot be written: the ledger fails, and from then on calls are refused unsent.
            await client.GetResponseAsync("hello");
            await failing;
            await Assert.ThrowsAsync<CostLedgerUnavailableException>(() => client.GetResponseAsync("hello"));
            Assert.Equal(2, model.Calls);
        }
        finally
        {
            Task recovered = WhenAsync(ledger, failing: false);
            await server.StartAsync();

            // No flush: the writer's own retry timer brings it back.
            await recovered;
        }

        await client.GetResponseAsync("hello");
        Assert.Equal(3, model.Calls);
        await ledger.FlushAsync();

        // The three calls sent are all recorded, the one in flight when the server stopped included; the refused one cost nothing.
        Assert.Equal(3L, await Database.ScalarAsync<long>(connection, "SELECT count(*) FROM aicostguard.calls"));
        Assert.Equal(0, ledger.DroppedCount);
    }

    [Fact]
    public async Task Disposing_while_the_server_is_down_counts_what_it_could_not_write()
    {
        string connection = await server.CreateDatabaseAsync();
        var ledger = new PostgreSqlCostLedger(Options(connection, failClosed: false));
        ledger.Record(Records.Call(0));
        await ledger.FlushAsync();
        await server.StopAsync();
        try
        {
            for (int i = 1; i <= 25; i++)
            {
                ledger.Record(Records.Call(i));
            }

            await ledger.DisposeAsync();
            Assert.Equal(25, ledger.DroppedCount);
        }
        finally
        {
            await server.StartAsync();
        }

        Assert.Equal(1L, await Database.ScalarAsync<long>(connection, "SELECT count(*) FROM aicostguard.calls"));
    }

    private sealed class CountingChatClient : IChatClient
    {
        private int _calls;

        public int Calls => _calls;

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "hi")) { ModelId = "gpt-4o-mini", Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 2 } });
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("test", null, "gpt-4o-mini") : null;

        public void Dispose()
        {
        }
    }
}
