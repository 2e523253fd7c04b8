using System.Runtime.CompilerServices;
using LlmTrack.Stores;

namespace LlmTrack;

/// <summary>
/// Reads MLflow traces back and manages their tags (get one from <see cref="Tracker.Traces"/>). Assessments are in
/// the other part of this class. Errors are <see cref="MlflowException"/>: an unknown trace is
/// <c>RESOURCE_DOES_NOT_EXIST</c>, a bad filter <c>INVALID_PARAMETER_VALUE</c>.
/// </summary>
public sealed partial class TraceClient
{
    private const string Feature = "traces (MLflow 3's trace API)";

    private readonly Tracker _tracker;
    private readonly TimeProvider _time;

    internal TraceClient(Tracker tracker, TimeProvider time)
    {
        _tracker = tracker;
        _time = time;
    }

    private ITraceStore Store => _tracker.GetStoreCapability<ITraceStore>(Feature);

    /// <summary>
    /// Searches the traces of some experiments and returns every match (infos without spans, with assessments),
    /// following the pages as the enumeration goes on.
    /// </summary>
    /// <param name="experimentIds">The experiments to search.</param>
    /// <param name="filter">
    /// MLflow's trace filter, e.g. <c>trace.status = 'OK'</c>, <c>tags.`mlflow.traceName` = 'x'</c>,
    /// <c>span.type = 'CHAT_MODEL'</c>, <c>feedback.relevance = '0.3'</c>; <see langword="null"/> for all.
    /// </param>
    /// <param name="runId">Only traces made in, or linked to, this run (<c>attribute.run_id = '…'</c>, ANDed with the filter).</param>
    /// <param name="orderBy">Order clauses, e.g. <c>timestamp_ms DESC</c> (the server's default when empty).</param>
    /// <param name="pageSize">Traces asked for per request.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The matching traces, in order.</returns>
    public async IAsyncEnumerable<TraceInfo> SearchAsync(
        IReadOnlyList<string> experimentIds,
        string? filter = null,
        string? runId = null,
        IReadOnlyList<string>? orderBy = null,
        int pageSize = 100,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experimentIds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        var store = Store;
        var combined = CombineFilter(filter, runId);
        await foreach (var trace in TrackingStoreExtensions.FollowPagesAsync(
            (token, ct) => store.SearchTracesAsync(new TraceSearch(experimentIds, combined, pageSize, orderBy, token), ct),
            cancellationToken).ConfigureAwait(false))
        {
            yield return trace;
        }
    }

    /// <summary>Searches traces one page at a time (see <see cref="SearchAsync"/>, which follows the pages itself).</summary>
    /// <param name="experimentIds">The experiments to search.</param>
    /// <param name="filter">MLflow's trace filter, or <see langword="null"/>.</param>
    /// <param name="runId">Only traces of this run, or <see langword="null"/>.</param>
    /// <param name="maxResults">The page size.</param>
    /// <param name="orderBy">Order clauses, e.g. <c>timestamp_ms DESC</c>.</param>
    /// <param name="pageToken">The token of the page to get (from the previous page).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One page of trace infos.</returns>
    public Task<Page<TraceInfo>> SearchPageAsync(IReadOnlyList<string> experimentIds, string? filter = null, string? runId = null, int maxResults = 100, IReadOnlyList<string>? orderBy = null, string? pageToken = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experimentIds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxResults);
        return Store.SearchTracesAsync(new TraceSearch(experimentIds, CombineFilter(filter, runId), maxResults, orderBy, pageToken), cancellationToken);
    }

    /// <summary>Reads a trace's info (with its assessments, without spans).</summary>
    /// <param name="traceId">The trace id (<c>tr-…</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The trace info.</returns>
    public Task<TraceInfo> GetInfoAsync(string traceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(traceId);
        return Store.GetTraceInfoAsync(traceId, cancellationToken);
    }

    /// <summary>Reads a trace with its spans and assessments.</summary>
    /// <param name="traceId">The trace id (<c>tr-…</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The trace.</returns>
    public async Task<Trace> GetAsync(string traceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(traceId);
        var store = Store;
        var info = await store.GetTraceInfoAsync(traceId, cancellationToken).ConfigureAwait(false);
        var traces = await store.GetTracesAsync([traceId], cancellationToken).ConfigureAwait(false);
        var spans = traces.FirstOrDefault(t => t.Info.TraceId == traceId)?.Spans ?? [];
        return new Trace(info, spans);
    }

    /// <summary>Reads several traces with their spans; unknown ids are left out.</summary>
    /// <param name="traceIds">The trace ids.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The traces found.</returns>
    public Task<IReadOnlyList<Trace>> GetManyAsync(IReadOnlyList<string> traceIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(traceIds);
        return traceIds.Count == 0 ? Task.FromResult<IReadOnlyList<Trace>>([]) : Store.GetTracesAsync(traceIds, cancellationToken);
    }

    /// <summary>Sets (or replaces) a tag on a trace.</summary>
    /// <param name="traceId">The trace id.</param>
    /// <param name="key">The tag's key.</param>
    /// <param name="value">The tag's value.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the tag is set.</returns>
    public Task SetTagAsync(string traceId, string key, string value, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(traceId);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        return Store.SetTraceTagAsync(traceId, key, value, cancellationToken);
    }

    /// <summary>Deletes a tag of a trace; an unknown key is <c>RESOURCE_DOES_NOT_EXIST</c>.</summary>
    /// <param name="traceId">The trace id.</param>
    /// <param name="key">The tag's key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the tag is deleted.</returns>
    public Task DeleteTagAsync(string traceId, string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(traceId);
        ArgumentException.ThrowIfNullOrEmpty(key);
        return Store.DeleteTraceTagAsync(traceId, key, cancellationToken);
    }

    /// <summary>Deletes traces of an experiment by id; unknown ids are ignored.</summary>
    /// <param name="experimentId">The experiment the traces belong to.</param>
    /// <param name="traceIds">The traces to delete.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many traces were deleted.</returns>
    public Task<int> DeleteAsync(string experimentId, IReadOnlyList<string> traceIds, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(experimentId);
        ArgumentNullException.ThrowIfNull(traceIds);
        return traceIds.Count == 0 ? Task.FromResult(0) : Store.DeleteTracesAsync(experimentId, traceIds, null, null, cancellationToken);
    }

    /// <summary>Deletes the traces of an experiment that started before a time.</summary>
    /// <param name="experimentId">The experiment.</param>
    /// <param name="before">Traces older than this are deleted.</param>
    /// <param name="maxTraces">At most this many, or <see langword="null"/> for the server's limit.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many traces were deleted.</returns>
    public Task<int> DeleteOlderThanAsync(string experimentId, DateTimeOffset before, int? maxTraces = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(experimentId);
        return Store.DeleteTracesAsync(experimentId, null, before.ToUnixTimeMilliseconds(), maxTraces, cancellationToken);
    }

    /// <summary>Links traces to a run, so that searching by the run finds them (as <c>mlflow.genai.evaluate</c> does).</summary>
    /// <param name="traceIds">The traces.</param>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when they are linked.</returns>
    public Task LinkToRunAsync(IReadOnlyList<string> traceIds, string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(traceIds);
        ArgumentException.ThrowIfNullOrEmpty(runId);
        return traceIds.Count == 0 ? Task.CompletedTask : Store.LinkTracesToRunAsync(traceIds, runId, cancellationToken);
    }

    /// <summary>The search filter for <paramref name="filter"/> restricted to <paramref name="runId"/>'s traces.</summary>
    internal static string? CombineFilter(string? filter, string? runId)
    {
        if (string.IsNullOrEmpty(runId))
        {
            return string.IsNullOrWhiteSpace(filter) ? null : filter;
        }

        var byRun = "attribute.run_id = '" + runId.Replace("'", "\\'", StringComparison.Ordinal) + "'";
        return string.IsNullOrWhiteSpace(filter) ? byRun : byRun + " AND " + filter;
    }
}
