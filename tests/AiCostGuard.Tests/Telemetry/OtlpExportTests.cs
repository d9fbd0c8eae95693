using System.Net;
using System.Net.Sockets;
using AiCostGuard.Tests.Fakes;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;

namespace AiCostGuard.Tests.Telemetry;

public sealed class OtlpExportTests
{
    [Fact]
    public async Task The_cost_attribute_arrives_at_an_OTLP_HTTP_protobuf_receiver()
    {
        (HttpListener listener, int port) = StartListener();
        using var stopping = listener;
        var received = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context = await listener.GetContextAsync();
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
                // Tests running beside this one make governed calls too, and the provider listens to the library's source
                // process-wide: wait for this test's span, known by its team.
                if (context.Request.Url!.AbsolutePath == "/v1/traces" && Contains(body.ToArray(), "gen_ai.usage.cost.amount"u8.ToArray())
                    && Contains(body.ToArray(), "otlp-team"u8.ToArray()))
                {
                    received.TrySetResult(body.ToArray());
                }
            }
        });

        var governed = new Governed();
        using (TracerProvider provider = Sdk.CreateTracerProviderBuilder()
            .AddAiCostGuardInstrumentation()
            .AddOtlpExporter(o =>
            {
                o.Endpoint = new Uri($"http://127.0.0.1:{port}/v1/traces");
                o.Protocol = OtlpExportProtocol.HttpProtobuf;
                o.ExportProcessorType = ExportProcessorType.Simple;
            })
            .Build()!)
        {
            using (CostAttribution.Begin(new CostAttribution { Team = "otlp-team" }))
            {
                await governed.Client.GetResponseAsync(Governed.Prompt());
            }

            provider.ForceFlush();
        }

        byte[] payload = await received.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Raw protobuf: the key string, then its AnyValue with double_value (field 4, wire type 1: tag 0x21) holding the cost's 8 little-endian bytes.
        byte[] cost = [0x21, .. BitConverter.GetBytes((double)governed.Last.Cost)];
        Assert.True(governed.Last.Cost > 0);
        Assert.True(Contains(payload, "gen_ai.usage.cost.amount"u8.ToArray()));
        Assert.True(Contains(payload, cost), "The cost's double encoding is not in the OTLP payload.");
        Assert.True(Contains(payload, "otlp-team"u8.ToArray()));
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    // Other test projects pick free ports at the same time: a port taken between the pick and the bind is picked again.
    private static (HttpListener Listener, int Port) StartListener()
    {
        for (int attempt = 1; ; attempt++)
        {
            int port = FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return (listener, port);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
