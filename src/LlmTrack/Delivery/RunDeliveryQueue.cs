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
/// </remarks>
internal sealed class RunDeliveryQueue
{
    /// <summary>Slots of a thread's first link of metric points.</summary>
    internal const int FirstSegmentSize = 64;

    /// <summary>Slots of a thread's links once it logs steadily; emptied links of this size are reused.</summary>
    internal const int SegmentSize = 1024;

    // Emptied links are reused oldest first, and only once this many wait: a link comes back to its writer after
    // 512 KB of other points, when the sender's core no longer holds its cache lines (a write to a line another core
    // holds costs a cross-core round trip).
    private const int MinFreeSegments = 16;

    // Emptied links kept once the run has been idle (nothing waiting) for IdleTicksBeforeTrim timer ticks. While
    // logging goes on, every emptied link is kept (within MaxQueuedItems), so a burst that filled the queue refills it
    // without allocating; a long pause gives the memory back.
    private const int IdleFreeSegments = 4 * MinFreeSegments;
    private const int IdleTicksBeforeTrim = 30;

    // The lane the current thread used last. A thread that alternates between runs finds its lane under the lock.
    [ThreadStatic]
    private static MetricLane? t_lane;

    private readonly object _gate = new();
    private readonly string _runId;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly int _maxQueuedItems;
    private readonly QueueFullPolicy _queueFullPolicy;
    private readonly SenderWakeup _wakeup = new();
    private readonly ITimer _timer;
    private readonly Task _sender;
    private readonly FailureLedger _failures;
    private readonly BatchSender _batches;

    // Replaced (copy on write) under _gate; read without it.
    private MetricLane[] _lanes = [];

    // Guarded by _gate.
    private readonly Queue<QueuedItem> _paramsAndTags = new();
    private readonly Queue<MetricSegment> _freeSegments = new();
    private long _reserved;
    private long _paramsAndTagsLogged;
    private long _paramsAndTagsCompleted;
    private long _dropped;
    private bool _closed;
    private int _blockedWriters;
    private bool _dropWarned;
    private readonly List<FlushBarrier> _flushBarriers = [];

    // Owned by the timer callback.
    private int _idleTicks;

    // Owned by the sender.
    private readonly QueuedItem[] _chunkParamsAndTags = new QueuedItem[BatchLimits.MaxItems];
    private readonly Metric[] _chunkMetrics = new Metric[BatchLimits.MaxItems];
    private int _chunkParamsAndTagsCount;
    private int _chunkMetricsCount;
    private int _nextLane;
    private readonly List<MetricSegment> _emptied = [];

    /// <summary>Creates the queue and starts its sender.</summary>
    public RunDeliveryQueue(ITrackingStore store, string runId, BatchingOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _runId = runId;
        _timeProvider = timeProvider;
        _logger = logger;
        _maxQueuedItems = options.MaxQueuedItems;
        _queueFullPolicy = options.QueueFullPolicy;
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
                dropped = _dropped;
            }

            foreach (var lane in Volatile.Read(ref _lanes))
            {
                logged += Volatile.Read(ref lane.Produced);
            }

            return new(logged, 0, _batches.Sent, _batches.Retried, _failures.Failed, dropped);
        }
    }

    /// <summary>Emptied links waiting to be reused (for tests).</summary>
    internal int FreeSegmentCount
    {
        get
        {
            lock (_gate)
            {
                return _freeSegments.Count;
            }
        }
    }

    /// <summary>The lanes of the threads that logged metric points so far (for tests).</summary>
    internal IReadOnlyList<MetricLane> Lanes => Volatile.Read(ref _lanes);

    /// <summary>
    /// Adds one metric point: the hot path. Returns <see langword="false"/> when it was dropped
    /// (<see cref="QueueFullPolicy.DropNewest"/>). Throws <see cref="InvalidOperationException"/> after the run
    /// ended, or when full under <see cref="QueueFullPolicy.Throw"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool EnqueueMetric(in Metric point)
    {
        var lane = t_lane;
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
            if (ReserveSlots(1) == 0)
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
            var barrier = new FlushBarrier(_paramsAndTagsLogged, Volatile.Read(ref _lanes));
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
            _closed = true;
            lanes = _lanes;
            foreach (var lane in lanes)
            {
                lane.Closed = true;
            }

            Monitor.PulseAll(_gate);
        }

        // Every writer either saw Closed (and refused its point) or is seen Active here until it has published.
        Interlocked.MemoryBarrierProcessWide();
        foreach (var lane in lanes)
        {
            var spin = default(SpinWait);
            while (Volatile.Read(ref lane.Active) != 0)
            {
                spin.SpinOnce();
            }
        }

        _timer.Dispose();
        _wakeup.Seal();
        await _sender.ConfigureAwait(false);

        // Threads keep their last lane cached; what it holds must not keep the run's memory alive.
        lock (_gate)
        {
            foreach (var lane in _lanes)
            {
                lane.Release();
            }

            _freeSegments.Clear();
        }

        return TakeReport();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool EnqueueMetricSlow(in Metric point)
    {
        var lane = t_lane;
        if (lane is null || lane.Queue != this)
        {
            lane = FindOrAddLane();
            t_lane = lane;
        }

        Volatile.Write(ref lane.Active, 1);
        try
        {
            lock (_gate)
            {
                ThrowIfClosed();
                if (lane.TailIndex == lane.Tail.Points.Length && !TryAddSegment(lane))
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

    private MetricLane FindOrAddLane()
    {
        var threadId = Environment.CurrentManagedThreadId;
        lock (_gate)
        {
            foreach (var existing in _lanes)
            {
                if (existing.ThreadId == threadId)
                {
                    return existing;
                }
            }

            ThrowIfClosed();
            var lane = new MetricLane(this, threadId);
            Volatile.Write(ref _lanes, [.. _lanes, lane]);
            return lane;
        }
    }

    // Under _gate: gives the lane a new link (reusing an emptied one when it can), applying the full-queue policy.
    private bool TryAddSegment(MetricLane lane)
    {
        var size = ReserveSlots(lane.NextSegmentSize);
        if (size == 0)
        {
            return false;
        }

        var segment = size == SegmentSize && _freeSegments.Count >= MinFreeSegments && _freeSegments.TryDequeue(out var reused) ? reused : new MetricSegment(size);
        segment.Next = null;
        Volatile.Write(ref lane.Tail.Next, segment);
        lane.Tail = segment;
        lane.TailIndex = 0;
        lane.NextSegmentSize = Math.Min(lane.NextSegmentSize * 4, SegmentSize);
        return true;
    }

    // Under _gate: takes up to `wanted` free slots (at least one), or applies the full-queue policy and returns 0.
    private int ReserveSlots(int wanted)
    {
        ThrowIfClosed();
        while (_reserved >= _maxQueuedItems)
        {
            switch (_queueFullPolicy)
            {
                case QueueFullPolicy.DropNewest:
                    _dropped++;
                    if (!_dropWarned)
                    {
                        _dropWarned = true;
                        _logger.LogWarning("The queue of run {RunId} is full ({MaxQueuedItems} values); new values are dropped and counted in Dropped.", _runId, _maxQueuedItems);
                    }

                    return 0;
                case QueueFullPolicy.Throw:
                    throw new InvalidOperationException($"The queue of run {_runId} is full ({_maxQueuedItems} values waiting to be sent).");
                default:
                    _blockedWriters++;
                    try
                    {
                        _wakeup.WakeToDrain();
                        Monitor.Wait(_gate);
                    }
                    finally
                    {
                        _blockedWriters--;
                    }

                    ThrowIfClosed();
                    break;
            }
        }

        var granted = (int)Math.Min(wanted, _maxQueuedItems - _reserved);
        _reserved += granted;
        return granted;
    }

    private void ThrowIfClosed()
    {
        if (_closed)
        {
            throw new InvalidOperationException("The run has ended; nothing more can be logged to it.");
        }
    }

    private void OnTimer()
    {
        var pending = Volatile.Read(ref _paramsAndTagsLogged) != Volatile.Read(ref _paramsAndTagsCompleted);
        foreach (var lane in Volatile.Read(ref _lanes))
        {
            pending |= Volatile.Read(ref lane.Produced) != Volatile.Read(ref lane.Completed);
        }

        if (pending)
        {
            _idleTicks = 0;
            _wakeup.WakeToDrain();
            return;
        }

        if (++_idleTicks < IdleTicksBeforeTrim)
        {
            return;
        }

        lock (_gate)
        {
            while (_freeSegments.Count > IdleFreeSegments)
            {
                _freeSegments.Dequeue();
            }
        }
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

    // Takes up to one batch worth of values: params and tags first, then each thread's points in turn. Unless
    // draining, a thread's points are taken only a full batch at a time: the sender then reads cache lines the writer
    // finished with long ago, instead of chasing it line by line.
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
        var m = 0;
        var lanes = Volatile.Read(ref _lanes);
        for (var k = 0; k < lanes.Length && n + m < BatchLimits.MaxItems; k++)
        {
            var lane = lanes[(_nextLane + k) % lanes.Length];
            var available = Volatile.Read(ref lane.Produced) - lane.Taken;
            if (!drain && available < BatchLimits.MaxItems)
            {
                continue;
            }

            while (available > 0 && n + m < BatchLimits.MaxItems)
            {
                if (lane.HeadIndex == lane.Head.Points.Length)
                {
                    // The writer linked the next link before publishing any point in it.
                    var emptied = lane.Head;
                    lane.Head = Volatile.Read(ref emptied.Next)!;
                    lane.HeadIndex = 0;
                    _emptied.Add(emptied);
                }

                var points = lane.Head.Points;
                var count = (int)Math.Min(Math.Min(available, BatchLimits.MaxItems - n - m), points.Length - lane.HeadIndex);
                Array.Copy(points, lane.HeadIndex, _chunkMetrics, m, count);
                m += count;
                lane.HeadIndex += count;
                lane.Taken += count;
                available -= count;
            }
        }

        _chunkMetricsCount = m;
        _nextLane = lanes.Length == 0 ? 0 : (_nextLane + 1) % lanes.Length;
        return n + m;
    }

    private void CompleteChunk(int taken)
    {
        List<TaskCompletionSource>? done = null;
        lock (_gate)
        {
            _reserved -= taken;
            _paramsAndTagsCompleted += _chunkParamsAndTagsCount;
            foreach (var lane in _lanes)
            {
                Volatile.Write(ref lane.Completed, lane.Taken);
            }

            foreach (var segment in _emptied)
            {
                if (segment.Points.Length == SegmentSize)
                {
                    _freeSegments.Enqueue(segment);
                }
            }

            for (var i = _flushBarriers.Count - 1; i >= 0; i--)
            {
                if (_flushBarriers[i].IsReached(_paramsAndTagsCompleted))
                {
                    (done ??= []).Add(_flushBarriers[i].Done);
                    _flushBarriers.RemoveAt(i);
                }
            }

            if (_blockedWriters > 0)
            {
                Monitor.PulseAll(_gate);
            }
        }

        _emptied.Clear();
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
