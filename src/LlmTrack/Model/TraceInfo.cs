using System.Globalization;
using System.Text.Json;
using LlmTrack.Metrics.Tokens;
using LlmTrack.Model;

namespace LlmTrack;

/// <summary>The state of an MLflow trace (<c>state</c> of a v3 trace info).</summary>
public enum TraceState
{
    /// <summary>The server reported no state (<c>STATE_UNSPECIFIED</c>).</summary>
    Unspecified,

    /// <summary>The trace finished without error (<c>OK</c>).</summary>
    Ok,

    /// <summary>The trace's root span failed (<c>ERROR</c>).</summary>
    Error,

    /// <summary>Spans are still arriving (<c>IN_PROGRESS</c>).</summary>
    InProgress,
}

/// <summary>Reads MLflow's token-usage JSON (<c>{"input_tokens": …, "output_tokens": …, "total_tokens": …}</c>).</summary>
internal static class TokenUsageJson
{
    /// <summary>The usage in <paramref name="json"/>, or <see langword="null"/> when it is not such an object.</summary>
    public static TokenUsage? Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            long Read(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : 0;
            return new TokenUsage(Read("input_tokens"), Read("output_tokens"));
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// What MLflow knows about one trace without its spans (a v3 <c>TraceInfo</c>): id, experiment, times, state,
/// metadata, tags, previews and the assessments logged on it.
/// </summary>
public sealed record TraceInfo
{
    /// <summary>The trace id, <c>tr-</c> followed by the 32 hex digits of the OpenTelemetry trace id.</summary>
    public required string TraceId { get; init; }

    /// <summary>The experiment the trace belongs to.</summary>
    public string? ExperimentId { get; init; }

    /// <summary>When the trace started (its earliest span's start).</summary>
    public DateTimeOffset RequestTime { get; init; }

    /// <summary>How long the trace took, when known.</summary>
    public TimeSpan? ExecutionDuration { get; init; }

    /// <summary>The trace's state.</summary>
    public TraceState State { get; init; }

    /// <summary>The trace's metadata (immutable keys such as <c>mlflow.sourceRun</c>, <c>mlflow.trace.tokenUsage</c>).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>The trace's tags (mutable; <c>mlflow.traceName</c> and the application's own).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>A preview of the trace's inputs (JSON text), when the root span had inputs.</summary>
    public string? RequestPreview { get; init; }

    /// <summary>A preview of the trace's outputs (JSON text), when the root span had outputs.</summary>
    public string? ResponsePreview { get; init; }

    /// <summary>The application's own request id, when it gave one.</summary>
    public string? ClientRequestId { get; init; }

    /// <summary>The assessments (feedback and expectations) logged on the trace, overridden ones included.</summary>
    public IReadOnlyList<Assessment> Assessments { get; init; } = [];

    /// <summary>The trace's name (tag <c>mlflow.traceName</c>), if set.</summary>
    public string? Name => Tags.GetValueOrDefault(MlflowTags.TraceName);

    /// <summary>The run the trace was made in (metadata <c>mlflow.sourceRun</c>), if any.</summary>
    public string? SourceRunId => Metadata.GetValueOrDefault(MlflowTags.TraceSourceRun);

    /// <summary>The trace's summed token usage (metadata <c>mlflow.trace.tokenUsage</c>: input and output tokens), if recorded.</summary>
    public TokenUsage? TokenUsage => TokenUsageJson.Parse(Metadata.GetValueOrDefault(MlflowTags.TraceTokenUsage));

    /// <summary>The trace's start as epoch milliseconds (MLflow's <c>timestamp_ms</c>).</summary>
    public long TimestampMs => RequestTime.ToUnixTimeMilliseconds();

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{TraceId} {State} {RequestTime:O}");
}

/// <summary>A trace with its spans.</summary>
/// <param name="Info">The trace's info.</param>
/// <param name="Spans">Its spans, in the order the server returned them.</param>
public sealed record Trace(TraceInfo Info, IReadOnlyList<Span> Spans)
{
    /// <summary>The spans without a parent (normally one).</summary>
    public IEnumerable<Span> RootSpans => Spans.Where(s => s.ParentSpanId is null || Spans.All(p => p.SpanId != s.ParentSpanId));

    /// <summary>The direct children of <paramref name="span"/>, by start time.</summary>
    /// <param name="span">The parent.</param>
    /// <returns>Its children.</returns>
    public IEnumerable<Span> ChildrenOf(Span span)
    {
        ArgumentNullException.ThrowIfNull(span);
        return Spans.Where(s => s.ParentSpanId == span.SpanId).OrderBy(s => s.StartTimeUnixNano);
    }
}
