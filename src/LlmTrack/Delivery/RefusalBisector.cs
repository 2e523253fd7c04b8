namespace LlmTrack.Delivery;

/// <summary>
/// Split-on-refusal of one batch: when the store refuses a batch as invalid (<c>INVALID_PARAMETER_VALUE</c>), its
/// halves are sent again, and each refused half split again, so one bad value does not cost the rest.
/// </summary>
/// <remarks>
/// A batch of one value, an error other than an invalid parameter, or a batch whose two halves are both refused (the
/// problem is then the batch as a whole, e.g. the run was deleted) is recorded failed in the
/// <see cref="FailureLedger"/>. Values sent again are counted in <see cref="Retried"/>.
/// </remarks>
internal sealed class RefusalBisector
{
    private readonly Func<List<Metric>, List<Param>, List<Tag>, Task<Exception?>> _trySend;
    private readonly FailureLedger _failures;

    // Updated with Interlocked.
    private long _retried;

    /// <summary>Creates a bisector over a send that returns the store's error instead of throwing it.</summary>
    /// <param name="trySend">Sends one batch; returns <see langword="null"/> once stored, else what the store threw.</param>
    /// <param name="failures">Where values finally refused are recorded.</param>
    public RefusalBisector(Func<List<Metric>, List<Param>, List<Tag>, Task<Exception?>> trySend, FailureLedger failures)
    {
        _trySend = trySend;
        _failures = failures;
    }

    /// <summary>Values sent again after their batch was refused, since the run started.</summary>
    public long Retried => Interlocked.Read(ref _retried);

    /// <summary>Handles a refused batch: sends its halves again, recursively, and records what stays refused.</summary>
    /// <param name="metrics">The batch's metric points (kept if recorded failed: pass copies).</param>
    /// <param name="parameters">The batch's params.</param>
    /// <param name="tags">The batch's tags.</param>
    /// <param name="error">Why the store refused the batch.</param>
    /// <returns>A task that completes once every value was sent again or recorded failed.</returns>
    public async Task HandleRefusedAsync(List<Metric> metrics, List<Param> parameters, List<Tag> tags, Exception error)
    {
        var count = metrics.Count + parameters.Count + tags.Count;
        if (count < 2 || error is not MlflowException { ErrorCode: MlflowErrorCode.InvalidParameterValue })
        {
            _failures.Record(metrics, parameters, tags, error);
            return;
        }

        // Split in two halves (metrics, then params, then tags, in logged order) and send each again.
        var half = count / 2;
        var (firstMetrics, secondMetrics) = SplitAt(metrics, half);
        var (firstParams, secondParams) = SplitAt(parameters, half - firstMetrics.Count);
        var (firstTags, secondTags) = SplitAt(tags, half - firstMetrics.Count - firstParams.Count);
        Interlocked.Add(ref _retried, count);
        var firstError = await _trySend(firstMetrics, firstParams, firstTags).ConfigureAwait(false);
        var secondError = await _trySend(secondMetrics, secondParams, secondTags).ConfigureAwait(false);
        if (firstError is not null && secondError is not null)
        {
            // Refused on both sides: the problem is the batch as a whole (e.g. the run was deleted).
            _failures.Record(firstMetrics, firstParams, firstTags, firstError);
            _failures.Record(secondMetrics, secondParams, secondTags, secondError);
            return;
        }

        if (firstError is not null)
        {
            await HandleRefusedAsync(firstMetrics, firstParams, firstTags, firstError).ConfigureAwait(false);
        }

        if (secondError is not null)
        {
            await HandleRefusedAsync(secondMetrics, secondParams, secondTags, secondError).ConfigureAwait(false);
        }
    }

    private static (List<T> First, List<T> Second) SplitAt<T>(List<T> items, int firstCount)
    {
        firstCount = Math.Clamp(firstCount, 0, items.Count);
        return (items.GetRange(0, firstCount), items.GetRange(firstCount, items.Count - firstCount));
    }
}
