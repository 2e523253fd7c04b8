using LlmTrack.Delivery;

namespace LlmTrack.Journal;

/// <summary>What happened to the items of one append.</summary>
internal enum JournalAppendResult
{
    /// <summary>The record is in the journal (in the write buffer until the next write or <see cref="JournalWriter.FlushToDisk"/>).</summary>
    Appended,

    /// <summary>Not written: the disk cap (<see cref="JournalOptions.MaxTotalBytes"/>) is reached. Counted in <see cref="JournalWriter.DroppedItems"/>.</summary>
    DroppedDiskCap,

    /// <summary>Not written: the disk refuses writes and <see cref="JournalOptions.MaxUnwrittenBytes"/> are already waiting. Counted in <see cref="JournalWriter.DroppedItems"/>.</summary>
    DroppedWriteFailing,
}

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
    private readonly RunJournal _journal;
    private readonly JournalOptions _options;
    private readonly JournalBuffer _pending;
    private readonly JournalKeyDictionary _keys = new();
    private FileStream _stream = null!;
    private string _segmentPath = "";
    private long _segmentId;
    private long _writtenLength;
    private long _otherBytes;
    private long _lastMeasured;
    private long _lastHeartbeat;
    private bool _dataSinceHeartbeat;
    private long _maxActivity;
    private JournalException? _writeError;
    private readonly List<JournalRecord> _lifecycleToSave = [];
    private long _savedActivity;
    private long _lastFlush;
    private bool _stateDirty;
    private bool _disposed;
    private bool _rolloverBlocked;
    private bool _unsyncedWrites;

    internal JournalWriter(RunJournal journal)
    {
        _journal = journal;
        _options = journal.Options;
        _savedActivity = journal.State.LastActivity;
        _pending = new JournalBuffer(Math.Min(_options.WriteBufferSize, 1024 * 1024) + 64 * 1024);
        _lastHeartbeat = Now();
        _lastFlush = _lastHeartbeat;
        OpenForAppend();
        MeasureOthers();
    }

    /// <summary>Where the next record will start (everything before it is appended, not necessarily durable).</summary>
    public JournalPosition Position => new(_segmentId, _writtenLength + _pending.Length);

    /// <summary>Metric points, params, tags and data set inputs not written because of the disk cap or failing writes.</summary>
    public long DroppedItems { get; private set; }

    /// <summary>The last write failure, until a write succeeds again.</summary>
    public JournalException? WriteError => _writeError;

    /// <summary>The segment being written.</summary>
    public long SegmentId => _segmentId;

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
                        if (metric.Timestamp > _maxActivity)
                        {
                            _maxActivity = metric.Timestamp;
                        }
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
    public JournalAppendResult AppendParams(ReadOnlySpan<Param> parameters)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var result = JournalAppendResult.Appended;
        while (!parameters.IsEmpty)
        {
            var chunk = parameters[..Math.Min(parameters.Length, BatchLimits.MaxParams)];
            parameters = parameters[chunk.Length..];
            bool retry;
            JournalAppendResult outcome;
            do
            {
                var start = JournalSegment.BeginRecord(_pending, JournalRecordType.Params);
                JournalRecordCodec.EncodeParams(_pending, chunk);
                outcome = Commit(start, _keys.Count, chunk.Length, capped: true, out retry);
            }
            while (retry);
            result = Worse(result, outcome);
        }

        return result;
    }

    /// <summary>Appends run tags (split into records of at most 100).</summary>
    public JournalAppendResult AppendTags(ReadOnlySpan<Tag> tags)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var result = JournalAppendResult.Appended;
        while (!tags.IsEmpty)
        {
            var chunk = tags[..Math.Min(tags.Length, BatchLimits.MaxTags)];
            tags = tags[chunk.Length..];
            bool retry;
            JournalAppendResult outcome;
            do
            {
                var start = JournalSegment.BeginRecord(_pending, JournalRecordType.Tags);
                JournalRecordCodec.EncodeTags(_pending, chunk);
                outcome = Commit(start, _keys.Count, chunk.Length, capped: true, out retry);
            }
            while (retry);
            result = Worse(result, outcome);
        }

        return result;
    }

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
            if (_dataSinceHeartbeat && now - _lastHeartbeat >= (long)_options.ActivityInterval.TotalMilliseconds)
            {
                AppendActivity(now);
            }

            _dataSinceHeartbeat = false;
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

        if (JournalRecordCodec.ActivityTime(record) is { } time && time > _maxActivity)
        {
            _maxActivity = time;
        }

        if (record is RunCreatedRecord or RunMappedRecord or RunEndedRecord)
        {
            _lifecycleToSave.Add(record);
            _stateDirty = true;
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
            (_pending.Length == 0 && !_unsyncedWrites && !_stateDirty))
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
            _stream.Dispose();
            _journal.WriterClosed(this);
        }
    }

    private void FlushCore()
    {
        var now = Now();
        if (_dataSinceHeartbeat && now - _lastHeartbeat >= (long)_options.ActivityInterval.TotalMilliseconds)
        {
            AppendActivity(now);
        }

        if (!TryWritePending())
        {
            throw _writeError!;
        }

        try
        {
            _stream.Flush(flushToDisk: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _writeError = JournalException.From(ex, _segmentPath, "flush to disk");
            throw _writeError;
        }

        _unsyncedWrites = false;
        _lastFlush = now;
        SaveStateIfDirty();
    }

    private void AppendActivity(long now)
    {
        _lastHeartbeat = now;
        _dataSinceHeartbeat = false;
        bool retry;
        do
        {
            var start = JournalSegment.BeginRecord(_pending, JournalRecordType.Activity);
            _pending.WriteVarInt(now);
            Commit(start, _keys.Count, 0, capped: false, out retry);
        }
        while (retry);

        if (now > _maxActivity)
        {
            _maxActivity = now;
        }
    }

    private void SaveStateIfDirty()
    {
        if (!_stateDirty && _maxActivity <= _savedActivity)
        {
            return;
        }

        var activity = _maxActivity;
        _journal.UpdateState(state =>
        {
            foreach (var record in _lifecycleToSave)
            {
                state = state.Apply(record);
            }

            return activity > state.LastActivity ? state with { LastActivity = activity } : state;
        });
        _lifecycleToSave.Clear();
        _savedActivity = activity;
        _stateDirty = false;
    }

    private JournalAppendResult Commit(int start, int keyCount, int items, bool capped, out bool retry)
    {
        retry = false;
        JournalSegment.EndRecord(_pending, start);
        var segmentHasRecords = _writtenLength + start > JournalSegment.HeaderSize;
        if (segmentHasRecords && !_rolloverBlocked && _writtenLength + _pending.Length > _options.SegmentSize)
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
            if (OverCap())
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

            _dataSinceHeartbeat = true;
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

    private bool OverCap()
    {
        if (_otherBytes + _writtenLength + _pending.Length <= _options.MaxTotalBytes)
        {
            return false;
        }

        var now = Now();
        if (now - _lastMeasured >= 1000)
        {
            MeasureOthers();
        }

        return _otherBytes + _writtenLength + _pending.Length > _options.MaxTotalBytes;
    }

    private void MeasureOthers()
    {
        _lastMeasured = Now();
        try
        {
            // Segments of every journal of this server plus the artifacts they spool: one cap for all of it.
            _otherBytes = JournalFiles.MeasureUsage(_options.Root, _segmentPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Keep the last measurement.
        }
    }

    private bool TryWritePending()
    {
        if (_pending.Length == 0)
        {
            return true;
        }

        try
        {
            RandomAccess.Write(_stream.SafeFileHandle, _pending.WrittenSpan, _writtenLength);
            _writtenLength += _pending.Length;
            _pending.Truncate(0);
            _unsyncedWrites = true;
            _writeError = null;
            _rolloverBlocked = false;

            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            try
            {
                // Never leave part of a record behind: cut the file back to the last complete record.
                _stream.SetLength(_writtenLength);
            }
            catch (Exception cut) when (cut is IOException or UnauthorizedAccessException)
            {
                // The next open truncates a torn tail anyway.
            }

            _writeError = JournalException.From(ex, _segmentPath, "write");
            return false;
        }
    }

    private bool TryRollover()
    {
        try
        {
            if (!TryWritePending())
            {
                return false;
            }

            try
            {
                _stream.Flush(flushToDisk: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _writeError = JournalException.From(ex, _segmentPath, "flush to disk");
                return false;
            }

            var previous = _stream;
            var previousLength = _writtenLength;
            CreateSegment(_segmentId + 1);
            previous.Dispose();
            _otherBytes += previousLength;
        }
        catch (JournalException ex)
        {
            _writeError = ex;
            return false;
        }

        try
        {
            SaveStateIfDirty();
        }
        catch (JournalException ex)
        {
            _options.OnWarning?.Invoke(ex.Message);
        }

        return true;
    }

    private void OpenForAppend()
    {
        var folder = _journal.Folder;
        var segments = JournalFiles.ListSegments(folder);
        if (segments.Count == 0)
        {
            CreateSegment(1);
            return;
        }

        var id = segments[^1];
        var path = Path.Combine(folder, JournalFiles.SegmentFileName(id));
        SegmentScan scan;
        try
        {
            scan = JournalSegment.Scan(path, id, _keys);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw JournalException.From(ex, path, "open");
        }

        if (scan.NewerVersion)
        {
            throw new JournalException(JournalErrorKind.Corrupt, path, $"LlmTrack journal: '{path}' was written by a newer LlmTrack version; use that version to deliver it.");
        }

        if (!scan.HeaderValid)
        {
            if (scan.FileLength > JournalSegment.HeaderSize)
            {
                var target = JournalFiles.Quarantine(folder, path, 0);
                _options.OnWarning?.Invoke($"LlmTrack journal: segment '{path}' has an invalid header; moved its content to '{target}'.");
            }

            JournalFiles.TryDelete(path);
            _keys.Clear();
            CreateSegment(id);
            return;
        }

        if (scan.ValidEnd < scan.FileLength)
        {
            if (scan.IsTornTail)
            {
                _options.OnWarning?.Invoke($"LlmTrack journal: ignored a torn last record at offset {scan.ValidEnd} of '{path}' (an interrupted write).");
            }
            else
            {
                var target = JournalFiles.Quarantine(folder, path, scan.ValidEnd);
                _options.OnWarning?.Invoke($"LlmTrack journal: corrupt data at offset {scan.ValidEnd} of '{path}'; moved the rest of the segment to '{target}'.");
            }
        }

        var bookmark = _journal.Bookmark;
        if (bookmark.SegmentId == id && bookmark.Offset > scan.ValidEnd)
        {
            // The server accepted records that the disk lost (written, not yet fsynced, at a power cut): never
            // hide new records behind the bookmark; continue in a fresh segment.
            _keys.Clear();
            CreateSegment(id + 1);
            return;
        }

        _segmentId = id;
        _segmentPath = path;
        _stream = JournalFiles.OpenPrivate(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete, "open");
        try
        {
            _stream.SetLength(scan.ValidEnd);
            _stream.Flush(flushToDisk: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _stream.Dispose();
            throw JournalException.From(ex, path, "repair");
        }

        _writtenLength = scan.ValidEnd;
    }

    private void CreateSegment(long id)
    {
        var path = Path.Combine(_journal.Folder, JournalFiles.SegmentFileName(id));
        var stream = JournalFiles.OpenPrivate(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete, "create");
        try
        {
            Span<byte> header = stackalloc byte[JournalSegment.HeaderSize];
            JournalSegment.WriteHeader(header, id, Now());
            RandomAccess.Write(stream.SafeFileHandle, header, 0);
            stream.Flush(flushToDisk: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stream.Dispose();
            JournalFiles.TryDelete(path);
            throw JournalException.From(ex, path, "create");
        }

        _stream = stream;
        _segmentId = id;
        _segmentPath = path;
        _writtenLength = JournalSegment.HeaderSize;
        _keys.Clear();
    }

    /// <summary>
    /// Counts bytes written next to the journal (a spooled artifact) toward the disk cap at once, without waiting for
    /// the next measurement; the next measurement replaces the estimate (e.g. after the file was delivered and deleted).
    /// </summary>
    internal void CountSpooledBytes(long bytes) => _otherBytes += Math.Max(0, bytes);

    private static JournalAppendResult Worse(JournalAppendResult a, JournalAppendResult b) => a == JournalAppendResult.Appended ? b : a;

    private long Now() => _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
}
