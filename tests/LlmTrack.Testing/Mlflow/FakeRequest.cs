namespace LlmTrack.Testing;

/// <summary>One request <see cref="FakeMlflowServer"/> received (its request log).</summary>
/// <param name="Number">1-based, in arrival order.</param>
/// <param name="Method">GET, POST, ...</param>
/// <param name="Route">The path after <c>/api/2.0/mlflow/</c> (like <c>runs/log-batch</c>), else the whole path.</param>
/// <param name="MetricCount">Metrics in the body (log-batch), else 0.</param>
/// <param name="Fault">The fault chosen for it.</param>
public sealed record FakeRequest(int Number, string Method, string Route, int MetricCount, FakeFault Fault);

/// <summary>A metric point as the fake server stores it (±∞ clamped to ±max double, as MLflow's SQL store does).</summary>
public sealed record FakeMetric(string Key, double Value, long Timestamp, long Step);

/// <summary>A snapshot of one run the fake server holds.</summary>
public sealed class FakeRun
{
    /// <summary>The run id.</summary>
    public required string RunId { get; init; }

    /// <summary>The experiment id.</summary>
    public required string ExperimentId { get; init; }

    /// <summary>The run name.</summary>
    public string? RunName { get; set; }

    /// <summary>RUNNING, FINISHED, FAILED, KILLED.</summary>
    public string Status { get; set; } = "RUNNING";

    /// <summary>Start time (Unix ms).</summary>
    public long StartTime { get; init; }

    /// <summary>End time (Unix ms), once set.</summary>
    public long? EndTime { get; set; }

    /// <summary>When a metric point was last stored (server time since it started), if ever.</summary>
    public TimeSpan? LastStored { get; set; }

    /// <summary>Tags.</summary>
    public Dictionary<string, string> Tags { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Params.</summary>
    public Dictionary<string, string> Params { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Every stored metric point, in the order stored.</summary>
    public List<FakeMetric> Metrics { get; init; } = [];

    /// <summary>The dataset inputs logged with <c>runs/log-inputs</c> (their JSON).</summary>
    public List<string> Inputs { get; init; } = [];

    /// <summary>A deep copy.</summary>
    public FakeRun Clone() => new()
    {
        RunId = RunId,
        ExperimentId = ExperimentId,
        RunName = RunName,
        Status = Status,
        StartTime = StartTime,
        EndTime = EndTime,
        LastStored = LastStored,
        Tags = new Dictionary<string, string>(Tags, StringComparer.Ordinal),
        Params = new Dictionary<string, string>(Params, StringComparer.Ordinal),
        Metrics = [.. Metrics],
        Inputs = [.. Inputs],
    };
}
