namespace LlmTrack.Durable;

/// <summary>
/// Waiting for delivery in durable mode, for as long as it makes progress (<see cref="DeliveryProgress.WaitAsync"/>):
/// for one run's values, or — when the store closes — for every journal being shipped; and what is left undelivered.
/// </summary>
internal sealed class DeliveryDrain(DurableRunRegistry runs, DurabilityOptions durability, TimeProvider time, Func<long> serverAnswers)
{
    private int _drained;

    /// <summary>Whether <see cref="DrainAsync"/> ran.</summary>
    public bool Drained => Volatile.Read(ref _drained) != 0;

    /// <summary>
    /// Waits until the server acknowledged or refused every value journaled for <paramref name="runId"/> so far (or the
    /// run's shipping ended), for as long as delivery makes progress.
    /// </summary>
    public async Task<bool> WaitForDeliveryAsync(string runId, TimeSpan? limit, CancellationToken cancellationToken)
    {
        if (!runs.TryGetStarted(runId, out var run))
        {
            return true;
        }

        var target = run.AppendedItems;
        await run.WaitForProgressAsync(() => run.SettledItems >= target || run.Shipped.IsCompleted, durability.DrainStallTimeout, limit ?? durability.DrainTimeout, cancellationToken).ConfigureAwait(false);
        return run.SettledItems >= target;
    }

    /// <summary>
    /// Waits for every journal being shipped (this process's runs and journals taken over from earlier processes) for
    /// as long as any of them makes progress, at most <see cref="DurabilityOptions.DrainTimeout"/> in all, and returns
    /// those still not delivered.
    /// </summary>
    public async Task<IReadOnlyList<UndeliveredJournal>> DrainAsync(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _drained, 1);
        foreach (var (runId, run) in runs.Open)
        {
            // A run the delivery core never ended (its tracker was not disposed): keep its journal for the next process.
            runs.Close(runId);
            run.FlushToDisk();
        }

        await DeliveryProgress.WaitAsync(AllDrained, durability.DrainStallTimeout, durability.DrainTimeout, time, serverAnswers, cancellationToken).ConfigureAwait(false);
        return Undelivered();
    }

    /// <summary>The journals of the store that are not delivered yet.</summary>
    public List<UndeliveredJournal> Undelivered()
    {
        var localIds = runs.StartedByLocalId();
        var result = new List<UndeliveredJournal>();
        foreach (var run in runs.Shipping)
        {
            if (run.Shipped.IsCompletedSuccessfully || (run.IsOpen && IsDrained(run)))
            {
                continue;
            }

            var live = localIds.TryGetValue(run.LocalRunId, out var runId);
            result.Add(new UndeliveredJournal(
                live ? runId! : run.ServerRunId ?? run.LocalRunId,
                run.Journal.Folder,
                SafePendingBytes(run),
                live ? Math.Max(0, run.AppendedItems - run.SettledItems) : null));
        }

        return result;
    }

    /// <summary>
    /// Whether a journal needs no more waiting: shipped to the end, or (a run its tracker never ended, which stays open
    /// for the next process to end) every value it holds settled.
    /// </summary>
    private static bool IsDrained(DurableRun run) => run.Shipped.IsCompleted || (run.IsOpen && run.SettledItems >= run.AppendedItems);

    /// <summary>The progress signals of every journal being shipped (taken first), and whether all of them are drained.</summary>
    private (Task Signal, bool Done) AllDrained()
    {
        var shipping = runs.Shipping;
        var progress = shipping.Select(r => r.NextProgress).ToArray();
        return shipping.All(IsDrained) ? (Task.CompletedTask, true) : (Task.WhenAny(progress), false);
    }

    private static long SafePendingBytes(DurableRun run)
    {
        try
        {
            return run.Journal.PendingBytes();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            return -1;
        }
    }
}
