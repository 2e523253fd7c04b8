using LlmTrack.Rest.Wire;

namespace LlmTrack.Rest.LoggedModels;

/// <summary>Maps logged-model wire types to the public entities and back; a missing key reads as empty.</summary>
internal static class LoggedModelWireMapping
{
    /// <summary>The proto enum name of a status (<c>LOGGED_MODEL_READY</c>, …), what the server needs in a PATCH.</summary>
    public static string ToWire(LoggedModelStatus status) => status switch
    {
        LoggedModelStatus.Pending => "LOGGED_MODEL_PENDING",
        LoggedModelStatus.Ready => "LOGGED_MODEL_READY",
        LoggedModelStatus.UploadFailed => "LOGGED_MODEL_UPLOAD_FAILED",
        _ => "LOGGED_MODEL_STATUS_UNSPECIFIED",
    };

    /// <summary>The status of a proto enum name; anything unknown is <see cref="LoggedModelStatus.Unspecified"/>.</summary>
    public static LoggedModelStatus ToStatus(string? name) => name switch
    {
        "LOGGED_MODEL_PENDING" => LoggedModelStatus.Pending,
        "LOGGED_MODEL_READY" => LoggedModelStatus.Ready,
        "LOGGED_MODEL_UPLOAD_FAILED" => LoggedModelStatus.UploadFailed,
        _ => LoggedModelStatus.Unspecified,
    };

    public static LoggedModel ToModel(WireLoggedModel model)
    {
        var info = model.Info ?? new WireLoggedModelInfo();
        return new LoggedModel
        {
            ModelId = info.ModelId ?? "",
            ExperimentId = info.ExperimentId ?? "",
            Name = info.Name ?? "",
            ArtifactUri = info.ArtifactUri ?? "",
            CreationTimestamp = info.CreationTimestampMs ?? 0,
            LastUpdatedTimestamp = info.LastUpdatedTimestampMs ?? 0,
            Status = ToStatus(info.Status),
            StatusMessage = info.StatusMessage,
            ModelType = info.ModelType,
            SourceRunId = info.SourceRunId,
            Tags = info.Tags?.Select(t => new Tag(t.Key ?? "", t.Value ?? "")).ToArray() ?? [],
            Params = model.Data?.Params?.Select(p => new Param(p.Key ?? "", p.Value ?? "")).ToArray() ?? [],
            Metrics = model.Data?.Metrics?.Select(ToModel).ToArray() ?? [],
        };
    }

    public static LoggedModelMetric ToModel(WireModelMetric metric) =>
        new(metric.Key ?? "", metric.Value, metric.Timestamp, metric.Step)
        {
            RunId = metric.RunId,
            ModelId = metric.ModelId,
            DatasetName = metric.DatasetName,
            DatasetDigest = metric.DatasetDigest,
        };

    public static WireModelMetric ToWire(LoggedModelMetric metric, string runId) => new()
    {
        Key = metric.Key,
        Value = metric.Value,
        Timestamp = metric.Timestamp,
        Step = metric.Step,
        DatasetName = metric.DatasetName,
        DatasetDigest = metric.DatasetDigest,
        ModelId = metric.ModelId,
        RunId = runId,
    };

    public static List<WireKeyValue> ToWire(IReadOnlyList<Param> parameters) =>
        [.. parameters.Select(p => new WireKeyValue { Key = p.Key, Value = p.Value })];
}
