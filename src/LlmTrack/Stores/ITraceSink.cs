using LlmTrack.Model.Tracing;

namespace LlmTrack.Stores;

/// <summary>
/// The write side of MLflow 3 tracing in a tracking store: spans as they end, the trace info when the root ends, and
/// the link between traces and a run. The REST store sends them as MLflow's Python client does (OTLP/HTTP protobuf to
/// <c>/v1/traces</c>, v3 start-trace, v2 link-to-run). Reached through <see cref="ITrackingStore.GetCapability{TCapability}"/>.
/// </summary>
internal interface ITraceSink
{
    /// <summary>
    /// Stores finished spans of traces of <paramref name="experimentId"/> (several traces may be in one call). On a
    /// server a span sent twice is upserted but its token usage is added to the trace again, so a send whose outcome is
    /// unknown is never repeated: it throws <see cref="TraceSendAmbiguousException"/> instead. The local store sums the
    /// stored spans, so a re-send there is harmless.
    /// </summary>
    Task LogSpansAsync(string experimentId, IReadOnlyList<SpanRecord> spans, CancellationToken cancellationToken);

    /// <summary>Creates (or completes) a trace's info: state, times, metadata, tags, previews.</summary>
    Task StartTraceAsync(TraceInfoRecord trace, CancellationToken cancellationToken);

    /// <summary>Links traces to a run (<c>traces/link-to-run</c>), so the run's page lists them.</summary>
    Task LinkTracesToRunAsync(IReadOnlyList<string> traceIds, string runId, CancellationToken cancellationToken);
}

/// <summary>A span send whose outcome is unknown (the server may have stored it); it was not repeated.</summary>
internal sealed class TraceSendAmbiguousException(string message, Exception? inner = null) : Exception(message, inner);
