using System.Diagnostics;
using OpenTelemetry;

namespace LlmTrack.Tracing;

/// <summary>
/// OpenTelemetry's batch processor with a hard bound that the application can read: a span that ends while
/// <see cref="TracingOptions.MaxQueueSize"/> spans are waiting or being exported is dropped and counted
/// (<see cref="TracingCounters.SpansDropped"/>); the exporter releases its batch when done.
/// </summary>
internal sealed class BoundedSpanProcessor : BatchActivityExportProcessor
{
    private readonly TracingCounters _counters;
    private readonly int _maxQueueSize;

    public BoundedSpanProcessor(BaseExporter<Activity> exporter, TracingOptions options, TracingCounters counters)
        : base(
            exporter,
            options.MaxQueueSize,
            (int)Math.Max(1, options.ScheduledDelay.TotalMilliseconds),
            (int)Math.Max(1, options.ExportTimeout.TotalMilliseconds),
            options.MaxExportBatchSize)
    {
        _counters = counters;
        _maxQueueSize = options.MaxQueueSize;
    }

    /// <inheritdoc/>
    public override void OnEnd(Activity data)
    {
        if (data.Recorded && _counters.TryEnqueue(_maxQueueSize))
        {
            base.OnEnd(data);
        }
    }
}

/// <summary>Gives a root span that starts inside <see cref="TracingSession.LinkTo"/> the run's <see cref="TraceContext"/>.</summary>
internal sealed class TraceContextProcessor : BaseProcessor<Activity>
{
    /// <inheritdoc/>
    public override void OnStart(Activity data)
    {
        if (data.Parent is null && TraceContext.Current is { } context)
        {
            TraceContext.Attach(data, context);
        }
    }
}
