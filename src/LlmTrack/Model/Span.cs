using System.Text.Json.Nodes;
using LlmTrack.Metrics.Tokens;
using LlmTrack.Model;

namespace LlmTrack;

/// <summary>The status code of a span (OpenTelemetry's).</summary>
public enum SpanStatusCode
{
    /// <summary>No status was set.</summary>
    Unset,

    /// <summary>The span succeeded.</summary>
    Ok,

    /// <summary>The span failed.</summary>
    Error,
}

/// <summary>An event recorded on a span (for example an <c>exception</c>).</summary>
/// <param name="Name">The event's name.</param>
/// <param name="TimeUnixNano">When it happened, nanoseconds since the epoch.</param>
/// <param name="Attributes">Its attributes.</param>
public sealed record SpanEvent(string Name, long TimeUnixNano, IReadOnlyDictionary<string, JsonNode?> Attributes);

/// <summary>
/// One span of a trace as MLflow stores it. Ids are lowercase hex (MLflow's v3 JSON sends base64 of the raw
/// bytes; they are decoded). Attribute values are JSON (OpenTelemetry AnyValues decoded: key/value lists become
/// objects, arrays arrays, integers numbers).
/// </summary>
public sealed record Span
{
    /// <summary>The trace id, 32 hex digits (without <c>tr-</c>).</summary>
    public required string TraceId { get; init; }

    /// <summary>The span id, 16 hex digits.</summary>
    public required string SpanId { get; init; }

    /// <summary>The parent span's id, or <see langword="null"/> for a root span.</summary>
    public string? ParentSpanId { get; init; }

    /// <summary>The span's name.</summary>
    public required string Name { get; init; }

    /// <summary>Start, nanoseconds since the epoch.</summary>
    public long StartTimeUnixNano { get; init; }

    /// <summary>End, nanoseconds since the epoch, or <see langword="null"/> while the span is open.</summary>
    public long? EndTimeUnixNano { get; init; }

    /// <summary>The status code.</summary>
    public SpanStatusCode StatusCode { get; init; }

    /// <summary>The status message (empty when none).</summary>
    public string StatusMessage { get; init; } = "";

    /// <summary>The span's attributes.</summary>
    public IReadOnlyDictionary<string, JsonNode?> Attributes { get; init; } = new Dictionary<string, JsonNode?>();

    /// <summary>The span's events.</summary>
    public IReadOnlyList<SpanEvent> Events { get; init; } = [];

    /// <summary>The span's type (attribute <c>mlflow.spanType</c>: <c>CHAT_MODEL</c>, <c>RETRIEVER</c>, <c>CHAIN</c>, …), if set.</summary>
    public string? SpanType => Attributes.GetValueOrDefault(MlflowTags.SpanType) is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    /// <summary>The span's inputs (attribute <c>mlflow.spanInputs</c>), if set.</summary>
    public JsonNode? Inputs => Attributes.GetValueOrDefault(MlflowTags.SpanInputs);

    /// <summary>The span's outputs (attribute <c>mlflow.spanOutputs</c>), if set.</summary>
    public JsonNode? Outputs => Attributes.GetValueOrDefault(MlflowTags.SpanOutputs);

    /// <summary>The model call's token usage (attribute <c>mlflow.chat.tokenUsage</c>), if recorded.</summary>
    public TokenUsage? TokenUsage => Attributes.GetValueOrDefault(MlflowTags.SpanTokenUsage) is JsonObject usage ? TokenUsageJson.Parse(usage.ToJsonString()) : null;

    /// <summary>How long the span took, when it has ended.</summary>
    public TimeSpan? Duration => EndTimeUnixNano is { } end ? TimeSpan.FromTicks((end - StartTimeUnixNano) / 100) : null;
}
