using System.Collections.Concurrent;
using LlmTrack.Delivery;
using LlmTrack.Stores;
using LlmTrack.Tracking;
using LlmTrack.Validation;
using Microsoft.Extensions.Logging;

namespace LlmTrack;

/// <summary>
/// An MLflow run in progress: log params, metrics, tags and artifacts to it, then dispose it to flush everything
/// and end it FINISHED. Thread-safe: any number of threads may log to one run.
/// </summary>
/// <remarks>
/// <para>
/// <b>Logging never waits on the network.</b> <see cref="LogParam"/>, <see cref="LogMetric(string, double, long)"/>,
/// <see cref="SetTag"/> and their plural forms validate the value (throwing <see cref="MlflowValidationException"/>
/// at the call, so a bad value never enters the queue), take the timestamp at the call and put the value in the
/// run's queue. One background sender per run sends the queue in <c>runs/log-batch</c> calls within MLflow's batch
/// limits, when 1000 values are waiting or <see cref="BatchingOptions.FlushInterval"/> has passed.
/// </para>
/// <para>
/// <b>Failures surface at <see cref="Flush(CancellationToken)"/>, never at a logging call.</b> <see cref="FlushAsync(CancellationToken)"/>
/// waits until the store acknowledged the values logged before the call and throws <see cref="DeliveryException"/>
/// listing what the store refused since the last flush; <see cref="Counters"/> count everything, and count a value
/// delivered only once the store acknowledged it.
/// </para>
/// <para>
/// <b>Ending.</b> <see cref="Dispose"/> / <see cref="DisposeAsync"/> send everything, then set the run FINISHED with
/// its end time; in durable mode they wait for the server while delivery makes progress. They are idempotent and never
/// throw; what was not delivered is said (through the logger, or on standard error without one). <see cref="Fail"/>
/// ends it FAILED, <see cref="EndAsync"/> with any status and returns the report
/// (<see cref="DeliveryReport.IsFullyDelivered"/>). After the end, logging throws <see cref="InvalidOperationException"/>.
/// </para>
/// <para>
/// <b>Artifacts</b> are uploaded at the call, not queued: the async methods complete when the store has the file
/// and throw its error; the sync forms block the calling thread on the same upload. (The type is split in files:
/// flushing and ending in <c>Run.Delivery.cs</c>, artifact uploads in <c>Run.Artifacts.cs</c>.)
/// </para>
/// </remarks>
public sealed partial class Run : IDisposable, IAsyncDisposable
{
    private readonly Tracker _tracker;
    private readonly ITrackingStore _store;
    private readonly TimeProvider _timeProvider;
    private readonly MetricClock _metricClock;
    private readonly ILogger _logger;
    private readonly RunDeliveryQueue _queue;
    private readonly IJournalingStore? _journaling;
    private readonly ConcurrentDictionary<string, string> _params = new(StringComparer.Ordinal);
    private readonly object _endGate = new();
    private Task<DeliveryReport>? _ending;
    private IArtifactRepository? _artifacts;
    private RunInfo _info;

    internal Run(Tracker tracker, ITrackingStore store, RunInfo info, IEnumerable<Param> existingParams, BatchingOptions batching, TimeProvider timeProvider, ILogger logger)
    {
        _tracker = tracker;
        _store = store;
        _info = info;
        _timeProvider = timeProvider;
        _metricClock = MetricClock.For(timeProvider);
        _logger = logger;
        foreach (var param in existingParams)
        {
            _params[param.Key] = param.Value;
        }

        _queue = new RunDeliveryQueue(store, info.RunId, batching, timeProvider, logger);
        _journaling = store as IJournalingStore;
    }

    /// <summary>The run's id.</summary>
    public string RunId => _info.RunId;

    /// <summary>The id of the run's experiment.</summary>
    public string ExperimentId => _info.ExperimentId;

    /// <summary>The run's name.</summary>
    public string? RunName => _info.RunName;

    /// <summary>The root URI of the run's artifacts.</summary>
    public string ArtifactUri => _info.ArtifactUri;

    /// <summary>The run's metadata as the store last returned it (at start, and after the run ended).</summary>
    public RunInfo Info => Volatile.Read(ref _info);

    /// <summary>RUNNING until the run ended, then the status it ended with.</summary>
    public RunStatus Status => Info.Status;

    /// <summary>Whether the run has ended (or is ending); nothing more can be logged.</summary>
    public bool IsEnded
    {
        get
        {
            lock (_endGate)
            {
                return _ending is not null;
            }
        }
    }

    /// <summary>What was logged, made durable, delivered (acknowledged by the store), retried, failed and dropped so far.</summary>
    public DeliveryCounters Counters => _journaling?.AdjustCounters(RunId, _queue.Counters) ?? _queue.Counters;

    /// <summary>
    /// Logs a param. Params are immutable: logging the same key again with the same value does nothing, with a
    /// different value throws <see cref="MlflowValidationException"/> at the call.
    /// </summary>
    /// <param name="key">The key (at most 250 characters of letters, digits, <c>_ - . / : </c> and space).</param>
    /// <param name="value">The value (at most 6000 characters).</param>
    public void LogParam(string key, string value)
    {
        TrackingNames.ValidateKey(key, KeyKind.Param);
        TrackingNames.ValidateParamValue(key, value);
        if (!AcceptParam(key, value))
        {
            return;
        }

        if (!_queue.EnqueueParamOrTag(QueuedItem.ForParam(key, value)))
        {
            _params.TryRemove(new KeyValuePair<string, string>(key, value));
        }
    }

    /// <summary>Logs several params; all are validated before any is queued.</summary>
    /// <param name="parameters">The params (a dictionary or any key/value pairs).</param>
    public void LogParams(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var list = parameters as ICollection<KeyValuePair<string, string>> ?? parameters.ToList();
        foreach (var (key, value) in list)
        {
            TrackingNames.ValidateKey(key, KeyKind.Param);
            TrackingNames.ValidateParamValue(key, value);
            if (_params.TryGetValue(key, out var existing) && existing != value)
            {
                throw ParamChanged(key, existing, value);
            }
        }

        foreach (var (key, value) in list)
        {
            LogParam(key, value);
        }
    }

    /// <summary>Logs one point of a metric, timestamped now.</summary>
    /// <param name="key">The metric key.</param>
    /// <param name="value">The value; NaN and ±∞ are allowed.</param>
    /// <param name="step">The step (default 0).</param>
    public void LogMetric(string key, double value, long step = 0)
    {
        TrackingNames.ValidateKey(key, KeyKind.Metric);
        _queue.EnqueueMetric(new Metric(key, value, _metricClock.UnixMillisecondsNow(), step));
    }

    /// <summary>Logs one point of a metric with an explicit timestamp.</summary>
    /// <param name="key">The metric key.</param>
    /// <param name="value">The value; NaN and ±∞ are allowed.</param>
    /// <param name="step">The step.</param>
    /// <param name="timestamp">When the value was measured (stored in Unix epoch milliseconds).</param>
    public void LogMetric(string key, double value, long step, DateTimeOffset timestamp)
    {
        TrackingNames.ValidateKey(key, KeyKind.Metric);
        _queue.EnqueueMetric(new Metric(key, value, timestamp.ToUnixTimeMilliseconds(), step));
    }

    /// <summary>Logs several metrics at one step with one timestamp; all keys are validated before any is queued.</summary>
    /// <param name="metrics">The metric values by key.</param>
    /// <param name="step">The step (default 0).</param>
    public void LogMetrics(IEnumerable<KeyValuePair<string, double>> metrics, long step = 0)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var list = metrics as ICollection<KeyValuePair<string, double>> ?? metrics.ToList();
        foreach (var (key, _) in list)
        {
            TrackingNames.ValidateKey(key, KeyKind.Metric);
        }

        var timestamp = _metricClock.UnixMillisecondsNow();
        foreach (var (key, value) in list)
        {
            _queue.EnqueueMetric(new Metric(key, value, timestamp, step));
        }
    }

    /// <summary>Sets a run tag (the later value wins).</summary>
    /// <param name="key">The tag key.</param>
    /// <param name="value">The value (at most 8000 characters).</param>
    public void SetTag(string key, string value)
    {
        TrackingNames.ValidateKey(key, KeyKind.Tag);
        TrackingNames.ValidateTagValue(key, value);
        _queue.EnqueueParamOrTag(QueuedItem.ForTag(key, value));
    }

    /// <summary>Sets several run tags; all are validated before any is queued.</summary>
    /// <param name="tags">The tags (a dictionary or any key/value pairs).</param>
    public void SetTags(IEnumerable<KeyValuePair<string, string>> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var list = tags as ICollection<KeyValuePair<string, string>> ?? tags.ToList();
        foreach (var (key, value) in list)
        {
            TrackingNames.ValidateKey(key, KeyKind.Tag);
            TrackingNames.ValidateTagValue(key, value);
        }

        foreach (var (key, value) in list)
        {
            _queue.EnqueueParamOrTag(QueuedItem.ForTag(key, value));
        }
    }

    private bool AcceptParam(string key, string value)
    {
        if (_params.TryAdd(key, value))
        {
            return true;
        }

        return _params.TryGetValue(key, out var existing) && existing != value ? throw ParamChanged(key, existing, value) : false;
    }

    private MlflowValidationException ParamChanged(string key, string existing, string value) =>
        new($"Changing param values is not allowed. Param with key '{key}' was already logged with value '{existing}' for run '{RunId}'; attempted to log new value '{value}'.", nameof(value), key);

    // The seam the evaluation layer's Run extensions (Evaluation/RunArtifactLoggingExtensions.cs) build on.

    /// <summary>The run's clock (also used by evaluations for latencies and timeouts).</summary>
    internal TimeProvider TimeProvider => _timeProvider;

    /// <summary>The store the run logs to.</summary>
    internal ITrackingStore Store => _store;

    /// <summary>The tracker that started the run (per-example traces take its process tags from it).</summary>
    internal Tracker Tracker => _tracker;

    /// <summary>The run's artifact repository (opened on first use).</summary>
    internal IArtifactRepository Artifacts => _artifacts ??= _store.GetArtifactRepository(ArtifactUri);

    /// <summary>Serialises table logging on this run so neither table files nor the tag lose an update.</summary>
    internal SemaphoreSlim TableGate { get; } = new(1, 1);

    /// <summary>Throws when the run has ended.</summary>
    /// <exception cref="InvalidOperationException">When nothing more can be logged to the run.</exception>
    internal void ThrowIfEnded()
    {
        if (IsEnded)
        {
            throw new InvalidOperationException("The run has ended; nothing more can be logged to it.");
        }
    }

    /// <summary>Uploads a file to an already normalised artifact path.</summary>
    /// <param name="file">The local file.</param>
    /// <param name="relativePath">The normalised path under the artifact root.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>A task that completes when the file is stored.</returns>
    internal Task UploadArtifactFileAsync(FileInfo file, string relativePath, CancellationToken cancellationToken) =>
        UploadFileAsync(file, relativePath, cancellationToken);

    /// <summary>Uploads bytes to an already normalised artifact path.</summary>
    /// <param name="relativePath">The normalised path under the artifact root.</param>
    /// <param name="bytes">The content.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>A task that completes when the file is stored.</returns>
    internal Task UploadArtifactBytesAsync(string relativePath, byte[] bytes, CancellationToken cancellationToken) =>
        UploadAsync(relativePath, _ => Task.FromResult<Stream>(new MemoryStream(bytes, writable: false)), bytes.Length, cancellationToken);
}
