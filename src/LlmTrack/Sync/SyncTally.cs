namespace LlmTrack.Sync;

/// <summary>What a copy did so far (the <see cref="SyncReport"/> in the making), reported as <see cref="SyncProgress"/>.</summary>
internal sealed class SyncTally(IProgress<SyncProgress>? progress)
{
    /// <summary>Experiments created on the target.</summary>
    public int ExperimentsCreated { get; set; }

    /// <summary>Runs to copy.</summary>
    public int RunsTotal { get; set; }

    /// <summary>Runs copied or failed so far.</summary>
    public int RunsDone { get; set; }

    /// <summary>Runs created on the target.</summary>
    public int RunsCreated { get; set; }

    /// <summary>Runs that existed on the target and got something new.</summary>
    public int RunsUpdated { get; set; }

    /// <summary>Runs that existed on the target and needed nothing.</summary>
    public int RunsUnchanged { get; set; }

    /// <summary>Runs not copied (their copy is deleted on the target).</summary>
    public int RunsSkipped { get; set; }

    /// <summary>Metric points the target acknowledged.</summary>
    public long MetricPointsSent { get; set; }

    /// <summary>Metric points the target held already.</summary>
    public long MetricPointsSkipped { get; set; }

    /// <summary>Params the target acknowledged.</summary>
    public int ParamsSent { get; set; }

    /// <summary>Params the target held already, with the same value.</summary>
    public int ParamsSkipped { get; set; }

    /// <summary>Tags the target acknowledged.</summary>
    public int TagsSent { get; set; }

    /// <summary>Data set inputs the target acknowledged.</summary>
    public int DatasetInputsSent { get; set; }

    /// <summary>Artifact files uploaded.</summary>
    public int ArtifactsUploaded { get; set; }

    /// <summary>Artifact files the target held already (same size).</summary>
    public int ArtifactsSkipped { get; set; }

    /// <summary>Bytes of the artifact files uploaded.</summary>
    public long ArtifactBytes { get; set; }

    /// <summary>Params whose value differs on the target.</summary>
    public List<SyncConflict> Conflicts { get; } = [];

    /// <summary>What the report should mention about single runs.</summary>
    public List<SyncNote> Notes { get; } = [];

    /// <summary>Runs that could not be copied.</summary>
    public List<SyncFailure> Failures { get; } = [];

    /// <summary>Reports progress (<paramref name="currentRunId"/>: the run being copied, if any).</summary>
    public void Report(string? currentRunId) =>
        progress?.Report(new SyncProgress(RunsDone, RunsTotal, MetricPointsSent, ArtifactBytes, currentRunId));

    /// <summary>The report of the copy.</summary>
    public SyncReport ToReport(string sourceStoreId) => new()
    {
        SourceStoreId = sourceStoreId,
        ExperimentsCreated = ExperimentsCreated,
        RunsTotal = RunsTotal,
        RunsCreated = RunsCreated,
        RunsUpdated = RunsUpdated,
        RunsUnchanged = RunsUnchanged,
        RunsSkipped = RunsSkipped,
        MetricPointsSent = MetricPointsSent,
        MetricPointsSkipped = MetricPointsSkipped,
        ParamsSent = ParamsSent,
        ParamsSkipped = ParamsSkipped,
        TagsSent = TagsSent,
        DatasetInputsSent = DatasetInputsSent,
        ArtifactsUploaded = ArtifactsUploaded,
        ArtifactsSkipped = ArtifactsSkipped,
        ArtifactBytes = ArtifactBytes,
        Conflicts = [.. Conflicts],
        Notes = [.. Notes],
        Failures = [.. Failures],
    };
}
