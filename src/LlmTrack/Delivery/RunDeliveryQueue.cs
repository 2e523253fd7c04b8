using System.Runtime.CompilerServices;
using LlmTrack.Stores;
using Microsoft.Extensions.Logging;

namespace LlmTrack.Delivery;

/// <summary>
/// The in-memory queue of one run and its single background sender.
/// </summary>
/// <remarks>
/// <para>
/// Metric points, the hot path, go into a <see cref="MetricLane"/> per logging thread: a chain of fixed arrays that
/// only that thread writes, with plain stores and one release store per point, so a call takes no lock and no
/// interlocked operation and allocates nothing once the thread's first links exist (links emptied by the sender are
/// reused). Params and tags, which are few and whose order across threads matters (the later tag value wins), go
/// into one list under a lock, in the order they were logged.
/// </para>
/// <para>
/// Memory is bounded by <see cref="BatchingOptions.MaxQueuedItems"/> slots: a param or tag holds one slot, a
/// thread reserves slots for its metric points a link at a time (64, then 256, then 1024 slots, never more than
/// what is free), and a slot is free again once its value was sent or failed. Values being sent therefore count
/// against the bound. With one logging thread the bound is exact; with several, up to one partly filled link per
/// thread is reserved but not yet used. When no slot is free, <see cref="QueueFullPolicy"/> applies.
/// </para>
/// <para>
/// One sender task per run takes up to <see cref="BatchLimits.MaxItems"/> values at a time (params and tags first,
/// then metric points from each thread in turn) and sends them with <c>runs/log-batch</c> calls that respect every
/// <see cref="BatchLimits"/> limit. It wakes when a thread has logged another <see cref="BatchLimits.MaxItems"/>
/// points, when <see cref="BatchingOptions.FlushInterval"/> passes (a timer from the run's
/// <see cref="TimeProvider"/>), when a writer finds the queue full, on a flush and when the run ends. Batches are
/// sent one at a time, so the points of one thread, and all params and tags, reach the store in the order they
/// were logged.
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
/// <para>
/// This type keeps the hot path, the sender loop and the wiring of its parts: <see cref="MetricLaneSet"/> (the lanes,
/// their links and the end-of-run handshake), <see cref="QueueCapacity"/> (slots and the full-queue policy),
/// <see cref="SenderWakeup"/> (waking the sender), <see cref="BatchSender"/> with <see cref="LogBatchPacker"/> and
/// <see cref="RefusalSplit"/> (sending), <see cref="FailureLedger"/> and <see cref="FlushBarrier"/>.
/// </para>
/// </remarks>
internal sealed class RunDeliveryQueue
{
    private readonly object _gate = new();
    private readonly string _runId;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SenderWakeup _wakeup = new();
    private readonly QueueCapacity _capacity;
    private readonly MetricLaneSet _lanes;
    private readonly FailureLedger _failures;
    private readonly BatchSender _batches;
    private readonly ITimer _timer;
    private readonly Task _sender;

    // Guarded by _gate.
    private readonly Queue<QueuedItem> _paramsAndTags = new();
    private long _paramsAndTagsLogged;
    private long _paramsAndTagsCompleted;
    private readonly List<FlushBarrier> _flushBarriers = [];

    // Owned by the sender.
    private readonly QueuedItem[] _chunkParamsAndTags = new QueuedItem[BatchLimits.MaxItems];
    private readonly Metric[] _chunkMetrics = new Metric[BatchLimits.MaxItems];
    private int _chunkParamsAndTagsCount;
    private int _chunkMetricsCount;

    /// <summary>Creates the queue and starts its sender.</summary>
    public RunDeliveryQueue(ITrackingStore store, string runId, BatchingOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _runId = runId;
        _timeProvider = timeProvider;
        _logger = logger;
        _capacity = new QueueCapacity(_gate, runId, options, _wakeup, logger);
        _lanes = new MetricLaneSet(this, _gate, _capacity);
        _failures = new FailureLedger(runId, logger);
        _batches = new BatchSender(store, runId, _failures);
        _sender = Task.Run(RunSenderAsync);
        _timer = timeProvider.CreateTimer(static state => ((RunDeliveryQueue)state!).OnTimer(), this, options.FlushInterval, options.FlushInterval);
    }

    /// <summary>The counters at this moment.</summary>
    public DeliveryCounters Counters
    {
        get
        {
            long logged;
            long dropped;
            lock (_gate)
            {
                logged = _paramsAndTagsLogged;
                dropped = _capacity.Dropped;
            }

            logged += _lanes.Produced;
            return new(logged, 0, _batches.Sent, _batches.Retried, _failures.Failed, dropped);
        }
    }

    /// <summary>Emptied links waiting to be reused (for tests).</summary>
    internal int FreeSegmentCount => _lanes.FreeSegmentCount;

    /// <summary>The lanes of the threads that logged metric points so far (for tests).</summary>
    internal IReadOnlyList<MetricLane> Lanes => _lanes.Lanes;

    /// <summary>
    /// Adds one metric point: the hot path. Returns <see langword="false"/> when it was dropped
    /// (<see cref="QueueFullPolicy.DropNewest"/>). Throws <see cref="InvalidOperationException"/> after the run
    /// ended, or when full under <see cref="QueueFullPolicy.Throw"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool EnqueueMetric(in Metric point)
    {
        var lane = MetricLaneSet.CachedLane;
        if (lane is null || lane.Queue != this)
        {
            return EnqueueMetricSlow(point);
        }

        Volatile.Write(ref lane.Active, 1);
        var segment = lane.Tail;
        var index = lane.TailIndex;
        var points = segment.Points;
        if (lane.Closed || (uint)index >= (uint)points.Length)
        {
            Volatile.Write(ref lane.Active, 0);
            return EnqueueMetricSlow(point);
        }

        points[index] = point;
        lane.TailIndex = index + 1;
        var produced = lane.Produced + 1;
        Volatile.Write(ref lane.Produced, produced);
        Volatile.Write(ref lane.Active, 0);
        if (produced % BatchLimits.MaxItems == 0)
        {
            _wakeup.Wake();
        }

        return true;
    }

    /// <summary>
    /// Adds one param or tag. Returns <see langword="false"/> when it was dropped (<see cref="QueueFullPolicy.DropNewest"/>).
    /// Throws <see cref="InvalidOperationException"/> after the run ended, or when full under <see cref="QueueFullPolicy.Throw"/>.
    /// </summary>
    public bool EnqueueParamOrTag(in QueuedItem item)
    {
        bool wake;
        lock (_gate)
        {
            if (_capacity.Reserve(1) == 0)
            {
                return false;
            }

            _paramsAndTags.Enqueue(item);
            _paramsAndTagsLogged++;
            wake = _paramsAndTags.Count == BatchLimits.MaxItems;
        }

        if (wake)
        {
            _wakeup.Wake();
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
            var barrier = new FlushBarrier(_paramsAndTagsLogged, _lanes.Lanes);
            if (barrier.IsReached(_paramsAndTagsCompleted))
            {
                done = Task.CompletedTask;
            }
            else
            {
                _flushBarriers.Add(barrier);
                done = barrier.Done.Task;
            }
        }

        if (!done.IsCompleted)
        {
            _wakeup.WakeToDrain();
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
        MetricLane[] lanes;
        lock (_gate)
        {
            _capacity.Close();
            lanes = _lanes.Close();
        }

        // Every writer either saw Closed (and refused its point) or is seen Active here until it has published.
        MetricLaneSet.WaitForWriters(lanes);
        _timer.Dispose();
        _batches.MarkClosing();
        _wakeup.Seal();
        await _sender.ConfigureAwait(false);

        lock (_gate)
        {
            _lanes.Release();
        }

        return TakeReport();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool EnqueueMetricSlow(in Metric point)
    {
        var lane = _lanes.LaneOfCurrentThread();
        Volatile.Write(ref lane.Active, 1);
        try
        {
            lock (_gate)
            {
                _capacity.ThrowIfClosed();
                if (lane.TailIndex == lane.Tail.Points.Length && !_lanes.TryAddSegment(lane))
                {
                    return false;
                }
            }

            lane.Tail.Points[lane.TailIndex++] = point;
            var produced = lane.Produced + 1;
            Volatile.Write(ref lane.Produced, produced);
            if (produced % BatchLimits.MaxItems == 0)
            {
                _wakeup.Wake();
            }

            return true;
        }
        finally
        {
            Volatile.Write(ref lane.Active, 0);
        }
    }

    private void OnTimer()
    {
        var pending = Volatile.Read(ref _paramsAndTagsLogged) != Volatile.Read(ref _paramsAndTagsCompleted) || _lanes.HasPending;
        if (pending)
        {
            _wakeup.WakeToDrain();
        }

        _lanes.OnTimerTick(idle: !pending);
    }

    private async Task RunSenderAsync()
    {
        while (true)
        {
            var (drain, last) = await _wakeup.WaitAsync().ConfigureAwait(false);
            int taken;
            while ((taken = TakeChunk(drain)) > 0)
            {
                try
                {
                    await _batches.SendAsync(_chunkParamsAndTags, _chunkParamsAndTagsCount, _chunkMetrics, _chunkMetricsCount).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // The sender must survive anything; the values are counted failed.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    _logger.LogError(ex, "Unexpected error while sending values of run {RunId}.", _runId);
                }

                CompleteChunk(taken);
            }

            if (last)
            {
                return;
            }
        }
    }

    // Takes up to one batch worth of values: params and tags first, then each thread's points in turn.
    private int TakeChunk(bool drain)
    {
        var n = 0;
        lock (_gate)
        {
            while (n < BatchLimits.MaxItems && _paramsAndTags.TryDequeue(out var item))
            {
                _chunkParamsAndTags[n++] = item;
            }
        }

        _chunkParamsAndTagsCount = n;
        _chunkMetricsCount = _lanes.Take(_chunkMetrics, BatchLimits.MaxItems - n, drain);
        return n + _chunkMetricsCount;
    }

    private void CompleteChunk(int taken)
    {
        List<TaskCompletionSource>? done = null;
        lock (_gate)
        {
            _capacity.Release(taken);
            _paramsAndTagsCompleted += _chunkParamsAndTagsCount;
            _lanes.CompleteTaken();
            for (var i = _flushBarriers.Count - 1; i >= 0; i--)
            {
                if (_flushBarriers[i].IsReached(_paramsAndTagsCompleted))
                {
                    (done ??= []).Add(_flushBarriers[i].Done);
                    _flushBarriers.RemoveAt(i);
                }
            }
        }

        // Param and tag values may be large; the keys of metric points stay until overwritten (at most one batch).
        Array.Clear(_chunkParamsAndTags, 0, _chunkParamsAndTagsCount);
        if (done is not null)
        {
            foreach (var waiter in done)
            {
                waiter.TrySetResult();
            }
        }
    }

    private DeliveryReport TakeReport()
    {
        var (failures, notListed) = _failures.Take();
        return new DeliveryReport(Counters, failures, notListed);
    }
}
