using LlmTrack.Model;
using LlmTrack.Configuration;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using LlmTrack.Delivery;
using LlmTrack.Journal;
using LlmTrack.Stores;
using Microsoft.Extensions.Logging;

namespace LlmTrack.Durable;

/// <summary>
/// Durable mode for remote tracking: a decorator over the MLflow REST store. Every run's logged values go to a local
/// <see cref="RunJournal"/> (fast, no network) and a background shipper per run delivers them; a record leaves the
/// journal only after the server accepted it. Runs start locally when the server is unreachable and are created on the
/// server when it is back; journals left by earlier processes of the same tracking server are delivered at start.
/// </summary>
/// <remarks>
/// Reads (<see cref="GetRunAsync"/>, searches, metric history, experiments) go to the server, with local run ids
/// translated to the server's once mapped. Runs resumed by id are not journaled (they pass straight through).
/// </remarks>
internal sealed class DurableTrackingStore : ITrackingStore, IJournalingStore
{
    /// <summary>Artifact URI scheme of a run that exists only locally (the server was unreachable at its start).</summary>
    public const string LocalArtifactScheme = "llmtrack-journal:";

    private const string DeferredExperimentPrefix = "\u0001experiment-name:";

    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, DurableRun> _runs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _serverIds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DurableRun> _shipping = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DurableRun> _started = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _artifactUris = new(StringComparer.Ordinal);
    private long _deadLetters;
    private int _disposed;
    private int _drained;

    /// <summary>Creates the store; <see cref="RecoverAsync"/> delivers journals of earlier processes.</summary>
    /// <param name="inner">The remote store (owned: disposed with this one).</param>
    /// <param name="trackingUri">The tracking URI (its redacted form chooses the journal sub-folder).</param>
    /// <param name="durability">The durable-mode settings.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="loggerFactory">Where warnings go.</param>
    public DurableTrackingStore(ITrackingStore inner, string trackingUri, DurabilityOptions durability, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        Inner = inner;
        Durability = durability;
        TimeProvider = timeProvider;
        _logger = loggerFactory.CreateLogger<DurableTrackingStore>();
        JournalOptions = CreateJournalOptions(trackingUri, durability, timeProvider, _logger);
        var command = "llmtrack sync --tracking-uri " + TrackingUri.Redact(trackingUri.Trim());
        SyncCommand = durability.JournalDirectory is { Length: > 0 } folder ? command + " --journal-dir " + folder : command;
    }

    /// <inheritdoc />
    public string SyncCommand { get; }

    /// <summary>
    /// The store a tracker uses for <paramref name="trackingUri"/>: <paramref name="store"/> itself, or — for an
    /// <c>http(s)://</c> server with durable mode on — this decorator over it, with the delivery of journals left by
    /// earlier processes started in the background.
    /// </summary>
    public static ITrackingStore WrapWhenDurable(ITrackingStore store, string? trackingUri, DurabilityOptions? durability, TimeProvider timeProvider, ILoggerFactory loggerFactory, Func<long>? serverAnswers = null)
    {
        if (durability is not { Enabled: true } || !TrackingUri.IsHttp(trackingUri?.Trim()))
        {
            return store;
        }

        var durable = new DurableTrackingStore(store, trackingUri!.Trim(), durability, timeProvider, loggerFactory) { ServerAnswers = serverAnswers ?? (static () => 0) };
        durable.StartRecovery();
        return durable;
    }

    /// <summary>How often a wait for delivery looks whether the server answered anything (its liveness).</summary>
    internal static readonly TimeSpan LivenessCheckInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The number of HTTP answers the server gave so far (any status), when the store can tell; waits for delivery
    /// count a change as progress, so a live server retried through a long back-off does not look stalled.
    /// </summary>
    internal Func<long> ServerAnswers { get; init; } = static () => 0;

    /// <summary>The wrapped remote store.</summary>
    public ITrackingStore Inner { get; }

    /// <summary>The settings.</summary>
    public DurabilityOptions Durability { get; }

    /// <summary>The clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The journal settings (root = this tracking server's sub-folder).</summary>
    public JournalOptions JournalOptions { get; }

    /// <summary>The background recovery started by <see cref="StartRecovery"/>.</summary>
    public Task Recovery { get; private set; } = Task.CompletedTask;

    /// <summary>Items refused by the server (dead letters) since this store was created.</summary>
    public long DeadLetterCount => Interlocked.Read(ref _deadLetters);

    /// <summary>The shippers of the journals being delivered right now (live and recovered runs).</summary>
    internal IReadOnlyCollection<DurableRun> Shipping => [.. _shipping.Values];

    /// <summary>
    /// The journal root of one tracking server: <c>&lt;root&gt;/&lt;host&gt;_&lt;port&gt;-&lt;hash&gt;</c>, the hash taken over the
    /// tracking URI without credentials, so journals of different servers never mix and no credentials reach the disk.
    /// </summary>
    public static string ServerRoot(string baseRoot, string trackingUri)
    {
        var redacted = TrackingUri.Redact(trackingUri.Trim()).TrimEnd('/');
        string label;
        if (Uri.TryCreate(redacted, UriKind.Absolute, out var uri))
        {
            label = uri.Host + "_" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            redacted = uri.Scheme + "://" + uri.Host.ToLowerInvariant() + ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) + uri.AbsolutePath.TrimEnd('/');
        }
        else
        {
            label = "server";
        }

        var safe = new string([.. label.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')]);
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(redacted)))[..12].ToLowerInvariant();
        return Path.Combine(baseRoot, safe + "-" + hash);
    }

    /// <summary>The journal settings for <paramref name="trackingUri"/>; <paramref name="recordServer"/>: also write the folder's <c>server.json</c> (<see cref="JournalServerRecord"/>).</summary>
    public static JournalOptions CreateJournalOptions(string trackingUri, DurabilityOptions durability, TimeProvider timeProvider, ILogger logger, bool recordServer = true)
    {
        ArgumentNullException.ThrowIfNull(durability);
        var root = ServerRoot(JournalOptions.ResolveRoot(durability.JournalDirectory), trackingUri);
        if (recordServer)
        {
            JournalServerRecord.TryWrite(root, trackingUri, message => logger.LogWarning("{Message}", message));
        }

        return new JournalOptions
        {
            Root = root,
            MaxTotalBytes = durability.DiskCapBytes,
            FlushInterval = durability.FlushToDiskInterval,
            TimeProvider = timeProvider,
            OnWarning = message => logger.LogWarning("{Message}", message),
        };
    }

    /// <summary>An artifact URI safe to keep in the journal (none when it carries credentials).</summary>
    public static string? ArtifactUriForJournal(string? artifactUri) =>
        string.IsNullOrEmpty(artifactUri) || (Uri.TryCreate(artifactUri, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.UserInfo)) ? null : artifactUri;

    /// <summary>The experiment "id" of a run whose experiment could not be resolved because the server was unreachable.</summary>
    public static string DeferredExperimentId(string experimentName) => DeferredExperimentPrefix + experimentName;

    /// <summary>Runs <paramref name="call"/> (a call that starts a run) within <see cref="DurabilityOptions.StartTimeout"/>.</summary>
    /// <returns>The result, or <see langword="default"/> and the error when the server could not be reached in time.</returns>
    public async Task<(T? Result, Exception? Unavailable)> TryWithStartTimeoutAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(Durability.StartTimeout, TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return (await call(linked.Token).ConfigureAwait(false), null);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && DurableErrors.IsUnavailable(ex))
        {
            return (default, ex);
        }
    }

    /// <summary>Starts delivering, in the background, the journals of this tracking server that no live process owns.</summary>
    public void StartRecovery() => Recovery = Task.Run(() => RecoverAsync(stopWhenUnavailable: false, CancellationToken.None));

    /// <summary>
    /// Takes over every journal under this server's root that nobody holds: a run left RUNNING by a dead process is
    /// ended FAILED at its last activity first; then each is shipped in the background.
    /// </summary>
    /// <returns>The shippers started.</returns>
    public Task<IReadOnlyList<DurableRun>> RecoverAsync(bool stopWhenUnavailable, CancellationToken cancellationToken)
    {
        var started = new List<DurableRun>();
        IReadOnlyList<RunJournalStatus> journals;
        try
        {
            journals = JournalDirectory.Scan(JournalOptions);
        }
        catch (JournalException ex)
        {
            _logger.LogWarning(ex, "LlmTrack could not scan the journal folder {Root}: {Message}", JournalOptions.Root, ex.Message);
            return Task.FromResult<IReadOnlyList<DurableRun>>(started);
        }

        foreach (var status in journals)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!status.CanTakeOver || (!status.Ended && status.Owner != OwnerLiveness.Dead) || _shipping.ContainsKey(status.LocalRunId))
            {
                continue;
            }

            try
            {
                var journal = RunJournal.TryOpen(JournalOptions, status.LocalRunId);
                if (journal is null)
                {
                    continue;
                }

                if (journal.State.EndStatus is null)
                {
                    var writer = journal.OpenWriter();
                    writer.Append(new RunEndedRecord(RunStatus.Failed, status.LastActivity));
                    writer.Dispose();
                    _logger.LogWarning(
                        "LlmTrack: run {RunId} was left RUNNING by a process that no longer runs; it is delivered from {Folder} and ended FAILED at its last activity.",
                        journal.State.ServerRunId ?? journal.LocalRunId,
                        journal.Folder);
                }

                var run = new DurableRun(this, journal, live: false, _logger);
                if (journal.State.ServerRunId is { } serverId)
                {
                    _serverIds[journal.LocalRunId] = serverId;
                }

                _shipping[journal.LocalRunId] = run;
                run.StartShipping(stopWhenUnavailable);
                _ = run.Shipped.ContinueWith(
                    t =>
                    {
                        if (t.IsCompletedSuccessfully && _shipping.TryRemove(run.LocalRunId, out _))
                        {
                            run.Dispose();
                        }
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
                started.Add(run);
            }
            catch (JournalException ex)
            {
                _logger.LogWarning(ex, "LlmTrack could not take over the journal {Folder}: {Message}", status.Folder, ex.Message);
            }
        }

        return Task.FromResult<IReadOnlyList<DurableRun>>(started);
    }

    /// <summary>Whether <paramref name="runId"/> is a journaled run of this process.</summary>
    public bool IsDurableRun(string runId) => _runs.ContainsKey(runId);

    /// <summary>Forces the journal of <paramref name="runId"/> to disk (the delivery core's flush); no-op for other runs.</summary>
    public ValueTask FlushToDiskAsync(string runId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_runs.TryGetValue(runId, out var run))
        {
            run.FlushToDisk();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The delivery counters of a run as they truly are: durable and delivered from the journal and its shipper, the
    /// journal's drops and the server's dead letters applied. The queue's "delivered" only meant "in the journal".
    /// </summary>
    public DeliveryCounters AdjustCounters(string runId, DeliveryCounters counters)
    {
        if (!_started.TryGetValue(runId, out var run))
        {
            return counters;
        }

        var dropped = run.DroppedItems;
        var dead = run.DeadLetters;
        return counters with
        {
            Logged = counters.Logged - dropped,
            Durable = run.DurableItems,
            Delivered = run.DeliveredItems,
            Failed = counters.Failed + dead,
            Dropped = counters.Dropped + dropped,
        };
    }

    /// <summary>
    /// Waits until the server acknowledged or refused every value journaled for <paramref name="runId"/> so far (or the
    /// run's shipping ended), for as long as delivery makes progress.
    /// </summary>
    public async Task<bool> WaitForDeliveryAsync(string runId, TimeSpan? limit, CancellationToken cancellationToken)
    {
        if (!_started.TryGetValue(runId, out var run))
        {
            return true;
        }

        var target = run.AppendedItems;
        await run.WaitForProgressAsync(() => run.SettledItems >= target || run.Shipped.IsCompleted, Durability.DrainStallTimeout, limit ?? Durability.DrainTimeout, cancellationToken).ConfigureAwait(false);
        return run.SettledItems >= target;
    }

    /// <inheritdoc />
    public string? JournalFolderOf(string runId) =>
        _started.TryGetValue(runId, out var run) && !run.Shipped.IsCompletedSuccessfully ? run.Journal.Folder : null;

    /// <summary>
    /// Waits for every journal being shipped (this process's runs and journals taken over from earlier processes) for
    /// as long as any of them makes progress, at most <see cref="DurabilityOptions.DrainTimeout"/> in all, and returns
    /// those still not delivered. Later calls of <see cref="Dispose"/> do not wait again.
    /// </summary>
    public async Task<IReadOnlyList<UndeliveredJournal>> DrainAsync(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _drained, 1);
        foreach (var (runId, run) in _runs.ToArray())
        {
            // A run the delivery core never ended (its tracker was not disposed): keep its journal for the next process.
            _runs.TryRemove(runId, out _);
            run.FlushToDisk();
        }

        var time = TimeProvider;
        var start = time.GetTimestamp();
        var lastProgress = start;
        var answers = ServerAnswers();
        while (true)
        {
            // The signals first, then the check: progress made in between completes a signal already taken.
            var runs = _shipping.Values.ToArray();
            var progress = runs.Select(r => r.NextProgress).ToArray();
            if (runs.All(IsDrained))
            {
                break;
            }

            var now = time.GetTimestamp();
            var stall = Durability.DrainStallTimeout - time.GetElapsedTime(lastProgress, now);
            var overall = Durability.DrainTimeout - time.GetElapsedTime(start, now);
            var wait = stall < overall ? stall : overall;
            if (wait <= TimeSpan.Zero)
            {
                break;
            }

            try
            {
                await Task.WhenAny(progress).WaitAsync(wait < LivenessCheckInterval ? wait : LivenessCheckInterval, time, cancellationToken).ConfigureAwait(false);
                lastProgress = time.GetTimestamp();
            }
            catch (TimeoutException)
            {
                // No delivery in this interval; a server that still answers (a request being retried) is alive.
                var seen = ServerAnswers();
                if (seen != answers)
                {
                    answers = seen;
                    lastProgress = time.GetTimestamp();
                }
            }
        }

        return Undelivered();
    }

    /// <summary>
    /// Whether a journal needs no more waiting: shipped to the end, or (a run its tracker never ended, which stays open
    /// for the next process to end) every value it holds settled.
    /// </summary>
    private static bool IsDrained(DurableRun run) => run.Shipped.IsCompleted || (run.IsOpen && run.SettledItems >= run.AppendedItems);

    /// <inheritdoc />
    public IReadOnlyList<UndeliveredJournal> PendingJournals() => Undelivered();

    /// <summary>The journals of this store that are not delivered yet.</summary>
    private List<UndeliveredJournal> Undelivered()
    {
        var localIds = _started.ToDictionary(p => p.Value.LocalRunId, p => p.Key, StringComparer.Ordinal);
        var result = new List<UndeliveredJournal>();
        foreach (var run in _shipping.Values.ToArray())
        {
            if (run.Shipped.IsCompletedSuccessfully || (run.IsOpen && IsDrained(run)))
            {
                continue;
            }

            var live = localIds.TryGetValue(run.LocalRunId, out var runId);
            result.Add(new UndeliveredJournal(
                live ? runId! : run.ServerRunId ?? run.LocalRunId,
                run.Journal.Folder,
                SafePendingBytes(run),
                live ? Math.Max(0, run.AppendedItems - run.SettledItems) : null));
        }

        return result;
    }

    /// <summary>The server's run id of a local run id, once the run exists there.</summary>
    public bool TryGetServerRunId(string runId, out string serverRunId)
    {
        if (_serverIds.TryGetValue(runId, out var mapped))
        {
            serverRunId = mapped;
            return true;
        }

        serverRunId = runId;
        return false;
    }

    internal void OnMapped(DurableRun run, RunInfo serverInfo)
    {
        _serverIds[run.LocalRunId] = serverInfo.RunId;
        if (!string.IsNullOrEmpty(serverInfo.ArtifactUri))
        {
            _artifactUris[run.LocalRunId] = serverInfo.ArtifactUri;
        }
    }

    internal void CountDeadLetter() => Interlocked.Increment(ref _deadLetters);

    /// <inheritdoc />
    public Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken) => Inner.GetExperimentByNameAsync(name, cancellationToken);

    /// <inheritdoc />
    public Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken cancellationToken) => Inner.GetExperimentAsync(experimentId, cancellationToken);

    /// <inheritdoc />
    public Task<string> CreateExperimentAsync(string name, string? artifactLocation, IReadOnlyList<Tag> tags, CancellationToken cancellationToken) =>
        Inner.CreateExperimentAsync(name, artifactLocation, tags, cancellationToken);

    /// <inheritdoc />
    public Task<Page<Experiment>> SearchExperimentsAsync(string? filter, ViewType viewType, int maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken cancellationToken) =>
        Inner.SearchExperimentsAsync(filter, viewType, maxResults, orderBy, pageToken, cancellationToken);

    /// <inheritdoc />
    public Task SetExperimentTagAsync(string experimentId, string key, string value, CancellationToken cancellationToken) =>
        Inner.SetExperimentTagAsync(experimentId, key, value, cancellationToken);

    /// <summary>
    /// Creates the run on the server within <see cref="DurabilityOptions.StartTimeout"/> and journals it; when the
    /// server is unreachable, starts it locally (a new 32-hex id) and lets the shipper create it on the server later.
    /// </summary>
    public async Task<RunSnapshot> CreateRunAsync(string experimentId, string? runName, long startTime, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        string? experimentName = null;
        Exception? unavailable = null;
        if (experimentId.StartsWith(DeferredExperimentPrefix, StringComparison.Ordinal))
        {
            experimentName = experimentId[DeferredExperimentPrefix.Length..];
            experimentId = "";
        }
        else
        {
            (var created, unavailable) = await TryWithStartTimeoutAsync(
                ct => Inner.CreateRunAsync(experimentId, runName, startTime, tags, ct),
                cancellationToken).ConfigureAwait(false);
            if (created is not null)
            {
                RunJournal journal;
                try
                {
                    journal = RunJournal.Create(JournalOptions, new RunCreatedRecord(created.Info.RunId, experimentId, null, runName, startTime, null, tags, JournalOwner.Current));
                    journal.MapServerRun(created.Info.RunId, ArtifactUriForJournal(created.Info.ArtifactUri));
                }
                catch (JournalException ex)
                {
                    _logger.LogError(ex, "LlmTrack could not create the journal of run {RunId} ({Message}); the run is tracked without durable mode.", created.Info.RunId, ex.Message);
                    return created;
                }

                _serverIds[created.Info.RunId] = created.Info.RunId;
                Register(created.Info.RunId, journal);
                return created;
            }
        }

        var localRunId = Guid.NewGuid().ToString("N");
        string? parent = null;
        foreach (var tag in tags)
        {
            if (tag.Key == MlflowTags.ParentRunId)
            {
                parent = tag.Value;
            }
        }

        var localJournal = RunJournal.Create(
            JournalOptions,
            new RunCreatedRecord(localRunId, experimentName is null ? experimentId : null, experimentName, runName, startTime, parent is not null && _runs.ContainsKey(parent) ? parent : null, tags, JournalOwner.Current));
        Register(localRunId, localJournal);
        _logger.LogWarning(
            "LlmTrack: the tracking server is unreachable ({Message}); run {RunId} started locally and logs to its journal at {Folder}. It is created on the server when the server is back.",
            unavailable?.Message ?? "the experiment could not be resolved",
            localRunId,
            localJournal.Folder);
        return new RunSnapshot
        {
            Info = new RunInfo
            {
                RunId = localRunId,
                ExperimentId = experimentId,
                RunName = runName,
                Status = RunStatus.Running,
                StartTime = startTime,
                ArtifactUri = LocalArtifactScheme + localRunId,
            },
            Data = new RunData { Tags = tags },
        };
    }

    /// <summary>
    /// Gives the server <see cref="DurabilityOptions.StartTimeout"/> to resolve the experiment; when it does not answer
    /// and the experiment has a name, the run starts anyway and the name is resolved when the run is delivered.
    /// </summary>
    public async Task<string> ResolveExperimentForNewRunAsync(Func<CancellationToken, Task<string>> resolve, string? experimentName, CancellationToken cancellationToken)
    {
        var (id, unavailable) = await TryWithStartTimeoutAsync(resolve, cancellationToken).ConfigureAwait(false);
        if (unavailable is null)
        {
            return id!;
        }

        if (experimentName is null)
        {
            throw unavailable;
        }

        _logger.LogWarning("The tracking server is unreachable; experiment '{ExperimentName}' is resolved when the run is delivered.", experimentName);
        return DeferredExperimentId(experimentName);
    }

    /// <summary>
    /// Resumes the run on the server and opens a journal for it (already mapped to the server's run), so values
    /// logged to a resumed run are journaled and shipped like those of a new run, and a crash leaves them on disk.
    /// </summary>
    public async Task<RunInfo> ResumeRunAsync(string runId, string? runName, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_runs.ContainsKey(runId))
        {
            return await UpdateRunAsync(runId, RunStatus.Running, null, runName, cancellationToken).ConfigureAwait(false);
        }

        var serverRunId = ServerIdOrThrow(runId);
        var info = await Inner.UpdateRunAsync(serverRunId, RunStatus.Running, null, runName, cancellationToken).ConfigureAwait(false);
        try
        {
            // A journal of its own (a new local id): the run's earlier journal may still be on disk, being delivered.
            var journal = RunJournal.Create(JournalOptions, new RunCreatedRecord(Guid.NewGuid().ToString("N"), info.ExperimentId, null, info.RunName, info.StartTime, null, [], JournalOwner.Current));
            journal.MapServerRun(serverRunId, ArtifactUriForJournal(info.ArtifactUri));
            _serverIds[serverRunId] = serverRunId;
            Register(serverRunId, journal);
        }
        catch (JournalException ex)
        {
            _logger.LogError(ex, "LlmTrack could not create the journal of resumed run {RunId} ({Message}); the run is tracked without durable mode.", serverRunId, ex.Message);
        }

        return info;
    }

    /// <inheritdoc />
    public Task<RunSnapshot> GetRunAsync(string runId, CancellationToken cancellationToken) =>
        Inner.GetRunAsync(ServerIdOrThrow(runId), cancellationToken);

    /// <summary>
    /// Ending a journaled run writes <see cref="RunEndedRecord"/> durably and waits for the shipper to deliver everything,
    /// for as long as delivery makes progress (<see cref="DurabilityOptions.DrainStallTimeout"/>, at most
    /// <see cref="DurabilityOptions.DrainTimeout"/>); what is left stays on disk and is delivered in the background, by
    /// the next process or by <c>llmtrack sync</c> (the run's counters and end report say how much).
    /// </summary>
    public async Task<RunInfo> UpdateRunAsync(string runId, RunStatus? status, long? endTime, string? runName, CancellationToken cancellationToken)
    {
        if (!_runs.TryGetValue(runId, out var run) || status is null or RunStatus.Running or RunStatus.Scheduled)
        {
            return await Inner.UpdateRunAsync(ServerIdOrThrow(runId), status, endTime, runName, cancellationToken).ConfigureAwait(false);
        }

        var end = endTime ?? TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        run.End(status.Value, end);
        _runs.TryRemove(runId, out _);
        await run.WaitForProgressAsync(() => run.Shipped.IsCompleted, Durability.DrainStallTimeout, Durability.DrainTimeout, cancellationToken).ConfigureAwait(false);
        if (run.Shipped.IsFaulted)
        {
            _logger.LogWarning(run.Shipped.Exception?.GetBaseException(), "LlmTrack: run {RunId} ended {Status}; its journal stays at {Folder} for the next process or `{Command}`.", runId, status, run.Journal.Folder, SyncCommand);
        }

        if (run.Shipped.IsCompletedSuccessfully && run.FinalInfo is { } info)
        {
            return info with { RunId = runId };
        }

        var state = run.Journal.State;
        return new RunInfo
        {
            RunId = runId,
            ExperimentId = state.ExperimentId ?? "",
            RunName = state.RunName,
            Status = status.Value,
            StartTime = state.StartTime,
            EndTime = end,
            ArtifactUri = state.ArtifactUri ?? LocalArtifactScheme + run.LocalRunId,
        };
    }

    /// <inheritdoc />
    public Task DeleteRunAsync(string runId, CancellationToken cancellationToken) => Inner.DeleteRunAsync(ServerIdOrThrow(runId), cancellationToken);

    /// <inheritdoc />
    public Task RestoreRunAsync(string runId, CancellationToken cancellationToken) => Inner.RestoreRunAsync(ServerIdOrThrow(runId), cancellationToken);

    /// <summary>Appends the batch to the run's journal (no network); other runs pass straight to the server.</summary>
    public Task LogBatchAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        if (!_runs.TryGetValue(runId, out var run))
        {
            return Inner.LogBatchAsync(ServerIdOrThrow(runId), metrics, parameters, tags, cancellationToken);
        }

        run.Append(metrics, parameters, tags);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task SetTagAsync(string runId, string key, string value, CancellationToken cancellationToken)
    {
        if (!_runs.TryGetValue(runId, out var run))
        {
            return Inner.SetTagAsync(ServerIdOrThrow(runId), key, value, cancellationToken);
        }

        run.Append([], [], [new Tag(key, value)]);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task DeleteTagAsync(string runId, string key, CancellationToken cancellationToken) => Inner.DeleteTagAsync(ServerIdOrThrow(runId), key, cancellationToken);

    /// <inheritdoc />
    public Task<Page<RunSnapshot>> SearchRunsAsync(IReadOnlyList<string> experimentIds, string? filter, ViewType viewType, int maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken cancellationToken) =>
        Inner.SearchRunsAsync(experimentIds, filter, viewType, maxResults, orderBy, pageToken, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Metric>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken) =>
        Inner.GetMetricHistoryAsync(ServerIdOrThrow(runId), key, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Metric>> GetMetricHistoryRangeAsync(string runId, string key, long startStep, long endStep, CancellationToken cancellationToken) =>
        Inner.GetMetricHistoryRangeAsync(ServerIdOrThrow(runId), key, startStep, endStep, cancellationToken);

    /// <inheritdoc />
    public Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> datasets, CancellationToken cancellationToken)
    {
        if (!_runs.TryGetValue(runId, out var run))
        {
            return Inner.LogInputsAsync(ServerIdOrThrow(runId), datasets, cancellationToken);
        }

        run.Append(new DatasetInputsRecord([.. datasets]));
        return Task.CompletedTask;
    }

    /// <summary>
    /// The artifact repository of a run. For a run started while the server was unreachable, uploads are spooled into
    /// the run's journal folder and delivered by the shipper; listing and downloading serve the spooled files.
    /// </summary>
    public IArtifactRepository GetArtifactRepository(string artifactUri)
    {
        if (artifactUri.StartsWith(LocalArtifactScheme, StringComparison.Ordinal))
        {
            return new PendingRunArtifactRepository(this, artifactUri[LocalArtifactScheme.Length..]);
        }

        return Inner.GetArtifactRepository(artifactUri);
    }

    /// <summary>
    /// Drains (<see cref="DrainAsync"/>) unless that was done already, stops the shippers (the rest stays on disk,
    /// with a warning saying where and how to deliver it) and disposes the server store.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (Volatile.Read(ref _drained) == 0)
        {
            // Disposed without a drain by its owner (the tracker drains first and reports itself).
            foreach (var journal in DrainAsync(CancellationToken.None).GetAwaiter().GetResult())
            {
                _logger.LogWarning(
                    "LlmTrack: run {RunId} is not fully delivered to the tracking server; its journal stays at {Folder} ({PendingBytes} bytes) and is delivered by the next process that uses LlmTrack with this tracking server, or by `{Command}`.",
                    journal.RunId,
                    journal.Folder,
                    journal.PendingBytes,
                    SyncCommand);
            }
        }

        foreach (var run in _shipping.Values.ToArray())
        {
            run.Dispose();
        }

        _shipping.Clear();
        Inner.Dispose();
    }

    internal string? ArtifactUriOf(string localRunId) => _artifactUris.TryGetValue(localRunId, out var uri) ? uri : null;

    internal DurableRun? ShippingRunOf(string localRunId) => _shipping.TryGetValue(localRunId, out var run) ? run : null;

    private void Register(string runId, RunJournal journal)
    {
        var run = new DurableRun(this, journal, live: true, _logger);
        _runs[runId] = run;
        _started[runId] = run;
        _shipping[journal.LocalRunId] = run;
        run.StartShipping();
        _ = run.Shipped.ContinueWith(
            task =>
            {
                if (_shipping.TryRemove(run.LocalRunId, out _))
                {
                    run.Dispose();
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private string ServerIdOrThrow(string runId)
    {
        if (_serverIds.TryGetValue(runId, out var serverId))
        {
            return serverId;
        }

        if (_shipping.TryGetValue(runId, out var run) && run.ServerRunId is null)
        {
            throw new MlflowException(
                MlflowErrorCode.Unavailable,
                $"Run '{runId}' was started while the tracking server was unreachable and does not exist on the server yet; its data is kept in the journal at '{run.Journal.Folder}' and delivered when the server is back.");
        }

        return runId;
    }

    private static long SafePendingBytes(DurableRun run)
    {
        try
        {
            return run.Journal.PendingBytes();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            return -1;
        }
    }

    /// <summary>
    /// Artifacts of a run started while the server was unreachable. Uploads are spooled into the run's journal folder
    /// (durable when the call returns) and uploaded by the shipper once the run exists on the server; they keep being
    /// spooled until the spool is delivered, so a newer version never overtakes an older one. Listing and downloading
    /// serve the spooled files (the newest version) merged with what the server has once the run exists there.
    /// </summary>
    private sealed class PendingRunArtifactRepository(DurableTrackingStore store, string localRunId) : IArtifactRepository
    {
        public Task UploadAsync(string relativePath, Func<CancellationToken, Task<Stream>> openContent, long? length, CancellationToken cancellationToken)
        {
            var run = store.ShippingRunOf(localRunId);
            return run is not null && (store.ArtifactUriOf(localRunId) is null || run.Artifacts.Pending > 0)
                ? run.SpoolArtifactAsync(relativePath, openContent, length, cancellationToken)
                : Server().UploadAsync(relativePath, openContent, length, cancellationToken);
        }

        public async Task<IReadOnlyList<ArtifactFile>> ListAsync(string? relativePath, CancellationToken cancellationToken)
        {
            var run = store.ShippingRunOf(localRunId);
            var spooled = run?.Artifacts.List(relativePath) ?? [];
            if (run is not null && store.ArtifactUriOf(localRunId) is null)
            {
                return spooled;
            }

            var stored = await Server().ListAsync(relativePath, cancellationToken).ConfigureAwait(false);
            if (spooled.Count == 0)
            {
                return stored;
            }

            var merged = new Dictionary<string, ArtifactFile>(StringComparer.Ordinal);
            foreach (var file in stored.Concat(spooled))
            {
                merged[file.Path] = file;
            }

            return [.. merged.Values.OrderBy(f => f.Path, StringComparer.Ordinal)];
        }

        public async Task DownloadAsync(string relativePath, Stream destination, CancellationToken cancellationToken)
        {
            var run = store.ShippingRunOf(localRunId);
            if (run is not null && await run.Artifacts.TryCopyToAsync(relativePath, destination, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            if (run is not null && store.ArtifactUriOf(localRunId) is null)
            {
                throw new MlflowException(
                    MlflowErrorCode.ResourceDoesNotExist,
                    $"Artifact '{relativePath}' of run '{localRunId}' does not exist: the run exists only locally and no artifact of that path was logged to it.");
            }

            await Server().DownloadAsync(relativePath, destination, cancellationToken).ConfigureAwait(false);
        }

        private IArtifactRepository Server() =>
            store.ArtifactUriOf(localRunId) is { } uri
                ? store.Inner.GetArtifactRepository(uri)
                : throw new MlflowException(
                    MlflowErrorCode.Unavailable,
                    $"Artifacts of run '{localRunId}' cannot be reached yet: the run was started while the tracking server was unreachable, is not delivered by this process, and does not exist on the server yet. " +
                    "Its journal (with its spooled artifacts) is delivered by the process that holds it, the next process using this tracking server, or `llmtrack sync`.");
    }
}
