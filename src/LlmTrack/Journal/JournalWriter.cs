// Over 400 lines: the typed appends, commit/undo (with rollover, disk cap and failing-write limits) and flushing are
// one state machine over one write buffer; the segment file (SegmentFile), the disk cap (JournalDiskBudget) and
// run.json (RunStateRecorder) are already types of their own.
using LlmTrack.Delivery;

namespace LlmTrack.Journal;

/// <summary>
/// Appends records to one run journal. <b>Single writer</b>: one background task per run owns it (the
/// logging hot path only enqueues in memory; that task drains the queue into <see cref="AppendMetrics"/>,
/// <see cref="AppendParams"/>, <see cref="AppendTags"/> and <see cref="Append(JournalRecord)"/>, and calls
/// <see cref="FlushToDisk"/> at <c>Flush()</c> and at least every N ms). Not thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Durability: appended records sit in a memory buffer (<see cref="JournalOptions.WriteBufferSize"/>), are
/// written to the segment file when it fills, and are durable (fsync) when <see cref="FlushToDisk"/> returns.
/// Lifecycle records (<see cref="RunCreatedRecord"/>, <see cref="RunMappedRecord"/>, <see cref="RunEndedRecord"/>)
/// are flushed to disk at once and update <c>run.json</c>.
/// </para>
/// <para>
/// Errors: the append methods never throw for I/O. A failed write (full disk, permission denied) keeps the
/// records in memory, truncates the segment back to the last complete record and is reported by the next
/// <see cref="FlushToDisk"/> as a <see cref="JournalException"/>; the following flush retries. Segments roll over
/// at <see cref="JournalOptions.SegmentSize"/>; metric, param and tag batches are split into records of at most one
/// <c>runs/log-batch</c> request each (<see cref="BatchLimits"/>).
/// </para>
/// </remarks>
internal sealed class JournalWriter : IDisposable
{
    /// <summary>Encodes one record's payload of items.</summary>
    private delegate void EncodeChunk<T>(JournalBuffer buffer, ReadOnlySpan<T> chunk);

    private readonly RunJournal _journal;
    private readonly JournalOptions _options;
    private readonly JournalBuffer _pending;
    private readonly JournalKeyDictionary _keys = new();
    private readonly JournalDiskBudget.Meter _disk;
    private readonly RunStateRecorder _state;
    private SegmentFile _segment;
    private JournalException? _writeError;
    private long _lastFlush;
    private bool _disposed;
    private bool _rolloverBlocked;
    private bool _unsyncedWrites;

    internal JournalWriter(RunJournal journal)
    {
        _journal = journal;
        _options = journal.Options;
        _pending = new JournalBuffer(Math.Min(_options.WriteBufferSize, 1024 * 1024) + 64 * 1024);
        _lastFlush = Now();
        _state = new RunStateRecorder(journal, _lastFlush);
        _segment = SegmentFile.OpenForAppend(journal, _keys, Now());
        _disk = JournalDiskBudget.For(_options.Root).OpenMeter(_options);
        _disk.Measure(_segment.Path);
    }

    /// <summary>Where the next record will start (everything before it is appended, not necessarily durable).</summary>
    public JournalPosition Position => new(_segment.Id, _segment.Length + _pending.Length);

    /// <summary>Metric points, params, tags and data set inputs not written because of the disk cap or failing writes.</summary>
    public long DroppedItems { get; private set; }

    /// <summary>The last write failure, until a write succeeds again.</summary>
    public JournalException? WriteError => _writeError;

    /// <summary>The segment being written.</summary>
    public long SegmentId => _segment.Id;

    /// <summary>Appends metric points (split into records of at most 1,000).</summary>
    public JournalAppendResult AppendMetrics(ReadOnlySpan<Metric> metrics)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var result = JournalAppendResult.Appended;
        while (!metrics.IsEmpty)
        {
            var chunk = metrics[..Math.Min(metrics.Length, BatchLimits.MaxMetrics)];
            metrics = metrics[chunk.Length..];
            JournalAppendResult outcome;
            do
            {
                var start = JournalSegment.BeginRecord(_pending, JournalRecordType.Metrics);
                var keyCount = _keys.Count;
                JournalRecordCodec.EncodeMetrics(_pending, chunk, _keys);
                outcome = Commit(start, keyCount, chunk.Length, capped: true, out var retry);
                if (retry)
                {
                    continue;
                }

                if (outcome == JournalAppendResult.Appended)
                {
                    foreach (ref readonly var metric in chunk)
                    {
                        _state.Activity(metric.Timestamp);
                    }
                }

                break;
            }
            while (true);

            result = Worse(result, outcome);
        }

        return result;
    }

    /// <summary>Appends params (split into records of at most 100).</summary>
    public JournalAppendResult AppendParams(ReadOnlySpan<Param> parameters) =>
        AppendChunks(parameters, BatchLimits.MaxParams, JournalRecordType.Params, JournalRecordCodec.EncodeParams);

    /// <summary>Appends run tags (split into records of at most 100).</summary>
    public JournalAppendResult AppendTags(ReadOnlySpan<Tag> tags) =>
        AppendChunks(tags, BatchLimits.MaxTags, JournalRecordType.Tags, JournalRecordCodec.EncodeTags);

    /// <summary>
    /// Appends any record. Metrics, params and tags records are split like the typed methods; lifecycle
    /// records are flushed to disk at once and recorded in <c>run.json</c>.
    /// </summary>
    public JournalAppendResult Append(JournalRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        ObjectDisposedException.ThrowIf(_disposed, this);
        switch (record)
        {
            case MetricsRecord m:
                return AppendMetrics(m.Metrics is Metric[] a ? a : [.. m.Metrics]);
            case ParamsRecord p:
                return AppendParams(p.Params is Param[] pa ? pa : [.. p.Params]);
            case TagsRecord t:
                return AppendTags(t.Tags is Tag[] ta ? ta : [.. t.Tags]);
            case RunMappedRecord mapped:
                JournalArtifactUri.RejectCredentials(mapped.ArtifactUri);
                break;
        }

        if (record is RunEndedRecord)
        {
            // The end is the journal's last record: a heartbeat that is due goes before it, never after it (a record
            // after the end would stay unacknowledged, so the delivered journal would never be deleted).
            var now = Now();
            if (_state.HeartbeatDue(now))
            {
                AppendActivity(now);
            }

            _state.Ending();
        }

        var capped = record is DatasetInputsRecord;
        var items = record is DatasetInputsRecord d ? d.Inputs.Count : 0;
        bool retry;
        JournalAppendResult outcome;
        do
        {
            var start = JournalSegment.BeginRecord(_pending, record.Type);
            JournalRecordCodec.EncodePayload(_pending, record, _keys);
            outcome = Commit(start, _keys.Count, items, capped, out retry);
        }
        while (retry);

        if (outcome != JournalAppendResult.Appended)
        {
            return outcome;
        }

        if (JournalRecordCodec.ActivityTime(record) is { } time)
        {
            _state.Activity(time);
        }

        if (record is RunCreatedRecord or RunMappedRecord or RunEndedRecord)
        {
            _state.Lifecycle(record);
            try
            {
                FlushToDisk();
            }
            catch (JournalException ex)
            {
                _writeError = ex;
            }
        }

        return outcome;
    }

    /// <summary>
    /// Writes the buffered records and forces them to the storage device (fsync). When it returns, every
    /// record appended before the call survives a crash of the process or the machine.
    /// </summary>
    /// <exception cref="JournalException">The disk refused the write (full, permission denied, I/O error); the records stay buffered and the next call retries.</exception>
    public void FlushToDisk()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        FlushCore();
    }

    /// <summary>
    /// Flushes to disk when <see cref="JournalOptions.FlushInterval"/> has passed since the last flush and
    /// something was appended since; returns whether it flushed. The background writer calls it after each
    /// drain of the in-memory queue (and on a timer while idle), which bounds how long an appended value
    /// stays not durable.
    /// </summary>
    /// <exception cref="JournalException">As <see cref="FlushToDisk"/>.</exception>
    public bool FlushIfDue()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Now() - _lastFlush < (long)_options.FlushInterval.TotalMilliseconds ||
            (_pending.Length == 0 && !_unsyncedWrites && !_state.IsDirty))
        {
            return false;
        }

        FlushCore();
        return true;
    }

    /// <summary>
    /// <see cref="FlushToDisk"/> for callers in async code (the fsync itself is synchronous; call it from the
    /// background writer task, never from the logging hot path).
    /// </summary>
    public ValueTask FlushToDiskAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        FlushToDisk();
        return ValueTask.CompletedTask;
    }

    /// <summary>Flushes what can be flushed (errors are swallowed: the data stays in memory only) and closes the segment.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            FlushCore();
        }
        catch (JournalException ex)
        {
            _options.OnWarning?.Invoke($"LlmTrack journal: could not write the last records of run '{_journal.LocalRunId}' on close: {ex.Message}");
        }
        finally
        {
            _disposed = true;
            _segment.Dispose();
            _journal.WriterClosed(this);
        }
    }

    private void FlushCore()
    {
        var now = Now();
        if (_state.HeartbeatDue(now))
        {
            AppendActivity(now);
        }

        if (!TryWritePending())
        {
            throw _writeError!;
        }

        try
        {
            _segment.FlushToDisk();
        }
        catch (JournalException ex)
        {
            _writeError = ex;
            throw;
        }

        _unsyncedWrites = false;
        _lastFlush = now;
        _state.SaveIfDirty();
    }

    private void AppendActivity(long now)
    {
        _state.HeartbeatStarted(now);
        bool retry;
        do
        {
            var start = JournalSegment.BeginRecord(_pending, JournalRecordType.Activity);
            _pending.WriteVarInt(now);
            Commit(start, _keys.Count, 0, capped: false, out retry);
        }
        while (retry);

        _state.Activity(now);
    }

    /// <summary>Appends <paramref name="items"/> as records of at most <paramref name="maxPerRecord"/> items each (params, tags).</summary>
    private JournalAppendResult AppendChunks<T>(ReadOnlySpan<T> items, int maxPerRecord, JournalRecordType type, EncodeChunk<T> encode)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var result = JournalAppendResult.Appended;
        while (!items.IsEmpty)
        {
            var chunk = items[..Math.Min(items.Length, maxPerRecord)];
            items = items[chunk.Length..];
            bool retry;
            JournalAppendResult outcome;
            do
            {
                var start = JournalSegment.BeginRecord(_pending, type);
                encode(_pending, chunk);
                outcome = Commit(start, _keys.Count, chunk.Length, capped: true, out retry);
            }
            while (retry);
            result = Worse(result, outcome);
        }

        return result;
    }

    private JournalAppendResult Commit(int start, int keyCount, int items, bool capped, out bool retry)
    {
        retry = false;
        JournalSegment.EndRecord(_pending, start);
        var segmentHasRecords = _segment.Length + start > JournalSegment.HeaderSize;
        if (segmentHasRecords && !_rolloverBlocked && _segment.Length + _pending.Length > _options.SegmentSize)
        {
            // Re-encode the record in a new segment (its metric keys are defined per segment). When the rollover
            // fails (the disk refuses writes), the record is re-encoded in this segment, which may then exceed its size.
            Undo(start, keyCount);
            _rolloverBlocked = !TryRollover();
            retry = true;
            return JournalAppendResult.Appended;
        }

        if (capped)
        {
            if (_disk.IsOverCap(_segment.Length + _pending.Length, _segment.Path))
            {
                Undo(start, keyCount);
                DroppedItems += items;
                return JournalAppendResult.DroppedDiskCap;
            }

            if (_writeError is not null && _pending.Length > _options.MaxUnwrittenBytes)
            {
                Undo(start, keyCount);
                DroppedItems += items;
                return JournalAppendResult.DroppedWriteFailing;
            }

            _state.DataAppended();
        }

        if (_pending.Length >= _options.WriteBufferSize)
        {
            TryWritePending();
        }

        return JournalAppendResult.Appended;
    }

    private void Undo(int start, int keyCount)
    {
        _pending.Truncate(start);
        _keys.TruncateTo(keyCount);
    }

    private bool TryWritePending()
    {
        if (_pending.Length == 0)
        {
            return true;
        }

        try
        {
            _segment.Write(_pending.WrittenSpan);
        }
        catch (JournalException ex)
        {
            _writeError = ex;
            return false;
        }

        _pending.Truncate(0);
        _unsyncedWrites = true;
        _writeError = null;
        _rolloverBlocked = false;
        return true;
    }

    private bool TryRollover()
    {
        try
        {
            if (!TryWritePending())
            {
                return false;
            }

            _segment.FlushToDisk();
            var previous = _segment;
            _segment = SegmentFile.Create(_journal.Folder, previous.Id + 1, Now(), _keys);
            previous.Dispose();
            _disk.Count(previous.Length);
        }
        catch (JournalException ex)
        {
            _writeError = ex;
            return false;
        }

        try
        {
            _state.SaveIfDirty();
        }
        catch (JournalException ex)
        {
            _options.OnWarning?.Invoke(ex.Message);
        }

        return true;
    }

    /// <summary>
    /// Counts bytes written next to the journal (a spooled artifact) toward the disk cap at once, without waiting for
    /// the next measurement; the next measurement replaces the estimate (e.g. after the file was delivered and deleted).
    /// </summary>
    internal void CountSpooledBytes(long bytes) => _disk.Count(Math.Max(0, bytes));

    private static JournalAppendResult Worse(JournalAppendResult a, JournalAppendResult b) => a == JournalAppendResult.Appended ? b : a;

    private long Now() => _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
}
