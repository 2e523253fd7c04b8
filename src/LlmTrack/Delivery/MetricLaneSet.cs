using System.Runtime.CompilerServices;

namespace LlmTrack.Delivery;

/// <summary>
/// The <see cref="MetricLane"/>s of one run, one per logging thread: finding the current thread's lane (cached per
/// thread), giving a lane its next link from the pool of emptied ones, the sender's side (taking published points
/// and handing emptied links back), the idle trim of the pool, and the end-of-run handshake.
/// </summary>
/// <remarks>
/// Members marked "under the gate" are called with the queue's lock held (the <c>gate</c> passed to the
/// constructor); the sender's members (<see cref="Take"/>, <see cref="CompleteTaken"/>) are called only by the
/// run's sender.
/// </remarks>
internal sealed class MetricLaneSet
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

    private readonly RunDeliveryQueue _queue;
    private readonly object _gate;
    private readonly QueueCapacity _capacity;

    // Replaced (copy on write) under _gate; read without it.
    private MetricLane[] _lanes = [];

    // Guarded by _gate.
    private readonly Queue<MetricSegment> _freeSegments = new();

    // Owned by the sender.
    private readonly List<MetricSegment> _emptied = [];
    private int _nextLane;

    // Owned by the timer callback.
    private int _idleTicks;

    /// <summary>Creates the (empty) lanes of a run's queue.</summary>
    /// <param name="queue">The queue the lanes feed (what a thread's cached lane is checked against).</param>
    /// <param name="gate">The queue's lock.</param>
    /// <param name="capacity">The slot budget links are reserved from.</param>
    public MetricLaneSet(RunDeliveryQueue queue, object gate, QueueCapacity capacity)
    {
        _queue = queue;
        _gate = gate;
        _capacity = capacity;
    }

    /// <summary>The lane the current thread used last, of whichever run (the hot path checks its queue).</summary>
    internal static MetricLane? CachedLane
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => t_lane;
    }

    /// <summary>The lanes so far.</summary>
    public MetricLane[] Lanes => Volatile.Read(ref _lanes);

    /// <summary>Points published on every lane so far.</summary>
    public long Produced
    {
        get
        {
            long produced = 0;
            foreach (var lane in Volatile.Read(ref _lanes))
            {
                produced += Volatile.Read(ref lane.Produced);
            }

            return produced;
        }
    }

    /// <summary>Whether some lane holds published points not yet sent or failed.</summary>
    public bool HasPending
    {
        get
        {
            var pending = false;
            foreach (var lane in Volatile.Read(ref _lanes))
            {
                pending |= Volatile.Read(ref lane.Produced) != Volatile.Read(ref lane.Completed);
            }

            return pending;
        }
    }

    /// <summary>Emptied links waiting to be reused.</summary>
    public int FreeSegmentCount
    {
        get
        {
            lock (_gate)
            {
                return _freeSegments.Count;
            }
        }
    }

    /// <summary>The current thread's lane of this run, created on its first point (throws once the run has ended).</summary>
    /// <returns>The lane, now cached for the thread.</returns>
    public MetricLane LaneOfCurrentThread()
    {
        var lane = t_lane;
        if (lane is null || lane.Queue != _queue)
        {
            lane = FindOrAddLane();
            t_lane = lane;
        }

        return lane;
    }

    /// <summary>
    /// Under the gate: gives the lane a new link (reusing an emptied one when it can), reserving its slots; returns
    /// <see langword="false"/> when the point is dropped (see <see cref="QueueCapacity.Reserve"/>).
    /// </summary>
    /// <param name="lane">The current thread's lane, whose tail link is full.</param>
    /// <returns>Whether the lane has room again.</returns>
    public bool TryAddSegment(MetricLane lane)
    {
        var size = _capacity.Reserve(lane.NextSegmentSize);
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

    /// <summary>
    /// By the sender: copies up to <paramref name="max"/> published points into <paramref name="into"/>, from each
    /// lane in turn (starting one lane further each call). Unless <paramref name="drain"/>, a lane's points are taken
    /// only a full batch at a time: the sender then reads cache lines the writer finished with long ago, instead of
    /// chasing it line by line.
    /// </summary>
    /// <param name="into">Where the points go, from index 0.</param>
    /// <param name="max">At most this many points.</param>
    /// <param name="drain">Whether partial batches are taken too.</param>
    /// <returns>How many points were taken.</returns>
    public int Take(Metric[] into, int max, bool drain)
    {
        var m = 0;
        var lanes = Volatile.Read(ref _lanes);
        for (var k = 0; k < lanes.Length && m < max; k++)
        {
            var lane = lanes[(_nextLane + k) % lanes.Length];
            var available = Volatile.Read(ref lane.Produced) - lane.Taken;
            if (!drain && available < BatchLimits.MaxItems)
            {
                continue;
            }

            while (available > 0 && m < max)
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
                var count = (int)Math.Min(Math.Min(available, max - m), points.Length - lane.HeadIndex);
                Array.Copy(points, lane.HeadIndex, into, m, count);
                m += count;
                lane.HeadIndex += count;
                lane.Taken += count;
                available -= count;
            }
        }

        _nextLane = lanes.Length == 0 ? 0 : (_nextLane + 1) % lanes.Length;
        return m;
    }

    /// <summary>
    /// By the sender, under the gate: marks every point taken so far as sent or failed, and hands the links emptied
    /// since the last call back to the pool.
    /// </summary>
    public void CompleteTaken()
    {
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

        _emptied.Clear();
    }

    /// <summary>
    /// By the timer: once nothing has been waiting for 30 ticks in a row, gives back the emptied links beyond 64.
    /// </summary>
    /// <param name="idle">Whether nothing of the run was waiting to be sent at this tick.</param>
    public void OnTimerTick(bool idle)
    {
        if (!idle)
        {
            _idleTicks = 0;
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

    /// <summary>
    /// Under the gate, as the run ends: marks every lane closed, so a logging call that has not yet raised
    /// <see cref="MetricLane.Active"/> refuses its point. Pass the lanes returned to <see cref="WaitForWriters"/>
    /// once the lock is released.
    /// </summary>
    /// <returns>The lanes (no lane can be added once the queue's capacity is closed).</returns>
    public MetricLane[] Close()
    {
        var lanes = _lanes;
        foreach (var lane in lanes)
        {
            lane.Closed = true;
        }

        return lanes;
    }

    /// <summary>
    /// Waits until no writer is inside a logging call on <paramref name="lanes"/>: every writer then either saw
    /// <see cref="MetricLane.Closed"/> (and refused its point) or has published its point.
    /// </summary>
    /// <param name="lanes">The lanes returned by <see cref="Close"/>.</param>
    public static void WaitForWriters(MetricLane[] lanes)
    {
        // The writer raises Active with a release store, which its following read of Closed may pass; this barrier
        // makes that store visible here, or else the writer's read come after it and see Closed.
        Interlocked.MemoryBarrierProcessWide();
        foreach (var lane in lanes)
        {
            var spin = default(SpinWait);
            while (Volatile.Read(ref lane.Active) != 0)
            {
                spin.SpinOnce();
            }
        }
    }

    /// <summary>
    /// Under the gate, once the sender has stopped: threads keep their last lane cached, so each lane lets go of the
    /// queue and its links, and the pool is emptied; what they hold must not keep the run's memory alive.
    /// </summary>
    public void Release()
    {
        foreach (var lane in _lanes)
        {
            lane.Release();
        }

        _freeSegments.Clear();
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

            _capacity.ThrowIfClosed();
            var lane = new MetricLane(_queue, threadId);
            Volatile.Write(ref _lanes, [.. _lanes, lane]);
            return lane;
        }
    }
}
