namespace LlmTrack;

/// <summary>What a store-to-store copy did.</summary>
public sealed record SyncReport
{
    /// <summary>The id recorded in <see cref="TrackingStoreCopy.SourceRunIdTag"/> before each run id (<c>&lt;store id&gt;/&lt;run id&gt;</c>).</summary>
    public required string SourceStoreId { get; init; }

    /// <summary>Experiments created on the target.</summary>
    public int ExperimentsCreated { get; init; }

    /// <summary>Source runs found (active runs of the copied experiments).</summary>
    public int RunsTotal { get; init; }

    /// <summary>Runs created on the target.</summary>
    public int RunsCreated { get; init; }

    /// <summary>Runs already on the target (from an earlier copy) to which something was added or changed.</summary>
    public int RunsUpdated { get; init; }

    /// <summary>Runs already on the target with nothing to add.</summary>
    public int RunsUnchanged { get; init; }

    /// <summary>Runs not copied on purpose (e.g. the earlier copy was deleted on the target).</summary>
    public int RunsSkipped { get; init; }

    /// <summary>Metric points written to the target.</summary>
    public long MetricPointsSent { get; init; }

    /// <summary>Metric points the target already had.</summary>
    public long MetricPointsSkipped { get; init; }

    /// <summary>Params written to the target.</summary>
    public int ParamsSent { get; init; }

    /// <summary>Params the target already had with the same value.</summary>
    public int ParamsSkipped { get; init; }

    /// <summary>Tags written (new or changed) on the target runs.</summary>
    public int TagsSent { get; init; }

    /// <summary>Data set inputs logged on the target.</summary>
    public int DatasetInputsSent { get; init; }

    /// <summary>Artifact files uploaded.</summary>
    public int ArtifactsUploaded { get; init; }

    /// <summary>Artifact files the target already had with the same size.</summary>
    public int ArtifactsSkipped { get; init; }

    /// <summary>Artifact bytes uploaded.</summary>
    public long ArtifactBytes { get; init; }

    /// <summary>Values that differ between source and target and were left as the target has them (e.g. a param).</summary>
    public IReadOnlyList<SyncConflict> Conflicts { get; init; } = [];

    /// <summary>Notes about what was adapted or left out (e.g. a parent run that was not copied).</summary>
    public IReadOnlyList<SyncNote> Notes { get; init; } = [];

    /// <summary>Runs whose copy failed; the other runs were still copied. Running the copy again resumes them.</summary>
    public IReadOnlyList<SyncFailure> Failures { get; init; } = [];

    /// <summary>Whether every run was copied without failure (otherwise running the same copy again resumes the failed runs).</summary>
    public bool Succeeded => Failures.Count == 0;
}

/// <summary>A value the target already has differently; the target's value is kept.</summary>
/// <param name="SourceRunId">The run in the source store.</param>
/// <param name="TargetRunId">Its copy on the target.</param>
/// <param name="Kind">What conflicts, e.g. <c>param</c>.</param>
/// <param name="Key">The param (or other) key.</param>
/// <param name="SourceValue">The value in the source.</param>
/// <param name="TargetValue">The value on the target, which was kept.</param>
public sealed record SyncConflict(string SourceRunId, string TargetRunId, string Kind, string Key, string SourceValue, string TargetValue);

/// <summary>Something about one run that was copied differently from the source.</summary>
/// <param name="SourceRunId">The run in the source store.</param>
/// <param name="Message">What happened.</param>
public sealed record SyncNote(string SourceRunId, string Message);

/// <summary>A run whose copy failed.</summary>
/// <param name="SourceRunId">The run in the source store.</param>
/// <param name="ExperimentName">The source experiment's name.</param>
/// <param name="TargetRunId">The run on the target, if it had been created or found.</param>
/// <param name="Error">The error's message.</param>
/// <param name="Exception">The error.</param>
public sealed record SyncFailure(string SourceRunId, string ExperimentName, string? TargetRunId, string Error, Exception Exception)
{
    /// <summary>
    /// Metric points of the run that the target did not acknowledge during this copy and did not have before it (an
    /// upper bound when the copy failed before comparing with the target); <see langword="null"/> when the source could
    /// not be read to count them.
    /// </summary>
    public long? MetricPointsMissing { get; init; }

    /// <summary>Params of the run not written to the target (nor found there with the same value).</summary>
    public int ParamsMissing { get; init; }

    /// <summary>Tags of the run not written to the target (nor found there with the same value).</summary>
    public int TagsMissing { get; init; }
}
