using LlmTrack.Delivery;
using LlmTrack.Stores;

namespace LlmTrack.Tests.Fakes;

/// <summary>One log-batch call as the store received it.</summary>
public sealed record RecordedBatch(IReadOnlyList<Metric> Metrics, IReadOnlyList<Param> Params, IReadOnlyList<Tag> Tags)
{
    public int Count => Metrics.Count + Params.Count + Tags.Count;
}

/// <summary>
/// An in-memory ITrackingStore that behaves like MLflow's SQL store where the delivery core can tell:
/// log-batch limits, param immutability (INVALID_PARAMETER_VALUE), identical metric points stored once,
/// latest metric = highest (step, timestamp, value), experiments unique by name. Failures can be injected.
/// </summary>
internal sealed partial class InMemoryTrackingStore : ITrackingStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Experiment> _experiments = new() { ["0"] = new Experiment { ExperimentId = "0", Name = "Default" } };
    private readonly Dictionary<string, StoredRun> _runs = [];
    private readonly List<RecordedBatch> _batches = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextExperimentId = 1;

    /// <summary>Called before each log-batch; may throw (a refused batch) or block (await a gate).</summary>
    public Func<RecordedBatch, Task>? BeforeLogBatch { get; set; }

    /// <summary>Called before an experiment is created (e.g. to create it "concurrently").</summary>
    public Action<string>? BeforeCreateExperiment { get; set; }

    /// <summary>Called before each artifact upload attempt; may throw.</summary>
    public Func<string, int, Exception?>? ArtifactFailure { get; set; }

    /// <summary>Thrown by UpdateRunAsync when set.</summary>
    public Exception? UpdateRunFailure { get; set; }

    public Dictionary<string, byte[]> Artifacts { get; } = new(StringComparer.Ordinal);

    public int UploadAttempts { get; private set; }

    public List<(string RunId, RunStatus? Status, long? EndTime, string? RunName)> Updates { get; } = [];

    public int CreateExperimentCalls { get; private set; }

    public bool Disposed { get; private set; }

    public IReadOnlyList<RecordedBatch> Batches
    {
        get
        {
            lock (_gate)
            {
                return _batches.ToList();
            }
        }
    }

    public void AddExperiment(string name, string lifecycleStage = "active")
    {
        lock (_gate)
        {
            var id = (_nextExperimentId++).ToString();
            _experiments[id] = new Experiment { ExperimentId = id, Name = name, LifecycleStage = lifecycleStage };
        }
    }

    public StoredRun Run(string runId)
    {
        lock (_gate)
        {
            return _runs[runId];
        }
    }

    public StoredRun SingleRun()
    {
        lock (_gate)
        {
            return _runs.Values.Single();
        }
    }

    public IReadOnlyList<StoredRun> AllRuns()
    {
        lock (_gate)
        {
            return _runs.Values.ToList();
        }
    }

    /// <summary>Waits (with a real safety timeout, no polling sleeps) until <paramref name="condition"/> holds.</summary>
    public async Task WaitUntilAsync(Func<InMemoryTrackingStore, bool> condition, int timeoutSeconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            if (condition(this))
            {
                return;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException("The store did not reach the expected state.");
            }

            try
            {
                await changed.WaitAsync(left);
            }
            catch (TimeoutException)
            {
            }
        }
    }

    public Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_experiments.Values.FirstOrDefault(e => e.Name == name));
        }
    }

    public Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _experiments.TryGetValue(experimentId, out var e)
                ? Task.FromResult(e)
                : throw new MlflowException(MlflowErrorCode.ResourceDoesNotExist, $"No experiment {experimentId}", 404);
        }
    }

    public Task<string> CreateExperimentAsync(string name, string? artifactLocation, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        BeforeCreateExperiment?.Invoke(name);
        lock (_gate)
        {
            CreateExperimentCalls++;
            if (_experiments.Values.Any(e => e.Name == name))
            {
                throw new MlflowException(MlflowErrorCode.ResourceAlreadyExists, $"Experiment '{name}' already exists.", 400);
            }

            var id = (_nextExperimentId++).ToString();
            _experiments[id] = new Experiment { ExperimentId = id, Name = name, ArtifactLocation = artifactLocation, Tags = tags };
            return Task.FromResult(id);
        }
    }

    public Task<Page<Experiment>> SearchExperimentsAsync(string? filter, ViewType viewType, int maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(new Page<Experiment>(_experiments.Values.Take(maxResults).ToList(), null));
        }
    }

    public Task SetExperimentTagAsync(string experimentId, string key, string value, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<RunSnapshot> CreateRunAsync(string experimentId, string? runName, long startTime, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_experiments.ContainsKey(experimentId))
            {
                throw new MlflowException(MlflowErrorCode.ResourceDoesNotExist, $"No experiment {experimentId}", 404);
            }

            var id = Guid.NewGuid().ToString("N");
            var run = new StoredRun
            {
                Info = new RunInfo
                {
                    RunId = id,
                    ExperimentId = experimentId,
                    RunName = runName,
                    StartTime = startTime,
                    ArtifactUri = $"memory:/{experimentId}/{id}/artifacts",
                    UserId = "tester",
                },
            };
            foreach (var tag in tags)
            {
                run.Tags[tag.Key] = tag.Value;
            }

            _runs[id] = run;
            Signal();
            return Task.FromResult(run.Snapshot());
        }
    }

    public Task<RunSnapshot> GetRunAsync(string runId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(Find(runId).Snapshot());
        }
    }

    public Task<RunInfo> UpdateRunAsync(string runId, RunStatus? status, long? endTime, string? runName, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Updates.Add((runId, status, endTime, runName));
            if (UpdateRunFailure is { } failure)
            {
                throw failure;
            }

            var run = Find(runId);
            run.Info = run.Info with
            {
                Status = status ?? run.Info.Status,
                EndTime = endTime ?? run.Info.EndTime,
                RunName = runName ?? run.Info.RunName,
            };
            if (runName is not null)
            {
                run.Tags["mlflow.runName"] = runName;
            }

            Signal();
            return Task.FromResult(run.Info);
        }
    }

    public Task DeleteRunAsync(string runId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var run = Find(runId);
            run.Info = run.Info with { LifecycleStage = "deleted" };
            return Task.CompletedTask;
        }
    }

    public Task RestoreRunAsync(string runId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var run = Find(runId);
            run.Info = run.Info with { LifecycleStage = "active" };
            return Task.CompletedTask;
        }
    }

    public async Task LogBatchAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        var batch = new RecordedBatch(metrics.ToList(), parameters.ToList(), tags.ToList());
        if (BeforeLogBatch is { } before)
        {
            await before(batch);
        }

        lock (_gate)
        {
            var run = Find(runId);
            if (run.Info.LifecycleStage == "deleted")
            {
                throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"The run {runId} must be in the 'active' state.", 400);
            }

            if (metrics.Count > BatchLimits.MaxMetrics || parameters.Count > BatchLimits.MaxParams || tags.Count > BatchLimits.MaxTags
                || metrics.Count + parameters.Count + tags.Count > BatchLimits.MaxItems)
            {
                throw new MlflowException(MlflowErrorCode.InvalidParameterValue, "A batch logging request can contain at most 1000 metrics, 100 params, 100 tags and 1000 items.", 400);
            }

            foreach (var param in batch.Params)
            {
                if (run.Params.TryGetValue(param.Key, out var existing) && existing != param.Value)
                {
                    throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"Changing param values is not allowed. Param with key='{param.Key}' was already logged with value='{existing}'.", 400);
                }
            }

            _batches.Add(batch);
            foreach (var param in batch.Params)
            {
                run.Params[param.Key] = param.Value;
            }

            foreach (var tag in batch.Tags)
            {
                run.Tags[tag.Key] = tag.Value;
            }

            foreach (var metric in batch.Metrics)
            {
                run.AddMetric(metric);
            }

            Signal();
        }
    }

    public Task SetTagAsync(string runId, string key, string value, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Find(runId).Tags[key] = value;
            Signal();
            return Task.CompletedTask;
        }
    }

    public Task DeleteTagAsync(string runId, string key, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Find(runId).Tags.Remove(key);
            return Task.CompletedTask;
        }
    }

    public Task<Page<RunSnapshot>> SearchRunsAsync(IReadOnlyList<string> experimentIds, string? filter, ViewType viewType, int maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var runs = _runs.Values.Where(r => experimentIds.Contains(r.Info.ExperimentId)).Take(maxResults).Select(r => r.Snapshot()).ToList();
            return Task.FromResult(new Page<RunSnapshot>(runs, null));
        }
    }

    public Task<IReadOnlyList<Metric>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<Metric>>(Find(runId).History.Where(m => m.Key == key).ToList());
        }
    }

    /// <summary>The step ranges read through <see cref="GetMetricHistoryRangeAsync"/>, in order.</summary>
    public List<(string RunId, string Key, long StartStep, long EndStep)> RangeReads { get; } = [];

    public Task<IReadOnlyList<Metric>> GetMetricHistoryRangeAsync(string runId, string key, long startStep, long endStep, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            RangeReads.Add((runId, key, startStep, endStep));
            return Task.FromResult<IReadOnlyList<Metric>>(Find(runId).History.Where(m => m.Key == key && m.Step >= startStep && m.Step <= endStep).ToList());
        }
    }

    public List<(string RunId, DatasetInput Input)> Inputs { get; } = [];

    public Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> datasets, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Find(runId);
            Inputs.AddRange(datasets.Select(d => (runId, d)));
            return Task.CompletedTask;
        }
    }

    public IArtifactRepository GetArtifactRepository(string artifactUri) => new MemoryArtifactRepository(this, artifactUri);

    public void Dispose() => Disposed = true;

    private StoredRun Find(string runId) =>
        _runs.TryGetValue(runId, out var run) ? run : throw new MlflowException(MlflowErrorCode.ResourceDoesNotExist, $"Run '{runId}' not found.", 404);

    private void Signal()
    {
        var old = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        old.TrySetResult();
    }

    internal sealed class StoredRun
    {
        public required RunInfo Info { get; set; }

        public Dictionary<string, string> Params { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);

        public List<Metric> History { get; } = [];

        public Dictionary<string, Metric> Latest { get; } = new(StringComparer.Ordinal);

        private readonly HashSet<(string, long, long, long)> _points = [];

        public void AddMetric(Metric metric)
        {
            // Identical points are stored once (MLflow's SQL store primary key covers all four fields).
            if (!_points.Add((metric.Key, metric.Timestamp, metric.Step, BitConverter.DoubleToInt64Bits(metric.Value))))
            {
                return;
            }

            History.Add(metric);
            if (!Latest.TryGetValue(metric.Key, out var latest)
                || (metric.Step, metric.Timestamp).CompareTo((latest.Step, latest.Timestamp)) > 0
                || (metric.Step == latest.Step && metric.Timestamp == latest.Timestamp && metric.Value > latest.Value))
            {
                Latest[metric.Key] = metric;
            }
        }

        public RunSnapshot Snapshot() => new()
        {
            Info = Info,
            Data = new RunData
            {
                Metrics = Latest.Values.ToList(),
                Params = Params.Select(p => new Param(p.Key, p.Value)).ToList(),
                Tags = Tags.Select(t => new Tag(t.Key, t.Value)).ToList(),
            },
        };
    }

    private sealed class MemoryArtifactRepository(InMemoryTrackingStore store, string root) : IArtifactRepository
    {
        public async Task UploadAsync(string relativePath, Func<CancellationToken, Task<Stream>> openContent, long? length, CancellationToken cancellationToken)
        {
            for (var attempt = 1; ; attempt++)
            {
                lock (store._gate)
                {
                    store.UploadAttempts++;
                }

                var stream = await openContent(cancellationToken);
                await using (stream)
                {
                    var buffer = new MemoryStream();
                    await stream.CopyToAsync(buffer, cancellationToken);
                    if (store.ArtifactFailure?.Invoke(relativePath, attempt) is { } failure)
                    {
                        if (failure is MlflowException { ErrorCode: MlflowErrorCode.Unavailable } && attempt < 3)
                        {
                            continue; // a store retries transient failures from the start
                        }

                        throw failure;
                    }

                    if (length is { } expected && expected != buffer.Length)
                    {
                        throw new InvalidOperationException($"Declared length {expected} but read {buffer.Length}.");
                    }

                    lock (store._gate)
                    {
                        store.Artifacts[root + "/" + relativePath] = buffer.ToArray();
                        store.Signal();
                    }

                    return;
                }
            }
        }

        public Task<IReadOnlyList<ArtifactFile>> ListAsync(string? relativePath, CancellationToken cancellationToken)
        {
            lock (store._gate)
            {
                var prefix = root + "/" + (relativePath is null ? "" : relativePath + "/");
                return Task.FromResult<IReadOnlyList<ArtifactFile>>(store.Artifacts
                    .Where(a => a.Key.StartsWith(prefix, StringComparison.Ordinal))
                    .Select(a => new ArtifactFile(a.Key[(root.Length + 1)..], false, a.Value.Length))
                    .ToList());
            }
        }

        public async Task DownloadAsync(string relativePath, Stream destination, CancellationToken cancellationToken)
        {
            byte[] content;
            lock (store._gate)
            {
                content = store.Artifacts[root + "/" + relativePath];
            }

            await destination.WriteAsync(content, cancellationToken);
        }
    }
}
