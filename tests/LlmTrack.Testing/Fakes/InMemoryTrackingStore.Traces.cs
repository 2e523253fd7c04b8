using System.Collections.Concurrent;
using LlmTrack.Model.Tracing;
using LlmTrack.Stores;

namespace LlmTrack.Tests.Fakes;

/// <summary>A trace sink that records what it was given; failures and gates can be injected.</summary>
internal sealed class RecordingTraceSink : ITraceSink
{
    public ConcurrentQueue<(string ExperimentId, IReadOnlyList<SpanRecord> Spans)> SpanBatches { get; } = new();

    public ConcurrentQueue<TraceInfoRecord> TraceInfos { get; } = new();

    public ConcurrentQueue<(IReadOnlyList<string> TraceIds, string RunId)> Links { get; } = new();

    /// <summary>Runs before each span batch is stored; may throw or block.</summary>
    public Action? BeforeLogSpans { get; set; }

    public IEnumerable<SpanRecord> Spans => SpanBatches.SelectMany(b => b.Spans);

    public Task LogSpansAsync(string experimentId, IReadOnlyList<SpanRecord> spans, CancellationToken cancellationToken)
    {
        BeforeLogSpans?.Invoke();
        SpanBatches.Enqueue((experimentId, spans));
        return Task.CompletedTask;
    }

    public Task StartTraceAsync(TraceInfoRecord trace, CancellationToken cancellationToken)
    {
        TraceInfos.Enqueue(trace);
        return Task.CompletedTask;
    }

    public Task LinkTracesToRunAsync(IReadOnlyList<string> traceIds, string runId, CancellationToken cancellationToken)
    {
        Links.Enqueue((traceIds, runId));
        return Task.CompletedTask;
    }
}

/// <summary>The in-memory store keeps traces only when a test gives it a <see cref="RecordingTraceSink"/>.</summary>
internal sealed partial class InMemoryTrackingStore
{
    public RecordingTraceSink? TraceSink { get; set; }

    public TCapability? GetCapability<TCapability>()
        where TCapability : class => TraceSink as TCapability ?? AssessmentStore as TCapability ?? this as TCapability;
}
