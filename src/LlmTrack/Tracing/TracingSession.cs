using LlmTrack.Tracing;
using OpenTelemetry.Trace;

namespace LlmTrack;

/// <summary>
/// Tracing turned on by <see cref="Tracker.EnableTracing"/>: an OpenTelemetry tracer provider that listens to the
/// configured ActivitySources and exports their spans to the tracking store as MLflow traces. Dispose it to send what
/// is left and stop listening (the tracker does so when it closes). While it is not enabled nothing listens, so the
/// instrumented code pays nothing.
/// </summary>
/// <example>
/// <code>
/// using var tracing = tracker.EnableTracing(new TracingOptions { CaptureContent = true });
/// using var run = tracker.StartRun("qa");
/// using (tracing.LinkTo(run))
/// {
///     await chatClient.GetResponseAsync("What is MLflow?");   // a chat client built with .UseOpenTelemetry()
/// }
/// </code>
/// </example>
public sealed class TracingSession : IDisposable
{
    private readonly TracerProvider _provider;
    private readonly TimeSpan _timeout;
    private readonly Action<TracingSession> _onDisposed;
    private int _disposed;

    internal TracingSession(TracerProvider provider, TracingCounters counters, string experimentId, TimeSpan timeout, Action<TracingSession> onDisposed)
    {
        _provider = provider;
        Counters = counters;
        ExperimentId = experimentId;
        _timeout = timeout;
        _onDisposed = onDisposed;
    }

    /// <summary>What was exported, dropped, refused or left in doubt.</summary>
    public TracingCounters Counters { get; }

    /// <summary>The experiment of traces made outside a linked run.</summary>
    public string ExperimentId { get; }

    /// <summary>
    /// Links the traces whose root span starts in the current async flow, until the scope is disposed, to
    /// <paramref name="run"/>: they go to its experiment and carry metadata <c>mlflow.sourceRun</c>, as traces made
    /// inside an active run do in MLflow's Python client.
    /// </summary>
    /// <param name="run">The run.</param>
    /// <returns>The scope; dispose it to stop linking.</returns>
    public IDisposable LinkTo(Run run)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ArgumentNullException.ThrowIfNull(run);
        return TraceContext.Use(new TraceContext(run.ExperimentId, run.RunId));
    }

    /// <summary>Exports the spans that have ended so far; waits at most the export timeout.</summary>
    /// <returns>Whether everything was handed to the server in time.</returns>
    public bool Flush() => Volatile.Read(ref _disposed) == 0 && _provider.ForceFlush((int)_timeout.TotalMilliseconds);

    /// <summary>Exports what is left and stops listening. Never throws.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            _provider.ForceFlush((int)_timeout.TotalMilliseconds);
            _provider.Dispose();
        }
#pragma warning disable CA1031 // Dispose never throws.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        _onDisposed(this);
    }
}
