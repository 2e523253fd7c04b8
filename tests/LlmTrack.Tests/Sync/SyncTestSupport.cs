using System.Text;
using LlmTrack.Stores;
using LlmTrack.Stores.Sqlite;
using LlmTrack.Sync;
using LlmTrack.Tests.Sqlite;

namespace LlmTrack.Tests.Sync;

/// <summary>A source and a target SQLite store in temporary folders.</summary>
internal sealed class TwoStores : IDisposable
{
    private readonly TempFolder _sourceFolder = new();
    private readonly TempFolder _targetFolder = new();

    public TwoStores()
    {
        Source = SqliteTrackingStore.Open(_sourceFolder.TrackingUri, TimeProvider.System);
        Target = SqliteTrackingStore.Open(_targetFolder.TrackingUri, TimeProvider.System);
    }

    public SqliteTrackingStore Source { get; }

    public SqliteTrackingStore Target { get; }

    public string SourceUri => _sourceFolder.TrackingUri;

    public string TargetUri => _targetFolder.TrackingUri;

    public TempFolder TargetFolder => _targetFolder;

    /// <summary>Where artifacts are staged; checked empty after each copy.</summary>
    public string StagingFolder => Directory.CreateDirectory(Path.Combine(_sourceFolder.Path, "staging")).FullName;

    public async Task<SyncReport> CopyAsync(ITrackingStore? source = null, IProgress<SyncProgress>? progress = null)
    {
        var report = await new StoreCopier(source ?? Source, Target, SyncEndpoints.StoreIdFromUri(SourceUri), new SyncOptions { TemporaryFolder = StagingFolder }).CopyAsync(progress);
        Assert.Empty(Directory.EnumerateFileSystemEntries(StagingFolder));
        return report;
    }

    public void Dispose()
    {
        Source.Dispose();
        Target.Dispose();
        _sourceFolder.Dispose();
        _targetFolder.Dispose();
    }
}

internal static class SyncTestExtensions
{
    public static Task UploadTextAsync(this ITrackingStore store, RunSnapshot run, string path, string content)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        return store.GetArtifactRepository(run.Info.ArtifactUri)
            .UploadAsync(path, _ => Task.FromResult<Stream>(new MemoryStream(bytes)), bytes.Length, CancellationToken.None);
    }

    public static async Task<string> DownloadTextAsync(this ITrackingStore store, RunSnapshot run, string path)
    {
        using var buffer = new MemoryStream();
        await store.GetArtifactRepository(run.Info.ArtifactUri).DownloadAsync(path, buffer, CancellationToken.None);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static async Task<List<ArtifactFile>> ListAllArtifactsAsync(this ITrackingStore store, RunSnapshot run, string? folder = null)
    {
        var repository = store.GetArtifactRepository(run.Info.ArtifactUri);
        var files = new List<ArtifactFile>();
        foreach (var entry in await repository.ListAsync(folder, CancellationToken.None))
        {
            if (entry.IsDirectory)
            {
                files.AddRange(await store.ListAllArtifactsAsync(run, entry.Path));
            }
            else
            {
                files.Add(entry);
            }
        }

        return [.. files.OrderBy(f => f.Path, StringComparer.Ordinal)];
    }

    public static async Task<List<RunSnapshot>> AllRunsAsync(this ITrackingStore store, string experimentName)
    {
        var experiment = await store.GetExperimentByNameAsync(experimentName, CancellationToken.None);
        Assert.NotNull(experiment);
        var page = await store.SearchRunsAsync([experiment.ExperimentId], null, ViewType.All, 1000, null, null, CancellationToken.None);
        return [.. page.Items];
    }

    /// <summary>The target copy of a source run, found by its source-id tag.</summary>
    public static async Task<RunSnapshot> CopyOfAsync(this ITrackingStore target, string experimentName, string sourceRunId)
    {
        var runs = await target.AllRunsAsync(experimentName);
        var copy = Assert.Single(runs, r => r.Data.Tags.Any(t => t.Key == StoreCopier.SourceRunIdTag && t.Value.EndsWith("/" + sourceRunId, StringComparison.Ordinal)));
        return await target.GetRunAsync(copy.Info.RunId, CancellationToken.None);
    }

    /// <summary>A history in a comparable order, with NaN made comparable by its bits.</summary>
    public static async Task<List<(long Step, long Timestamp, long Bits)>> HistoryAsync(this ITrackingStore store, string runId, string key) =>
        [.. (await store.GetMetricHistoryAsync(runId, key, CancellationToken.None))
            .Select(m => (m.Step, m.Timestamp, BitConverter.DoubleToInt64Bits(double.IsNaN(m.Value) ? double.NaN : m.Value)))
            .Order()];
}

/// <summary>A store that delegates to another one but fails artifact downloads of chosen runs.</summary>
internal sealed class FailingArtifactsStore(ITrackingStore inner, Func<string, bool> failRun) : ITrackingStore
{
    public Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken) => inner.GetExperimentByNameAsync(name, cancellationToken);

    public Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken cancellationToken) => inner.GetExperimentAsync(experimentId, cancellationToken);

    public Task<string> CreateExperimentAsync(string name, string? artifactLocation, IReadOnlyList<Tag> tags, CancellationToken cancellationToken) =>
        inner.CreateExperimentAsync(name, artifactLocation, tags, cancellationToken);

    public Task<Page<Experiment>> SearchExperimentsAsync(string? filter, ViewType viewType, int maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken cancellationToken) =>
        inner.SearchExperimentsAsync(filter, viewType, maxResults, orderBy, pageToken, cancellationToken);

    public Task SetExperimentTagAsync(string experimentId, string key, string value, CancellationToken cancellationToken) =>
        inner.SetExperimentTagAsync(experimentId, key, value, cancellationToken);

    public Task<RunSnapshot> CreateRunAsync(string experimentId, string? runName, long startTime, IReadOnlyList<Tag> tags, CancellationToken cancellationToken) =>
        inner.CreateRunAsync(experimentId, runName, startTime, tags, cancellationToken);

    public Task<RunSnapshot> GetRunAsync(string runId, CancellationToken cancellationToken) => inner.GetRunAsync(runId, cancellationToken);

    public Task<RunInfo> UpdateRunAsync(string runId, RunStatus? status, long? endTime, string? runName, CancellationToken cancellationToken) =>
        inner.UpdateRunAsync(runId, status, endTime, runName, cancellationToken);

    public Task DeleteRunAsync(string runId, CancellationToken cancellationToken) => inner.DeleteRunAsync(runId, cancellationToken);

    public Task RestoreRunAsync(string runId, CancellationToken cancellationToken) => inner.RestoreRunAsync(runId, cancellationToken);

    public Task LogBatchAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, CancellationToken cancellationToken) =>
        inner.LogBatchAsync(runId, metrics, parameters, tags, cancellationToken);

    public Task SetTagAsync(string runId, string key, string value, CancellationToken cancellationToken) => inner.SetTagAsync(runId, key, value, cancellationToken);

    public Task DeleteTagAsync(string runId, string key, CancellationToken cancellationToken) => inner.DeleteTagAsync(runId, key, cancellationToken);

    public Task<Page<RunSnapshot>> SearchRunsAsync(IReadOnlyList<string> experimentIds, string? filter, ViewType viewType, int maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken cancellationToken) =>
        inner.SearchRunsAsync(experimentIds, filter, viewType, maxResults, orderBy, pageToken, cancellationToken);

    public Task<IReadOnlyList<Metric>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken) =>
        inner.GetMetricHistoryAsync(runId, key, cancellationToken);

    public Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> datasets, CancellationToken cancellationToken) =>
        inner.LogInputsAsync(runId, datasets, cancellationToken);

    public IArtifactRepository GetArtifactRepository(string artifactUri)
    {
        var repository = inner.GetArtifactRepository(artifactUri);
        return failRun(artifactUri) ? new FailingDownloads(repository) : repository;
    }

    public void Dispose()
    {
    }

    private sealed class FailingDownloads(IArtifactRepository inner) : IArtifactRepository
    {
        public Task UploadAsync(string relativePath, Func<CancellationToken, Task<Stream>> openContent, long? length, CancellationToken cancellationToken) =>
            inner.UploadAsync(relativePath, openContent, length, cancellationToken);

        public Task<IReadOnlyList<ArtifactFile>> ListAsync(string? relativePath, CancellationToken cancellationToken) => inner.ListAsync(relativePath, cancellationToken);

        public Task DownloadAsync(string relativePath, Stream destination, CancellationToken cancellationToken) =>
            throw new IOException($"Simulated download failure for '{relativePath}'.");
    }
}

/// <summary>Collects progress synchronously (Progress&lt;T&gt; would post to the thread pool).</summary>
internal sealed class ProgressLog : IProgress<SyncProgress>
{
    public List<SyncProgress> Reports { get; } = [];

    public void Report(SyncProgress value) => Reports.Add(value);
}
