using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace AiCostGuard.Tests.Telemetry;

/// <summary>
/// The real OpenTelemetry SDK with in-memory exporters. Tests run in parallel and listeners are process-wide, so each
/// test runs under its own root span and reads back only the spans of its own trace.
/// </summary>
public sealed class TelemetryHarness : IDisposable
{
    public const string TestSourceName = "AiCostGuard.Tests";

    private static readonly ActivitySource TestSource = new(TestSourceName);
    private readonly LockedCollection<Activity> _spans = [];
    private readonly LockedCollection<Metric> _metrics = [];
    private readonly TracerProvider _tracer;
    private readonly MeterProvider _meter;

    public TelemetryHarness(bool extensionsAiSource = true)
    {
        TracerProviderBuilder tracer = Sdk.CreateTracerProviderBuilder()
            .AddSource(TestSourceName)
            .AddAiCostGuardInstrumentation()
            .SetSampler(new AlwaysOnSampler())
            .AddInMemoryExporter(_spans);
        if (extensionsAiSource)
        {
            tracer.AddSource(CostGovernanceTelemetry.ExtensionsAISourceName);
        }

        _tracer = tracer.Build()!;
        _meter = Sdk.CreateMeterProviderBuilder().AddAiCostGuardInstrumentation().AddInMemoryExporter(_metrics).Build()!;
        Root = TestSource.StartActivity("test")!;
    }

    public Activity Root { get; }

    /// <summary>The finished spans of this test's trace.</summary>
    public IReadOnlyList<Activity> Spans
    {
        get
        {
            _tracer.ForceFlush();
            return [.. _spans.Snapshot().Where(s => s.TraceId == Root.TraceId && s.Source.Name != TestSourceName)];
        }
    }

    public IReadOnlyList<Metric> Metrics()
    {
        // Cumulative temporality: each export holds every total so far, so keep only the latest.
        _metrics.Clear();
        _meter.ForceFlush();
        return _metrics.Snapshot();
    }

    /// <summary>The sum of a counter's points whose tags match.</summary>
    public double Sum(string metric, params (string Key, string Value)[] tags)
    {
        double sum = 0;
        foreach (Metric m in Metrics().Where(m => m.Name == metric))
        {
            foreach (ref readonly MetricPoint point in m.GetMetricPoints())
            {
                var pointTags = new Dictionary<string, object?>();
                foreach (KeyValuePair<string, object?> tag in point.Tags)
                {
                    pointTags[tag.Key] = tag.Value;
                }

                if (tags.All(t => pointTags.TryGetValue(t.Key, out object? v) && Equals(v, t.Value)))
                {
                    sum += m.MetricType == MetricType.DoubleSum ? point.GetSumDouble() : m.MetricType == MetricType.LongSum ? point.GetSumLong() : m.MetricType == MetricType.Histogram ? point.GetHistogramCount() : point.GetGaugeLastValueDouble();
                }
            }
        }

        return sum;
    }

    /// <summary>The points of a histogram whose tags match: count, sum, and each bucket's upper bound and count.</summary>
    public IReadOnlyList<(long Count, double Sum, IReadOnlyList<(double Bound, long Count)> Buckets)> Histogram(string metric, params (string Key, string Value)[] tags)
    {
        var points = new List<(long, double, IReadOnlyList<(double, long)>)>();
        foreach (Metric m in Metrics().Where(m => m.Name == metric && m.MetricType == MetricType.Histogram))
        {
            foreach (ref readonly MetricPoint point in m.GetMetricPoints())
            {
                var pointTags = new Dictionary<string, object?>();
                foreach (KeyValuePair<string, object?> tag in point.Tags)
                {
                    pointTags[tag.Key] = tag.Value;
                }

                if (tags.All(t => pointTags.TryGetValue(t.Key, out object? v) && Equals(v, t.Value)))
                {
                    var buckets = new List<(double, long)>();
                    foreach (HistogramBucket bucket in point.GetHistogramBuckets())
                    {
                        buckets.Add((bucket.ExplicitBound, bucket.BucketCount));
                    }

                    points.Add((point.GetHistogramCount(), point.GetHistogramSum(), buckets));
                }
            }
        }

        return points;
    }

    public void Dispose()
    {
        Root.Dispose();
        _tracer.Dispose();
        _meter.Dispose();
    }
}
