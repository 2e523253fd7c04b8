using System.Collections.Concurrent;
using LlmTrack.Delivery;
using LlmTrack.Stores;
using LlmTrack.Tracking;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmTrack;

/// <summary>
/// The entry point of LlmTrack: connects to a tracking store (an MLflow tracking server or a local MLflow-schema
/// SQLite file, chosen by <see cref="LlmTrackOptions.TrackingUri"/>) and starts <see cref="Run"/>s. Thread-safe; keep
/// one per application (the DI registration makes it a singleton).
/// </summary>
/// <example>
/// <code>
/// using var tracker = new Tracker();
/// using var run = tracker.StartRun("sentiment-eval", runName: "bert-base-v1");
/// run.LogParam("model_name", "bert-base-uncased");
/// run.LogMetric("accuracy", 0.913);
/// </code>
/// </example>
/// <remarks>
/// Sync methods that talk to the store (<see cref="StartRun(string?, string?, Run?, string?, IEnumerable{KeyValuePair{string, string}}?)"/>,
/// <see cref="ResumeRun"/>) block the calling thread on the async call; in UI or ASP.NET request code prefer the
/// async forms. Disposing the tracker ends the runs still open (FINISHED) and closes the store.
/// </remarks>
public sealed partial class Tracker : IDisposable, IAsyncDisposable
{
    private readonly LlmTrackOptions _options;
    private readonly ITrackingStore _store;
    private readonly TimeProvider _timeProvider;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<Run, byte> _activeRuns = new();
    private readonly Lazy<IReadOnlyList<Tag>> _contextTags;
    private readonly ConcurrentQueue<Run> _runs = new();
    private readonly IJournalingStore? _journaling;
    private readonly ExperimentResolver _experiments;
    private readonly RunStarter _starter;
    private readonly DeliveryWarnings _warnings;
    private readonly object _closeGate = new();
    private Task<DeliverySummary>? _closing;
    private int _disposed;

    /// <summary>Creates a tracker configured from MLflow's environment variables (<see cref="LlmTrackOptions.FromEnvironment"/>).</summary>
    public Tracker()
        : this(new LlmTrackOptions())
    {
    }

    /// <summary>Creates a tracker; properties left unset on <paramref name="options"/> are filled from MLflow's environment variables.</summary>
    /// <param name="options">The settings; the tracker keeps this instance.</param>
    /// <param name="loggerFactory">Where diagnostics go (default: nowhere).</param>
    /// <param name="timeProvider">The clock for timestamps and batching (default <see cref="TimeProvider.System"/>).</param>
    public Tracker(LlmTrackOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : this(options, httpClientFactory: null, loggerFactory, timeProvider)
    {
    }

    /// <summary>The DI path: the REST store gets its <see cref="HttpClient"/> from <paramref name="httpClientFactory"/>.</summary>
    internal Tracker(LlmTrackOptions options, IHttpClientFactory? httpClientFactory, ILoggerFactory? loggerFactory, TimeProvider? timeProvider)
        : this(
            PrepareOptions(options),
            (o, t, l) => WithDurableMode(TrackingStoreFactory.Create(o, httpClientFactory, t, l), o, t, l),
            timeProvider ?? TimeProvider.System,
            loggerFactory)
    {
    }

    /// <summary>Creates a tracker over a given store (tests, benchmarks). The tracker owns and disposes the store.</summary>
    internal Tracker(LlmTrackOptions options, ITrackingStore store, TimeProvider timeProvider, ILoggerFactory? loggerFactory)
        : this(options, (_, _, _) => store, timeProvider, loggerFactory)
    {
    }

    private Tracker(LlmTrackOptions options, Func<LlmTrackOptions, TimeProvider, ILoggerFactory, ITrackingStore> createStore, TimeProvider timeProvider, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ValidateOptions(options);
        _options = options;
        _timeProvider = timeProvider;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<Tracker>();
        _contextTags = new Lazy<IReadOnlyList<Tag>>(RunContextTags.CollectForProcess);
        _store = createStore(options, timeProvider, _loggerFactory);
        _journaling = _store as IJournalingStore;
        _experiments = new ExperimentResolver(_store, _journaling, options, ThrowIfDisposed);
        _starter = new RunStarter(_store, _journaling, _experiments, timeProvider, _logger, () => ContextTags ?? _contextTags.Value, name => Environment(name), Register);
        _warnings = new DeliveryWarnings(_logger, loggerFactory is not null and not NullLoggerFactory, () => WarningWriter, _journaling);
        if (_journaling is not null)
        {
            AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        }
    }

    /// <summary>The store for the options: the one the URI names, journaled when durable mode applies.</summary>
    private static ITrackingStore WithDurableMode(ITrackingStore store, LlmTrackOptions options, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        Func<long>? answers = store is Rest.MlflowRestStore rest ? () => rest.Counters.Answers : null;
        return Durable.DurableTrackingStore.WrapWhenDurable(store, options.TrackingUri, options.Durability, timeProvider, loggerFactory, answers);
    }

    /// <summary>
    /// The tracking destination's <typeparamref name="TCapability"/> (model registry, logged models, traces, …);
    /// throws <c>INVALID_PARAMETER_VALUE</c> naming <paramref name="feature"/> when the store has none.
    /// </summary>
    internal TCapability GetStoreCapability<TCapability>(string feature)
        where TCapability : class
    {
        ThrowIfDisposed();
        return _store.GetCapability<TCapability>() ?? throw new MlflowException(
            MlflowErrorCode.InvalidParameterValue,
            $"The tracking store of '{Configuration.TrackingUri.Redact(_options.TrackingUri ?? TrackingStoreFactory.DefaultTrackingUri)}' does not support {feature}.");
    }

    /// <summary>Where warnings go when the application gave no logger (standard error); replaced by tests.</summary>
    internal TextWriter WarningWriter { get; init; } = Console.Error;

    /// <summary>The tracker's settings.</summary>
    public LlmTrackOptions Options => _options;

    /// <summary>Reads environment variables (<c>MLFLOW_RUN_ID</c>); replaced by tests.</summary>
    internal Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>The automatic tags of this process; replaced by tests.</summary>
    internal IReadOnlyList<Tag>? ContextTags { get; init; }

    /// <summary>The runs started (or resumed) and not ended yet.</summary>
    public IReadOnlyCollection<Run> ActiveRuns => _activeRuns.Keys.ToList();

    /// <summary>
    /// Starts a run and blocks until the store has created it. Dispose it (<c>using var run = …</c>) to send
    /// everything and end it FINISHED.
    /// </summary>
    /// <param name="experimentName">The experiment (created when missing); default from the options, else Default.</param>
    /// <param name="runName">The run's name; generated MLflow-style when not given.</param>
    /// <param name="parent">Makes the run a child of this one (tag <c>mlflow.parentRunId</c>).</param>
    /// <param name="description">The run's description (tag <c>mlflow.note.content</c>).</param>
    /// <param name="tags">Tags to set at the start.</param>
    /// <returns>The running run.</returns>
    public Run StartRun(string? experimentName = null, string? runName = null, Run? parent = null, string? description = null, IEnumerable<KeyValuePair<string, string>>? tags = null) =>
        SyncOverAsync.Run(ct => StartRunAsync(RunStarter.BuildOptions(experimentName, runName, parent, description, tags), ct), CancellationToken.None);

    /// <summary>Starts (or resumes) a run as <paramref name="options"/> say; blocks until the store has it.</summary>
    /// <param name="options">Experiment, name, description, tags, parent, or the id of a run to resume.</param>
    /// <returns>The running run.</returns>
    /// <param name="cancellationToken">Cancels the start.</param>
    public Run StartRun(RunOptions options, CancellationToken cancellationToken = default) => SyncOverAsync.Run(ct => StartRunAsync(options, ct), cancellationToken);

    /// <summary>Starts a run; see <see cref="StartRun(string?, string?, Run?, string?, IEnumerable{KeyValuePair{string, string}}?)"/>.</summary>
    /// <param name="experimentName">The experiment (created when missing); default from the options, else Default.</param>
    /// <param name="runName">The run's name; generated MLflow-style when not given.</param>
    /// <param name="parent">Makes the run a child of this one.</param>
    /// <param name="description">The run's description.</param>
    /// <param name="tags">Tags to set at the start.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running run.</returns>
    public Task<Run> StartRunAsync(string? experimentName = null, string? runName = null, Run? parent = null, string? description = null, IEnumerable<KeyValuePair<string, string>>? tags = null, CancellationToken cancellationToken = default) =>
        StartRunAsync(RunStarter.BuildOptions(experimentName, runName, parent, description, tags), cancellationToken);

    /// <summary>
    /// Starts a run, or resumes one when <see cref="RunOptions.RunId"/> (or, for a run without parent,
    /// the <c>MLFLOW_RUN_ID</c> environment variable) names it.
    /// </summary>
    /// <param name="options">Experiment, name, description, tags, parent, or the id of a run to resume.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running run.</returns>
    public async Task<Run> StartRunAsync(RunOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ThrowIfDisposed();
        return await _starter.StartAsync(options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Resumes an existing run (its status becomes RUNNING again); blocks until the store answers.</summary>
    /// <param name="runId">The run's id.</param>
    /// <returns>The running run.</returns>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Run ResumeRun(string runId, CancellationToken cancellationToken = default) => SyncOverAsync.Run(ct => ResumeRunAsync(runId, ct), cancellationToken);

    /// <summary>Resumes an existing run (its status becomes RUNNING again). Params it already has stay immutable.</summary>
    /// <param name="runId">The run's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The running run.</returns>
    public Task<Run> ResumeRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        return StartRunAsync(new RunOptions { RunId = runId }, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/> in a new run: FINISHED when it completes, KILLED when it is cancelled
    /// (<see cref="OperationCanceledException"/> or <paramref name="cancellationToken"/> cancelled), FAILED when it
    /// throws anything else. The exception is rethrown after the run has ended.
    /// </summary>
    /// <param name="body">The work to track.</param>
    /// <param name="options">How to start the run (default: a new run in the default experiment).</param>
    /// <param name="cancellationToken">Cancels the start; when cancelled while the body runs, the run ends KILLED.</param>
    /// <returns>A task that completes when the run has ended.</returns>
    public Task RunAsync(Func<Run, Task> body, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        return RunAsync<bool>(
            async run =>
            {
                await body(run).ConfigureAwait(false);
                return true;
            },
            options,
            cancellationToken);
    }

    /// <summary>Like <see cref="RunAsync(Func{Run, Task}, RunOptions?, CancellationToken)"/>, returning the body's result.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="body">The work to track.</param>
    /// <param name="options">How to start the run.</param>
    /// <param name="cancellationToken">Cancels the start; when cancelled while the body runs, the run ends KILLED.</param>
    /// <returns>The body's result.</returns>
    public async Task<T> RunAsync<T>(Func<Run, Task<T>> body, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        var run = await StartRunAsync(options ?? new RunOptions(), cancellationToken).ConfigureAwait(false);
        T result;
        try
        {
            result = await body(run).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning("Run {RunId} was cancelled.", run.RunId);
            await EndQuietlyAsync(run, RunStatus.Killed).ConfigureAwait(false);
            throw;
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Run {RunId} failed.", run.RunId);
            await EndQuietlyAsync(run, RunStatus.Failed).ConfigureAwait(false);
            throw;
        }

        await run.EndAsync(RunStatus.Finished, CancellationToken.None).ConfigureAwait(false);
        return result;
    }

    /// <summary>Says that a run ended with values not delivered (pending on disk, refused or dropped).</summary>
    internal void WarnNotDelivered(Run run, DeliveryReport report) => _warnings.RunNotDelivered(run, report);

    /// <summary>Forgets a run that ended.</summary>
    internal void OnRunEnded(Run run) => _activeRuns.TryRemove(run, out _);

    private static LlmTrackOptions PrepareOptions(LlmTrackOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ApplyEnvironment();
    }

    private static void ValidateOptions(LlmTrackOptions options)
    {
        var batching = options.Batching ?? throw new ArgumentException("Batching options are required.", nameof(options));
        if (batching.FlushInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Batching.FlushInterval must be positive (was {batching.FlushInterval}).", nameof(options));
        }

        if (batching.MaxQueuedItems < 1)
        {
            throw new ArgumentException($"Batching.MaxQueuedItems must be at least 1 (was {batching.MaxQueuedItems}).", nameof(options));
        }

        if (!Enum.IsDefined(batching.QueueFullPolicy))
        {
            throw new ArgumentException($"Batching.QueueFullPolicy {batching.QueueFullPolicy} is unknown.", nameof(options));
        }

        if (options.Durability is { Enabled: true } durability)
        {
            static void Positive(TimeSpan value, string name)
            {
                if (value <= TimeSpan.Zero)
                {
                    throw new ArgumentException($"Durability.{name} must be positive (was {value}).", nameof(options));
                }
            }

            Positive(durability.FlushToDiskInterval, nameof(durability.FlushToDiskInterval));
            Positive(durability.StartTimeout, nameof(durability.StartTimeout));
            Positive(durability.MinRetryDelay, nameof(durability.MinRetryDelay));
            if (durability.DrainTimeout < TimeSpan.Zero || durability.DrainStallTimeout < TimeSpan.Zero)
            {
                // Zero is allowed: do not wait for the server at all (what is left stays on disk and is reported).
                throw new ArgumentException($"Durability.DrainTimeout and DrainStallTimeout must not be negative (were {durability.DrainTimeout} and {durability.DrainStallTimeout}).", nameof(options));
            }

            if (durability.MaxRetryDelay < durability.MinRetryDelay)
            {
                throw new ArgumentException($"Durability.MaxRetryDelay ({durability.MaxRetryDelay}) must not be shorter than MinRetryDelay ({durability.MinRetryDelay}).", nameof(options));
            }

            if (durability.MaxBatchesInFlight < 1)
            {
                throw new ArgumentException($"Durability.MaxBatchesInFlight must be at least 1 (was {durability.MaxBatchesInFlight}).", nameof(options));
            }

            if (durability.DiskCapBytes < 1)
            {
                throw new ArgumentException($"Durability.DiskCapBytes must be positive (was {durability.DiskCapBytes}).", nameof(options));
            }
        }
    }

    private Run Register(RunInfo info, IEnumerable<Param> existingParams)
    {
        var run = new Run(this, _store, info, existingParams, _options.Batching, _timeProvider, _loggerFactory.CreateLogger<Run>());
        _activeRuns.TryAdd(run, 0);
        _runs.Enqueue(run);
        return run;
    }

    private async Task EndQuietlyAsync(Run run, RunStatus status)
    {
        try
        {
            await run.EndAsync(status, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The body's exception is what the caller must see.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.LogError(ex, "Run {RunId} could not be ended {Status}.", run.RunId, status);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
