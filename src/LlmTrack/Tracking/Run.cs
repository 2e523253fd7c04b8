using System.Collections.Concurrent;
using System.Text;
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
/// and throw its error; the sync forms block the calling thread on the same upload.
/// </para>
/// </remarks>
public sealed class Run : IDisposable, IAsyncDisposable
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

    /// <summary>Waits until the store acknowledged everything logged before the call; see <see cref="FlushAsync(CancellationToken)"/>.</summary>
    /// <param name="cancellationToken">Stops the wait (not the sending).</param>
    /// <returns>The report: the counters (how much is delivered, how much is still pending) and no failure.</returns>
    public DeliveryReport Flush(CancellationToken cancellationToken = default) => SyncOverAsync.Run(ct => FlushAsync(ct), cancellationToken);

    /// <summary>Waits at most <paramref name="timeout"/>; see <see cref="FlushAsync(TimeSpan, CancellationToken)"/>.</summary>
    /// <param name="timeout">How long to wait at most.</param>
    /// <param name="cancellationToken">Stops the wait (not the sending).</param>
    /// <returns>The report (nothing failed).</returns>
    public DeliveryReport Flush(TimeSpan timeout, CancellationToken cancellationToken = default) => SyncOverAsync.Run(ct => FlushAsync(timeout, ct), cancellationToken);

    /// <summary>
    /// Waits until the tracking store acknowledged every value logged before the call (values logged during the wait
    /// are not waited for), as MLflow's own flush does. In durable mode the values are first forced to disk, then the
    /// wait goes on for as long as delivery makes progress (<see cref="DurabilityOptions.DrainStallTimeout"/>, at most
    /// <see cref="DurabilityOptions.DrainTimeout"/>); the report then says how much is delivered
    /// (<see cref="DeliveryCounters.Delivered"/>) and how much is only on disk (<see cref="DeliveryCounters.Pending"/>,
    /// <see cref="DeliveryReport.JournalFolder"/>). Each failure is reported once, by the first flush that sees it.
    /// </summary>
    /// <param name="cancellationToken">Stops the wait (not the sending).</param>
    /// <returns>The counters and an empty failure list.</returns>
    /// <exception cref="DeliveryException">The store refused some values since the last flush; the report lists them.</exception>
    public Task<DeliveryReport> FlushAsync(CancellationToken cancellationToken = default) => FlushCoreAsync(null, waitForServer: true, cancellationToken);

    /// <summary>Like <see cref="FlushAsync(CancellationToken)"/>, waiting at most <paramref name="timeout"/> in all.</summary>
    /// <param name="timeout">How long to wait at most (measured with the tracker's <see cref="TimeProvider"/>).</param>
    /// <param name="cancellationToken">Stops the wait (not the sending).</param>
    /// <returns>The counters and an empty failure list; in durable mode values still on disk when the time is up are counted in <see cref="DeliveryCounters.Pending"/>.</returns>
    /// <exception cref="TimeoutException">The values did not even reach the store (in durable mode: the journal) in time; they stay queued.</exception>
    /// <exception cref="DeliveryException">The store refused some values since the last flush.</exception>
    public Task<DeliveryReport> FlushAsync(TimeSpan timeout, CancellationToken cancellationToken = default) => FlushCoreAsync(timeout, waitForServer: true, cancellationToken);

    /// <summary>
    /// The cheaper flush: waits until every value logged before the call is safe on local disk (durable mode: written
    /// to the journal and fsynced; otherwise: acknowledged by the store), without waiting for the server.
    /// </summary>
    /// <param name="cancellationToken">Stops the wait (not the sending).</param>
    /// <returns>The counters (<see cref="DeliveryCounters.Durable"/> covers everything logged before the call) and no failure.</returns>
    /// <exception cref="DeliveryException">The store refused some values since the last flush.</exception>
    public Task<DeliveryReport> FlushToDiskAsync(CancellationToken cancellationToken = default) => FlushCoreAsync(null, waitForServer: false, cancellationToken);

    /// <summary>Waits until everything logged before the call is on local disk; see <see cref="FlushToDiskAsync"/>.</summary>
    /// <param name="cancellationToken">Stops the wait (not the sending).</param>
    /// <returns>The report.</returns>
    public DeliveryReport FlushToDisk(CancellationToken cancellationToken = default) => SyncOverAsync.Run(ct => FlushToDiskAsync(ct), cancellationToken);

    /// <summary>
    /// Ends the run: refuses further values, sends everything queued, then sets <paramref name="status"/> and the end
    /// time (<c>runs/update</c>). Later calls return the first call's outcome.
    /// </summary>
    /// <param name="status">The final status (default FINISHED).</param>
    /// <param name="cancellationToken">Stops waiting (the run still ends in the background).</param>
    /// <returns>
    /// The delivery report: the run's counters after the end (in durable mode, after waiting for the journal to be
    /// delivered for as long as delivery makes progress) and the failures not reported by a flush before.
    /// <see cref="DeliveryReport.IsFullyDelivered"/> says whether everything reached the store.
    /// </returns>
    /// <exception cref="MlflowException">The store refused the status update.</exception>
    public Task<DeliveryReport> EndAsync(RunStatus status = RunStatus.Finished, CancellationToken cancellationToken = default)
    {
        if (status is RunStatus.Running or RunStatus.Scheduled)
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "A run ends FINISHED, FAILED or KILLED.");
        }

        Task<DeliveryReport> ending;
        lock (_endGate)
        {
            ending = _ending ??= EndCoreAsync(status);
        }

        return ending.WaitAsync(cancellationToken);
    }

    /// <summary>Ends the run with <paramref name="status"/>; see <see cref="EndAsync"/>. Blocks the calling thread.</summary>
    /// <param name="status">The final status (default FINISHED).</param>
    /// <param name="cancellationToken">Stops waiting (the run still ends in the background).</param>
    /// <returns>The delivery report of the values not reported by a flush before.</returns>
    public DeliveryReport End(RunStatus status = RunStatus.Finished, CancellationToken cancellationToken = default) => SyncOverAsync.Run(ct => EndAsync(status, ct), cancellationToken);

    /// <summary>Ends the run FAILED (after sending what was logged) and logs <paramref name="exception"/>. Never throws.</summary>
    /// <param name="exception">Why the run failed (logged, not stored: MLflow records only the status).</param>
    /// <param name="cancellationToken">Stops waiting (the run still ends in the background).</param>
    public void Fail(Exception? exception = null, CancellationToken cancellationToken = default) => SyncOverAsync.Run(ct => FailAsync(exception, ct), cancellationToken);

    /// <summary>Ends the run FAILED and logs <paramref name="exception"/>. Never throws.</summary>
    /// <param name="exception">Why the run failed.</param>
    /// <param name="cancellationToken">Stops waiting (the run still ends in the background).</param>
    /// <returns>A task that completes when the run has ended.</returns>
    public Task FailAsync(Exception? exception = null, CancellationToken cancellationToken = default) => EndQuietlyAsync(RunStatus.Failed, exception).WaitAsync(cancellationToken);

    /// <summary>Sends everything, then ends the run FINISHED (unless it ended already). Never throws.</summary>
    public void Dispose() => SyncOverAsync.Run(_ => EndQuietlyAsync(RunStatus.Finished, null), CancellationToken.None);

    /// <summary>Sends everything, then ends the run FINISHED (unless it ended already). Never throws.</summary>
    /// <returns>A task that completes when the run has ended.</returns>
    public ValueTask DisposeAsync() => new(EndQuietlyAsync(RunStatus.Finished, null));

    /// <summary>Uploads a local file into the run's artifacts (under <paramref name="artifactPath"/>, keeping its name).</summary>
    /// <param name="localPath">The file to upload.</param>
    /// <param name="artifactPath">The folder under the artifact root (default: the root); never absolute, never with <c>..</c>.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    public void LogArtifact(string localPath, string? artifactPath = null, CancellationToken cancellationToken = default) => SyncOverAsync.Run(ct => LogArtifactAsync(localPath, artifactPath, ct), cancellationToken);

    /// <summary>Uploads a local file into the run's artifacts; completes when the store has it.</summary>
    /// <param name="localPath">The file to upload.</param>
    /// <param name="artifactPath">The folder under the artifact root (default: the root); never absolute, never with <c>..</c>.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>A task that completes when the file is stored.</returns>
    public Task LogArtifactAsync(string localPath, string? artifactPath = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(localPath);
        var folder = ArtifactPaths.NormalizeFolder(artifactPath, nameof(artifactPath));
        var file = new FileInfo(Path.GetFullPath(localPath));
        if (!file.Exists)
        {
            throw new FileNotFoundException($"The artifact file '{file.FullName}' does not exist.", file.FullName);
        }

        return UploadFileAsync(file, ArtifactPaths.Combine(folder, file.Name), cancellationToken);
    }

    /// <summary>Uploads every file under a local folder (recursively), keeping the folder structure.</summary>
    /// <param name="localDirectory">The folder whose contents to upload.</param>
    /// <param name="artifactPath">The folder under the artifact root (default: the root).</param>
    /// <param name="cancellationToken">Cancels the remaining uploads.</param>
    public void LogArtifacts(string localDirectory, string? artifactPath = null, CancellationToken cancellationToken = default) => SyncOverAsync.Run(ct => LogArtifactsAsync(localDirectory, artifactPath, ct), cancellationToken);

    /// <summary>Uploads every file under a local folder (recursively, one file at a time, in ordinal path order).</summary>
    /// <param name="localDirectory">The folder whose contents to upload.</param>
    /// <param name="artifactPath">The folder under the artifact root (default: the root).</param>
    /// <param name="cancellationToken">Cancels the remaining uploads.</param>
    /// <returns>A task that completes when every file is stored.</returns>
    public async Task LogArtifactsAsync(string localDirectory, string? artifactPath = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(localDirectory);
        var folder = ArtifactPaths.NormalizeFolder(artifactPath, nameof(artifactPath));
        var root = new DirectoryInfo(Path.GetFullPath(localDirectory));
        if (!root.Exists)
        {
            throw new DirectoryNotFoundException($"The artifact folder '{root.FullName}' does not exist.");
        }

        var files = root.EnumerateFiles("*", SearchOption.AllDirectories)
            .Select(f => (File: f, Relative: Path.GetRelativePath(root.FullName, f.FullName).Replace('\\', '/')))
            .OrderBy(f => f.Relative, StringComparer.Ordinal)
            .ToList();
        foreach (var (file, relative) in files)
        {
            await UploadFileAsync(file, ArtifactPaths.Combine(folder, relative), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Uploads the rest of a stream as an artifact file. The stream is not closed.</summary>
    /// <param name="content">The content; read from its current position. A seekable stream is rewound for a retried upload.</param>
    /// <param name="artifactFile">The file's path under the artifact root, e.g. <c>plots/roc.svg</c>.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    public void LogArtifact(Stream content, string artifactFile, CancellationToken cancellationToken = default) => SyncOverAsync.Run(ct => LogArtifactAsync(content, artifactFile, ct), cancellationToken);

    /// <summary>Uploads the rest of a stream as an artifact file. The stream is not closed.</summary>
    /// <param name="content">The content; read from its current position. A seekable stream is rewound for a retried upload.</param>
    /// <param name="artifactFile">The file's path under the artifact root, e.g. <c>plots/roc.svg</c>.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>A task that completes when the file is stored.</returns>
    public Task LogArtifactAsync(Stream content, string artifactFile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = ArtifactPaths.NormalizeFile(artifactFile, nameof(artifactFile));
        long? length = null;
        Func<CancellationToken, Task<Stream>> open;
        if (content.CanSeek)
        {
            var start = content.Position;
            length = content.Length - start;
            open = _ =>
            {
                content.Position = start;
                return Task.FromResult<Stream>(new BorrowedStream(content));
            };
        }
        else
        {
            var opened = 0;
            open = _ => Interlocked.Exchange(ref opened, 1) == 0
                ? Task.FromResult<Stream>(new BorrowedStream(content))
                : throw new InvalidOperationException($"The upload of '{path}' cannot be retried: its stream cannot seek back to the start.");
        }

        return UploadAsync(path, open, length, cancellationToken);
    }

    /// <summary>Stores a text as a UTF-8 artifact file.</summary>
    /// <param name="text">The text.</param>
    /// <param name="artifactFile">The file's path under the artifact root, e.g. <c>outputs/answer.txt</c>.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    public void LogText(string text, string artifactFile, CancellationToken cancellationToken = default) => SyncOverAsync.Run(ct => LogTextAsync(text, artifactFile, ct), cancellationToken);

    /// <summary>Stores a text as a UTF-8 artifact file (no byte-order mark).</summary>
    /// <param name="text">The text.</param>
    /// <param name="artifactFile">The file's path under the artifact root, e.g. <c>outputs/answer.txt</c>.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>A task that completes when the file is stored.</returns>
    public Task LogTextAsync(string text, string artifactFile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return LogBytesAsync(Encoding.UTF8.GetBytes(text), artifactFile, cancellationToken);
    }

    /// <summary>Stores bytes as an artifact file.</summary>
    /// <param name="bytes">The content.</param>
    /// <param name="artifactFile">The file's path under the artifact root.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    public void LogBytes(ReadOnlyMemory<byte> bytes, string artifactFile, CancellationToken cancellationToken = default) => SyncOverAsync.Run(ct => LogBytesAsync(bytes, artifactFile, ct), cancellationToken);

    /// <summary>Stores bytes as an artifact file.</summary>
    /// <param name="bytes">The content (not copied; do not change it before the task completes).</param>
    /// <param name="artifactFile">The file's path under the artifact root.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>A task that completes when the file is stored.</returns>
    public Task LogBytesAsync(ReadOnlyMemory<byte> bytes, string artifactFile, CancellationToken cancellationToken = default)
    {
        var path = ArtifactPaths.NormalizeFile(artifactFile, nameof(artifactFile));
        return UploadAsync(path, _ => Task.FromResult<Stream>(new ReadOnlyMemoryStream(bytes)), bytes.Length, cancellationToken);
    }

    private Task UploadFileAsync(FileInfo file, string relativePath, CancellationToken cancellationToken) =>
        UploadAsync(
            relativePath,
            _ => Task.FromResult<Stream>(new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true)),
            file.Length,
            cancellationToken);

    private async Task UploadAsync(string relativePath, Func<CancellationToken, Task<Stream>> open, long? length, CancellationToken cancellationToken)
    {
        if (IsEnded)
        {
            throw new InvalidOperationException("The run has ended; nothing more can be logged to it.");
        }

        var repository = _artifacts ??= _store.GetArtifactRepository(ArtifactUri);
        await repository.UploadAsync(relativePath, open, length, cancellationToken).ConfigureAwait(false);
    }

    private async Task<DeliveryReport> FlushCoreAsync(TimeSpan? timeout, bool waitForServer, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        var report = await _queue.FlushAsync(timeout, cancellationToken).ConfigureAwait(false);
        if (_journaling is { } journaling)
        {
            // Durable mode: everything logged before the flush goes on disk (fsync), then (unless only the disk was asked
            // for) the wait goes on until the server acknowledged it, or delivery stalls or the time is up.
            await journaling.FlushToDiskAsync(RunId, cancellationToken).ConfigureAwait(false);
            if (waitForServer)
            {
                var left = timeout is { } limit && limit != Timeout.InfiniteTimeSpan ? limit - _timeProvider.GetElapsedTime(started) : (TimeSpan?)null;
                if (left is null || left > TimeSpan.Zero)
                {
                    await journaling.WaitForDeliveryAsync(RunId, left, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        report = Truthful(report);
        return report.IsSuccess ? report : throw new DeliveryException(report);
    }

    /// <summary>The queue's report with the run's true counters and, while values wait on disk, the journal folder.</summary>
    private DeliveryReport Truthful(DeliveryReport report)
    {
        var counters = Counters;
        return report with
        {
            Counters = counters,
            JournalFolder = counters.Pending > 0 ? _journaling?.JournalFolderOf(RunId) : null,
        };
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

    private async Task<DeliveryReport> EndCoreAsync(RunStatus status)
    {
        DeliveryReport report;
        try
        {
            report = await _queue.CloseAsync().ConfigureAwait(false);
            if (!report.IsSuccess)
            {
                _logger.LogWarning("Run {RunId} ends with {Failed} value(s) the store refused.", RunId, report.FailedCount);
            }

            var endTime = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            try
            {
                // In durable mode this waits for the journal to be delivered, for as long as delivery makes progress.
                var updated = await _store.UpdateRunAsync(RunId, status, endTime, null, CancellationToken.None).ConfigureAwait(false);
                Volatile.Write(ref _info, updated with { Status = status, EndTime = updated.EndTime ?? endTime });
            }
            catch
            {
                Volatile.Write(ref _info, _info with { Status = status, EndTime = endTime });
                throw;
            }

            report = Truthful(report);
        }
        finally
        {
            _tracker.OnRunEnded(this);
        }

        if (!report.IsFullyDelivered)
        {
            _tracker.WarnNotDelivered(this, report);
        }

        return report;
    }

    private async Task EndQuietlyAsync(RunStatus status, Exception? cause)
    {
        if (cause is not null)
        {
            _logger.LogError(cause, "Run {RunId} failed.", RunId);
        }

        try
        {
            await EndAsync(status).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Ending a run must never throw from Dispose or from a catch block.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.LogError(ex, "Run {RunId} could not be ended {Status}.", RunId, status);
        }
    }

    // The seam the evaluation layer's Run extensions (Evaluation/RunArtifactLoggingExtensions.cs) build on.

    /// <summary>The run's clock (also used by evaluations for latencies and timeouts).</summary>
    internal TimeProvider TimeProvider => _timeProvider;

    /// <summary>The store the run logs to.</summary>
    internal ITrackingStore Store => _store;

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
