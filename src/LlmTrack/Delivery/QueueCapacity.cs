using Microsoft.Extensions.Logging;

namespace LlmTrack.Delivery;

/// <summary>
/// The slot budget of one run's queue (<see cref="BatchingOptions.MaxQueuedItems"/>) and what happens when it is
/// spent (<see cref="QueueFullPolicy"/>); after the run has ended, it refuses every reservation.
/// </summary>
/// <remarks>
/// Every member is called under the queue's lock (the <c>gate</c> passed to the constructor): a blocked writer waits
/// on that lock with <see cref="Monitor.Wait(object)"/>, and <see cref="Release"/> and <see cref="Close"/> wake it.
/// </remarks>
internal sealed class QueueCapacity
{
    private readonly object _gate;
    private readonly string _runId;
    private readonly ILogger _logger;
    private readonly SenderWakeup _wakeup;
    private readonly int _maxQueuedItems;
    private readonly QueueFullPolicy _policy;

    // Guarded by _gate.
    private long _reserved;
    private long _dropped;
    private bool _dropWarned;
    private int _blockedWriters;
    private bool _closed;

    /// <summary>Creates the budget of a run's queue.</summary>
    /// <param name="gate">The queue's lock, held around every call.</param>
    /// <param name="runId">The run, for messages.</param>
    /// <param name="options">The bound and the full-queue policy.</param>
    /// <param name="wakeup">Woken to drain when a writer waits for room.</param>
    /// <param name="logger">Where the first dropped value is logged.</param>
    public QueueCapacity(object gate, string runId, BatchingOptions options, SenderWakeup wakeup, ILogger logger)
    {
        _gate = gate;
        _runId = runId;
        _logger = logger;
        _wakeup = wakeup;
        _maxQueuedItems = options.MaxQueuedItems;
        _policy = options.QueueFullPolicy;
    }

    /// <summary>Values refused because the queue was full (<see cref="QueueFullPolicy.DropNewest"/>).</summary>
    public long Dropped => _dropped;

    /// <summary>Throws <see cref="InvalidOperationException"/> once the run has ended.</summary>
    public void ThrowIfClosed()
    {
        if (_closed)
        {
            throw new InvalidOperationException("The run has ended; nothing more can be logged to it.");
        }
    }

    /// <summary>
    /// Takes up to <paramref name="wanted"/> free slots (at least one), or applies the full-queue policy: returns 0
    /// (<see cref="QueueFullPolicy.DropNewest"/>, counted dropped), throws (<see cref="QueueFullPolicy.Throw"/>) or
    /// waits for room (<see cref="QueueFullPolicy.Block"/>). Throws once the run has ended, also while waiting.
    /// </summary>
    /// <param name="wanted">The slots wanted.</param>
    /// <returns>The slots granted, or 0 when the value is dropped.</returns>
    public int Reserve(int wanted)
    {
        ThrowIfClosed();
        while (_reserved >= _maxQueuedItems)
        {
            switch (_policy)
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

    /// <summary>Frees slots whose values were sent or failed, waking writers that wait for room.</summary>
    /// <param name="count">The slots freed.</param>
    public void Release(int count)
    {
        _reserved -= count;
        if (_blockedWriters > 0)
        {
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Refuses every further reservation, and makes writers waiting for room throw.</summary>
    public void Close()
    {
        _closed = true;
        Monitor.PulseAll(_gate);
    }
}
