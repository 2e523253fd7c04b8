using LlmTrack.Model;
using LlmTrack.Configuration;
using System.Globalization;
using LlmTrack.Artifacts;
using LlmTrack.Resilience;
using LlmTrack.Rest.Wire;
using LlmTrack.Stores;
using Microsoft.Extensions.Logging;

namespace LlmTrack.Rest;

/// <summary>
/// The tracking store of an MLflow tracking server, over its REST API (<c>/api/2.0/mlflow/…</c>).
/// Every request goes through one resilience pipeline (MLflow's retry policy, timeouts); log-batch
/// is delivered exactly once even when a response is lost (see <see cref="LogBatchAsync"/>).
/// </summary>
internal sealed class MlflowRestStore : ITrackingStore
{
    /// <summary>The page size of <c>metrics/get-history</c>; the server needs an explicit one.</summary>
    public const int MetricHistoryPageSize = 25000;

    /// <summary>How often a log-batch is reconciled with the stored history before giving up.</summary>
    internal const int MaxReconcileRounds = 3;

    /// <summary>
    /// The <c>max_results</c> sent to <c>metrics/get-history-bulk-interval</c> (the server's largest) and the widest range
    /// asked in one call: the server samples a range only when it holds more distinct steps than <c>max_results</c>, which a
    /// range this wide cannot.
    /// </summary>
    internal const int BulkIntervalMaxResults = 2500;

    /// <summary>
    /// The most points the server returns for one run from <c>metrics/get-history-bulk-interval</c> (its
    /// <c>MAX_RESULTS_GET_METRIC_HISTORY</c> row limit over all points at the chosen steps); an answer this long may be cut.
    /// </summary>
    internal const int BulkIntervalMaxPoints = 25000;

    private const string Api = "api/2.0/mlflow/";

    private readonly MlflowHttpTransport _transport;
    private readonly Func<string, IArtifactRepository?>? _otherArtifactRepositories;
    private readonly IDisposable? _ownedResource;
    private readonly ILogger? _logger;
    private volatile bool _noBulkInterval;

    /// <summary>Creates a store over <paramref name="httpClient"/>.</summary>
    /// <param name="httpClient">The <c>"LlmTrack.Mlflow"</c> client of <see cref="IHttpClientFactory"/> (see <see cref="MlflowHttpClient"/>).</param>
    /// <param name="options">Tracking URI, credentials, headers and retry settings.</param>
    /// <param name="timeProvider">Clock for timeouts and back-off (default: system clock).</param>
    /// <param name="logger">Logger (Debug: method, path and status of each request).</param>
    /// <param name="counters">Transport counters to update (retries, failures, reconciled batches).</param>
    /// <param name="onRetry">Called for each retry.</param>
    /// <param name="otherArtifactRepositories">Resolves artifact URIs that are not <c>mlflow-artifacts</c> or HTTP(S) (e.g. a local path when the server does not proxy artifacts); <see langword="null"/> when unsupported.</param>
    /// <param name="ownedResource">Disposed with the store (e.g. a standalone client factory).</param>
    /// <param name="random">Uniform [0, 1) source for back-off jitter.</param>
    public MlflowRestStore(
        HttpClient httpClient,
        LlmTrackOptions options,
        TimeProvider? timeProvider = null,
        ILogger? logger = null,
        TransportCounters? counters = null,
        Action<RetryInfo>? onRetry = null,
        Func<string, IArtifactRepository?>? otherArtifactRepositories = null,
        IDisposable? ownedResource = null,
        Func<double>? random = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        Uri? baseAddress = httpClient.BaseAddress;
        if (baseAddress is null && !TrackingUri.TryGetHttpBaseAddress(options.TrackingUri, out baseAddress))
        {
            throw new ArgumentException($"The tracking URI '{options.TrackingUri}' is not an http(s) URI of an MLflow tracking server.", nameof(options));
        }

        _transport = new MlflowHttpTransport(httpClient, baseAddress, options, timeProvider, logger, counters, onRetry, random);
        _otherArtifactRepositories = otherArtifactRepositories;
        _ownedResource = ownedResource;
        _logger = logger;
    }

    /// <summary>Creates a store with a client from <paramref name="factory"/>.</summary>
    public static MlflowRestStore Create(
        IHttpClientFactory factory,
        LlmTrackOptions options,
        TimeProvider? timeProvider = null,
        ILogger? logger = null,
        TransportCounters? counters = null,
        Action<RetryInfo>? onRetry = null,
        Func<string, IArtifactRepository?>? otherArtifactRepositories = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new MlflowRestStore(factory.CreateClient(MlflowHttpClient.ClientName), options, timeProvider, logger, counters, onRetry, otherArtifactRepositories);
    }

    /// <summary>Creates a store without dependency injection; it owns and disposes its private client factory.</summary>
    public static MlflowRestStore CreateStandalone(
        LlmTrackOptions options,
        TimeProvider? timeProvider = null,
        ILogger? logger = null,
        TransportCounters? counters = null,
        Action<RetryInfo>? onRetry = null,
        Func<string, IArtifactRepository?>? otherArtifactRepositories = null)
    {
        var factory = MlflowHttpClient.CreateStandaloneFactory(options);
        try
        {
            return new MlflowRestStore(factory.CreateClient(MlflowHttpClient.ClientName), options, timeProvider, logger, counters, onRetry, otherArtifactRepositories, factory);
        }
        catch
        {
            factory.Dispose();
            throw;
        }
    }

    /// <summary>The transport's counters (retries, failures, reconciled batches).</summary>
    public TransportCounters Counters => _transport.Counters;

    /// <summary>The tracking server's base address.</summary>
    public Uri BaseAddress => _transport.BaseAddress;

    internal MlflowHttpTransport Transport => _transport;

    /// <summary>
    /// Whether the server lacks <c>metrics/get-history-bulk-interval</c> (it answered 404/405 for the route), so that
    /// range reads use the full <c>metrics/get-history</c>.
    /// </summary>
    internal bool BulkIntervalUnsupported => _noBulkInterval;

    /// <inheritdoc />
    public async Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        var uri = _transport.Resolve(Api + "experiments/get-by-name?experiment_name=" + Uri.EscapeDataString(name));
        using var response = await _transport.SendAsync(HttpMethod.Get, uri, null, HttpCompletionOption.ResponseContentRead, null, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var error = await MlflowErrorMapper.ReadAsync(response, "GET", uri.AbsolutePath, cancellationToken).ConfigureAwait(false);
            if (error is { HasMlflowErrorBody: true, Exception.ErrorCode: MlflowErrorCode.ResourceDoesNotExist })
            {
                return null;
            }

            _transport.Counters.AddFailure();
            throw error.Exception;
        }

        var body = await MlflowHttpTransport.ReadJsonAsync(response, MlflowJsonContext.Default.GetExperimentResponse, "GET", uri.AbsolutePath, cancellationToken).ConfigureAwait(false);
        return body.Experiment is { } experiment ? WireMapping.ToModel(experiment) : null;
    }

    /// <inheritdoc />
    public async Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(experimentId);
        var body = await GetAsync(Api + "experiments/get?experiment_id=" + Uri.EscapeDataString(experimentId), MlflowJsonContext.Default.GetExperimentResponse, cancellationToken).ConfigureAwait(false);
        return WireMapping.ToModel(body.Experiment ?? throw MissingField("experiment"));
    }

    /// <inheritdoc />
    /// <remarks>
    /// When an earlier attempt may have created the experiment before its response was lost, a
    /// retry's <c>RESOURCE_ALREADY_EXISTS</c> is resolved by returning the id of the experiment with that name.
    /// </remarks>
    public async Task<string> CreateExperimentAsync(string name, string? artifactLocation, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        var request = new CreateExperimentRequest
        {
            Name = name,
            ArtifactLocation = string.IsNullOrEmpty(artifactLocation) ? null : artifactLocation,
            Tags = tags is { Count: > 0 } ? WireMapping.ToWire(tags) : null,
        };
        var observer = new AttemptObserver();
        try
        {
            var body = await PostAsync(Api + "experiments/create", request, MlflowJsonContext.Default.CreateExperimentRequest, MlflowJsonContext.Default.CreateExperimentResponse, observer, cancellationToken).ConfigureAwait(false);
            return body.ExperimentId ?? throw MissingField("experiment_id");
        }
        catch (MlflowException ex) when (ex.ErrorCode == MlflowErrorCode.ResourceAlreadyExists && observer.MaybeCommitted)
        {
            var existing = await GetExperimentByNameAsync(name, cancellationToken).ConfigureAwait(false);
            if (existing is null)
            {
                throw;
            }

            return existing.ExperimentId;
        }
    }

    /// <inheritdoc />
    public async Task<Page<Experiment>> SearchExperimentsAsync(string? filter, ViewType viewType, int maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken cancellationToken)
    {
        var request = new SearchExperimentsRequest
        {
            MaxResults = maxResults,
            PageToken = string.IsNullOrEmpty(pageToken) ? null : pageToken,
            Filter = string.IsNullOrEmpty(filter) ? null : filter,
            OrderBy = orderBy is { Count: > 0 } ? [.. orderBy] : null,
            ViewType = RunStatusNames.ToMlflow(viewType),
        };
        var body = await PostAsync(Api + "experiments/search", request, MlflowJsonContext.Default.SearchExperimentsRequest, MlflowJsonContext.Default.SearchExperimentsResponse, null, cancellationToken).ConfigureAwait(false);
        var items = body.Experiments?.Select(WireMapping.ToModel).ToArray() ?? [];
        return new Page<Experiment>(items, string.IsNullOrEmpty(body.NextPageToken) ? null : body.NextPageToken);
    }

    /// <inheritdoc />
    public Task SetExperimentTagAsync(string experimentId, string key, string value, CancellationToken cancellationToken) =>
        PostAsync(Api + "experiments/set-experiment-tag", new SetExperimentTagRequest { ExperimentId = experimentId, Key = key, Value = value }, MlflowJsonContext.Default.SetExperimentTagRequest, MlflowJsonContext.Default.WireEmpty, null, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// <para>Sends <c>user_id</c> from the <c>mlflow.user</c> tag when present, as MLflow's client does.</para>
    /// <para>Exactly once, although the server can create the run while the response is lost: once an attempt has
    /// failed ambiguously, every further attempt first searches the experiment for a run with the same name and
    /// start time (to the millisecond) and returns it instead of creating another one.</para>
    /// </remarks>
    public async Task<RunSnapshot> CreateRunAsync(string experimentId, string? runName, long startTime, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(experimentId);
        string? userId = null;
        foreach (var tag in tags)
        {
            if (tag.Key == MlflowTags.User)
            {
                userId = tag.Value;
            }
        }

        var request = new CreateRunRequest
        {
            ExperimentId = experimentId,
            UserId = userId,
            RunName = string.IsNullOrEmpty(runName) ? null : runName,
            StartTime = startTime,
            Tags = WireMapping.ToWire(tags),
        };
        var observer = new AttemptObserver();
        RunSnapshot? created = null;
        var body = await _transport.SendJsonAsync(
            HttpMethod.Post,
            Api + "runs/create",
            MlflowHttpTransport.Serialize(request, MlflowJsonContext.Default.CreateRunRequest),
            MlflowJsonContext.Default.RunResponse,
            observer,
            cancellationToken,
            beforeAttempt: async token =>
            {
                if (!observer.MaybeCommitted || request.RunName is null)
                {
                    return true;
                }

                created = await FindCreatedRunAsync(experimentId, request.RunName, startTime, token).ConfigureAwait(false);
                return created is null;
            }).ConfigureAwait(false);
        return created ?? WireMapping.ToModel(body.Run ?? throw MissingField("run"));
    }

    /// <summary>The run an earlier attempt of <c>runs/create</c> may have created: same experiment, name and start time.</summary>
    private async Task<RunSnapshot?> FindCreatedRunAsync(string experimentId, string runName, long startTime, CancellationToken cancellationToken)
    {
        // MLflow's filter strings have no escape character: quote the name with a quote it does not contain.
        var quote = !runName.Contains('\'', StringComparison.Ordinal) ? "'" : !runName.Contains('"', StringComparison.Ordinal) ? "\"" : null;
        if (quote is null)
        {
            return null;
        }

        var filter = "attributes.run_name = " + quote + runName + quote + " and attributes.start_time = " +
            startTime.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var page = await SearchRunsAsync([experimentId], filter, ViewType.All, 2, null, null, cancellationToken).ConfigureAwait(false);
        if (page.Items.Count == 1)
        {
            _transport.Counters.AddRecoveredRunCreation();
            return page.Items[0];
        }

        return null;
    }

    /// <inheritdoc />
    public async Task<RunSnapshot> GetRunAsync(string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runId);
        var body = await GetAsync(Api + "runs/get?run_id=" + Uri.EscapeDataString(runId), MlflowJsonContext.Default.RunResponse, cancellationToken).ConfigureAwait(false);
        return WireMapping.ToModel(body.Run ?? throw MissingField("run"));
    }

    /// <inheritdoc />
    public async Task<RunInfo> UpdateRunAsync(string runId, RunStatus? status, long? endTime, string? runName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runId);
        var request = new UpdateRunRequest
        {
            RunId = runId,
            Status = status is { } s ? RunStatusNames.ToMlflow(s) : null,
            EndTime = endTime,
            RunName = string.IsNullOrEmpty(runName) ? null : runName,
        };
        var body = await PostAsync(Api + "runs/update", request, MlflowJsonContext.Default.UpdateRunRequest, MlflowJsonContext.Default.UpdateRunResponse, null, cancellationToken).ConfigureAwait(false);
        return WireMapping.ToModel(body.RunInfo ?? throw MissingField("run_info"));
    }

    /// <inheritdoc />
    public Task DeleteRunAsync(string runId, CancellationToken cancellationToken) =>
        PostAsync(Api + "runs/delete", new RunIdRequest { RunId = runId }, MlflowJsonContext.Default.RunIdRequest, MlflowJsonContext.Default.WireEmpty, null, cancellationToken);

    /// <inheritdoc />
    public Task RestoreRunAsync(string runId, CancellationToken cancellationToken) =>
        PostAsync(Api + "runs/restore", new RunIdRequest { RunId = runId }, MlflowJsonContext.Default.RunIdRequest, MlflowJsonContext.Default.WireEmpty, null, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// <para>Exactly once, although a request can be committed by the server while its response is
    /// lost. Once an attempt has failed ambiguously (timeout or connection loss after sending, or a 5xx other than 503),
    /// every further attempt first reads the stored points at the batch's steps (<see cref="MetricReconciler"/>:
    /// per key, only windows around the batch's steps, so the cost follows the batch, not the run's history) and
    /// leaves out the points already stored (<see cref="MetricPointKey"/>: NaN equals NaN; ±∞ equals the
    /// ±1.7976931348623157e308 the SQL store keeps; −0 equals 0).
    /// Params and tags are always resent: the server accepts the same values again.</para>
    /// <para>If a later attempt still gets a unique-constraint error (SQLAlchemy <c>IntegrityError</c>,
    /// e.g. a NaN point the first attempt committed concurrently), the batch's steps are read again: when every
    /// point is stored the batch succeeded; otherwise only the missing points (with params and tags) are sent.</para>
    /// </remarks>
    public async Task LogBatchAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(tags);
        if (metrics.Count + parameters.Count + tags.Count == 0)
        {
            return;
        }

        var uri = _transport.Resolve(Api + "runs/log-batch");
        var observer = new AttemptObserver();
        var pending = metrics;
        var checkedAmbiguous = 0;
        for (var round = 0; ; round++)
        {
            var body = SerializeBatch(runId, pending, parameters, tags);
            using var response = await _transport.SendAsync(
                HttpMethod.Post,
                uri,
                (_, _) => MlflowHttpTransport.JsonContent(body)(null, default),
                HttpCompletionOption.ResponseContentRead,
                observer,
                cancellationToken,
                beforeAttempt: async token =>
                {
                    // Check only after an attempt whose outcome is unknown, and once per such attempt: an answer that
                    // came back (a 429, say) since the last check changed nothing on the server.
                    var ambiguous = observer.AmbiguousAttempts;
                    if (ambiguous == checkedAmbiguous || pending.Count == 0)
                    {
                        return true;
                    }

                    checkedAmbiguous = ambiguous;

                    var unstored = await MetricReconciler.FindUnstoredAfterAttemptAsync(pending, (key, windows, t) => ReadWindowsAsync(runId, key, windows, t), token).ConfigureAwait(false);
                    if (unstored.Count != pending.Count)
                    {
                        _transport.Counters.AddReconciledBatch();
                        pending = unstored;
                        body = SerializeBatch(runId, pending, parameters, tags);
                    }

                    return pending.Count + parameters.Count + tags.Count > 0;
                }).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            var error = await MlflowErrorMapper.ReadAsync(response, "POST", uri.AbsolutePath, cancellationToken).ConfigureAwait(false);
            if (observer.MaybeCommitted && pending.Count > 0 && IsUniqueConstraintError(error.Exception) && round < MaxReconcileRounds)
            {
                _transport.Counters.AddReconciledBatch();
                pending = await FindUnstoredAsync(runId, pending, cancellationToken).ConfigureAwait(false);
                if (pending.Count == 0 && parameters.Count == 0 && tags.Count == 0)
                {
                    return;
                }

                continue;
            }

            _transport.Counters.AddFailure();
            throw error.Exception;
        }
    }

    /// <inheritdoc />
    public Task SetTagAsync(string runId, string key, string value, CancellationToken cancellationToken) =>
        PostAsync(Api + "runs/set-tag", new SetTagRequest { RunId = runId, Key = key, Value = value }, MlflowJsonContext.Default.SetTagRequest, MlflowJsonContext.Default.WireEmpty, null, cancellationToken);

    /// <inheritdoc />
    /// <remarks>A retry's "no such tag" after an attempt that may have deleted it already counts as success.</remarks>
    public async Task DeleteTagAsync(string runId, string key, CancellationToken cancellationToken)
    {
        var observer = new AttemptObserver();
        try
        {
            await PostAsync(Api + "runs/delete-tag", new DeleteTagRequest { RunId = runId, Key = key }, MlflowJsonContext.Default.DeleteTagRequest, MlflowJsonContext.Default.WireEmpty, observer, cancellationToken).ConfigureAwait(false);
        }
        catch (MlflowException ex) when (ex.ErrorCode == MlflowErrorCode.ResourceDoesNotExist && observer.MaybeCommitted && ex.Message.Contains(key, StringComparison.Ordinal))
        {
            // The lost first attempt deleted the tag.
        }
    }

    /// <inheritdoc />
    public async Task<Page<RunSnapshot>> SearchRunsAsync(IReadOnlyList<string> experimentIds, string? filter, ViewType viewType, int maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(experimentIds);
        var request = new SearchRunsRequest
        {
            ExperimentIds = [.. experimentIds],
            Filter = string.IsNullOrEmpty(filter) ? null : filter,
            RunViewType = RunStatusNames.ToMlflow(viewType),
            MaxResults = maxResults,
            OrderBy = orderBy is { Count: > 0 } ? [.. orderBy] : null,
            PageToken = string.IsNullOrEmpty(pageToken) ? null : pageToken,
        };
        var body = await PostAsync(Api + "runs/search", request, MlflowJsonContext.Default.SearchRunsRequest, MlflowJsonContext.Default.SearchRunsResponse, null, cancellationToken).ConfigureAwait(false);
        var items = body.Runs?.Select(WireMapping.ToModel).ToArray() ?? [];
        return new Page<RunSnapshot>(items, string.IsNullOrEmpty(body.NextPageToken) ? null : body.NextPageToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Always sends <c>max_results</c> (without it the server returns nothing and a token that never
    /// advances) and follows page tokens, stopping if the server repeats a token.
    /// </remarks>
    public async Task<IReadOnlyList<Metric>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(key);
        var prefix = Api + "metrics/get-history?run_id=" + Uri.EscapeDataString(runId)
            + "&metric_key=" + Uri.EscapeDataString(key)
            + "&max_results=" + MetricHistoryPageSize.ToString(CultureInfo.InvariantCulture);
        var result = new List<Metric>();
        var seenTokens = new HashSet<string>(StringComparer.Ordinal);
        string? token = null;
        while (true)
        {
            var relative = token is null ? prefix : prefix + "&page_token=" + Uri.EscapeDataString(token);
            var page = await GetAsync(relative, MlflowJsonContext.Default.GetMetricHistoryResponse, cancellationToken).ConfigureAwait(false);
            if (page.Metrics is { } metrics)
            {
                foreach (var metric in metrics)
                {
                    result.Add(WireMapping.ToModel(metric, key));
                }
            }

            token = page.NextPageToken;
            if (string.IsNullOrEmpty(token) || !seenTokens.Add(token))
            {
                return result;
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// <para>Reads <c>GET metrics/get-history-bulk-interval?run_ids=&amp;metric_key=&amp;start_step=&amp;end_step=&amp;max_results=2500</c>,
    /// one run per call, in windows of at most <see cref="BulkIntervalMaxResults"/> steps. MLflow samples the distinct steps of
    /// a range when it holds more than <c>max_results</c> of them (and returns every point at each chosen step, up to
    /// <see cref="BulkIntervalMaxPoints"/> points), so a window that narrow is returned whole; an answer of
    /// <see cref="BulkIntervalMaxPoints"/> points may be cut and its window is read again in halves.</para>
    /// <para>A server without the route (404 without MLflow's JSON <c>RESOURCE_DOES_NOT_EXIST</c> error, e.g. its HTML "not
    /// found" page, or 405: an older MLflow) is
    /// remembered, and ranges are then read from the full <c>metrics/get-history</c>.</para>
    /// </remarks>
    public async Task<IReadOnlyList<Metric>> GetMetricHistoryRangeAsync(string runId, string key, long startStep, long endStep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfLessThan(endStep, startStep);
        var points = await ReadRangeAsync(runId, key, startStep, endStep, cancellationToken).ConfigureAwait(false);
        if (points is not null)
        {
            return points;
        }

        var history = await GetMetricHistoryAsync(runId, key, cancellationToken).ConfigureAwait(false);
        return [.. history.Where(m => m.Step >= startStep && m.Step <= endStep)];
    }

    /// <summary>
    /// Every stored point of <paramref name="key"/> in [<paramref name="startStep"/>, <paramref name="endStep"/>] through the
    /// bulk-interval route, or <see langword="null"/> when it cannot tell (no such route, or more than
    /// <see cref="BulkIntervalMaxPoints"/> points at a single step) and the full history must be read instead.
    /// </summary>
    private async Task<List<Metric>?> ReadRangeAsync(string runId, string key, long startStep, long endStep, CancellationToken cancellationToken)
    {
        var windows = new List<StepWindow>();
        for (var start = startStep; ; start += BulkIntervalMaxResults)
        {
            var end = MetricReconciler.Distance(start, endStep) < BulkIntervalMaxResults ? endStep : start + (BulkIntervalMaxResults - 1);
            windows.Add(new StepWindow(start, end));
            if (end == endStep)
            {
                break;
            }
        }

        // Read in step order; a window that may have been cut is replaced by its halves.
        var ordered = new Stack<StepWindow>(Enumerable.Reverse(windows));
        var result = new List<Metric>();
        while (ordered.Count > 0)
        {
            if (_noBulkInterval)
            {
                return null;
            }

            var window = ordered.Pop();
            var part = await GetBulkIntervalAsync(runId, key, window, cancellationToken).ConfigureAwait(false);
            if (part is null)
            {
                return null;
            }

            if (part.Count >= BulkIntervalMaxPoints)
            {
                // Possibly cut at the server's row limit: read the two halves instead (a single step cannot be split).
                if (window.Start == window.End)
                {
                    return null;
                }

                var middle = window.Start + (long)(MetricReconciler.Distance(window.Start, window.End) / 2);
                ordered.Push(new StepWindow(middle + 1, window.End));
                ordered.Push(new StepWindow(window.Start, middle));
                continue;
            }

            foreach (var point in part)
            {
                if (point.Step >= window.Start && point.Step <= window.End)
                {
                    result.Add(point);
                }
            }
        }

        return result;
    }

    /// <summary>One <c>get-history-bulk-interval</c> call; <see langword="null"/> (remembered) when the server has no such route.</summary>
    private async Task<IReadOnlyList<Metric>?> GetBulkIntervalAsync(string runId, string key, StepWindow window, CancellationToken cancellationToken)
    {
        var uri = _transport.Resolve(Api + "metrics/get-history-bulk-interval?run_ids=" + Uri.EscapeDataString(runId)
            + "&metric_key=" + Uri.EscapeDataString(key)
            + "&start_step=" + window.Start.ToString(CultureInfo.InvariantCulture)
            + "&end_step=" + window.End.ToString(CultureInfo.InvariantCulture)
            + "&max_results=" + BulkIntervalMaxResults.ToString(CultureInfo.InvariantCulture));
        using var response = await _transport.SendAsync(HttpMethod.Get, uri, null, HttpCompletionOption.ResponseContentRead, null, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var error = await MlflowErrorMapper.ReadAsync(response, "GET", uri.AbsolutePath, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status == 405 || (status == 404 && error is not { HasMlflowErrorBody: true, Exception.ErrorCode: MlflowErrorCode.ResourceDoesNotExist }))
            {
                if (!_noBulkInterval)
                {
                    _noBulkInterval = true;
                    if (_logger?.IsEnabled(LogLevel.Information) == true)
                    {
                        _logger.LogInformation("The MLflow server at {BaseAddress} has no metrics/get-history-bulk-interval (HTTP {Status}); metric ranges are read from the full history.", BaseAddress, status);
                    }
                }

                return null;
            }

            _transport.Counters.AddFailure();
            throw error.Exception;
        }

        var body = await MlflowHttpTransport.ReadJsonAsync(response, MlflowJsonContext.Default.GetMetricHistoryResponse, "GET", uri.AbsolutePath, cancellationToken).ConfigureAwait(false);
        if (body.Metrics is not { Count: > 0 } metrics)
        {
            return [];
        }

        var points = new Metric[metrics.Count];
        for (var i = 0; i < points.Length; i++)
        {
            points[i] = WireMapping.ToModel(metrics[i], key);
        }

        return points;
    }

    /// <inheritdoc />
    public Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> datasets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(datasets);
        var request = new LogInputsRequest { RunId = runId, Datasets = [.. datasets.Select(WireMapping.ToWire)] };
        return PostAsync(Api + "runs/log-inputs", request, MlflowJsonContext.Default.LogInputsRequest, MlflowJsonContext.Default.WireEmpty, null, cancellationToken);
    }

    /// <inheritdoc />
    public IArtifactRepository GetArtifactRepository(string artifactUri)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(artifactUri);
        if (MlflowArtifactRepository.CanHandle(artifactUri))
        {
            return MlflowArtifactRepository.Create(_transport, artifactUri);
        }

        return _otherArtifactRepositories?.Invoke(artifactUri)
            ?? throw new MlflowException(
                MlflowErrorCode.InvalidParameterValue,
                $"The artifact URI '{artifactUri}' cannot be written through the tracking server; start the server with artifact proxying (mlflow-artifacts) or use a local artifact location.");
    }

    /// <inheritdoc />
    public void Dispose() => _ownedResource?.Dispose();

    /// <summary>Whether an error is a database unique-constraint violation (SQLAlchemy <c>IntegrityError</c>).</summary>
    internal static bool IsUniqueConstraintError(MlflowException exception) =>
        exception.Message.Contains("IntegrityError", StringComparison.OrdinalIgnoreCase)
        || exception.Message.Contains("UNIQUE constraint", StringComparison.OrdinalIgnoreCase)
        || exception.Message.Contains("duplicate key", StringComparison.OrdinalIgnoreCase)
        || exception.Message.Contains("Duplicate entry", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The points of <paramref name="metrics"/> that the run does not hold, reading only the batch's step windows
    /// (<see cref="MetricReconciler"/>); once the server is known to lack the range route, one full history per key.
    /// </summary>
    internal Task<IReadOnlyList<Metric>> FindUnstoredAsync(string runId, IReadOnlyList<Metric> metrics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return MetricReconciler.FindUnstoredAsync(metrics, (key, windows, token) => ReadWindowsAsync(runId, key, windows, token), cancellationToken);
    }

    private async Task<IReadOnlyList<Metric>> ReadWindowsAsync(string runId, string key, IReadOnlyList<StepWindow> windows, CancellationToken cancellationToken)
    {
        var points = new List<Metric>();
        foreach (var window in windows)
        {
            var part = _noBulkInterval ? null : await ReadRangeAsync(runId, key, window.Start, window.End, cancellationToken).ConfigureAwait(false);
            if (part is null)
            {
                // No range route (or a step too crowded to read by range): the key's full history covers every window.
                return await GetMetricHistoryAsync(runId, key, cancellationToken).ConfigureAwait(false);
            }

            points.AddRange(part);
        }

        return points;
    }

    private static byte[] SerializeBatch(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags) =>
        MlflowHttpTransport.Serialize(
            new LogBatchRequest
            {
                RunId = runId,
                Metrics = metrics.Count > 0 ? WireMapping.ToWire(metrics) : null,
                Params = parameters.Count > 0 ? WireMapping.ToWire(parameters) : null,
                Tags = tags.Count > 0 ? WireMapping.ToWire(tags) : null,
            },
            MlflowJsonContext.Default.LogBatchRequest);

    private Task<TResponse> GetAsync<TResponse>(string relativeUri, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken) =>
        _transport.SendJsonAsync(HttpMethod.Get, relativeUri, null, responseType, null, cancellationToken);

    private Task<TResponse> PostAsync<TRequest, TResponse>(
        string relativeUri,
        TRequest request,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<TRequest> requestType,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<TResponse> responseType,
        AttemptObserver? observer,
        CancellationToken cancellationToken) =>
        _transport.SendJsonAsync(HttpMethod.Post, relativeUri, MlflowHttpTransport.Serialize(request, requestType), responseType, observer, cancellationToken);

    private static MlflowException MissingField(string field) =>
        new(MlflowErrorCode.InternalError, $"The MLflow server's response has no '{field}'.");
}
