using LlmTrack.Model;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LlmTrack.Metrics.Text;
using LlmTrack.Model.Tracing;

namespace LlmTrack.Stores.Sqlite.TraceWrites;

/// <summary>
/// The <c>spans.content</c> text MLflow's SQL store writes for a span it received over OTLP: Python's
/// <c>json.dumps</c> of <c>Span.to_dict()</c> (keys trace_id, span_id, parent_span_id, name, start_time_unix_nano,
/// end_time_unix_nano, events, status, attributes), with base64 ids, OTLP status code names, and every attribute value
/// itself a JSON text (MLflow keeps span attributes JSON-serialized, <c>ensure_ascii=False</c>), e.g.
/// <c>"mlflow.spanType": "\"CHAT_MODEL\""</c>. This is the v3 span dict every MLflow 3 <c>Span.from_dict</c> reads.
/// </summary>
internal static class SpanContentJson
{
    /// <summary>The content JSON of <paramref name="span"/> (attributes as <see cref="Translate"/> gives them).</summary>
    public static string Write(SpanRecord span, IReadOnlyList<SpanAttribute> attributes)
    {
        var sb = new StringBuilder(512);
        sb.Append("{\"trace_id\": ");
        PythonJson.WriteString(sb, Convert.ToBase64String(Convert.FromHexString(span.TraceId)));
        sb.Append(", \"span_id\": ");
        PythonJson.WriteString(sb, Convert.ToBase64String(Convert.FromHexString(span.SpanId)));
        sb.Append(", \"parent_span_id\": ");
        if (span.ParentSpanId is null)
        {
            sb.Append("null");
        }
        else
        {
            PythonJson.WriteString(sb, Convert.ToBase64String(Convert.FromHexString(span.ParentSpanId)));
        }

        sb.Append(", \"name\": ");
        PythonJson.WriteString(sb, span.Name);
        sb.Append(CultureInfo.InvariantCulture, $", \"start_time_unix_nano\": {span.StartTimeUnixNano}, \"end_time_unix_nano\": {span.EndTimeUnixNano}, \"events\": [");
        for (var i = 0; i < span.Events.Count; i++)
        {
            var e = span.Events[i];
            sb.Append(i == 0 ? "{\"name\": " : ", {\"name\": ");
            PythonJson.WriteString(sb, e.Name);
            sb.Append(CultureInfo.InvariantCulture, $", \"time_unix_nano\": {e.TimeUnixNano}, \"attributes\": ");
            SpanValueJson.Write(sb, e.Attributes, ensureAscii: true);
            sb.Append('}');
        }

        sb.Append("], \"status\": {\"code\": ").Append(span.IsError ? "\"STATUS_CODE_ERROR\"" : "\"STATUS_CODE_OK\"").Append(", \"message\": ");
        PythonJson.WriteString(sb, span.StatusMessage ?? string.Empty);
        sb.Append("}, \"attributes\": {");
        for (var i = 0; i < attributes.Count; i++)
        {
            sb.Append(i == 0 ? string.Empty : ", ");
            PythonJson.WriteString(sb, attributes[i].Key);
            sb.Append(": ");
            PythonJson.WriteString(sb, ValueJson(attributes[i].Value));
        }

        sb.Append("}}");
        return sb.ToString();
    }

    /// <summary>
    /// The attributes as the server stores them after its GenAI translation: <c>mlflow.spanType</c> from
    /// <c>gen_ai.operation.name</c>, <c>mlflow.chat.tokenUsage</c> from <c>gen_ai.usage.*</c>, and
    /// <c>mlflow.spanInputs</c>/<c>mlflow.spanOutputs</c> from the GenAI messages, each only when the span lacks it
    /// (LlmTrack's own exporter already sets them).
    /// </summary>
    public static IReadOnlyList<SpanAttribute> Translate(SpanRecord span)
    {
        var result = new List<SpanAttribute>(span.Attributes);
        if (span.Attribute(MlflowTags.SpanType) is null && span.Attribute(MlflowTraceKeys.GenAiOperationName) is string operation)
        {
            result.Add(new(MlflowTags.SpanType, MlflowTraceKeys.SpanTypeOfOperation(operation)));
        }

        if (span.Attribute(MlflowTags.SpanTokenUsage) is null
            && (span.Attribute(MlflowTraceKeys.GenAiInputTokens) is long || span.Attribute(MlflowTraceKeys.GenAiOutputTokens) is long))
        {
            var input = span.Attribute(MlflowTraceKeys.GenAiInputTokens) as long? ?? 0;
            var output = span.Attribute(MlflowTraceKeys.GenAiOutputTokens) as long? ?? 0;
            result.Add(new(MlflowTags.SpanTokenUsage, new SpanAttribute[] { new("input_tokens", input), new("output_tokens", output), new("total_tokens", input + output) }));
        }

        if (span.Attribute(MlflowTags.SpanInputs) is null && span.Attribute(MlflowTraceKeys.GenAiInputMessages) is string inputs)
        {
            result.Add(new(MlflowTags.SpanInputs, inputs));
        }

        if (span.Attribute(MlflowTags.SpanOutputs) is null && span.Attribute(MlflowTraceKeys.GenAiOutputMessages) is string outputs)
        {
            result.Add(new(MlflowTags.SpanOutputs, outputs));
        }

        return result;
    }

    /// <summary>
    /// Python's <c>json.dumps(value, ensure_ascii=False)</c> of an attribute value decoded from OTLP (<c>null</c> for an
    /// empty value), as MLflow's span attribute registry serializes it.
    /// </summary>
    public static string ValueJson(object? value)
    {
        var sb = new StringBuilder();
        SpanValueJson.Write(sb, value, ensureAscii: false);
        return sb.ToString();
    }
}
