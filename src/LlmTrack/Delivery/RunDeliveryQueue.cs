using System.Runtime.CompilerServices;
using LlmTrack.Stores;
using Microsoft.Extensions.Logging;

namespace LlmTrack.Delivery;

/// <summary>
/// The in-memory queue of one run and its single background sender.
/// </summary>
/// <remarks>
/// <para>
/// Logging calls copy a <see cref="QueuedItem"/> struct into a ring buffer under a very short lock and return:
/// they never wait on the store (except under <see cref="QueueFullPolicy.Block"/> when the queue is full). The ring
/// grows by doubling up to <see cref="BatchingOptions.MaxQueuedItems"/> (values being sent count against the bound),
/// then stays allocated, so steady-state logging allocates nothing.
/// </para>
/// <para>
/// One sender task per run takes up to <see cref="BatchLimits.MaxItems"/> values at a time, in the order they were
/// logged, and sends them with <c>runs/log-batch</c> calls that respect every <see cref="BatchLimits"/> limit. It wakes
/// when <see cref="BatchLimits.MaxItems"/> values are waiting, when <see cref="BatchingOptions.FlushInterval"/> passes
/// (a timer from the run's <see cref="TimeProvider"/>), on a flush and when the run ends. Batches are sent one at a
/// time, so values of one thread reach the store in the order they were logged.
/// </para>
/// <para>
/// Failure policy: the store retries transient errors itself; the sender never retries them again. When the store
/// refuses a batch as invalid (<c>INVALID_PARAMETER_VALUE</c>), the batch is split in halves that are sent again, so
/// one refused value does not cost the rest (when both halves are refused the whole batch is counted failed). Failed
/// values are counted, logged as a warning, and listed by the next flush (see <see cref="DeliveryReport"/>).
/// </para>
/// <para>
/// The lists passed to <see cref="ITrackingStore.LogBatchAsync"/> are reused once the returned task completes; stores
/// must not keep them.
/// </para>
/// </remarks>
#pragma warning disable CA1001 // _wake never allocates a wait handle, so there is nothing to dispose.
internal sealed class RunDeliveryQueue
#pragma warning restore CA1001
{
    private const int InitialCapacity = 1024;

    private readonly object _gate = new();
    private readonly ITrackingStore _store;
    private readonly string _runId;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly int _maxQueuedItems;
    private readonly QueueFullPolicy _queueFullPolicy;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly ITimer _timer;
    private readonly Task _sender;

    // Guarded by _gate.
    private QueuedItem[] _ring;
    private int _head;
    private int _count;
    private int _inFlight;
    private QueuedItem[]? _spare;
    private long _enqueued;
    private long _completed;
    private long _logged;
    private long _dropped;
    private bool _closed;
    private int _blockedWriters;
    private bool _dropWarned;
    private readonly List<(long Target, TaskCompletionSource Done)> _flushWaiters = [];
    private readonly List<DeliveryFailure> _failures = [];
    private long _failuresNotListed;

    // Updated by the sender with Interlocked.
    private long _sent;
    private long _failed;
    private long _retried;
    private int _wakePending;

    // Owned by the sender.
    private readonly QueuedItem[] _chunk = new QueuedItem[BatchLimits.MaxItems];
    private QueuedItem[]? _taken;
    private int _takenHead;
    private int _takenRemaining;
    private readonly List<Metric> _metrics = new(BatchLimits.MaxMetrics);
    private readonly List<Param> _params = new(BatchLimits.MaxParams);
    private readonly List<Tag> _tags = new(BatchLimits.MaxTags);
    private readonly HashSet<(string Key, long Timestamp, long Step)> _nanPoints = [];

    /// <summary>Creates the queue and starts its sender.</summary>
    public RunDeliveryQueue(ITrackingStore store, string runId, BatchingOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _store = store;
        _runId = runId;
        _timeProvider = timeProvider;
        _logger = logger;
        _maxQueuedItems = options.MaxQueuedItems;
        _queueFullPolicy = options.QueueFullPolicy;
        _ring = new QueuedItem[Math.Min(InitialCapacity, _maxQueuedItems)];
        _sender = Task.Run(RunSenderAsync);
        _timer = timeProvider.CreateTimer(static state => ((RunDeliveryQueue)state!).OnTimer(), this, options.FlushInterval, options.FlushInterval);
    }

    /// <summary>The counters at this moment.</summary>
    public DeliveryCounters Counters => new(
        Volatile.Read(ref _logged),
        Interlocked.Read(ref _sent),
        Interlocked.Read(ref _retried),
        Interlocked.Read(ref _failed),
        Volatile.Read(ref _dropped));

    /// <summary>
    /// Adds one value. Returns <see langword="false"/> when it was dropped (<see cref="QueueFullPolicy.DropNewest"/>).
    /// Throws <see cref="InvalidOperationException"/> after the run ended, or when full under <see cref="QueueFullPolicy.Throw"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Enqueue(in QueuedItem item)
    {
        bool wake;
        lock (_gate)
        {
            if (_closed || _count + _inFlight >= _maxQueuedItems || _count == _ring.Length)
            {
                if (!MakeRoom())
                {
                    return false;
                }
            }

            var tail = _head + _count;
            if (tail >= _ring.Length)
            {
                tail -= _ring.Length;
            }

            _ring[tail] = item;
            _count++;
            _enqueued++;
            _logged++;
            wake = _count == BatchLimits.MaxItems;
        }

        if (wake)
        {
            Wake();
        }

        return true;
    }

    /// <summary>Waits until every value logged before the call was sent or failed, then reports.</summary>
    /// <exception cref="TimeoutException">The timeout passed first.</exception>
    public async Task<DeliveryReport> FlushAsync(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        Task done;
        lock (_gate)
        {
            if (_completed >= _enqueued)
            {
                done = Task.CompletedTask;
            }
            else
            {
                var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _flushWaiters.Add((_enqueued, waiter));
                done = waiter.Task;
            }
        }

        if (!done.IsCompleted)
        {
            Wake();
            if (timeout is { } limit && limit != Timeout.InfiniteTimeSpan)
            {
                await done.WaitAsync(limit, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await done.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return TakeReport();
    }

    /// <summary>
    /// Refuses further values, sends everything queued, stops the sender and reports. Safe to call more than once.
    /// </summary>
    public async Task<DeliveryReport> CloseAsync()
    {
        lock (_gate)
        {
            _closed = true;
            Monitor.PulseAll(_gate);
        }

        _timer.Dispose();
        Wake();
        await _sender.ConfigureAwait(false);
        return TakeReport();
    }

    private bool MakeRoom()
    {
        if (_closed)
        {
            throw new InvalidOperationException("The run has ended; nothing more can be logged to it.");
        }

        if (_count + _inFlight < _maxQueuedItems)
        {
            Grow();
            return true;
        }

        switch (_queueFullPolicy)
        {
            case QueueFullPolicy.DropNewest:
                _dropped++;
                if (!_dropWarned)
                {
                    _dropWarned = true;
                    _logger.LogWarning("The queue of run {RunId} is full ({MaxQueuedItems} values); new values are dropped and counted in Dropped.", _runId, _maxQueuedItems);
                }

                return false;
            case QueueFullPolicy.Throw:
                throw new InvalidOperationException($"The queue of run {_runId} is full ({_maxQueuedItems} values waiting to be sent).");
            default:
                _blockedWriters++;
                try
                {
                    Wake();
                    while (_count + _inFlight >= _maxQueuedItems && !_closed)
                    {
                        Monitor.Wait(_gate);
                    }
                }
                finally
                {
                    _blockedWriters--;
                }

                if (_closed)
                {
                    throw new InvalidOperationException("The run has ended; nothing more can be logged to it.");
                }

                if (_count == _ring.Length)
                {
                    Grow();
                }

                return true;
        }
    }

    private void Grow()
    {
        var larger = new QueuedItem[(int)Math.Min((long)_ring.Length * 2, _maxQueuedItems)];
        for (var i = 0; i < _count; i++)
        {
            var index = _head + i;
            larger[i] = _ring[index >= _ring.Length ? index - _ring.Length : index];
        }

        _ring = larger;
        _head = 0;
    }

    private void OnTimer()
    {
        if (Volatile.Read(ref _count) > 0)
        {
            Wake();
        }
    }

    private void Wake()
    {
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            _wake.Release();
        }
    }

    private async Task RunSenderAsync()
    {
        while (true)
        {
            await _wake.WaitAsync().ConfigureAwait(false);
            Volatile.Write(ref _wakePending, 0);
            int taken;
            while ((taken = TakeChunk()) > 0)
            {
                try
                {
                    await SendChunkAsync(taken).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // The sender must survive anything; the values are counted failed.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    _logger.LogError(ex, "Unexpected error while sending values of run {RunId}.", _runId);
                }

                CompleteChunk(taken);
            }

            lock (_gate)
            {
                if (_closed && _count == 0)
                {
                    return;
                }
            }
        }
    }

    private int TakeChunk()
    {
        if (_takenRemaining == 0)
        {
            // Take everything queued at once by swapping the ring for an empty one: the lock is held for a few
            // assignments, not for copying up to 1000 values, so logging threads almost never wait for the sender.
            lock (_gate)
            {
                if (_count == 0)
                {
                    return 0;
                }

                _taken = _ring;
                _takenHead = _head;
                _takenRemaining = _count;
                _ring = _spare is { } spare && spare.Length == _taken.Length ? spare : new QueuedItem[_taken.Length];
                _spare = null;
                _head = 0;
                _count = 0;
                _inFlight += _takenRemaining;
            }
        }

        // Owned by the sender from here on: copy the next chunk out of the taken ring without the lock.
        var taken = _taken!;
        var n = Math.Min(_takenRemaining, _chunk.Length);
        for (var i = 0; i < n; i++)
        {
            _chunk[i] = taken[_takenHead];
            taken[_takenHead] = default;
            _takenHead = _takenHead + 1 == taken.Length ? 0 : _takenHead + 1;
        }

        _takenRemaining -= n;
        return n;
    }

    private void CompleteChunk(int taken)
    {
        List<TaskCompletionSource>? done = null;
        lock (_gate)
        {
            _inFlight -= taken;
            _completed += taken;
            if (_takenRemaining == 0 && _taken is not null)
            {
                // Every slot was cleared while copying: the ring can serve as the next empty one.
                _spare = _taken;
                _taken = null;
            }

            for (var i = _flushWaiters.Count - 1; i >= 0; i--)
            {
                if (_flushWaiters[i].Target <= _completed)
                {
                    (done ??= []).Add(_flushWaiters[i].Done);
                    _flushWaiters.RemoveAt(i);
                }
            }

            if (_blockedWriters > 0)
            {
                Monitor.PulseAll(_gate);
            }
        }

        Array.Clear(_chunk, 0, taken);
        if (done is not null)
        {
            foreach (var waiter in done)
            {
                waiter.TrySetResult();
            }
        }
    }

    private async Task SendChunkAsync(int taken)
    {
        for (var i = 0; i < taken; i++)
        {
            var item = _chunk[i];
            var total = _metrics.Count + _params.Count + _tags.Count;
            switch (item.Kind)
            {
                case QueuedItemKind.Metric:
                    // An identical NaN point sent twice makes MLflow's SQL store fail the whole batch; MLflow keeps
                    // identical points once anyway, so the duplicate is dropped here and counted sent.
                    if (double.IsNaN(item.Number) && _nanPoints.Contains((item.Key, item.Timestamp, item.Step)))
                    {
                        Interlocked.Increment(ref _sent);
                        continue;
                    }

                    if (_metrics.Count == BatchLimits.MaxMetrics || total == BatchLimits.MaxItems)
                    {
                        await SendCurrentBatchAsync().ConfigureAwait(false);
                    }

                    _metrics.Add(new Metric(item.Key, item.Number, item.Timestamp, item.Step));
                    if (double.IsNaN(item.Number))
                    {
                        _nanPoints.Add((item.Key, item.Timestamp, item.Step));
                    }

                    break;
                case QueuedItemKind.Param:
                    if (_params.Count == BatchLimits.MaxParams || total == BatchLimits.MaxItems)
                    {
                        await SendCurrentBatchAsync().ConfigureAwait(false);
                    }

                    _params.Add(new Param(item.Key, item.Text!));
                    break;
                default:
                    // A tag set twice goes in separate batches, so the later value wins as it would one call at a time.
                    if (_tags.Count == BatchLimits.MaxTags || total == BatchLimits.MaxItems || ContainsTag(item.Key))
                    {
                        await SendCurrentBatchAsync().ConfigureAwait(false);
                    }

                    _tags.Add(new Tag(item.Key, item.Text!));
                    break;
            }
        }

        if (_metrics.Count + _params.Count + _tags.Count > 0)
        {
            await SendCurrentBatchAsync().ConfigureAwait(false);
        }
    }

    private bool ContainsTag(string key)
    {
        foreach (var tag in _tags)
        {
            if (tag.Key == key)
            {
                return true;
            }
        }

        return false;
    }

    private async Task SendCurrentBatchAsync()
    {
        try
        {
            var error = await TrySendAsync(_metrics, _params, _tags).ConfigureAwait(false);
            if (error is not null)
            {
                await HandleRefusedAsync([.. _metrics], [.. _params], [.. _tags], error).ConfigureAwait(false);
            }
        }
        finally
        {
            _metrics.Clear();
            _params.Clear();
            _tags.Clear();
            _nanPoints.Clear();
        }
    }

    private async Task<Exception?> TrySendAsync(List<Metric> metrics, List<Param> parameters, List<Tag> tags)
    {
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
            return ex;
        }
    }

    private async Task HandleRefusedAsync(List<Metric> metrics, List<Param> parameters, List<Tag> tags, Exception error)
    {
        var count = metrics.Count + parameters.Count + tags.Count;
        if (count < 2 || error is not MlflowException { ErrorCode: MlflowErrorCode.InvalidParameterValue })
        {
            RecordFailure(metrics, parameters, tags, error);
            return;
        }

        // Split in two halves (metrics, then params, then tags, in logged order) and send each again.
        var half = count / 2;
        var (firstMetrics, secondMetrics) = SplitAt(metrics, half);
        var (firstParams, secondParams) = SplitAt(parameters, half - firstMetrics.Count);
        var (firstTags, secondTags) = SplitAt(tags, half - firstMetrics.Count - firstParams.Count);
        Interlocked.Add(ref _retried, count);
        var firstError = await TrySendAsync(firstMetrics, firstParams, firstTags).ConfigureAwait(false);
        var secondError = await TrySendAsync(secondMetrics, secondParams, secondTags).ConfigureAwait(false);
        if (firstError is not null && secondError is not null)
        {
            // Refused on both sides: the problem is the batch as a whole (e.g. the run was deleted).
            RecordFailure(firstMetrics, firstParams, firstTags, firstError);
            RecordFailure(secondMetrics, secondParams, secondTags, secondError);
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

    private void RecordFailure(List<Metric> metrics, List<Param> parameters, List<Tag> tags, Exception error)
    {
        var count = metrics.Count + parameters.Count + tags.Count;
        Interlocked.Add(ref _failed, count);
        _logger.LogWarning(error, "The store refused {Count} value(s) of run {RunId}: {Message}", count, _runId, error.Message);
        lock (_gate)
        {
            if (_failures.Count < DeliveryReport.MaxFailuresKept)
            {
                _failures.Add(new DeliveryFailure(error, metrics, parameters, tags));
            }
            else
            {
                _failuresNotListed += count;
            }
        }
    }

    private DeliveryReport TakeReport()
    {
        lock (_gate)
        {
            var failures = _failures.ToArray();
            var notListed = _failuresNotListed;
            _failures.Clear();
            _failuresNotListed = 0;
            return new DeliveryReport(Counters, failures, notListed);
        }
    }
}
