using LlmTrack.Rest.Traces;
using LlmTrack.Stores;

namespace LlmTrack.Rest;

/// <summary>
/// The trace read side and assessments over MLflow 3's REST API: v3 (<c>/api/3.0/mlflow/traces…</c>) for reads,
/// search and assessments; the v2 paths the official client uses for tags (the v3 tag DELETE is a server bug that
/// always answers 500), deletion and linking to a run.
/// </summary>
internal sealed partial class MlflowRestStore : ITraceStore
{
    /// <summary>The prefix of MLflow 3's v3 REST routes.</summary>
    internal const string Api3 = "api/3.0/mlflow/";

    /// <summary>How many ids one <c>traces/batchGet</c> request carries.</summary>
    private const int BatchGetSize = 100;

    private static string TracePath(string api, string traceId) => api + "traces/" + Uri.EscapeDataString(traceId);

    /// <inheritdoc/>
    public async Task<Page<TraceInfo>> SearchTracesAsync(TraceSearch search, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(search);
        var request = new SearchTracesRequest
        {
            Locations = search.ExperimentIds.Select(TraceLocationWire.Experiment).ToList(),
            Filter = string.IsNullOrEmpty(search.Filter) ? null : search.Filter,
            MaxResults = search.MaxResults,
            OrderBy = search.OrderBy is { Count: > 0 } order ? order.ToList() : null,
            PageToken = string.IsNullOrEmpty(search.PageToken) ? null : search.PageToken,
        };
        var body = await SendTraceJsonAsync(HttpMethod.Post, Api3 + "traces/search", request, TraceJsonContext.Default.SearchTracesRequest, TraceJsonContext.Default.SearchTracesResponse, cancellationToken).ConfigureAwait(false);
        var items = (body.Traces ?? []).Select(TraceWireMapping.ToTraceInfo).ToList();
        return new Page<TraceInfo>(items, string.IsNullOrEmpty(body.NextPageToken) ? null : body.NextPageToken);
    }

    /// <inheritdoc/>
    public async Task<TraceInfo> GetTraceInfoAsync(string traceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(traceId);
        var body = await _transport.SendJsonAsync(HttpMethod.Get, TracePath(Api3, traceId), null, TraceJsonContext.Default.GetTraceResponse, null, cancellationToken).ConfigureAwait(false);
        return TraceWireMapping.ToTraceInfo(body.Trace?.TraceInfo ?? new TraceInfoWire { TraceId = traceId });
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<Trace>> GetTracesAsync(IReadOnlyList<string> traceIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(traceIds);
        var traces = new List<Trace>(traceIds.Count);
        foreach (var chunk in traceIds.Chunk(BatchGetSize))
        {
            var path = TraceWireMapping.Query(Api3 + "traces/batchGet", "trace_ids", chunk);
            var body = await _transport.SendJsonAsync(HttpMethod.Get, path, null, TraceJsonContext.Default.BatchGetTracesResponse, null, cancellationToken).ConfigureAwait(false);
            traces.AddRange((body.Traces ?? []).Select(TraceWireMapping.ToTrace));
        }

        return traces;
    }

    /// <inheritdoc/>
    public Task SetTraceTagAsync(string traceId, string key, string value, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(traceId);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        return SendTraceJsonAsync(HttpMethod.Patch, TracePath(Api, traceId) + "/tags", new TraceTagRequest { Key = key, Value = value }, TraceJsonContext.Default.TraceTagRequest, TraceJsonContext.Default.TraceEmptyResponse, cancellationToken);
    }

    /// <inheritdoc/>
    public Task DeleteTraceTagAsync(string traceId, string key, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(traceId);
        ArgumentException.ThrowIfNullOrEmpty(key);
        return SendTraceJsonAsync(HttpMethod.Delete, TracePath(Api, traceId) + "/tags", new TraceTagRequest { Key = key }, TraceJsonContext.Default.TraceTagRequest, TraceJsonContext.Default.TraceEmptyResponse, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<int> DeleteTracesAsync(string experimentId, IReadOnlyList<string>? traceIds, long? maxTimestampMillis, int? maxTraces, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(experimentId);
        var request = new DeleteTracesRequest
        {
            ExperimentId = experimentId,
            RequestIds = traceIds?.ToList(),
            MaxTimestampMillis = maxTimestampMillis,
            MaxTraces = maxTraces,
        };
        var body = await SendTraceJsonAsync(HttpMethod.Post, Api + "traces/delete-traces", request, TraceJsonContext.Default.DeleteTracesRequest, TraceJsonContext.Default.DeleteTracesResponse, cancellationToken).ConfigureAwait(false);
        return body.TracesDeleted;
    }

    /// <inheritdoc/>
    public Task LinkTracesToRunAsync(IReadOnlyList<string> traceIds, string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(traceIds);
        ArgumentException.ThrowIfNullOrEmpty(runId);
        var request = new LinkTracesToRunRequest { TraceIds = traceIds.ToList(), RunId = runId };
        return SendTraceJsonAsync(HttpMethod.Post, Api + "traces/link-to-run", request, TraceJsonContext.Default.LinkTracesToRunRequest, TraceJsonContext.Default.TraceEmptyResponse, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<Assessment> CreateAssessmentAsync(Assessment assessment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        var request = new AssessmentRequest { Assessment = AssessmentWireMapping.ToCreateWire(assessment) };
        var body = await SendTraceJsonAsync(HttpMethod.Post, TracePath(Api3, assessment.TraceId) + "/assessments", request, TraceJsonContext.Default.AssessmentRequest, TraceJsonContext.Default.AssessmentResponse, cancellationToken).ConfigureAwait(false);
        return ReadAssessment(body);
    }

    /// <inheritdoc/>
    public async Task<Assessment> GetAssessmentAsync(string traceId, string assessmentId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(traceId);
        ArgumentException.ThrowIfNullOrEmpty(assessmentId);
        var body = await _transport.SendJsonAsync(HttpMethod.Get, AssessmentPath(traceId, assessmentId), null, TraceJsonContext.Default.AssessmentResponse, null, cancellationToken).ConfigureAwait(false);
        return ReadAssessment(body);
    }

    /// <inheritdoc/>
    public async Task<Assessment> UpdateAssessmentAsync(Assessment assessment, IReadOnlyList<string> updateMask, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        ArgumentNullException.ThrowIfNull(updateMask);
        var request = new AssessmentRequest { Assessment = AssessmentWireMapping.ToUpdateWire(assessment), UpdateMask = string.Join(',', updateMask) };
        var body = await SendTraceJsonAsync(HttpMethod.Patch, AssessmentPath(assessment.TraceId, assessment.AssessmentId), request, TraceJsonContext.Default.AssessmentRequest, TraceJsonContext.Default.AssessmentResponse, cancellationToken).ConfigureAwait(false);
        return ReadAssessment(body);
    }

    /// <inheritdoc/>
    public Task DeleteAssessmentAsync(string traceId, string assessmentId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(traceId);
        ArgumentException.ThrowIfNullOrEmpty(assessmentId);
        var request = new DeleteAssessmentRequest { TraceId = traceId, AssessmentId = assessmentId };
        return SendTraceJsonAsync(HttpMethod.Delete, AssessmentPath(traceId, assessmentId), request, TraceJsonContext.Default.DeleteAssessmentRequest, TraceJsonContext.Default.TraceEmptyResponse, cancellationToken);
    }

    private static string AssessmentPath(string traceId, string assessmentId) => TracePath(Api3, traceId) + "/assessments/" + Uri.EscapeDataString(assessmentId);

    private static Assessment ReadAssessment(AssessmentResponse body) =>
        AssessmentWireMapping.ToAssessment(body.Assessment ?? throw new MlflowException(MlflowErrorCode.InternalError, "The MLflow server answered an assessment request without an assessment."));

    private Task<TResponse> SendTraceJsonAsync<TRequest, TResponse>(HttpMethod method, string path, TRequest request, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TRequest> requestType, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken) =>
        _transport.SendJsonAsync(method, path, MlflowHttpTransport.Serialize(request, requestType), responseType, null, cancellationToken);
}
