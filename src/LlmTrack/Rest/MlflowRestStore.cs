using LlmTrack.Model;
using LlmTrack.Configuration;
using LlmTrack.Artifacts;
using LlmTrack.Resilience;
using LlmTrack.Rest.Wire;
using LlmTrack.Stores;

namespace LlmTrack.Rest;

/// <summary>
/// The tracking store of an MLflow tracking server, over its REST API (<c>/api/2.0/mlflow/…</c>).
/// Every request goes through one resilience pipeline (MLflow's retry policy, timeouts); log-batch
/// is delivered exactly once even when a response is lost (see <see cref="LogBatchAsync"/>).
/// </summary>
internal sealed partial class MlflowRestStore : ITrackingStore
{
    /// <summary>The page size of <c>metrics/get-history</c>; the server needs an explicit one.</summary>
    public const int MetricHistoryPageSize = 25000;

    /// <summary>The prefix of MLflow's REST routes.</summary>
    internal const string Api = "api/2.0/mlflow/";

    private readonly MlflowHttpTransport _transport;
    private readonly Func<string, IArtifactRepository?>? _otherArtifactRepositories;
    private readonly IDisposable? _ownedResource;
    private readonly MetricHistoryReader _history;
    private readonly LogBatchReconciliation _logBatch;

    /// <summary>Creates a store over <paramref name="httpClient"/>.</summary>
    /// <param name="httpClient">The <c>"LlmTrack.Mlflow"</c> client of <see cref="IHttpClientFactory"/> (see <see cref="MlflowHttpClient"/>).</param>
    /// <param name="options">Tracking URI, credentials, headers and retry settings.</param>
    /// <param name="settings">Clock, logger, counters, retry callback, other artifact repositories, owned resource, jitter source.</param>
    public MlflowRestStore(HttpClient httpClient, LlmTrackOptions options, MlflowRestStoreSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        settings ??= new MlflowRestStoreSettings();
        Uri? baseAddress = httpClient.BaseAddress;
        if (baseAddress is null && !TrackingUri.TryGetHttpBaseAddress(options.TrackingUri, out baseAddress))
        {
            throw new ArgumentException($"The tracking URI '{options.TrackingUri}' is not an http(s) URI of an MLflow tracking server.", nameof(options));
        }

        _transport = new MlflowHttpTransport(httpClient, baseAddress, options, settings.TimeProvider, settings.Logger, settings.Counters, settings.OnRetry, settings.Random);
        _otherArtifactRepositories = settings.OtherArtifactRepositories;
        _ownedResource = settings.OwnedResource;
        _history = new MetricHistoryReader(_transport, settings.Logger);
        _logBatch = new LogBatchReconciliation(_transport, _history);
    }

    /// <summary>Creates a store with a client from <paramref name="factory"/>.</summary>
    public static MlflowRestStore Create(IHttpClientFactory factory, LlmTrackOptions options, MlflowRestStoreSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new MlflowRestStore(factory.CreateClient(MlflowHttpClient.ClientName), options, settings);
    }

    /// <summary>Creates a store without dependency injection; it owns and disposes its private client factory.</summary>
    public static MlflowRestStore CreateStandalone(LlmTrackOptions options, MlflowRestStoreSettings? settings = null)
    {
        var factory = MlflowHttpClient.CreateStandaloneFactory(options);
        try
        {
            return new MlflowRestStore(factory.CreateClient(MlflowHttpClient.ClientName), options, (settings ?? new MlflowRestStoreSettings()) with { OwnedResource = factory });
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
    internal bool BulkIntervalUnsupported => _history.BulkIntervalUnsupported;

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

                created = await RunCreateReconciler.FindCreatedRunAsync(this, _transport.Counters, experimentId, request.RunName, startTime, token).ConfigureAwait(false);
                return created is null;
            }).ConfigureAwait(false);
        return created ?? WireMapping.ToModel(body.Run ?? throw MissingField("run"));
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

        await _logBatch.SendAsync(runId, metrics, parameters, tags, cancellationToken).ConfigureAwait(false);
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
    public Task<IReadOnlyList<Metric>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(key);
        return _history.GetHistoryAsync(runId, key, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// <para>Reads <c>GET metrics/get-history-bulk-interval?run_ids=&amp;metric_key=&amp;start_step=&amp;end_step=&amp;max_results=2500</c>,
    /// one run per call, in windows of at most <see cref="MetricHistoryReader.BulkIntervalMaxResults"/> steps. MLflow samples the distinct steps of
    /// a range when it holds more than <c>max_results</c> of them (and returns every point at each chosen step, up to
    /// <see cref="MetricHistoryReader.BulkIntervalMaxPoints"/> points), so a window that narrow is returned whole; an answer of
    /// <see cref="MetricHistoryReader.BulkIntervalMaxPoints"/> points may be cut and its window is read again in halves.</para>
    /// <para>A server without the route (404 without MLflow's JSON <c>RESOURCE_DOES_NOT_EXIST</c> error, e.g. its HTML "not
    /// found" page, or 405: an older MLflow) is
    /// remembered, and ranges are then read from the full <c>metrics/get-history</c>.</para>
    /// </remarks>
    public Task<IReadOnlyList<Metric>> GetMetricHistoryRangeAsync(string runId, string key, long startStep, long endStep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfLessThan(endStep, startStep);
        return _history.GetRangeAsync(runId, key, startStep, endStep, cancellationToken);
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
