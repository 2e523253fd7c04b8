using System.Text.Json.Serialization;

namespace LlmTrack.Rest.Tracing;

/// <summary>The body of v3 start-trace, <c>POST /api/3.0/mlflow/traces</c>: <c>{"trace":{"trace_info":{…}}}</c>.</summary>
internal sealed class StartTraceRequest
{
    public required StartTraceBody Trace { get; init; }
}

/// <summary>The <c>trace</c> of <see cref="StartTraceRequest"/>.</summary>
internal sealed class StartTraceBody
{
    public required WireTraceInfoV3 TraceInfo { get; init; }
}

/// <summary>A v3 TraceInfo as start-trace sends it (the order of the Python client's JSON).</summary>
internal sealed class WireTraceInfoV3
{
    public required string TraceId { get; init; }

    public required WireTraceLocation TraceLocation { get; init; }

    /// <summary>RFC 3339 UTC, milliseconds (protobuf Timestamp JSON).</summary>
    public required string RequestTime { get; init; }

    /// <summary>Protobuf Duration JSON, e.g. <c>0.225s</c>.</summary>
    public required string ExecutionDuration { get; init; }

    public required string State { get; init; }

    public required IReadOnlyDictionary<string, string> TraceMetadata { get; init; }

    public required IReadOnlyDictionary<string, string> Tags { get; init; }

    public string? RequestPreview { get; init; }

    public string? ResponsePreview { get; init; }
}

/// <summary><c>{"type":"MLFLOW_EXPERIMENT","mlflow_experiment":{"experiment_id":…}}</c>.</summary>
internal sealed class WireTraceLocation
{
    public string Type { get; init; } = "MLFLOW_EXPERIMENT";

    public required WireMlflowExperimentLocation MlflowExperiment { get; init; }
}

/// <summary>The experiment of a <see cref="WireTraceLocation"/>.</summary>
internal sealed class WireMlflowExperimentLocation
{
    public required string ExperimentId { get; init; }
}

/// <summary>A response whose body is not needed (start-trace echoes the trace).</summary>
internal sealed class TraceWriteResponse
{
}

/// <summary>Source-generated JSON for the trace write calls (snake_case, nulls omitted, as MLflow's client sends).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StartTraceRequest))]
[JsonSerializable(typeof(TraceWriteResponse))]
internal sealed partial class TraceWriteJsonContext : JsonSerializerContext
{
}
