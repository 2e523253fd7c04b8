using System.Text.Json.Serialization;

namespace LlmTrack.Rest.Traces;

/// <summary>Source-generated JSON for the v3 trace and assessment API (snake_case, nulls omitted).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(GetTraceResponse))]
[JsonSerializable(typeof(BatchGetTracesResponse))]
[JsonSerializable(typeof(SearchTracesRequest))]
[JsonSerializable(typeof(SearchTracesResponse))]
[JsonSerializable(typeof(TraceTagRequest))]
[JsonSerializable(typeof(DeleteTracesRequest))]
[JsonSerializable(typeof(DeleteTracesResponse))]
[JsonSerializable(typeof(LinkTracesToRunRequest))]
[JsonSerializable(typeof(TraceEmptyResponse))]
[JsonSerializable(typeof(AssessmentRequest))]
[JsonSerializable(typeof(AssessmentResponse))]
[JsonSerializable(typeof(DeleteAssessmentRequest))]
internal sealed partial class TraceJsonContext : JsonSerializerContext;
