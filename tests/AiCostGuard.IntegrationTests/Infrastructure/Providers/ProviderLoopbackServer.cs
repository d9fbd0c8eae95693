using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AiCostGuard.IntegrationTests.Infrastructure.Providers;

/// <summary>
/// A Kestrel server on a free port of 127.0.0.1 that speaks one provider's wire format (<see cref="IProviderWire"/>),
/// so a test puts that provider's real SDK, with its default transport, in front of it. Replies are scripted with
/// <see cref="Enqueue"/>; every request is recorded as a <see cref="ServedRequest"/>.
/// </summary>
/// <remarks>
/// Kestrel keeps a read pending on every connection, so a client closing its connection is seen at once
/// (<see cref="ServedRequest.Closed"/>), without the write a closed peer needs to be noticed by <c>HttpListener</c>.
/// A stream that is held (<see cref="ProviderReply.HoldOpenAfterDeltas"/>) sends nothing more: a client that drains
/// instead of aborting keeps the connection for its whole drain timeout, which the close time shows.
/// </remarks>
public sealed class ProviderLoopbackServer : IAsyncDisposable
{
    private readonly IProviderWire _wire;
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ConcurrentQueue<ProviderReply> _replies = new();
    private readonly Lock _gate = new();
    private readonly List<ServedRequest> _requests = [];
    private readonly TaskCompletionSource<ServedRequest> _firstRequest = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ProviderLoopbackServer(IProviderWire wire, WebApplication app, Uri address)
    {
        _wire = wire;
        _app = app;
        Address = address;
    }

    /// <summary>The server's root, <c>http://127.0.0.1:{port}/</c>.</summary>
    public Uri Address { get; }

    /// <summary>Answers requests when no reply is queued.</summary>
    public ProviderReply DefaultReply { get; set; } = new();

    /// <summary>A snapshot of the requests received so far, in arrival order.</summary>
    public IReadOnlyList<ServedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Completes with the first request received.</summary>
    public Task<ServedRequest> FirstRequest => _firstRequest.Task;

    /// <summary>Starts a server speaking <paramref name="wire"/>.</summary>
    public static async Task<ProviderLoopbackServer> StartAsync(IProviderWire wire)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        ProviderLoopbackServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync();
        var address = new Uri(app.Urls.Single().TrimEnd('/') + "/");
        server = new ProviderLoopbackServer(wire, app, address);
        return server;
    }

    /// <summary>Queues the answer to the next request. Thread-safe.</summary>
    public void Enqueue(ProviderReply reply) => _replies.Enqueue(reply);

    /// <summary>Stops the server, ending held streams first.</summary>
    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _shutdown.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _shutdown.Token);
        string body;
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(stop.Token);
        }

        string path = context.Request.Path.Value ?? string.Empty;
        if (!_wire.Serves(path))
        {
            await WriteAsync(context, 404, "application/json", _wire.ErrorBody(404, $"The loopback server does not serve {path}."));
            return;
        }

        JsonElement json = body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
        var served = new ServedRequest(path, body, _wire.RequestedModel(path, json), json.ValueKind == JsonValueKind.Object && _wire.IsStreaming(json));
        lock (_gate)
        {
            _requests.Add(served);
        }

        _firstRequest.TrySetResult(served);
        ProviderReply reply = _replies.TryDequeue(out ProviderReply? queued) ? queued : DefaultReply;
        string model = reply.Model ?? served.Model ?? "unknown";
        CancellationTokenRegistration closed = context.RequestAborted.UnsafeRegister(
            static state => ((ServedRequest)state!).MarkClosed(Stopwatch.GetTimestamp()), served);
        try
        {
            if (reply.StatusCode != 200)
            {
                await WriteAsync(context, reply.StatusCode, "application/json", _wire.ErrorBody(reply.StatusCode, "Loopback error."));
            }
            else if (served.Stream)
            {
                await StreamAsync(context, served, reply, model, json, closed, stop.Token);
            }
            else
            {
                await WriteAsync(context, 200, "application/json", _wire.Complete(reply, model));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client went away or the server is stopping: nothing is left to answer.
        }
        catch (IOException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        finally
        {
            closed.Dispose();
        }
    }

    private async Task StreamAsync(HttpContext context, ServedRequest served, ProviderReply reply, string model, JsonElement request, CancellationTokenRegistration closed, CancellationToken stop)
    {
        StreamScript script = _wire.Stream(reply, model, request);
        context.Response.StatusCode = 200;
        context.Response.ContentType = _wire.StreamContentType;
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.StartAsync(stop);
        Stream output = context.Response.Body;
        foreach (byte[] frame in script.Head)
        {
            await SendAsync(output, frame, stop);
        }

        for (int i = 0; i < script.Deltas.Count; i++)
        {
            if (i == reply.HoldOpenAfterDeltas)
            {
                await HoldAsync(served, reply, stop);
            }

            if (i == reply.FailAfterDeltas)
            {
                await FailAsync(context, reply, closed, stop);
                return;
            }

            await SendAsync(output, script.Deltas[i], stop);
            served.CountDelta();
        }

        if (reply.HoldOpenAfterDeltas >= script.Deltas.Count)
        {
            await HoldAsync(served, reply, stop);
        }

        if (reply.FailAfterDeltas >= script.Deltas.Count)
        {
            await FailAsync(context, reply, closed, stop);
            return;
        }

        foreach (byte[] frame in script.Tail)
        {
            await SendAsync(output, frame, stop);
        }

        served.MarkCompleted();
    }

    private static async Task HoldAsync(ServedRequest served, ProviderReply reply, CancellationToken stop)
    {
        served.MarkHolding();
        await (reply.ResumeWhen ?? Task.Delay(Timeout.Infinite, stop)).WaitAsync(stop);
    }

    private static async Task FailAsync(HttpContext context, ProviderReply reply, CancellationTokenRegistration closed, CancellationToken stop)
    {
        if (reply.FailWhen is { } signal)
        {
            await signal.WaitAsync(stop);
        }

        // The server's own abort is not the client closing.
        closed.Dispose();
        context.Abort();
    }

    private static async Task SendAsync(Stream output, byte[] frame, CancellationToken stop)
    {
        // One write and flush per event, so an event boundary is a boundary on the wire.
        await output.WriteAsync(frame, stop);
        await output.FlushAsync(stop);
    }

    private static async Task WriteAsync(HttpContext context, int status, string contentType, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body);
    }
}
