using System.Collections.Concurrent;
using LlmTrack.Stores;

namespace LlmTrack.Tests.Fakes;

/// <summary>A trace store that only records created assessments (other calls are not used by the tests); failures can be injected.</summary>
internal sealed class RecordingAssessmentStore : ITraceStore
{
    private int _next;

    public ConcurrentQueue<Assessment> Created { get; } = new();

    /// <summary>Runs before each assessment is stored; may throw.</summary>
    public Func<Assessment, bool>? Fail { get; set; }

    public Task<Assessment> CreateAssessmentAsync(Assessment assessment, CancellationToken cancellationToken)
    {
        if (Fail?.Invoke(assessment) == true)
        {
            throw new MlflowException(MlflowErrorCode.InternalError, "assessment store down");
        }

        var stored = assessment with { AssessmentId = "a-" + Interlocked.Increment(ref _next).ToString("x32", System.Globalization.CultureInfo.InvariantCulture) };
        Created.Enqueue(stored);
        return Task.FromResult(stored);
    }

    public Task<Page<TraceInfo>> SearchTracesAsync(TraceSearch search, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<TraceInfo> GetTraceInfoAsync(string traceId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<Trace>> GetTracesAsync(IReadOnlyList<string> traceIds, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task SetTraceTagAsync(string traceId, string key, string value, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task DeleteTraceTagAsync(string traceId, string key, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<int> DeleteTracesAsync(string experimentId, IReadOnlyList<string>? traceIds, long? maxTimestampMillis, int? maxTraces, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task LinkTracesToRunAsync(IReadOnlyList<string> traceIds, string runId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<Assessment> GetAssessmentAsync(string traceId, string assessmentId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<Assessment> UpdateAssessmentAsync(Assessment assessment, IReadOnlyList<string> updateMask, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task DeleteAssessmentAsync(string traceId, string assessmentId, CancellationToken cancellationToken) => throw new NotSupportedException();
}

/// <summary>The in-memory store keeps assessments only when a test gives it a <see cref="RecordingAssessmentStore"/>.</summary>
internal sealed partial class InMemoryTrackingStore
{
    public RecordingAssessmentStore? AssessmentStore { get; set; }
}
