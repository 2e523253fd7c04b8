using System.Runtime.InteropServices;

namespace LlmTrack.Delivery;

/// <summary>
/// A chain link of metric points written by one thread: a fixed array and the next link, set by the writing thread
/// before it publishes any point in that next link.
/// </summary>
internal sealed class MetricSegment(int capacity)
{
    /// <summary>The points; slots below the lane's published count are written.</summary>
    public Metric[] Points { get; } = capacity == 0 ? [] : new Metric[capacity];

    /// <summary>The link after this one (read with <see cref="Volatile"/>).</summary>
    public MetricSegment? Next;
}

/// <summary>
/// The metric points one thread logs to one run: a single-writer, single-reader chain of
/// <see cref="MetricSegment"/>s. The logging thread appends with plain stores and publishes with a release store
/// of <see cref="Produced"/>; the run's sender reads up to that count. No interlocked operation on the hot path.
/// </summary>
/// <remarks>
/// <para>
/// The writer's fields and the sender's fields are laid out 128 bytes apart, so the sender's bookkeeping never
/// takes the cache line the writer updates on every call.
/// </para>
/// <para>
/// <see cref="Active"/> and <see cref="Closed"/> make ending the run safe without a lock on the hot path: the
/// writer raises <see cref="Active"/> before it checks <see cref="Closed"/>; the closer sets <see cref="Closed"/>,
/// issues a process-wide memory barrier and waits until <see cref="Active"/> is down. A point is therefore either
/// refused at the call or published before the sender's last pass.
/// </para>
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = 256)]
internal sealed class MetricLane
{
    /// <summary>
    /// The queue this lane feeds, until the run has ended: a thread's cached lane outlives the run, so
    /// <see cref="Release"/> clears it and the ended run's queue can be collected.
    /// </summary>
    [FieldOffset(0)]
    public RunDeliveryQueue? Queue;

    // Written by the logging thread.

    /// <summary>The link being written.</summary>
    [FieldOffset(8)]
    public MetricSegment Tail;

    /// <summary>Points published so far (release store by the writer, acquire load by readers).</summary>
    [FieldOffset(16)]
    public long Produced;

    /// <summary>The next free slot of <see cref="Tail"/>.</summary>
    [FieldOffset(24)]
    public int TailIndex;

    /// <summary>1 while the writer is inside a logging call.</summary>
    [FieldOffset(28)]
    public int Active;

    /// <summary>The capacity of the writer's next link (grows to <see cref="MetricLaneSet.SegmentSize"/>).</summary>
    [FieldOffset(32)]
    public int NextSegmentSize;

    /// <summary>The managed id of the only thread that writes to this lane.</summary>
    [FieldOffset(36)]
    public readonly int ThreadId;

    /// <summary>Set (under the queue's lock) when the run ends.</summary>
    [FieldOffset(40)]
    public bool Closed;

    // Owned by the sender, on other cache lines.

    /// <summary>The link being read.</summary>
    [FieldOffset(128)]
    public MetricSegment Head;

    /// <summary>Points taken by the sender.</summary>
    [FieldOffset(136)]
    public long Taken;

    /// <summary>Points sent or failed (written under the queue's lock).</summary>
    [FieldOffset(144)]
    public long Completed;

    /// <summary>The next slot of <see cref="Head"/> to read.</summary>
    [FieldOffset(152)]
    public int HeadIndex;

    /// <summary>Creates an empty lane: both ends at one empty link, so the first point takes the slow path.</summary>
    public MetricLane(RunDeliveryQueue queue, int threadId)
    {
        Queue = queue;
        ThreadId = threadId;
        NextSegmentSize = MetricLaneSet.FirstSegmentSize;
        Tail = Head = new MetricSegment(0);
    }

    /// <summary>Lets go of the queue and the links once the run has ended and its sender has stopped.</summary>
    public void Release()
    {
        Queue = null;
        Tail = Head = new MetricSegment(0);
    }
}
