namespace LlmTrack.Resilience;

/// <summary>Describes one retry of a request to the tracking server, reported before the back-off wait.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The request path, without query string.</param>
/// <param name="RetryNumber">1 for the first retry, 2 for the second, …</param>
/// <param name="Delay">How long the client waits before the retry.</param>
/// <param name="StatusCode">The HTTP status that caused the retry, or <see langword="null"/> for a transport failure or timeout.</param>
/// <param name="Exception">The transport failure or timeout that caused the retry, if any.</param>
internal readonly record struct RetryInfo(string Method, string Path, int RetryNumber, TimeSpan Delay, int? StatusCode, Exception? Exception);

/// <summary>
/// Counters of the HTTP transport, shared by everything that uses one tracking server connection.
/// Safe to read from any thread; the delivery core reads them for its statistics.
/// </summary>
internal sealed class TransportCounters
{
    private long _requests;
    private long _retries;
    private long _failures;
    private long _reconciledBatches;
    private long _recoveredRunCreations;
    private long _answers;

    /// <summary>Requests started (each logical call counts once, however often it is retried).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Retries made after a transient failure.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Requests that finally failed (after all retries).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Log-batch requests whose outcome was checked against the stored history after an ambiguous failure.</summary>
    public long ReconciledBatches => Interlocked.Read(ref _reconciledBatches);

    /// <summary>Run creations whose response was lost and whose run was found on the server instead of created again.</summary>
    public long RecoveredRunCreations => Interlocked.Read(ref _recoveredRunCreations);

    /// <summary>HTTP answers received (any status, every attempt): a sign the server is alive, even while it fails requests.</summary>
    public long Answers => Interlocked.Read(ref _answers);

    internal void AddRequest() => Interlocked.Increment(ref _requests);

    internal void AddAnswer() => Interlocked.Increment(ref _answers);

    internal void AddRetry() => Interlocked.Increment(ref _retries);

    internal void AddFailure() => Interlocked.Increment(ref _failures);

    internal void AddReconciledBatch() => Interlocked.Increment(ref _reconciledBatches);

    internal void AddRecoveredRunCreation() => Interlocked.Increment(ref _recoveredRunCreations);
}
