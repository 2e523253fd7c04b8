namespace LlmTrack;

/// <summary>
/// MLflow's names of <see cref="RunStatus"/> and <see cref="ViewType"/> values, as the REST API
/// sends them and MLflow's SQL schema stores them (<c>RUNNING</c>, <c>FINISHED</c>, <c>ACTIVE_ONLY</c>, …).
/// </summary>
internal static class RunStatusNames
{
    /// <summary>MLflow's name of a run status (<c>RUNNING</c>, <c>SCHEDULED</c>, <c>FINISHED</c>, <c>FAILED</c>, <c>KILLED</c>).</summary>
    public static string ToMlflow(RunStatus status) => status switch
    {
        RunStatus.Running => "RUNNING",
        RunStatus.Scheduled => "SCHEDULED",
        RunStatus.Finished => "FINISHED",
        RunStatus.Failed => "FAILED",
        RunStatus.Killed => "KILLED",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown run status."),
    };

    /// <summary>Parses MLflow's name of a run status; an unknown or missing name reads as <see cref="RunStatus.Running"/>.</summary>
    public static RunStatus Parse(string? status) => status switch
    {
        "SCHEDULED" => RunStatus.Scheduled,
        "FINISHED" => RunStatus.Finished,
        "FAILED" => RunStatus.Failed,
        "KILLED" => RunStatus.Killed,
        _ => RunStatus.Running,
    };

    /// <summary>MLflow's name of a view type (<c>ACTIVE_ONLY</c>, <c>DELETED_ONLY</c>, <c>ALL</c>).</summary>
    public static string ToMlflow(ViewType viewType) => viewType switch
    {
        ViewType.ActiveOnly => "ACTIVE_ONLY",
        ViewType.DeletedOnly => "DELETED_ONLY",
        ViewType.All => "ALL",
        _ => throw new ArgumentOutOfRangeException(nameof(viewType), viewType, "Unknown view type."),
    };
}
