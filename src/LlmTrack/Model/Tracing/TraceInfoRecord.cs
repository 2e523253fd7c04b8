namespace LlmTrack.Model.Tracing;

/// <summary>
/// The trace info that the v3 start-trace call (<c>POST /api/3.0/mlflow/traces</c>) sends when a trace's root span
/// ends: where the trace lives, when it started, how long it took, its state, metadata and tags.
/// </summary>
internal sealed record TraceInfoRecord
{
    /// <summary>MLflow's trace id (<c>tr-</c> + hex).</summary>
    public required string TraceId { get; init; }

    /// <summary>The experiment the trace belongs to.</summary>
    public required string ExperimentId { get; init; }

    /// <summary>The root span's start, milliseconds since the Unix epoch.</summary>
    public required long RequestTimeMs { get; init; }

    /// <summary>The root span's duration in nanoseconds.</summary>
    public required long ExecutionDurationNanos { get; init; }

    /// <summary><c>OK</c> or <c>ERROR</c>.</summary>
    public required string State { get; init; }

    /// <summary>Trace metadata (<c>mlflow.traceInputs</c>, <c>mlflow.sourceRun</c>, …).</summary>
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }

    /// <summary>Trace tags (<c>mlflow.traceName</c>, …).</summary>
    public required IReadOnlyDictionary<string, string> Tags { get; init; }

    /// <summary>The request preview (the JSON of the root's inputs, truncated), or <see langword="null"/>.</summary>
    public string? RequestPreview { get; init; }

    /// <summary>The response preview (the JSON of the root's outputs, truncated), or <see langword="null"/>.</summary>
    public string? ResponsePreview { get; init; }
}
