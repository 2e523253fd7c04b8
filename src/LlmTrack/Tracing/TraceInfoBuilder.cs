using LlmTrack.Model;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LlmTrack.Metrics.Text;
using LlmTrack.Model.Tracing;

namespace LlmTrack.Tracing;

/// <summary>
/// Builds the v3 trace info for a finished root span as MLflow's Python client does: request time and duration of
/// the root, state OK/ERROR, metadata (schema version 3, <c>mlflow.traceInputs/Outputs</c> as Python-<c>json.dumps</c>
/// text, summed <c>mlflow.trace.tokenUsage</c>, <c>mlflow.sourceRun</c> inside a run, the process's user and source),
/// tag <c>mlflow.traceName</c>, and the previews.
/// </summary>
internal static class TraceInfoBuilder
{
    /// <summary>The longest request/response preview, in characters (MLflow truncates previews to 1000).</summary>
    public const int PreviewMaxLength = 1000;

    /// <summary>The trace info of the trace whose root is <paramref name="root"/>.</summary>
    /// <param name="root">The root span.</param>
    /// <param name="experimentId">The trace's experiment.</param>
    /// <param name="runId">The run the trace was made in, if any.</param>
    /// <param name="tokens">The trace's summed token usage.</param>
    /// <param name="sourceTags">The process's <c>mlflow.user</c> and <c>mlflow.source.*</c> tags.</param>
    /// <param name="extraTags">More trace tags (<c>mlflow.eval.requestId</c>).</param>
    public static TraceInfoRecord Build(SpanRecord root, string experimentId, string? runId, TokenTotals tokens, IEnumerable<Tag> sourceTags, IReadOnlyDictionary<string, string>? extraTags = null)
    {
        var inputs = PythonJsonOf(root.Attribute(MlflowTags.SpanInputs));
        var outputs = PythonJsonOf(root.Attribute(MlflowTags.SpanOutputs));
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in sourceTags)
        {
            if (tag.Key == Model.MlflowTags.User || tag.Key.StartsWith("mlflow.source.", StringComparison.Ordinal))
            {
                metadata[tag.Key] = tag.Value;
            }
        }

        metadata[MlflowTraceKeys.TraceInputs] = inputs;
        metadata[MlflowTraceKeys.TraceOutputs] = outputs;
        if (tokens.Any)
        {
            metadata[MlflowTags.TraceTokenUsage] = string.Create(
                CultureInfo.InvariantCulture,
                $"{{\"input_tokens\": {tokens.Input}, \"output_tokens\": {tokens.Output}, \"total_tokens\": {tokens.Input + tokens.Output}}}");
        }

        if (runId is not null)
        {
            metadata[MlflowTags.TraceSourceRun] = runId;
        }

        metadata[MlflowTraceKeys.SchemaVersion] = "3";
        var tags = new Dictionary<string, string>(StringComparer.Ordinal) { [MlflowTags.TraceName] = root.Name };
        if (extraTags is not null)
        {
            foreach (var (key, value) in extraTags)
            {
                tags[key] = value;
            }
        }

        return new TraceInfoRecord
        {
            TraceId = root.MlflowTraceId,
            ExperimentId = experimentId,
            RequestTimeMs = root.StartTimeUnixNano / 1_000_000,
            ExecutionDurationNanos = root.EndTimeUnixNano - root.StartTimeUnixNano,
            State = root.IsError ? "ERROR" : "OK",
            Metadata = metadata,
            Tags = tags,
            RequestPreview = Truncate(inputs),
            ResponsePreview = Truncate(outputs),
        };
    }

    /// <summary>Python's <c>json.dumps</c> text of an attribute value; empty for none.</summary>
    public static string PythonJsonOf(object? value)
    {
        if (value is null)
        {
            return string.Empty;
        }

        var sb = new StringBuilder();
        SpanValueJson.Write(sb, value, ensureAscii: true);
        return sb.ToString();
    }

    private static string Truncate(string text) => text.Length <= PreviewMaxLength ? text : text[..(PreviewMaxLength - 3)] + "...";
}
