using System.Buffers;
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI;

namespace AiCostGuard.IntegrationTests.Infrastructure;

/// <summary>
/// A loopback HTTP server on 127.0.0.1 that speaks OpenAI's chat-completions wire format, so
/// integration tests can put the real OpenAI SDK (and <c>AsIChatClient()</c>) in front of it without
/// any network. Replies are scripted with <see cref="Enqueue"/>; every request is recorded.
/// </summary>
/// <remarks>
/// <para>
/// The OpenAI SDK retries 408, 429 and 5xx responses by default (3 retries, 4 attempts, with only
/// milliseconds between them against this server). Every attempt consumes a scripted reply, so a single
/// queued error would be followed by a retry that gets <see cref="DefaultReply"/> and succeeds, hiding
/// the error. Tests of error handling must disable retries:
/// <c>new OpenAIClientOptions { Endpoint = server.BaseAddress, RetryPolicy = new ClientRetryPolicy(maxRetries: 0) }</c>
/// (<c>System.ClientModel.Primitives</c>), which is what <see cref="CreateClientOptions"/> and
/// <see cref="CreateChatClient"/> do.
/// </para>
/// <para>
/// A client disconnect is only observable when the server writes, so <see cref="DisconnectedCount"/>
/// is reliable for streamed replies (in particular <see cref="LoopbackReply.HoldOpenAfterChunks"/>),
/// not for a client that gives up while a non-streaming reply is still in its <see cref="LoopbackReply.Delay"/>.
/// The clients it hands out use the SDK's default transport, as users do: a stream abandoned between reads
/// (enumerator disposed, or cancelled while the consumer was busy) is drained by <c>SocketsHttpHandler</c>
/// for up to its <c>ResponseDrainTimeout</c> (2 s by default) before the connection closes.
/// </para>
/// </remarks>
public sealed class OpenAiLoopbackServer : IAsyncDisposable
{
    private const int MaxBindAttempts = 5;
    private const string SystemFingerprint = "fp_loopback";

    // Short enough that a cancelled stream is noticed well within a test's patience, long enough
    // not to flood the client with comment lines.
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromMilliseconds(50);
    private static readonly byte[] HeartbeatBytes = Encoding.UTF8.GetBytes(": keep-alive\n\n");
    private static readonly byte[] DoneBytes = Encoding.UTF8.GetBytes("data: [DONE]\n\n");

    private readonly HttpListener _listener;

    private readonly CancellationTokenSource _shutdown = new();
    private readonly ConcurrentQueue<LoopbackReply> _replies = new();
    private readonly ConcurrentDictionary<Task, byte> _handlers = new();
    private readonly Lock _gate = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<(int Count, TaskCompletionSource Signal)> _disconnectWaiters = [];
    private readonly Task _acceptLoop;
    private int _disconnectedCount;
    private int _responseSequence;
    private int _disposed;

    /// <summary>Starts listening on a free port of 127.0.0.1.</summary>
    /// <exception cref="HttpListenerException">No free port could be bound after several attempts.</exception>
    public OpenAiLoopbackServer()
    {
        (_listener, int port) = StartListener();
        BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/v1/");
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>
    /// The value for <c>OpenAIClientOptions.Endpoint</c>: <c>http://127.0.0.1:{port}/v1/</c>. The SDK
    /// posts to <c>{Endpoint}/chat/completions</c>; the server accepts any path ending in
    /// <c>/chat/completions</c>, so an endpoint without <c>/v1</c> works as well.
    /// </summary>
    public Uri BaseAddress { get; }

    /// <summary>
    /// Answers requests when the queue is empty, so a test that scripts too few replies gets an
    /// answer instead of a hang. Defaults to the text <c>ok</c> with 10 prompt and 5 completion tokens.
    /// </summary>
    public LoopbackReply DefaultReply { get; set; } = new() { Text = "ok" };

    /// <summary>A snapshot of every request received so far, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Scripted replies not yet consumed by a request.</summary>
    public int PendingReplyCount => _replies.Count;

    /// <summary>
    /// How many responses could not be finished because the client went away (a write failed), e.g.
    /// because a streaming call was cancelled. Connections the server resets on purpose
    /// (<see cref="LoopbackReply.FailAfterChunks"/>) and those cut by disposal are not counted.
    /// </summary>
    public int DisconnectedCount
    {
        get
        {
            lock (_gate)
            {
                return _disconnectedCount;
            }
        }
    }

    /// <summary>Queues the answer for the next request that has none yet. Thread-safe.</summary>
    /// <param name="reply">The scripted reply.</param>
    public void Enqueue(LoopbackReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        _replies.Enqueue(reply);
    }

    /// <summary>
    /// Completes once <see cref="DisconnectedCount"/> reaches <paramref name="expectedCount"/>, so a
    /// test can prove an upstream stream was really torn down without sleeping.
    /// </summary>
    /// <param name="timeout">How long to wait before failing.</param>
    /// <param name="expectedCount">The total number of disconnects to wait for.</param>
    /// <param name="cancellationToken">Aborts the wait.</param>
    /// <returns>A task that completes when enough disconnects were observed.</returns>
    /// <exception cref="TimeoutException">Fewer disconnects were observed within <paramref name="timeout"/>.</exception>
    public async Task WaitForDisconnectAsync(TimeSpan timeout, int expectedCount = 1, CancellationToken cancellationToken = default)
    {
        (int Count, TaskCompletionSource Signal) waiter;
        lock (_gate)
        {
            if (_disconnectedCount >= expectedCount)
            {
                return;
            }

            waiter = (expectedCount, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            _disconnectWaiters.Add(waiter);
        }

        try
        {
            await waiter.Signal.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(
                $"Expected {expectedCount} client disconnect(s) within {timeout}, observed {DisconnectedCount}.");
        }
        finally
        {
            lock (_gate)
            {
                _disconnectWaiters.Remove(waiter);
            }
        }
    }

    /// <summary>
    /// Client options pointing at this server with retries disabled, so error replies surface at once
    /// and each consumes exactly one scripted reply, and with a transport that closes an abandoned
    /// stream's connection at once (no response draining), so the server observes a cancelled or
    /// disposed stream within milliseconds.
    /// </summary>
    /// <returns>Fresh options; callers may change them further.</returns>
    public OpenAIClientOptions CreateClientOptions() => new()
    {
        Endpoint = BaseAddress,
        // The SDK's own retries off, as the README tells users (budget-aware retries happen outside governance);
        // the transport is the SDK's default.
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    };

    /// <summary>
    /// The real OpenAI SDK chat client, adapted with <c>AsIChatClient()</c>, built with
    /// <see cref="CreateClientOptions"/> (no retries, the default transport).
    /// </summary>
    /// <param name="model">The model the client asks for.</param>
    /// <returns>An <see cref="IChatClient"/> that talks HTTP to this server.</returns>
    public IChatClient CreateChatClient(string model = "gpt-4o") =>
        new OpenAI.Chat.ChatClient(model, new ApiKeyCredential("loopback-test-key"), CreateClientOptions()).AsIChatClient();

    /// <summary>Stops listening, cuts any open responses and waits for every request handler to finish.</summary>
    /// <returns>A task that completes when the server is fully stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Cancel first so held-open streams and delays end before the listener tears down their
        // connections; handlers then see a shutdown rather than a client disconnect.
        await _shutdown.CancelAsync().ConfigureAwait(false);
        try
        {
            _listener.Stop();
            await _acceptLoop.ConfigureAwait(false);

            // Handlers catch every expected failure; anything else is a server bug and surfaces here.
            await Task.WhenAll(_handlers.Keys).ConfigureAwait(false);
        }
        finally
        {
            _listener.Close();
            lock (_gate)
            {
                // Cancelled rather than faulted, so an abandoned waiter cannot become an unobserved exception.
                foreach ((int _, TaskCompletionSource signal) in _disconnectWaiters)
                {
                    signal.TrySetCanceled();
                }

                _disconnectWaiters.Clear();
            }

            _shutdown.Dispose();
        }
    }

    private static (HttpListener Listener, int Port) StartListener()
    {
        HttpListenerException? lastFailure = null;
        for (int attempt = 0; attempt < MaxBindAttempts; attempt++)
        {
            // The port is free only at this instant; another process may take it before HttpListener
            // binds, hence the retries.
            int port = FindFreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
            try
            {
                listener.Start();
                return (listener, port);
            }
            catch (HttpListenerException ex)
            {
                listener.Close();
                lastFailure = ex;
            }
        }

        throw new HttpListenerException(
            lastFailure?.ErrorCode ?? 0,
            $"Could not bind a loopback port after {MaxBindAttempts} attempts: {lastFailure?.Message}");
    }

    private static int FindFreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_shutdown.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                if (_shutdown.IsCancellationRequested || !_listener.IsListening)
                {
                    return;
                }

                continue;
            }

            // Each request gets its own task so parallel calls and held-open streams never block the
            // accept loop. The continuation is registered after the add, so removal always follows it.
            Task handler = Task.Run(() => HandleAsync(context));
            _handlers.TryAdd(handler, 0);
            _ = handler.ContinueWith(
                static (completed, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(completed, out _),
                _handlers,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        HttpListenerResponse response = context.Response;
        CancellationToken shutdown = _shutdown.Token;
        try
        {
            RecordedRequest request = await ReadRequestAsync(context.Request, shutdown).ConfigureAwait(false);
            lock (_gate)
            {
                _requests.Add(request);
            }

            if (!string.Equals(request.Method, "POST", StringComparison.OrdinalIgnoreCase)
                || !request.Path.TrimEnd('/').EndsWith("/chat/completions", StringComparison.Ordinal))
            {
                await WriteErrorAsync(
                    response,
                    new LoopbackReply { StatusCode = 404, ErrorMessage = $"The loopback server only serves chat completions, not {request.Method} {request.Path}." })
                    .ConfigureAwait(false);
                return;
            }

            LoopbackReply reply = _replies.TryDequeue(out LoopbackReply? queued) ? queued : DefaultReply;
            if (reply.Delay > TimeSpan.Zero)
            {
                await Task.Delay(reply.Delay, shutdown).ConfigureAwait(false);
            }

            foreach (KeyValuePair<string, string> header in reply.Headers)
            {
                response.Headers[header.Key] = header.Value;
            }

            if (reply.StatusCode != 200)
            {
                await WriteErrorAsync(response, reply).ConfigureAwait(false);
            }
            else if (request.Stream)
            {
                await WriteStreamAsync(response, reply, request, shutdown).ConfigureAwait(false);
            }
            else
            {
                await WriteCompletionAsync(response, reply, request).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            response.Abort();
        }
        catch (Exception ex) when (ex is IOException or HttpListenerException or ObjectDisposedException or SocketException)
        {
            if (!shutdown.IsCancellationRequested)
            {
                RecordDisconnect();
            }

            response.Abort();
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or JsonException or FormatException)
        {
            // A bug in the script or the server: answer 500 with the reason so the test fails loudly
            // instead of timing out.
            await TryWriteServerBugAsync(response, ex).ConfigureAwait(false);
        }
    }

    private static async Task TryWriteServerBugAsync(HttpListenerResponse response, Exception bug)
    {
        try
        {
            await WriteErrorAsync(response, new LoopbackReply { StatusCode = 500, ErrorMessage = $"Loopback server failure: {bug}" })
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
            // Headers were already sent or the client left; resetting is all that is left to do.
            response.Abort();
        }
    }

    private void RecordDisconnect()
    {
        lock (_gate)
        {
            _disconnectedCount++;
            foreach ((int count, TaskCompletionSource signal) in _disconnectWaiters)
            {
                if (_disconnectedCount >= count)
                {
                    signal.TrySetResult();
                }
            }
        }
    }

    private static async Task<RecordedRequest> ReadRequestAsync(HttpListenerRequest request, CancellationToken cancellationToken)
    {
        string body;
        using (var reader = new StreamReader(request.InputStream, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string? name in request.Headers.AllKeys)
        {
            if (name is not null)
            {
                headers[name] = request.Headers[name] ?? string.Empty;
            }
        }

        DateTimeOffset receivedAt = DateTimeOffset.UtcNow;
        string method = request.HttpMethod;
        string path = request.Url?.AbsolutePath ?? string.Empty;

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            // Recorded as-is so a test can still see what a misbehaving client sent.
            return new RecordedRequest { ReceivedAt = receivedAt, Method = method, Path = path, Headers = headers, Body = body };
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new RecordedRequest { ReceivedAt = receivedAt, Method = method, Path = path, Headers = headers, Body = body };
            }

            var toolNames = new List<string>();
            bool hasTools = false;
            if (root.TryGetProperty("tools", out JsonElement tools) && tools.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement tool in tools.EnumerateArray())
                {
                    hasTools = true;
                    if (tool.ValueKind == JsonValueKind.Object
                        && tool.TryGetProperty("function", out JsonElement function)
                        && function.ValueKind == JsonValueKind.Object
                        && function.TryGetProperty("name", out JsonElement name)
                        && name.ValueKind == JsonValueKind.String)
                    {
                        toolNames.Add(name.GetString()!);
                    }
                }
            }

            return new RecordedRequest
            {
                ReceivedAt = receivedAt,
                Method = method,
                Path = path,
                Headers = headers,
                Body = body,
                Model = root.TryGetProperty("model", out JsonElement model) && model.ValueKind == JsonValueKind.String ? model.GetString() : null,
                Stream = root.TryGetProperty("stream", out JsonElement stream) && stream.ValueKind == JsonValueKind.True,
                StreamIncludeUsage = root.TryGetProperty("stream_options", out JsonElement streamOptions)
                    && streamOptions.ValueKind == JsonValueKind.Object
                    && streamOptions.TryGetProperty("include_usage", out JsonElement includeUsage)
                    && includeUsage.ValueKind == JsonValueKind.True,
                MaxCompletionTokens = ReadInt(root, "max_completion_tokens"),
                MaxTokens = ReadInt(root, "max_tokens"),
                MessageCount = root.TryGetProperty("messages", out JsonElement messages) && messages.ValueKind == JsonValueKind.Array
                    ? messages.GetArrayLength()
                    : 0,
                ToolNames = toolNames,
                HasTools = hasTools,
            };
        }
    }

    private static int? ReadInt(JsonElement root, string property) =>
        root.TryGetProperty(property, out JsonElement value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number)
            ? number
            : null;

    private string NextCompletionId() =>
        "chatcmpl-loopback" + Interlocked.Increment(ref _responseSequence).ToString(CultureInfo.InvariantCulture);

    private async Task WriteCompletionAsync(HttpListenerResponse response, LoopbackReply reply, RecordedRequest request)
    {
        byte[] body = BuildJson(writer =>
        {
            writer.WriteStartObject();
            WriteEnvelope(writer, NextCompletionId(), "chat.completion", reply.Model ?? request.Model ?? "unknown");
            writer.WriteStartArray("choices");
            writer.WriteStartObject();
            writer.WriteNumber("index", 0);
            writer.WriteStartObject("message");
            writer.WriteString("role", "assistant");
            WriteContent(writer, reply);
            writer.WriteNull("refusal");
            if (reply.ToolCalls.Count > 0)
            {
                writer.WriteStartArray("tool_calls");
                foreach (LoopbackToolCall call in reply.ToolCalls)
                {
                    writer.WriteStartObject();
                    writer.WriteString("id", call.Id);
                    writer.WriteString("type", "function");
                    writer.WriteStartObject("function");
                    writer.WriteString("name", call.Name);
                    writer.WriteString("arguments", call.ArgumentsJson);
                    writer.WriteEndObject();
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
            writer.WriteNull("logprobs");
            writer.WriteString("finish_reason", FinishReasonOf(reply));
            writer.WriteEndObject();
            writer.WriteEndArray();
            if (reply.IncludeUsage)
            {
                WriteUsage(writer, reply);
            }

            writer.WriteString("service_tier", "default");
            writer.WriteEndObject();
        });

        response.StatusCode = 200;
        response.ContentType = "application/json";
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body).ConfigureAwait(false);
        response.Close();
    }

    private async Task WriteStreamAsync(HttpListenerResponse response, LoopbackReply reply, RecordedRequest request, CancellationToken shutdown)
    {
        int cutOptions = (reply.FailAfterChunks is null ? 0 : 1) + (reply.HoldOpenAfterChunks is null ? 0 : 1) + (reply.TruncateAfterChunks is null ? 0 : 1);
        if (cutOptions > 1)
        {
            throw new InvalidOperationException(
                "Set at most one of FailAfterChunks, HoldOpenAfterChunks and TruncateAfterChunks on a LoopbackReply.");
        }

        string id = NextCompletionId();
        string model = reply.Model ?? request.Model ?? "unknown";

        // OpenAI marks every chunk with "usage": null once usage was requested; mirroring that keeps
        // the SDK on the same parsing path as against the real service.
        bool usageRequested = request.StreamIncludeUsage;
        List<Action<Utf8JsonWriter>> deltas = BuildStreamDeltas(reply);

        // Frames: role chunk, one per delta, finish_reason chunk, optional usage chunk, [DONE].
        var frames = new List<byte[]>(deltas.Count + 4)
        {
            SseFrame(ChunkJson(id, model, usageRequested, writer =>
            {
                writer.WriteString("role", "assistant");
                WriteContent(writer, reply, emptyText: true);
                writer.WriteNull("refusal");
            }, finishReason: null)),
        };
        foreach (Action<Utf8JsonWriter> delta in deltas)
        {
            frames.Add(SseFrame(ChunkJson(id, model, usageRequested, delta, finishReason: null)));
        }

        frames.Add(SseFrame(ChunkJson(id, model, usageRequested, static _ => { }, FinishReasonOf(reply))));
        if (usageRequested && reply.IncludeUsage)
        {
            frames.Add(SseFrame(BuildJson(writer =>
            {
                writer.WriteStartObject();
                WriteEnvelope(writer, id, "chat.completion.chunk", model);
                writer.WriteStartArray("choices");
                writer.WriteEndArray();
                WriteUsage(writer, reply);
                writer.WriteEndObject();
            })));
        }

        frames.Add(DoneBytes);

        // The role frame is always sent; "after N chunks" counts deltas only.
        int? failAt = FrameIndexAfter(reply.FailAfterChunks, deltas.Count);
        int? holdAt = FrameIndexAfter(reply.HoldOpenAfterChunks, deltas.Count);
        int? truncateAt = FrameIndexAfter(reply.TruncateAfterChunks, deltas.Count);

        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.Headers["Cache-Control"] = "no-cache";
        if (failAt is not null)
        {
            // HttpListener's Abort closes the socket gracefully and, for a chunked body, even writes the
            // terminating chunk, so the client would see a clean end. Announcing the full length and
            // sending less makes the client detect a premature end, like a provider dying mid-stream.
            response.ContentLength64 = frames.Sum(frame => (long)frame.Length);
        }
        else
        {
            response.SendChunked = true;
        }

        Stream output = response.OutputStream;
        for (int index = 0; index < frames.Count; index++)
        {
            if (index == failAt)
            {
                response.Abort();
                return;
            }

            if (index == holdAt)
            {
                await HoldOpenAsync(output, shutdown).ConfigureAwait(false);
                return;
            }

            if (index == truncateAt)
            {
                response.Close();
                return;
            }

            if (index >= 1 && index <= deltas.Count && reply.ChunkDelay > TimeSpan.Zero)
            {
                await Task.Delay(reply.ChunkDelay, shutdown).ConfigureAwait(false);
            }

            // One write and flush per event so an event boundary is also a boundary on the wire.
            await output.WriteAsync(frames[index], shutdown).ConfigureAwait(false);
            await output.FlushAsync(shutdown).ConfigureAwait(false);
        }

        response.Close();
    }

    private static int? FrameIndexAfter(int? chunks, int deltaCount) =>
        chunks is int count ? 1 + Math.Clamp(count, 0, deltaCount) : null;

    private static byte[] SseFrame(byte[] json)
    {
        byte[] frame = new byte[6 + json.Length + 2];
        "data: "u8.CopyTo(frame);
        json.CopyTo(frame, 6);
        frame[^2] = (byte)'\n';
        frame[^1] = (byte)'\n';
        return frame;
    }

    private static async Task HoldOpenAsync(Stream output, CancellationToken shutdown)
    {
        // A closed peer is only detected by a failing write (the first write after the peer closed
        // usually still succeeds), so keep writing comments the SSE parser ignores until one fails.
        // The resulting IOException/HttpListenerException is counted as a disconnect by the caller.
        while (true)
        {
            await Task.Delay(HeartbeatInterval, shutdown).ConfigureAwait(false);
            await output.WriteAsync(HeartbeatBytes, shutdown).ConfigureAwait(false);
            await output.FlushAsync(shutdown).ConfigureAwait(false);
        }
    }

    private static List<Action<Utf8JsonWriter>> BuildStreamDeltas(LoopbackReply reply)
    {
        var deltas = new List<Action<Utf8JsonWriter>>();
        foreach (string piece in SplitText(reply))
        {
            deltas.Add(writer => writer.WriteString("content", piece));
        }

        for (int i = 0; i < reply.ToolCalls.Count; i++)
        {
            int index = i;
            LoopbackToolCall call = reply.ToolCalls[i];

            // Like OpenAI: the first delta names the call with empty arguments, the arguments follow,
            // so the client's accumulation of partial tool calls is exercised.
            deltas.Add(writer =>
            {
                writer.WriteStartArray("tool_calls");
                writer.WriteStartObject();
                writer.WriteNumber("index", index);
                writer.WriteString("id", call.Id);
                writer.WriteString("type", "function");
                writer.WriteStartObject("function");
                writer.WriteString("name", call.Name);
                writer.WriteString("arguments", string.Empty);
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteEndArray();
            });
            deltas.Add(writer =>
            {
                writer.WriteStartArray("tool_calls");
                writer.WriteStartObject();
                writer.WriteNumber("index", index);
                writer.WriteStartObject("function");
                writer.WriteString("arguments", call.ArgumentsJson);
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteEndArray();
            });
        }

        return deltas;
    }

    private static List<string> SplitText(LoopbackReply reply)
    {
        if (reply.Chunks is { } explicitChunks)
        {
            return [.. explicitChunks];
        }

        string text = reply.Text ?? string.Empty;
        var pieces = new List<string>();
        if (text.Length == 0)
        {
            return pieces;
        }

        if (reply.ChunkCount is int requested)
        {
            int count = Math.Clamp(requested, 1, text.Length);
            int start = 0;
            for (int i = 0; i < count; i++)
            {
                int end = (int)((long)text.Length * (i + 1) / count);
                pieces.Add(text[start..end]);
                start = end;
            }

            return pieces;
        }

        // One piece per word with its leading whitespace ("Hello", " world"), the way OpenAI tokens
        // arrive; trailing whitespace stays on the last word so the pieces concatenate to the text.
        int pieceStart = 0;
        for (int i = 1; i < text.Length; i++)
        {
            if (char.IsWhiteSpace(text[i]) && !char.IsWhiteSpace(text[i - 1]) && HasNonWhiteSpaceFrom(text, i))
            {
                pieces.Add(text[pieceStart..i]);
                pieceStart = i;
            }
        }

        pieces.Add(text[pieceStart..]);
        return pieces;
    }

    private static bool HasNonWhiteSpaceFrom(string text, int start)
    {
        for (int i = start; i < text.Length; i++)
        {
            if (!char.IsWhiteSpace(text[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static byte[] ChunkJson(string id, string model, bool usageRequested, Action<Utf8JsonWriter> writeDelta, string? finishReason) =>
        BuildJson(writer =>
        {
            writer.WriteStartObject();
            WriteEnvelope(writer, id, "chat.completion.chunk", model);
            writer.WriteStartArray("choices");
            writer.WriteStartObject();
            writer.WriteNumber("index", 0);
            writer.WriteStartObject("delta");
            writeDelta(writer);
            writer.WriteEndObject();
            writer.WriteNull("logprobs");
            if (finishReason is null)
            {
                writer.WriteNull("finish_reason");
            }
            else
            {
                writer.WriteString("finish_reason", finishReason);
            }

            writer.WriteEndObject();
            writer.WriteEndArray();
            if (usageRequested)
            {
                writer.WriteNull("usage");
            }

            writer.WriteEndObject();
        });

    private static async Task WriteErrorAsync(HttpListenerResponse response, LoopbackReply reply)
    {
        (string defaultType, string? defaultCode) = reply.StatusCode switch
        {
            400 => ("invalid_request_error", (string?)null),
            401 => ("invalid_request_error", "invalid_api_key"),
            403 => ("invalid_request_error", "unsupported_country_region_territory"),
            404 => ("invalid_request_error", "unknown_url"),
            429 => ("requests", "rate_limit_exceeded"),
            _ => ("server_error", null),
        };

        byte[] body = BuildJson(writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("message", reply.ErrorMessage ?? $"Loopback error {reply.StatusCode.ToString(CultureInfo.InvariantCulture)}.");
            writer.WriteString("type", reply.ErrorType ?? defaultType);
            writer.WriteNull("param");
            string? code = reply.ErrorCode ?? defaultCode;
            if (code is null)
            {
                writer.WriteNull("code");
            }
            else
            {
                writer.WriteString("code", code);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        });

        response.StatusCode = reply.StatusCode;
        response.ContentType = "application/json";
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body).ConfigureAwait(false);
        response.Close();
    }

    private static void WriteEnvelope(Utf8JsonWriter writer, string id, string objectType, string model)
    {
        writer.WriteString("id", id);
        writer.WriteString("object", objectType);
        writer.WriteNumber("created", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        writer.WriteString("model", model);
        writer.WriteString("system_fingerprint", SystemFingerprint);
    }

    private static void WriteContent(Utf8JsonWriter writer, LoopbackReply reply, bool emptyText = false)
    {
        if (reply.Text is null && reply.ToolCalls.Count > 0)
        {
            writer.WriteNull("content");
        }
        else
        {
            // The first streamed chunk only announces the role; OpenAI sends it with empty content.
            writer.WriteString("content", emptyText ? string.Empty : reply.Text ?? string.Empty);
        }
    }

    private static void WriteUsage(Utf8JsonWriter writer, LoopbackReply reply)
    {
        writer.WriteStartObject("usage");
        writer.WriteNumber("prompt_tokens", reply.PromptTokens);
        writer.WriteNumber("completion_tokens", reply.CompletionTokens);
        writer.WriteNumber("total_tokens", reply.PromptTokens + reply.CompletionTokens);
        if (reply.CachedTokens is int cached)
        {
            writer.WriteStartObject("prompt_tokens_details");
            writer.WriteNumber("cached_tokens", cached);
            writer.WriteNumber("audio_tokens", 0);
            writer.WriteEndObject();
        }

        if (reply.ReasoningTokens is int reasoning)
        {
            writer.WriteStartObject("completion_tokens_details");
            writer.WriteNumber("reasoning_tokens", reasoning);
            writer.WriteNumber("audio_tokens", 0);
            writer.WriteNumber("accepted_prediction_tokens", 0);
            writer.WriteNumber("rejected_prediction_tokens", 0);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static string FinishReasonOf(LoopbackReply reply) =>
        reply.FinishReason ?? (reply.ToolCalls.Count > 0 ? "tool_calls" : "stop");

    private static byte[] BuildJson(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
