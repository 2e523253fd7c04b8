using LlmTrack.Errors;
using LlmTrack.Rest.Wire;
using LlmTrack.Stores;

namespace LlmTrack.Rest;

/// <summary>
/// <c>runs/log-batch</c> exactly once, although the server can commit a request whose response is lost: after an
/// ambiguous attempt the points already stored are left out of the next one (<see cref="MetricReconciler"/>, reading
/// the stored history through <see cref="MetricHistoryReader"/>), and a unique-constraint error is reconciled the same
/// way, up to <see cref="MaxReconcileRounds"/> times.
/// </summary>
internal sealed class LogBatchReconciliation(MlflowHttpTransport transport, MetricHistoryReader history)
{
    /// <summary>How often a log-batch is reconciled with the stored history before giving up.</summary>
    internal const int MaxReconcileRounds = 3;

    private readonly MlflowHttpTransport _transport = transport;
    private readonly MetricHistoryReader _history = history;

    /// <summary>Sends one log-batch (not empty) to <paramref name="runId"/>, exactly once (see <see cref="MlflowRestStore.LogBatchAsync"/>).</summary>
    public async Task SendAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        var uri = _transport.Resolve(MlflowRestStore.Api + "runs/log-batch");
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

                    var unstored = await MetricReconciler.FindUnstoredAfterAttemptAsync(pending, (key, windows, t) => _history.ReadWindowsAsync(runId, key, windows, t), token).ConfigureAwait(false);
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
            if (observer.MaybeCommitted && pending.Count > 0 && DatabaseErrors.IsUniqueConstraintError(error.Exception) && round < MaxReconcileRounds)
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

    /// <summary>
    /// The points of <paramref name="metrics"/> that the run does not hold, reading only the batch's step windows
    /// (<see cref="MetricReconciler"/>); once the server is known to lack the range route, one full history per key.
    /// </summary>
    private Task<IReadOnlyList<Metric>> FindUnstoredAsync(string runId, IReadOnlyList<Metric> metrics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return MetricReconciler.FindUnstoredAsync(metrics, (key, windows, token) => _history.ReadWindowsAsync(runId, key, windows, token), cancellationToken);
    }

    /// <summary>The request body of one log-batch.</summary>
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
}
