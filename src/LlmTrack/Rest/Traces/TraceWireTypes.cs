using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace LlmTrack.Rest.Traces;

// The JSON shapes of MLflow 3's v3 trace and assessment API (traces.out). Missing keys read as null/empty.

internal sealed class ExperimentLocationWire
{
    public string? ExperimentId { get; set; }
}

internal sealed class TraceLocationWire
{
    public string? Type { get; set; }

    public ExperimentLocationWire? MlflowExperiment { get; set; }

    public static TraceLocationWire Experiment(string experimentId) => new() { Type = "MLFLOW_EXPERIMENT", MlflowExperiment = new() { ExperimentId = experimentId } };
}

internal sealed class TraceInfoWire
{
    public string? TraceId { get; set; }

    public string? ClientRequestId { get; set; }

    public TraceLocationWire? TraceLocation { get; set; }

    public string? RequestTime { get; set; }

    public string? ExecutionDuration { get; set; }

    public string? State { get; set; }

    public Dictionary<string, string>? TraceMetadata { get; set; }

    public Dictionary<string, string>? Tags { get; set; }

    public string? RequestPreview { get; set; }

    public string? ResponsePreview { get; set; }

    public List<AssessmentWire>? Assessments { get; set; }
}

internal sealed class KeyValueWire
{
    public string? Key { get; set; }

    public JsonElement Value { get; set; }
}

internal sealed class SpanStatusWire
{
    public string? Code { get; set; }

    public string? Message { get; set; }
}

internal sealed class SpanEventWire
{
    public string? Name { get; set; }

    public long TimeUnixNano { get; set; }

    public List<KeyValueWire>? Attributes { get; set; }
}

internal sealed class SpanWire
{
    public string? TraceId { get; set; }

    public string? SpanId { get; set; }

    public string? ParentSpanId { get; set; }

    public string? Name { get; set; }

    public long StartTimeUnixNano { get; set; }

    public long? EndTimeUnixNano { get; set; }

    public List<KeyValueWire>? Attributes { get; set; }

    public List<SpanEventWire>? Events { get; set; }

    public SpanStatusWire? Status { get; set; }
}

internal sealed class TraceWire
{
    public TraceInfoWire? TraceInfo { get; set; }

    public List<SpanWire>? Spans { get; set; }
}

internal sealed class GetTraceResponse
{
    public TraceWire? Trace { get; set; }
}

internal sealed class BatchGetTracesResponse
{
    public List<TraceWire>? Traces { get; set; }
}

internal sealed class SearchTracesRequest
{
    public List<TraceLocationWire> Locations { get; set; } = [];

    public string? Filter { get; set; }

    public int? MaxResults { get; set; }

    public List<string>? OrderBy { get; set; }

    public string? PageToken { get; set; }
}

internal sealed class SearchTracesResponse
{
    public List<TraceInfoWire>? Traces { get; set; }

    public string? NextPageToken { get; set; }
}

internal sealed class TraceTagRequest
{
    public string? Key { get; set; }

    public string? Value { get; set; }
}

internal sealed class DeleteTracesRequest
{
    public string? ExperimentId { get; set; }

    public long? MaxTimestampMillis { get; set; }

    public int? MaxTraces { get; set; }

    public List<string>? RequestIds { get; set; }
}

internal sealed class DeleteTracesResponse
{
    public int TracesDeleted { get; set; }
}

internal sealed class LinkTracesToRunRequest
{
    public List<string> TraceIds { get; set; } = [];

    public string? RunId { get; set; }
}

internal sealed class TraceEmptyResponse;

internal sealed class AssessmentSourceWire
{
    public string? SourceType { get; set; }

    public string? SourceId { get; set; }
}

internal sealed class AssessmentErrorWire
{
    public string? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    public string? StackTrace { get; set; }
}

internal sealed class FeedbackWire
{
    /// <summary>Always written: the Python client sends <c>"value": null</c> beside an error.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public JsonNode? Value { get; set; }

    public AssessmentErrorWire? Error { get; set; }
}

internal sealed class SerializedValueWire
{
    public string? SerializationFormat { get; set; }

    public string? Value { get; set; }
}

internal sealed class ExpectationWire
{
    public JsonNode? Value { get; set; }

    public SerializedValueWire? SerializedValue { get; set; }
}

internal sealed class AssessmentWire
{
    public string? AssessmentId { get; set; }

    public string? AssessmentName { get; set; }

    public string? TraceId { get; set; }

    public string? SpanId { get; set; }

    public AssessmentSourceWire? Source { get; set; }

    public string? CreateTime { get; set; }

    public string? LastUpdateTime { get; set; }

    public FeedbackWire? Feedback { get; set; }

    public ExpectationWire? Expectation { get; set; }

    public string? Rationale { get; set; }

    public Dictionary<string, string>? Metadata { get; set; }

    public string? Overrides { get; set; }

    public bool? Valid { get; set; }

    public string? RunId { get; set; }
}

internal sealed class AssessmentRequest
{
    public AssessmentWire? Assessment { get; set; }

    public string? UpdateMask { get; set; }
}

internal sealed class AssessmentResponse
{
    public AssessmentWire? Assessment { get; set; }
}

internal sealed class DeleteAssessmentRequest
{
    public string? TraceId { get; set; }

    public string? AssessmentId { get; set; }
}
