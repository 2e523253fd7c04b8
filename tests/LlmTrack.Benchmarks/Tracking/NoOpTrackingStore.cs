using LlmTrack.Stores;

namespace LlmTrack.Benchmarks.Tracking;

/// <summary>A store that accepts everything and keeps nothing: measures the client side alone.</summary>
internal sealed class NoOpTrackingStore : ITrackingStore
{
    private long _metrics;

    public long MetricsReceived => Interlocked.Read(ref _metrics);

    public Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult<Experiment?>(new Experiment { ExperimentId = "1", Name = name });

    public Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken cancellationToken) =>
        Task.FromResult(new Experiment { ExperimentId = experimentId, Name = "bench" });

    public Task<string> CreateExperimentAsync(string name, string? artifactLocation, IReadOnlyList<Tag> tags, CancellationToken cancellationToken) => Task.FromResult("1");

    public Task<Page<Experiment>> SearchExperimentsAsync(string? filter, ViewType viewType, int maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken cancellationToken) =>
        Task.FromResult(new Page<Experiment>([], null));

    public Task SetExperimentTagAsync(string experimentId, string key, string value, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<RunSnapshot> CreateRunAsync(string experimentId, string? runName, long startTime, IReadOnlyList<Tag> tags, CancellationToken cancellationToken) =>
        Task.FromResult(new RunSnapshot { Info = new RunInfo { RunId = Guid.NewGuid().ToString("N"), ExperimentId = experimentId, RunName = runName, StartTime = startTime } });

    public Task<RunSnapshot> GetRunAsync(string runId, CancellationToken cancellationToken) =>
        Task.FromResult(new RunSnapshot { Info = new RunInfo { RunId = runId, ExperimentId = "1" } });

    public Task<RunInfo> UpdateRunAsync(string runId, RunStatus? status, long? endTime, string? runName, CancellationToken cancellationToken) =>
        Task.FromResult(new RunInfo { RunId = runId, ExperimentId = "1", Status = status ?? RunStatus.Running, EndTime = endTime });

    public Task DeleteRunAsync(string runId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task RestoreRunAsync(string runId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task LogBatchAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        Interlocked.Add(ref _metrics, metrics.Count);
        return Task.CompletedTask;
    }

    public Task SetTagAsync(string runId, string key, string value, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DeleteTagAsync(string runId, string key, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<Page<RunSnapshot>> SearchRunsAsync(IReadOnlyList<string> experimentIds, string? filter, ViewType viewType, int maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken cancellationToken) =>
        Task.FromResult(new Page<RunSnapshot>([], null));

    public Task<IReadOnlyList<Metric>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Metric>>([]);

    public Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> datasets, CancellationToken cancellationToken) => Task.CompletedTask;

    public IArtifactRepository GetArtifactRepository(string artifactUri) => new DiscardingArtifactRepository();

    public void Dispose()
    {
    }
}

/// <summary>Reads every uploaded file to the end and keeps nothing (the evaluation benchmarks upload tables).</summary>
internal sealed class DiscardingArtifactRepository : IArtifactRepository
{
    public async Task UploadAsync(string relativePath, Func<CancellationToken, Task<Stream>> openContent, long? length, CancellationToken cancellationToken)
    {
        await using var stream = await openContent(cancellationToken);
        await stream.CopyToAsync(Stream.Null, cancellationToken);
    }

    public Task<IReadOnlyList<ArtifactFile>> ListAsync(string? relativePath, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ArtifactFile>>([]);

    public Task DownloadAsync(string relativePath, Stream destination, CancellationToken cancellationToken) =>
        throw new FileNotFoundException(relativePath);
}
