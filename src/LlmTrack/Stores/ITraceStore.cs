namespace LlmTrack.Stores;

/// <summary>A search for traces: one page of <c>traces/search</c>.</summary>
/// <param name="ExperimentIds">The experiments to search (MLflow's <c>locations</c>).</param>
/// <param name="Filter">MLflow's trace filter, e.g. <c>trace.status = 'OK'</c> or <c>attribute.run_id = '…'</c>.</param>
/// <param name="MaxResults">The page size.</param>
/// <param name="OrderBy">Order keys, e.g. <c>timestamp_ms DESC</c>; the server's default order when empty.</param>
/// <param name="PageToken">The token of the page to read, or <see langword="null"/> for the first.</param>
internal sealed record TraceSearch(IReadOnlyList<string> ExperimentIds, string? Filter = null, int MaxResults = 100, IReadOnlyList<string>? OrderBy = null, string? PageToken = null);

/// <summary>
/// The trace read side and assessments of a tracking store (MLflow 3's v3 trace API, and the v2 paths the official
/// client still uses for tags, deletion and linking). Errors are <see cref="MlflowException"/> with MLflow's codes:
/// an unknown trace or assessment is <c>RESOURCE_DOES_NOT_EXIST</c>, a bad filter <c>INVALID_PARAMETER_VALUE</c>.
/// </summary>
internal interface ITraceStore
{
    /// <summary>One page of trace infos (without spans).</summary>
    Task<Page<TraceInfo>> SearchTracesAsync(TraceSearch search, CancellationToken cancellationToken);

    /// <summary>A trace's info with its assessments.</summary>
    Task<TraceInfo> GetTraceInfoAsync(string traceId, CancellationToken cancellationToken);

    /// <summary>Traces with their spans; unknown ids are left out.</summary>
    Task<IReadOnlyList<Trace>> GetTracesAsync(IReadOnlyList<string> traceIds, CancellationToken cancellationToken);

    /// <summary>Sets (or replaces) a trace tag.</summary>
    Task SetTraceTagAsync(string traceId, string key, string value, CancellationToken cancellationToken);

    /// <summary>Deletes a trace tag; an unknown key is <c>RESOURCE_DOES_NOT_EXIST</c>.</summary>
    Task DeleteTraceTagAsync(string traceId, string key, CancellationToken cancellationToken);

    /// <summary>Deletes traces of an experiment by id, or those older than a time (at most <paramref name="maxTraces"/>); returns how many.</summary>
    Task<int> DeleteTracesAsync(string experimentId, IReadOnlyList<string>? traceIds, long? maxTimestampMillis, int? maxTraces, CancellationToken cancellationToken);

    /// <summary>Links traces to a run, so a search by the run's id finds them.</summary>
    Task LinkTracesToRunAsync(IReadOnlyList<string> traceIds, string runId, CancellationToken cancellationToken);

    /// <summary>Creates an assessment; when it overrides another, that one becomes invalid. Returns it with its id.</summary>
    Task<Assessment> CreateAssessmentAsync(Assessment assessment, CancellationToken cancellationToken);

    /// <summary>Reads an assessment.</summary>
    Task<Assessment> GetAssessmentAsync(string traceId, string assessmentId, CancellationToken cancellationToken);

    /// <summary>Updates the fields of <paramref name="assessment"/> named by <paramref name="updateMask"/> (MLflow's camelCase field names).</summary>
    Task<Assessment> UpdateAssessmentAsync(Assessment assessment, IReadOnlyList<string> updateMask, CancellationToken cancellationToken);

    /// <summary>Deletes an assessment.</summary>
    Task DeleteAssessmentAsync(string traceId, string assessmentId, CancellationToken cancellationToken);
}
