using System.Collections.Concurrent;
using LlmTrack.Stores;
using LlmTrack.Tracing;
using LlmTrack.Tracking;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace LlmTrack;

/// <summary>Tracing: spans of the application's ActivitySources become MLflow traces.</summary>
public sealed partial class Tracker
{
    private readonly ConcurrentDictionary<TracingSession, byte> _tracingSessions = new();

    /// <summary>
    /// Turns tracing on: spans of <see cref="TracingOptions.ActivitySources"/> (by default LlmTrack's and
    /// Microsoft.Extensions.AI's) reach the tracking store as MLflow traces, exported in the background in batches,
    /// sampled and bounded as <paramref name="options"/> say. Blocks while the experiment is resolved.
    /// </summary>
    /// <param name="options">Sources, sampling, batching, memory bound and content capture (default: <see cref="TracingOptions"/>).</param>
    /// <returns>The session; dispose it to flush and stop (closing the tracker does it too).</returns>
    /// <exception cref="MlflowException"><c>INVALID_PARAMETER_VALUE</c> when the tracking store cannot store traces.</exception>
    public TracingSession EnableTracing(TracingOptions? options = null) =>
        SyncOverAsync.Run(ct => EnableTracingAsync(options, ct), CancellationToken.None);

    /// <summary>Turns tracing on; see <see cref="EnableTracing"/>.</summary>
    /// <param name="options">Sources, sampling, batching, memory bound and content capture.</param>
    /// <param name="cancellationToken">Cancels resolving the experiment.</param>
    /// <returns>The session.</returns>
    public async Task<TracingSession> EnableTracingAsync(TracingOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new TracingOptions();
        options.Validate();
        var sink = GetStoreCapability<ITraceSink>("traces");
        var experimentId = string.IsNullOrWhiteSpace(options.ExperimentName)
            ? await _experiments.ResolveForStartAsync(new RunOptions(), cancellationToken).ConfigureAwait(false)
            : await _experiments.GetOrCreateAsync(options.ExperimentName, cancellationToken).ConfigureAwait(false);
        var counters = new TracingCounters();
        var exporter = new MlflowTraceExporter(sink, new TraceContext(experimentId, null), options.CaptureContent, counters, ContextTags ?? _contextTags.Value, _logger);
        var builder = Sdk.CreateTracerProviderBuilder()
            .SetSampler(options.SamplingRatio >= 1 ? new AlwaysOnSampler() : new ParentBasedSampler(new TraceIdRatioBasedSampler(options.SamplingRatio)))
            .AddProcessor(new TraceContextProcessor())
            .AddProcessor(new BoundedSpanProcessor(exporter, options, counters));
        foreach (var source in options.ActivitySources)
        {
            builder.AddSource(source);
        }

        var session = new TracingSession(builder.Build(), counters, experimentId, options.ExportTimeout, OnTracingSessionDisposed);
        _tracingSessions[session] = 0;
        return session;
    }

    /// <summary>The process's <c>mlflow.user</c> / <c>mlflow.source.*</c> tags, for trace metadata.</summary>
    internal IReadOnlyList<Tag> TraceSourceTags => ContextTags ?? _contextTags.Value;

    private void OnTracingSessionDisposed(TracingSession session)
    {
        _tracingSessions.TryRemove(session, out _);
        if (!session.Counters.AllDelivered)
        {
            _warnings.Warn("Tracing: not every span reached the tracking server (" + session.Counters + "). Last error: " + session.Counters.LastError);
        }
    }

    /// <summary>Flushes and stops the tracing sessions still open (on close, before the store goes).</summary>
    private void CloseTracing()
    {
        foreach (var session in _tracingSessions.Keys.ToList())
        {
            session.Dispose();
        }
    }
}
