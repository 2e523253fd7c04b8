using LlmTrack.Stores;

namespace LlmTrack.Delivery;

/// <summary>
/// Sends one chunk taken by a run's sender (params and tags in logged order, then metric points) as
/// <c>runs/log-batch</c> calls packed by a <see cref="LogBatchPacker"/>, one call at a time, and counts what the
/// store acknowledged. A refused batch is split by a <see cref="RefusalSplit"/> (metrics, then params, then tags).
/// </summary>
/// <remarks>
/// Used by the run's single sender only. The lists passed to <see cref="ITrackingStore.LogBatchAsync"/> are reused
/// once the returned task completes; stores must not keep them.
/// </remarks>
internal sealed class BatchSender
{
    private readonly ITrackingStore _store;
    private readonly string _runId;
    private readonly LogBatchPacker _batch = new(dropRepeatedNaNPoints: true);
    private readonly FailureLedger _failures;

    // Updated with Interlocked.
    private long _retried;

    // Updated with Interlocked.
    private long _sent;

    // Set when the run ends; then the first batch the store could not be reached for makes the rest fail at once.
    private volatile bool _closing;
    private volatile Exception? _unreachableWhileClosing;

    /// <summary>Creates the sender of one run's batches.</summary>
    /// <param name="store">The store.</param>
    /// <param name="runId">The run.</param>
    /// <param name="failures">Where values the store finally refused are recorded.</param>
    public BatchSender(ITrackingStore store, string runId, FailureLedger failures)
    {
        _store = store;
        _runId = runId;
        _failures = failures;
    }

    /// <summary>Values the store acknowledged (and repeated NaN points dropped as already sent), since the run started.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Values sent again after their batch was refused, since the run started.</summary>
    public long Retried => Interlocked.Read(ref _retried);

    /// <summary>
    /// The run is ending: once a batch fails because the store cannot be reached (after the store's own retries), the
    /// batches still waiting are recorded failed with that error instead of each waiting out the same retries, so ending a
    /// run against a dead server is bounded by one request's retry budget, not one per batch.
    /// </summary>
    public void MarkClosing() => _closing = true;

    /// <summary>Sends the chunk; every value is then stored or recorded failed.</summary>
    /// <param name="paramsAndTags">The params and tags, in logged order.</param>
    /// <param name="paramsAndTagsCount">How many of <paramref name="paramsAndTags"/> to send.</param>
    /// <param name="metrics">The metric points.</param>
    /// <param name="metricsCount">How many of <paramref name="metrics"/> to send.</param>
    /// <returns>A task that completes once the chunk is sent or failed.</returns>
    public async Task SendAsync(QueuedItem[] paramsAndTags, int paramsAndTagsCount, Metric[] metrics, int metricsCount)
    {
        for (var i = 0; i < paramsAndTagsCount; i++)
        {
            if (!TryAdd(paramsAndTags[i]))
            {
                await SendCurrentBatchAsync().ConfigureAwait(false);
                TryAdd(paramsAndTags[i]);
            }
        }

        var next = 0;
        while (next < metricsCount)
        {
            var consumed = _batch.AddMetrics(metrics.AsSpan(next, metricsCount - next), out var dropped);
            if (dropped > 0)
            {
                // MLflow keeps identical points once anyway: a repeated NaN point dropped here is counted sent.
                Interlocked.Add(ref _sent, dropped);
            }

            if (consumed == 0)
            {
                await SendCurrentBatchAsync().ConfigureAwait(false);
                continue;
            }

            next += consumed;
        }

        if (_batch.Count > 0)
        {
            await SendCurrentBatchAsync().ConfigureAwait(false);
        }
    }

    private bool TryAdd(in QueuedItem item) =>
        item.Kind == QueuedItemKind.Param ? _batch.TryAdd(new Param(item.Key, item.Text)) : _batch.TryAdd(new Tag(item.Key, item.Text));

    private async Task SendCurrentBatchAsync()
    {
        try
        {
            var error = await TrySendAsync(_batch.Metrics, _batch.Params, _batch.Tags).ConfigureAwait(false);
            if (error is not null)
            {
                await SplitRefusedAsync([.. _batch.Metrics], [.. _batch.Params], [.. _batch.Tags], error).ConfigureAwait(false);
            }
        }
        finally
        {
            _batch.Clear();
        }
    }

    // The batch as one sequence (metrics, then params, then tags) for the split; its first attempt already failed.
    private async Task SplitRefusedAsync(List<Metric> metrics, List<Param> parameters, List<Tag> tags, Exception firstError)
    {
        var split = new RefusalSplit();
        var firstAttempt = true;
        await split.SendAsync(
            metrics.Count + parameters.Count + tags.Count,
            async (start, count) =>
            {
                if (firstAttempt)
                {
                    firstAttempt = false;
                    throw firstError;
                }

                var (m, p, t) = Slice(metrics, parameters, tags, start, count);
                if (await TrySendAsync(m, p, t).ConfigureAwait(false) is { } error)
                {
                    throw error;
                }
            },
            static error => error is MlflowException { ErrorCode: MlflowErrorCode.InvalidParameterValue } ? RefusalKind.Value : RefusalKind.Whole,
            (start, count, error) =>
            {
                var (m, p, t) = Slice(metrics, parameters, tags, start, count);
                _failures.Record(m, p, t, error);
            }).ConfigureAwait(false);
        Interlocked.Add(ref _retried, split.Retried);
    }

    private static (List<Metric> Metrics, List<Param> Params, List<Tag> Tags) Slice(List<Metric> metrics, List<Param> parameters, List<Tag> tags, int start, int count)
    {
        var end = start + count;
        return (Range(metrics, start, end, 0), Range(parameters, start, end, metrics.Count), Range(tags, start, end, metrics.Count + parameters.Count));

        static List<T> Range<T>(List<T> items, int start, int end, int offset)
        {
            var from = Math.Clamp(start - offset, 0, items.Count);
            var to = Math.Clamp(end - offset, 0, items.Count);
            return items.GetRange(from, to - from);
        }
    }

    private async Task<Exception?> TrySendAsync(List<Metric> metrics, List<Param> parameters, List<Tag> tags)
    {
        if (_closing && _unreachableWhileClosing is { } unreachable)
        {
            return new MlflowException(
                MlflowErrorCode.Unavailable,
                $"Not sent: the tracking store could not be reached while the run was ending ({unreachable.Message}).",
                null,
                unreachable);
        }

        try
        {
            await _store.LogBatchAsync(_runId, metrics, parameters, tags, CancellationToken.None).ConfigureAwait(false);
            Interlocked.Add(ref _sent, metrics.Count + parameters.Count + tags.Count);
            return null;
        }
#pragma warning disable CA1031 // Any store error is a delivery failure of these values, reported at flush.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (_closing && ex is MlflowException { ErrorCode: MlflowErrorCode.Unavailable })
            {
                _unreachableWhileClosing = ex;
            }

            return ex;
        }
    }
}
