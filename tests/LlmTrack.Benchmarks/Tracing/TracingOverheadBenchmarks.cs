using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using LlmTrack.Model.Tracing;
using LlmTrack.Rest.Tracing;
using LlmTrack.Stores;
using LlmTrack.Tracing;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace LlmTrack.Benchmarks.Tracing;

/// <summary>
/// What tracing adds to one instrumented chat call (an activity with the GenAI attributes Microsoft.Extensions.AI's
/// <c>OpenTelemetryChatClient</c> sets), on the calling thread:
/// <list type="bullet">
/// <item><see cref="TracingOff"/>: no listener (LlmTrack tracing not enabled) — the baseline; must be zero extra.</item>
/// <item><see cref="SdkOnly"/>: the OpenTelemetry SDK's own cost — a tracer provider with its batch processor and an exporter that does nothing.</item>
/// <item><see cref="LlmTrackTracing"/>: what <c>tracker.EnableTracing</c> builds (context processor, bounded batch processor, MLflow exporter over a sink that stores nothing).</item>
/// </list>
/// <see cref="MapAndEncodeOneSpan"/> is the exporter's per-span work on its background thread (mapping to MLflow's attributes and OTLP protobuf).
/// </summary>
[MemoryDiagnoser]
public class TracingOverheadBenchmarks
{
    private readonly ActivitySource _off = new("LlmTrack.Benchmarks.Off");
    private readonly ActivitySource _sdk = new("LlmTrack.Benchmarks.Sdk");
    private readonly ActivitySource _llmTrack = new("LlmTrack.Benchmarks.LlmTrack");
    private TracerProvider? _sdkProvider;
    private TracerProvider? _llmTrackProvider;
    private Activity? _finished;

    [GlobalSetup]
    public void Setup()
    {
        var options = new TracingOptions { MaxQueueSize = 1 << 20, MaxExportBatchSize = 4096 };
        _sdkProvider = Sdk.CreateTracerProviderBuilder()
            .AddSource(_sdk.Name)
            .SetSampler(new AlwaysOnSampler())
            .AddProcessor(new BatchActivityExportProcessor(new NullExporter(), options.MaxQueueSize, 1000, 30000, options.MaxExportBatchSize))
            .Build();
        var counters = new TracingCounters();
        var exporter = new MlflowTraceExporter(new NullSink(), new TraceContext("0", null), false, counters, [], NullLogger.Instance);
        _llmTrackProvider = Sdk.CreateTracerProviderBuilder()
            .AddSource(_llmTrack.Name)
            .SetSampler(new AlwaysOnSampler())
            .AddProcessor(new TraceContextProcessor())
            .AddProcessor(new BoundedSpanProcessor(exporter, options, counters))
            .Build();
        _finished = Call(_sdk);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sdkProvider?.Dispose();
        _llmTrackProvider?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Activity? TracingOff() => Call(_off);

    [Benchmark]
    public Activity? SdkOnly() => Call(_sdk);

    [Benchmark]
    public Activity? LlmTrackTracing() => Call(_llmTrack);

    [Benchmark]
    public int MapAndEncodeOneSpan() => OtlpTraceRequest.Encode([ActivitySpanMapper.ToSpan(_finished!, false, out _)]).Length;

    private static Activity? Call(ActivitySource source)
    {
        using var activity = source.StartActivity("chat gpt-4o-mini", ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("gen_ai.operation.name", "chat");
            activity.SetTag("gen_ai.system", "openai");
            activity.SetTag("gen_ai.request.model", "gpt-4o-mini");
            activity.SetTag("gen_ai.response.model", "gpt-4o-mini-2024-07-18");
            activity.SetTag("gen_ai.usage.input_tokens", 21);
            activity.SetTag("gen_ai.usage.output_tokens", 7);
        }

        return activity;
    }

    private sealed class NullExporter : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch) => ExportResult.Success;
    }

    private sealed class NullSink : ITraceSink
    {
        public Task LogSpansAsync(string experimentId, IReadOnlyList<SpanRecord> spans, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartTraceAsync(TraceInfoRecord trace, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task LinkTracesToRunAsync(IReadOnlyList<string> traceIds, string runId, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
