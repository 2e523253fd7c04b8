using System.Runtime.InteropServices;
using LlmTrack.Journal;
using Microsoft.Extensions.Logging;

namespace LlmTrack.Durable;

/// <summary>
/// One run in durable mode: its <see cref="RunJournal"/>, the journal's single writer (fed by the delivery core's
/// background sender through <see cref="DurableTrackingStore.LogBatchAsync"/>) and the background shipper that
/// delivers the journal to the server in order and acknowledges what the server accepted.
/// </summary>
/// <remarks>
/// The writer is guarded by a lock (the sender appends, <c>Flush()</c> forces to disk, a timer flushes every
/// <see cref="DurabilityOptions.FlushToDiskInterval"/>, <c>End</c> appends <see cref="RunEndedRecord"/>). The shipper
/// runs on its own task, reads only what reached the segment file and wakes when the writer wrote something.
/// A run recovered from an earlier process has no writer: its journal is complete and only shipped. The shipper is
/// <see cref="JournalShipLoop"/>; the progress signal and the waits on it are <see cref="DeliveryProgress"/>.
/// </remarks>
internal sealed class DurableRun : IDisposable, IAsyncDisposable
{
    private readonly DurableTrackingStore _store;
    private readonly ILogger _logger;
    private readonly object _writeGate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly JournalShipLoop _shipLoop;
    private readonly ITimer? _flushTimer;
    private JournalWriter? _writer;
    private Task? _shipper;
    private long _droppedItems;
    private long _deadLetters;
    private long _appendedItems;
    private long _durableItems;
    private long _deliveredItems;
    private readonly DeliveryProgress _progress = new();
    private bool _dropWarned;

    public DurableRun(DurableTrackingStore store, RunJournal journal, bool live, ILogger logger)
    {
        _store = store;
        Journal = journal;
        _logger = logger;
        Artifacts = new ArtifactSpool(journal.Folder);
        _shipLoop = new JournalShipLoop(store, this, live, _wake, logger);
        if (!live)
        {
            // Spools a dead process left half-written were never recorded: nothing refers to them.
            Artifacts.DeleteIncomingLeftovers();
        }

        if (live)
        {
            _writer = journal.OpenWriter();
            var interval = store.Durability.FlushToDiskInterval;
            _flushTimer = store.TimeProvider.CreateTimer(static s => ((DurableRun)s!).OnFlushTimer(), this, interval, interval);
        }
    }

    /// <summary>The run's journal.</summary>
    public RunJournal Journal { get; }

    /// <summary>The artifacts logged while the run existed only locally (kept in the journal folder until delivered).</summary>
    public ArtifactSpool Artifacts { get; }

    /// <summary>The local run id (the journal folder's name).</summary>
    public string LocalRunId => Journal.LocalRunId;

    /// <summary>The server's run id once the run exists there.</summary>
    public string? ServerRunId => Journal.State.ServerRunId;

    /// <summary>The run's metadata as the server returned it when the run ended there.</summary>
    public RunInfo? FinalInfo => _shipLoop.FinalInfo;

    /// <summary>Completes when the run ended on the server and everything was delivered.</summary>
    public Task Shipped => _shipLoop.Shipped;

    /// <summary>Items the disk cap kept out of the journal (counted as dropped).</summary>
    public long DroppedItems => Interlocked.Read(ref _droppedItems);

    /// <summary>Items the server refused, now in <c>dead-letters.jsonl</c>.</summary>
    public long DeadLetters => Interlocked.Read(ref _deadLetters);

    /// <summary>Values (metric points, params, tags) this process appended to the journal.</summary>
    public long AppendedItems => Interlocked.Read(ref _appendedItems);

    /// <summary>Appended values that are on disk (the journal was fsynced after them).</summary>
    public long DurableItems => Interlocked.Read(ref _durableItems);

    /// <summary>Values the server acknowledged.</summary>
    public long DeliveredItems => Interlocked.Read(ref _deliveredItems);

    /// <summary>Values acknowledged or refused (dead letters): the shipper is done with them.</summary>
    public long SettledItems => DeliveredItems + DeadLetters;

    /// <summary>Whether the journal's writer is still open (a live run that was not ended).</summary>
    public bool IsOpen
    {
        get
        {
            lock (_writeGate)
            {
                return _writer is not null;
            }
        }
    }

    /// <summary>Completes at the next sign of progress: values acknowledged or refused, a record delivered, or the end of shipping.</summary>
    public Task NextProgress => _progress.Next;

    /// <summary>The shipper's task (completes when shipped, stopped, or stopped at the first outage in sync mode).</summary>
    public Task ShipperTask => _shipper ?? Task.CompletedTask;

    /// <summary>Starts the background shipper.</summary>
    /// <param name="stopWhenUnavailable">Stop (leaving the data on disk) instead of backing off when the server is unreachable (<c>llmtrack sync</c>).</param>
    public void StartShipping(bool stopWhenUnavailable = false) =>
        _shipper = Task.Run(() => _shipLoop.ShipAsync(stopWhenUnavailable, _stop.Token));

    /// <summary>Appends one log-batch to the journal (no network, no fsync unless the flush interval is due).</summary>
    public void Append(IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags)
    {
        long dropped = 0;
        bool flushed;
        lock (_writeGate)
        {
            var writer = _writer ?? throw new InvalidOperationException($"The run '{LocalRunId}' has ended; nothing more can be logged to it.");
            var droppedBefore = writer.DroppedItems;
            if (metrics.Count > 0 && writer.AppendMetrics(AsSpan(metrics)) != JournalAppendResult.Appended)
            {
                dropped = writer.DroppedItems;
            }

            if (parameters.Count > 0 && writer.AppendParams(AsSpan(parameters)) != JournalAppendResult.Appended)
            {
                dropped = writer.DroppedItems;
            }

            if (tags.Count > 0 && writer.AppendTags(AsSpan(tags)) != JournalAppendResult.Appended)
            {
                dropped = writer.DroppedItems;
            }

            Interlocked.Add(ref _appendedItems, metrics.Count + parameters.Count + tags.Count - (writer.DroppedItems - droppedBefore));
            flushed = FlushIfDueLocked(writer);
        }

        if (dropped > 0)
        {
            OnDropped(dropped);
        }

        if (flushed)
        {
            Wake();
        }
    }

    /// <summary>Appends another record (data set inputs).</summary>
    public void Append(JournalRecord record)
    {
        JournalAppendResult result;
        long dropped;
        lock (_writeGate)
        {
            var writer = _writer ?? throw new InvalidOperationException($"The run '{LocalRunId}' has ended; nothing more can be logged to it.");
            result = writer.Append(record);
            dropped = writer.DroppedItems;
            FlushIfDueLocked(writer);
        }

        if (result != JournalAppendResult.Appended)
        {
            OnDropped(dropped);
        }

        Wake();
    }

    /// <summary>
    /// Spools an artifact into the journal folder and appends its <see cref="ArtifactSpooledRecord"/>; returns when the
    /// file and the record are on disk (fsync). The shipper uploads it once the run exists on the server.
    /// </summary>
    /// <exception cref="JournalDiskCapExceededException">It would take the journal past its disk cap; nothing was kept.</exception>
    /// <exception cref="JournalException">The disk refused the write.</exception>
    /// <exception cref="InvalidOperationException">The run has ended.</exception>
    public Task SpoolArtifactAsync(string relativePath, Func<CancellationToken, Task<Stream>> openContent, long? length, CancellationToken cancellationToken)
    {
        lock (_writeGate)
        {
            if (_writer is null)
            {
                throw new InvalidOperationException($"The run '{LocalRunId}' has ended; nothing more can be logged to it.");
            }
        }

        return Artifacts.WriteAsync(relativePath, openContent, length, Journal.Options, AppendDurably, cancellationToken);
    }

    /// <summary>Forces everything appended so far to disk (fsync) and wakes the shipper.</summary>
    /// <exception cref="JournalException">The disk refused the write.</exception>
    public void FlushToDisk()
    {
        lock (_writeGate)
        {
            if (_writer is { } writer)
            {
                writer.FlushToDisk();
                MarkDurableLocked();
            }
        }

        Wake();
    }

    /// <summary>Appends a record that must not be dropped and forces it to disk (fsync) before returning.</summary>
    private void AppendDurably(JournalRecord record)
    {
        lock (_writeGate)
        {
            var writer = _writer ?? throw new InvalidOperationException($"The run '{LocalRunId}' has ended; nothing more can be logged to it.");
            writer.Append(record);
            writer.FlushToDisk();
            if (record is ArtifactSpooledRecord spooled)
            {
                writer.CountSpooledBytes(spooled.Length);
            }
        }

        Wake();
    }

    /// <summary>Writes <see cref="RunEndedRecord"/> durably and closes the writer; the shipper delivers the rest.</summary>
    public void End(RunStatus status, long endTime)
    {
        _flushTimer?.Dispose();
        lock (_writeGate)
        {
            if (_writer is { } writer)
            {
                writer.Append(new RunEndedRecord(status, endTime));
                writer.FlushToDisk();
                MarkDurableLocked();
                writer.Dispose();
                _writer = null;
            }
        }

        Wake();
    }

    /// <summary>How long stopping waits for a cancelled shipper to come to rest, on the store's clock.</summary>
    internal static readonly TimeSpan ShipperStopTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Stops the shipper (the journal stays on disk) and releases the journal's lock.</summary>
    /// <remarks>
    /// The shipper honours cancellation, so the wait is normally short; it is bounded by
    /// <see cref="ShipperStopTimeout"/> on the store's <see cref="TimeProvider"/> (a fake clock drives it in tests)
    /// in case a request ignores cancellation.
    /// </remarks>
    public async ValueTask DisposeAsync()
    {
        _flushTimer?.Dispose();
        _stop.Cancel();
        if (_shipper is { } shipper)
        {
            try
            {
                await shipper.WaitAsync(ShipperStopTimeout, _store.TimeProvider).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _logger.LogWarning("LlmTrack: the shipper of journal {Folder} did not stop within {Timeout}; its journal stays on disk.", Journal.Folder, ShipperStopTimeout);
            }
#pragma warning disable CA1031 // The shipper logs its own failures; stopping it is all that is left to do.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        lock (_writeGate)
        {
            _writer?.Dispose();
            _writer = null;
        }

        Journal.Dispose();
        _stop.Dispose();
    }

    /// <summary>Stops the shipper, blocking (see <see cref="DisposeAsync"/>); for the synchronous disposal paths.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Wakes the shipper (new data on disk, or a retry is due).</summary>
    public void Wake() => _shipLoop.Wake();

    /// <summary>Runs <paramref name="action"/> while no writer call is in progress (after a running <see cref="End"/> finished).</summary>
    internal void WithWriterLocked(Action action)
    {
        lock (_writeGate)
        {
            action();
        }
    }

    private static ReadOnlySpan<T> AsSpan<T>(IReadOnlyList<T> items) =>
        items switch
        {
            List<T> list => CollectionsMarshal.AsSpan(list),
            T[] array => array,
            _ => items.ToArray(),
        };

    private void OnFlushTimer()
    {
        bool flushed;
        lock (_writeGate)
        {
            flushed = _writer is { } writer && FlushIfDueLocked(writer);
        }

        if (flushed)
        {
            Wake();
        }
    }

    private bool FlushIfDueLocked(JournalWriter writer)
    {
        try
        {
            if (!writer.FlushIfDue())
            {
                return false;
            }

            MarkDurableLocked();
            return true;
        }
        catch (JournalException ex)
        {
            // The records stay in memory and the next flush retries; Flush() reports the error to the caller.
            _logger.LogError(ex, "LlmTrack could not write the journal of run {RunId}: {Message}", LocalRunId, ex.Message);
            return false;
        }
    }

    private void OnDropped(long totalDropped)
    {
        var before = Interlocked.Exchange(ref _droppedItems, totalDropped);
        if (totalDropped > before && !_dropWarned)
        {
            _dropWarned = true;
            _logger.LogError(
                "LlmTrack: the journal of run {RunId} is full (disk cap {Cap} bytes under {Root}); new values are dropped and counted in Dropped until the server has taken the backlog.",
                LocalRunId,
                Journal.Options.MaxTotalBytes,
                Journal.Options.Root);
        }
    }

    /// <summary>
    /// Waits until <paramref name="isDone"/> holds, for as long as delivery makes progress: at most
    /// <paramref name="stallTimeout"/> without any and at most <paramref name="limit"/> in all (both measured with the
    /// store's <see cref="TimeProvider"/>).
    /// </summary>
    /// <returns>Whether <paramref name="isDone"/> held before a limit ran out.</returns>
    public Task<bool> WaitForProgressAsync(Func<bool> isDone, TimeSpan stallTimeout, TimeSpan limit, CancellationToken cancellationToken) =>
        DeliveryProgress.WaitAsync(() => (NextProgress, isDone()), stallTimeout, limit, _store.TimeProvider, _store.ServerAnswers, cancellationToken);

    internal void CountDelivered(int count)
    {
        Interlocked.Add(ref _deliveredItems, count);
        SignalProgress();
    }

    internal void SignalProgress() => _progress.Signal();

    private void MarkDurableLocked() => Interlocked.Exchange(ref _durableItems, Interlocked.Read(ref _appendedItems));

    internal void CountDeadLetter(int count)
    {
        Interlocked.Add(ref _deadLetters, count);
        SignalProgress();
    }
}
