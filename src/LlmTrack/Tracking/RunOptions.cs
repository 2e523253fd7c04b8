namespace LlmTrack;

/// <summary>How to start (or resume) a run with <see cref="Tracker.StartRun(RunOptions, CancellationToken)"/>.</summary>
public sealed class RunOptions
{
    /// <summary>
    /// The experiment by name; created when missing (also when another process creates it at the same time).
    /// Default: <see cref="LlmTrackOptions.ExperimentName"/>, then <see cref="LlmTrackOptions.ExperimentId"/>, then Default (<c>"0"</c>).
    /// </summary>
    public string? ExperimentName { get; set; }

    /// <summary>The experiment by id; wins over <see cref="ExperimentName"/>.</summary>
    public string? ExperimentId { get; set; }

    /// <summary>The run's name; generated MLflow-style (<c>adjective-animal-number</c>) when not given.</summary>
    public string? RunName { get; set; }

    /// <summary>A description, stored as the <c>mlflow.note.content</c> tag (what the MLflow UI shows as the run's description).</summary>
    public string? Description { get; set; }

    /// <summary>Tags set when the run starts; they win over the automatic tags of the same key.</summary>
    public IDictionary<string, string> Tags { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Makes the new run a child of this run (tag <c>mlflow.parentRunId</c>).</summary>
    public Run? Parent { get; set; }

    /// <summary>Makes the new run a child of the run with this id (when <see cref="Parent"/> is not set).</summary>
    public string? ParentRunId { get; set; }

    /// <summary>
    /// Resumes the existing run with this id instead of creating one: its status is set back to RUNNING and the
    /// given run name, description and tags are applied. When not set (and no parent is given), the
    /// <c>MLFLOW_RUN_ID</c> environment variable is used, as MLflow's client does.
    /// </summary>
    public string? RunId { get; set; }
}
