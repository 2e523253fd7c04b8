namespace LlmTrack;

/// <summary>The lifecycle status of a run, as MLflow defines it.</summary>
public enum RunStatus
{
    /// <summary>The run is in progress (MLflow <c>RUNNING</c>).</summary>
    Running,

    /// <summary>The run is scheduled but not started (MLflow <c>SCHEDULED</c>).</summary>
    Scheduled,

    /// <summary>The run completed successfully (MLflow <c>FINISHED</c>).</summary>
    Finished,

    /// <summary>The run's code threw (MLflow <c>FAILED</c>).</summary>
    Failed,

    /// <summary>The run was cancelled or killed (MLflow <c>KILLED</c>).</summary>
    Killed,
}

/// <summary>Which runs or experiments a search returns, by lifecycle stage.</summary>
public enum ViewType
{
    /// <summary>Only active (not deleted) entities (MLflow <c>ACTIVE_ONLY</c>).</summary>
    ActiveOnly,

    /// <summary>Only deleted entities (MLflow <c>DELETED_ONLY</c>).</summary>
    DeletedOnly,

    /// <summary>Active and deleted entities (MLflow <c>ALL</c>).</summary>
    All,
}
