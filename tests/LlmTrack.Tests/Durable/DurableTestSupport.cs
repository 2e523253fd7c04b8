using LlmTrack.Durable;
using LlmTrack.Journal;
using LlmTrack.Stores;
using LlmTrack.Tests.Fakes;
using LlmTrack.Tests.Rest;
using Microsoft.Extensions.Logging;

namespace LlmTrack.Tests.Durable;

/// <summary>
/// The in-memory store standing in for a tracking server that can be down (every call fails as the REST store
/// fails when the server is unreachable) and that refuses metrics of chosen keys with 400 INVALID_PARAMETER_VALUE.
/// It outlives the trackers that use it (Dispose does nothing), like a real server outlives its clients.
/// </summary>
internal sealed class SwitchableServer : ITrackingStore
{
    public InMemoryTrackingStore Server { get; } = new();

    public volatile bool Down;

    public HashSet<string> RejectedMetricKeys { get; } = [];

    public int Calls;

    private Task Check()
    {
        Interlocked.Increment(ref Calls);
        return Down
            ? Task.FromException(new MlflowException(MlflowErrorCode.Unavailable, "The MLflow tracking server at http://127.0.0.1:5000 could not be reached (simulated)."))
            : Task.CompletedTask;
    }

    private async Task<T> Call<T>(Func<Task<T>> call)
    {
        await Check();
        return await call();
    }

    private async Task Call(Func<Task> call)
    {
        await Check();
        await call();
    }

    public Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken) => Call(() => Server.GetExperimentByNameAsync(name, cancellationToken));

    public Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken cancellationToken) => Call(() => Server.GetExperimentAsync(experimentId, cancellationToken));

    public Task<string> CreateExperimentAsync(string name, string? artifactLocation, IReadOnlyList<Tag> tags, CancellationToken cancellationToken) => Call(() => Server.CreateExperimentAsync(name, artifactLocation, tags, cancellationToken));

    public Task<Page<Experiment>> SearchExperimentsAsync(string? filter, ViewType viewType, int maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken cancellationToken) =>
        Call(() => Server.SearchExperimentsAsync(filter, viewType, maxResults, orderBy, pageToken, cancellationToken));

    public Task SetExperimentTagAsync(string experimentId, string key, string value, CancellationToken cancellationToken) => Call(() => Server.SetExperimentTagAsync(experimentId, key, value, cancellationToken));

    public Task<RunSnapshot> CreateRunAsync(string experimentId, string? runName, long startTime, IReadOnlyList<Tag> tags, CancellationToken cancellationToken) => Call(() => Server.CreateRunAsync(experimentId, runName, startTime, tags, cancellationToken));

    public Task<RunSnapshot> GetRunAsync(string runId, CancellationToken cancellationToken) => Call(() => Server.GetRunAsync(runId, cancellationToken));

    public Task<RunInfo> UpdateRunAsync(string runId, RunStatus? status, long? endTime, string? runName, CancellationToken cancellationToken) => Call(() => Server.UpdateRunAsync(runId, status, endTime, runName, cancellationToken));

    public Task DeleteRunAsync(string runId, CancellationToken cancellationToken) => Call(() => Server.DeleteRunAsync(runId, cancellationToken));

    public Task RestoreRunAsync(string runId, CancellationToken cancellationToken) => Call(() => Server.RestoreRunAsync(runId, cancellationToken));

    public async Task LogBatchAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        await Check();
        foreach (var metric in metrics)
        {
            if (RejectedMetricKeys.Contains(metric.Key))
            {
                throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"Invalid metric '{metric.Key}' (simulated).", 400);
            }
        }

        await Server.LogBatchAsync(runId, [.. metrics], [.. parameters], [.. tags], cancellationToken);
    }

    public Task SetTagAsync(string runId, string key, string value, CancellationToken cancellationToken) => Call(() => Server.SetTagAsync(runId, key, value, cancellationToken));

    public Task DeleteTagAsync(string runId, string key, CancellationToken cancellationToken) => Call(() => Server.DeleteTagAsync(runId, key, cancellationToken));

    public Task<Page<RunSnapshot>> SearchRunsAsync(IReadOnlyList<string> experimentIds, string? filter, ViewType viewType, int maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken cancellationToken) =>
        Call(() => Server.SearchRunsAsync(experimentIds, filter, viewType, maxResults, orderBy, pageToken, cancellationToken));

    public Task<IReadOnlyList<Metric>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken) => Call(() => Server.GetMetricHistoryAsync(runId, key, cancellationToken));

    public Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> datasets, CancellationToken cancellationToken) => Call(() => Server.LogInputsAsync(runId, datasets, cancellationToken));

    public IArtifactRepository GetArtifactRepository(string artifactUri) => Server.GetArtifactRepository(artifactUri);

    public void Dispose()
    {
    }
}

/// <summary>A temporary journal directory and trackers in durable mode over a given server store.</summary>
internal sealed class DurableFixture : IDisposable
{
    public const string TrackingUri = "http://127.0.0.1:5000";

    public DurableFixture()
    {
        BaseRoot = Path.Combine(Path.GetTempPath(), "llmtrack-durable-tests", Guid.NewGuid().ToString("N"));
        LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
    }

    public string BaseRoot { get; }

    public CapturingLoggerProvider Logs { get; } = new();

    public ILoggerFactory LoggerFactory { get; }

    public DurabilityOptions Durability => new()
    {
        JournalDirectory = BaseRoot,
        MinRetryDelay = TimeSpan.FromMilliseconds(10),
        MaxRetryDelay = TimeSpan.FromMilliseconds(50),
        FlushToDiskInterval = TimeSpan.FromMilliseconds(20),
        StartTimeout = TimeSpan.FromSeconds(5),
        DrainTimeout = TimeSpan.FromSeconds(15),
        DrainStallTimeout = TimeSpan.FromSeconds(2),
    };

    public LlmTrackOptions Options(Action<DurabilityOptions>? configure = null)
    {
        var options = new LlmTrackOptions { TrackingUri = TrackingUri };
        options.Batching.FlushInterval = TimeSpan.FromMilliseconds(20);
        options.Durability = Durability;
        configure?.Invoke(options.Durability);
        return options;
    }

    /// <summary>The journal options of the test server (its sub-folder of the root).</summary>
    public JournalOptions JournalOptions => JournalRoot.CreateJournalOptions(TrackingUri, Durability, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

    public (Tracker Tracker, DurableTrackingStore Store) NewTracker(ITrackingStore server, Action<DurabilityOptions>? configure = null, string trackingUri = TrackingUri)
    {
        var options = Options(configure);
        options.TrackingUri = trackingUri;
        var store = new DurableTrackingStore(server, trackingUri, options.Durability, TimeProvider.System, LoggerFactory);
        store.StartRecovery();
        var tracker = new Tracker(options, store, TimeProvider.System, LoggerFactory)
        {
            Environment = _ => null,
            ContextTags = [new Tag("mlflow.user", "tester"), new Tag("mlflow.source.type", "LOCAL")],
        };
        return (tracker, store);
    }

    public IReadOnlyList<string> RunFolders() =>
        Directory.Exists(JournalOptions.Root) ? Directory.GetDirectories(JournalOptions.Root) : [];

    public void Dispose()
    {
        LoggerFactory.Dispose();
        try
        {
            Directory.Delete(BaseRoot, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
