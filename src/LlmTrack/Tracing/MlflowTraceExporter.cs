using System.Diagnostics;
using LlmTrack.Model.Tracing;
using LlmTrack.Stores;
using Microsoft.Extensions.Logging;
using OpenTelemetry;

namespace LlmTrack.Tracing;

/// <summary>
/// The OpenTelemetry exporter that writes spans to the tracking store as MLflow traces: per batch, the spans of each
/// experiment in one <see cref="ITraceSink.LogSpansAsync"/> (OTLP protobuf), then the trace info of every root that
/// ended (<see cref="ITraceSink.StartTraceAsync"/>). Token usage of a trace's spans is summed across batches until its
/// root ends (at most <see cref="MaxOpenTraces"/> traces are followed). Never throws; every outcome is counted.
/// </summary>
internal sealed class MlflowTraceExporter : BaseExporter<Activity>
{
    /// <summary>How many unfinished traces' token sums are kept; beyond that a trace info goes without its sum (the server sums spans itself).</summary>
    public const int MaxOpenTraces = 10_000;

    private readonly ITraceSink _sink;
    private readonly TraceContext _defaultContext;
    private readonly bool _captureContent;
    private readonly TracingCounters _counters;
    private readonly IReadOnlyList<Tag> _sourceTags;
    private readonly ILogger _logger;
    private readonly Dictionary<string, TokenTotals> _openTraces = new(StringComparer.Ordinal);

    public MlflowTraceExporter(ITraceSink sink, TraceContext defaultContext, bool captureContent, TracingCounters counters, IReadOnlyList<Tag> sourceTags, ILogger logger)
    {
        _sink = sink;
        _defaultContext = defaultContext;
        _captureContent = captureContent;
        _counters = counters;
        _sourceTags = sourceTags;
        _logger = logger;
    }

    /// <inheritdoc/>
    public override ExportResult Export(in Batch<Activity> batch)
    {
        var count = 0;
        var ok = true;
        try
        {
            var groups = new Dictionary<string, List<SpanRecord>>(StringComparer.Ordinal);
            var roots = new List<(SpanRecord Root, TraceContext Context, TokenTotals Tokens)>();
            foreach (var activity in batch)
            {
                count++;
                var context = TraceContext.Of(activity) ?? _defaultContext;
                if (context.RecordedByEvaluation)
                {
                    continue;
                }

                var span = ActivitySpanMapper.ToSpan(activity, _captureContent, out var tokens);
                _openTraces.TryGetValue(span.TraceId, out var sum);
                sum = sum.Add(tokens);
                if (span.IsRoot)
                {
                    _openTraces.Remove(span.TraceId);
                    roots.Add((span, context, sum));
                }
                else if (sum.Any && (_openTraces.ContainsKey(span.TraceId) || _openTraces.Count < MaxOpenTraces))
                {
                    _openTraces[span.TraceId] = sum;
                }

                if (!groups.TryGetValue(context.ExperimentId, out var list))
                {
                    groups[context.ExperimentId] = list = [];
                }

                list.Add(span);
            }

            foreach (var (experimentId, spans) in groups)
            {
                ok &= SendSpans(experimentId, spans);
            }

            foreach (var (root, context, tokens) in roots)
            {
                ok &= SendTraceInfo(TraceInfoBuilder.Build(root, context.ExperimentId, context.RunId, tokens, _sourceTags));
            }
        }
#pragma warning disable CA1031 // An exporter never throws into the SDK (and so into the application).
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _counters.AddFailed(0, ex.Message);
            _logger.LogWarning(ex, "Exporting traces to MLflow failed.");
            ok = false;
        }
        finally
        {
            _counters.Dequeued(count);
        }

        return ok ? ExportResult.Success : ExportResult.Failure;
    }

    private bool SendSpans(string experimentId, List<SpanRecord> spans)
    {
        try
        {
            _sink.LogSpansAsync(experimentId, spans, CancellationToken.None).GetAwaiter().GetResult();
            _counters.AddExported(spans.Count);
            return true;
        }
        catch (TraceSendAmbiguousException ex)
        {
            _counters.AddAmbiguous(spans.Count, ex.Message);
            _logger.LogWarning("{Message}", ex.Message);
        }
#pragma warning disable CA1031 // Counted and reported, never thrown.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _counters.AddFailed(spans.Count, ex.Message);
            _logger.LogWarning("Sending {Count} spans to MLflow failed: {Message}", spans.Count, ex.Message);
        }

        return false;
    }

    private bool SendTraceInfo(TraceInfoRecord info)
    {
        try
        {
            _sink.StartTraceAsync(info, CancellationToken.None).GetAwaiter().GetResult();
            _counters.AddTraceCompleted();
            return true;
        }
#pragma warning disable CA1031 // Counted and reported, never thrown.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _counters.AddTraceInfoFailure(ex.Message);
            _logger.LogWarning("Sending the trace info of {TraceId} to MLflow failed: {Message}", info.TraceId, ex.Message);
            return false;
        }
    }
}
