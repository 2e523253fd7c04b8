namespace LlmTrack.Delivery;

/// <summary>What one pass of the sender does: whether it sends partial batches, and whether it is the last.</summary>
/// <param name="Drain">Send everything waiting, partial batches included (otherwise only full batches).</param>
/// <param name="Last">The run has ended and every writer has left: after this pass the sender stops.</param>
internal readonly record struct SenderPass(bool Drain, bool Last);

/// <summary>
/// How a run's writers, its timer, a flush and the end of the run wake the single sender of a
/// <see cref="RunDeliveryQueue"/>, without a lock and with at most one pending wake-up.
/// </summary>
/// <remarks>
/// <para>
/// A wake that finds one already pending does nothing more: the sender clears the pending flag with a full fence
/// before it reads anything, so whatever was published before any wake is seen by the pass that follows it.
/// </para>
/// <para>
/// Once <see cref="Seal"/> has been called, every pass is a draining one. This matters: the end of the run must never
/// be seen without its drain (the sender would then stop after sending only the full batches, and the partial ones
/// accepted before the end would be lost).
/// </para>
/// </remarks>
#pragma warning disable CA1001 // _wake never allocates a wait handle, so there is nothing to dispose.
internal sealed class SenderWakeup
#pragma warning restore CA1001
{
    private readonly SemaphoreSlim _wake = new(0);
    private int _wakePending;
    private int _drainRequested;
    private bool _sealed;

    /// <summary>Wakes the sender to send the full batches waiting.</summary>
    public void Wake()
    {
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>Wakes the sender to send everything waiting, partial batches included (timer, flush, full queue).</summary>
    public void WakeToDrain()
    {
        Volatile.Write(ref _drainRequested, 1);
        Wake();
    }

    /// <summary>
    /// Tells the sender that the run has ended and every writer has left: its next pass sends everything and is its
    /// last. Call it only once nothing more can be published.
    /// </summary>
    public void Seal()
    {
        Volatile.Write(ref _sealed, true);
        Wake();
    }

    /// <summary>Waits for a wake-up, then says what the pass it starts does.</summary>
    /// <returns>The pass.</returns>
    public async Task<SenderPass> WaitAsync()
    {
        await _wake.WaitAsync().ConfigureAwait(false);

        // A full fence: values published before a Wake that found _wakePending already set are seen by this pass.
        Interlocked.Exchange(ref _wakePending, 0);

        // The seal implies the drain: reading them as two flags could see the seal without the drain requested
        // alongside it, and a last pass that sent only full batches would lose the partial ones.
        var last = Volatile.Read(ref _sealed);
        var drain = (Interlocked.Exchange(ref _drainRequested, 0) != 0) | last;
        return new SenderPass(drain, last);
    }
}
