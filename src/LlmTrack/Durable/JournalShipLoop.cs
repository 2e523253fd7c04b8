using LlmTrack.Delivery;
using LlmTrack.Journal;
using Microsoft.Extensions.Logging;

namespace LlmTrack.Durable;

/// <summary>
/// The background shipper of one <see cref="DurableRun"/>: reads the journal in order, keeps a window of deliveries in
/// flight (metric batches overlap, every other record goes alone), acknowledges the delivered prefix, backs off while
/// the server is unreachable, and deletes the journal once the run's end was delivered.
/// </summary>
/// <param name="store">The store (its settings, clock and server).</param>
/// <param name="run">The run whose journal is shipped.</param>
/// <param name="live">Whether the run is this process's (its writer may still append) rather than taken over.</param>
/// <param name="wake">Released when there is new data on disk; owned by <paramref name="run"/>.</param>
/// <param name="logger">Where warnings go.</param>
internal sealed class JournalShipLoop(DurableTrackingStore store, DurableRun run, bool live, SemaphoreSlim wake, ILogger logger)
{
    private readonly DurableTrackingStore _store = store;
    private readonly DurableRun _run = run;
    private readonly ILogger _logger = logger;
    private readonly SemaphoreSlim _wake = wake;
    private readonly TaskCompletionSource _shipped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _live = live;
    private int _wakePending;
    private int _unavailableWarned;

    /// <summary>The run's metadata as the server returned it when the run ended there.</summary>
    public RunInfo? FinalInfo { get; private set; }

    /// <summary>Completes when the run ended on the server and everything was delivered.</summary>
    public Task Shipped => _shipped.Task;

    /// <summary>Wakes the shipper (new data on disk, or a retry is due).</summary>
    public void Wake()
    {
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>
    /// Ships the journal in order. Metric batches overlap (up to <see cref="DurabilityOptions.MaxBatchesInFlight"/>, each
    /// retrying on its own, so one slow retry does not hold up the others); every other record is delivered alone,
    /// after everything before it. The bookmark only ever moves over the delivered prefix, so a crash re-sends at most
    /// the batches that were in flight, which the store's exactly-once reconciliation recognises as stored.
    /// </summary>
    public async Task ShipAsync(bool stopWhenUnavailable, CancellationToken cancellationToken)
    {
        var window = new List<(JournalEntry Entry, Task<RunInfo?> Delivery, bool Alone)>();
        try
        {
            var shipper = new JournalShipper(_store, _run, _logger);
            var maxInFlight = Math.Max(1, _store.Durability.MaxBatchesInFlight);
            var maxWindow = maxInFlight * 16;
            using var reader = _run.Journal.OpenReader();
            JournalEntry? next = null;
            Task? wakeWait = null;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Volatile.Write(ref _wakePending, 0);

                // 1. Acknowledge the delivered prefix of the window; stop at the first record that failed.
                var acknowledged = false;
                while (window.Count > 0 && window[0].Delivery.IsCompleted)
                {
                    var (entry, delivery, _) = window[0];
                    var ended = await delivery.ConfigureAwait(false); // rethrows a failure: the record stays unacknowledged
                    window.RemoveAt(0);
                    _run.Journal.Acknowledge(entry.Next);
                    acknowledged = true;
                    if (ended is not null)
                    {
                        FinalInfo = ended;

                        // The end reaches the segment file inside End(), before End() closes the writer and records the
                        // end in run.json; waiting for End() to finish lets the completed journal be deleted.
                        _run.WithWriterLocked(TryDeleteJournal);

                        _shipped.TrySetResult();
                        _run.SignalProgress();
                        return;
                    }
                }

                if (acknowledged)
                {
                    _run.SignalProgress();
                }

                // 2. Start what may start: metric batches while the window has room and nothing delivered alone is in
                //    it; any other record only into an empty window, and nothing after it until it is delivered.
                var failed = window.Exists(w => w.Delivery.IsFaulted || w.Delivery.IsCanceled);
                while (!failed && window.Count < maxWindow && (next is not null || reader.TryRead(out next)))
                {
                    // Metric batches overlap; records that need no delivery (heartbeats, mappings) are done at once and
                    // hold nothing up; everything else goes alone, after what came before it.
                    var alone = next.Record is not (MetricsRecord or ActivityRecord or RunMappedRecord);
                    var inFlight = window.Count(w => !w.Delivery.IsCompleted);
                    if (alone ? window.Count > 0 : (inFlight >= maxInFlight || window.Exists(w => w.Alone)))
                    {
                        break;
                    }

                    window.Add((next, DeliverWithRetriesAsync(shipper, next, stopWhenUnavailable, cancellationToken), alone));
                    next = null;
                    if (alone)
                    {
                        break;
                    }
                }

                if (window.Count == 0)
                {
                    if (next is null && !_live && _run.Journal.State.EndStatus is not null)
                    {
                        // A journal taken over from another process ends here and nothing more is appended: its end was
                        // delivered before (a record written after the end by an older version is all that was left).
                        TryDeleteJournal();
                        _shipped.TrySetResult();
                        _run.SignalProgress();
                        return;
                    }

                    if (next is null)
                    {
                        wakeWait = wakeWait is { IsCompleted: false } ? wakeWait : _wake.WaitAsync(cancellationToken);
                        await wakeWait.ConfigureAwait(false);
                    }

                    continue;
                }

                if (window[0].Delivery.IsCompleted)
                {
                    continue;
                }

                // 3. Wait for a delivery to finish, or (when more could start) for new records.
                var waits = new List<Task>(window.Count + 1);
                foreach (var w in window)
                {
                    if (!w.Delivery.IsCompleted)
                    {
                        waits.Add(w.Delivery);
                    }
                }

                if (next is null && !failed)
                {
                    wakeWait = wakeWait is { IsCompleted: false } ? wakeWait : _wake.WaitAsync(cancellationToken);
                    waits.Add(wakeWait);
                }

                await Task.WhenAny(waits).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await SettleAsync(window).ConfigureAwait(false);
            _shipped.TrySetCanceled(cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && DurableErrors.IsUnavailable(ex))
        {
            // Sync mode: the server is unreachable; what was delivered is acknowledged, the rest stays on disk.
            await SettleAsync(window).ConfigureAwait(false);
            _shipped.TrySetException(ex);
        }
#pragma warning disable CA1031 // The shipper must never crash the process; the data stays in the journal.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await SettleAsync(window).ConfigureAwait(false);
            _logger.LogError(ex, "LlmTrack: delivering the journal of run {RunId} at {Folder} stopped: {Message}", _run.LocalRunId, _run.Journal.Folder, ex.Message);
            _shipped.TrySetException(ex);
        }
        finally
        {
            _run.SignalProgress();
        }
    }

    /// <summary>After shipping stopped: lets the deliveries still running finish, then acknowledges the delivered prefix.</summary>
    private async Task SettleAsync(List<(JournalEntry Entry, Task<RunInfo?> Delivery, bool Alone)> window)
    {
        try
        {
            await Task.WhenAll(window.Select(w => (Task)w.Delivery)).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Each failure was logged or is reported by the caller; only the delivered prefix matters here.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        try
        {
            foreach (var (entry, delivery, _) in window)
            {
                if (!delivery.IsCompletedSuccessfully)
                {
                    break;
                }

                _run.Journal.Acknowledge(entry.Next);
            }
        }
        catch (Exception ex) when (ex is JournalException or ObjectDisposedException)
        {
            // The bookmark stays where it was; those records are sent again and recognised as stored.
        }
    }

    /// <summary>Delivers one record, backing off and trying again while the server is unreachable (unless in sync mode).</summary>
    private async Task<RunInfo?> DeliverWithRetriesAsync(JournalShipper shipper, JournalEntry entry, bool stopWhenUnavailable, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var delay = _store.Durability.MinRetryDelay;
        var split = new RefusalSplit();
        while (true)
        {
            try
            {
                var ended = await shipper.DeliverAsync(entry, split, cancellationToken).ConfigureAwait(false);
                if (Interlocked.Exchange(ref _unavailableWarned, 0) != 0 && _logger.IsEnabled(LogLevel.Information))
                {
                    _logger.LogInformation("LlmTrack: the tracking server is reachable again; delivering run {RunId} from its journal.", _run.LocalRunId);
                }

                return ended;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && DurableErrors.IsUnavailable(ex))
            {
                if (Interlocked.Exchange(ref _unavailableWarned, 1) == 0)
                {
                    _logger.LogWarning(
                        "LlmTrack: the tracking server is unreachable ({Message}); run {RunId} keeps logging to its journal at {Folder} and is delivered when the server is back.",
                        ex.Message,
                        _run.LocalRunId,
                        _run.Journal.Folder);
                }

                if (stopWhenUnavailable)
                {
                    throw;
                }

                await Task.Delay(delay, _store.TimeProvider, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _store.Durability.MaxRetryDelay.Ticks));
            }
        }
    }

    private void TryDeleteJournal()
    {
        try
        {
            _run.Journal.TryDeleteCompleted();
        }
        catch (JournalException ex)
        {
            _logger.LogWarning(ex, "LlmTrack: the delivered journal at {Folder} could not be deleted: {Message}", _run.Journal.Folder, ex.Message);
        }
    }
}
