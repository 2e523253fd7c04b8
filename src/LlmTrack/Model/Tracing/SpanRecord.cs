using System.Text.Json;

namespace LlmTrack.Model.Tracing;

/// <summary>
/// One finished span as MLflow stores it (OTLP's Span message, with MLflow's <c>mlflow.*</c> attributes already set):
/// what the exporter and the evaluation's per-example traces hand to a <see cref="Stores.ITraceSink"/>.
/// </summary>
/// <param name="TraceId">The OTLP trace id, 32 lower-case hex digits.</param>
/// <param name="SpanId">The span id, 16 lower-case hex digits.</param>
/// <param name="ParentSpanId">The parent's span id, or <see langword="null"/> for the trace's root.</param>
/// <param name="Name">The span's name.</param>
/// <param name="StartTimeUnixNano">Start, nanoseconds since the Unix epoch.</param>
/// <param name="EndTimeUnixNano">End, nanoseconds since the Unix epoch.</param>
/// <param name="Attributes">The attributes in wire order (see <see cref="SpanAttribute"/> for the value types).</param>
/// <param name="Events">The span's events (an <c>exception</c> event for a failure).</param>
/// <param name="IsError">Whether the span failed (OTLP STATUS_CODE_ERROR; otherwise STATUS_CODE_OK).</param>
/// <param name="StatusMessage">The status message of a failed span.</param>
internal sealed record SpanRecord(
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Name,
    long StartTimeUnixNano,
    long EndTimeUnixNano,
    IReadOnlyList<SpanAttribute> Attributes,
    IReadOnlyList<SpanEventRecord> Events,
    bool IsError,
    string? StatusMessage)
{
    /// <summary>MLflow's id of the trace: <c>tr-</c> and the OTLP trace id in hex.</summary>
    public string MlflowTraceId => TraceIds.ToMlflow(TraceId);

    /// <summary>Whether this span is the root of its trace.</summary>
    public bool IsRoot => ParentSpanId is null;

    /// <summary>The value of an attribute, or <see langword="null"/>.</summary>
    public object? Attribute(string key)
    {
        foreach (var a in Attributes)
        {
            if (a.Key == key)
            {
                return a.Value;
            }
        }

        return null;
    }
}

/// <summary>
/// A span attribute. <paramref name="Value"/> is a <see cref="string"/>, <see cref="bool"/>, <see cref="long"/>,
/// <see cref="double"/>, a <see cref="JsonElement"/> (a structured value: objects become OTLP kvlists, arrays arrays),
/// an <see cref="IReadOnlyList{T}"/> of <see cref="SpanAttribute"/> (a kvlist), an <see cref="IReadOnlyList{T}"/> of
/// such values (an array), or <see langword="null"/> (an AnyValue with nothing set).
/// </summary>
/// <param name="Key">The attribute's key.</param>
/// <param name="Value">The value.</param>
internal readonly record struct SpanAttribute(string Key, object? Value);

/// <summary>A span event (OTLP Span.Event).</summary>
/// <param name="Name">The event's name.</param>
/// <param name="TimeUnixNano">When it happened, nanoseconds since the Unix epoch.</param>
/// <param name="Attributes">Its attributes.</param>
internal sealed record SpanEventRecord(string Name, long TimeUnixNano, IReadOnlyList<SpanAttribute> Attributes);

/// <summary>Conversions between OTLP trace ids and MLflow's.</summary>
internal static class TraceIds
{
    /// <summary>The prefix of MLflow 3 trace ids.</summary>
    public const string Prefix = "tr-";

    /// <summary>MLflow's trace id for an OTLP trace id in hex.</summary>
    public static string ToMlflow(string otlpTraceIdHex) => Prefix + otlpTraceIdHex;
}
