namespace LlmTrack.Sync;

/// <summary>What is known of one run's copy, to say what is missing when it fails: the target run id once created or found, and what the target acknowledged.</summary>
internal sealed class RunCopyState
{
    /// <summary>The target run, once created or found.</summary>
    public string? TargetRunId { get; set; }

    /// <summary>The source run as read in full.</summary>
    public RunSnapshot? Source { get; set; }

    /// <summary>Params the target lacks (once known).</summary>
    public int? ParamsToSend { get; set; }

    /// <summary>Tags the target lacks or holds with another value (once known).</summary>
    public int? TagsToSend { get; set; }

    /// <summary>Metric points the target acknowledged.</summary>
    public long PointsSent { get; set; }

    /// <summary>Metric points the target held already.</summary>
    public long PointsPresent { get; set; }

    /// <summary>Params the target acknowledged.</summary>
    public int ParamsSent { get; set; }

    /// <summary>Tags the target acknowledged.</summary>
    public int TagsSent { get; set; }
}
