using System.Diagnostics.CodeAnalysis;
using Microsoft.Win32.SafeHandles;

namespace LlmTrack.Journal;

/// <summary>
/// Reads a run journal's records in order from a position (usually the bookmark), verifying each
/// record's checksum. Used by the shipper (one reader per journal, on its own task; it may run while the
/// writer appends) and by <c>llmtrack sync</c>/<c>status</c>.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="TryRead"/> returns <see langword="false"/> at the current end of the journal; call it again later
/// to see records appended since. An incomplete or bad record at the end of the <b>last</b> segment is treated as
/// the end (it is a write in progress, or a torn write the next writer truncates) — never an error.
/// </para>
/// <para>
/// A bad record in a segment the writer has left (a later segment exists) is corruption in the middle: with
/// <c>repair</c> on, the rest of that segment is moved to <c>corrupt/&lt;segment&gt;.&lt;offset&gt;.bin</c> with a warning
/// (<see cref="JournalOptions.OnWarning"/>) and reading continues with the next segment; with <c>repair</c> off
/// (status scans) it is only skipped.
/// </para>
/// </remarks>
internal sealed class JournalReader : IDisposable
{
    private readonly string _folder;
    private readonly JournalOptions _options;
    private readonly bool _repair;
    private readonly JournalPosition _from;
    private readonly JournalKeyDictionary _keys = new();
    private byte[] _scratch = new byte[64 * 1024];
    private SafeFileHandle? _handle;
    private long _segmentId;
    private long _offset;
    private long _nextSegmentToOpen;
    private bool _rereadAfterSeal;

    /// <summary>Reads the journal in <paramref name="runFolder"/> from <paramref name="from"/>.</summary>
    /// <param name="runFolder">The run journal's folder.</param>
    /// <param name="from">Where to start (a bookmark; <see cref="JournalPosition.Start"/> for the beginning).</param>
    /// <param name="options">Options (warnings go to <see cref="JournalOptions.OnWarning"/>).</param>
    /// <param name="repair">Whether corruption in the middle is quarantined (only the process holding the journal's lock may repair).</param>
    public JournalReader(string runFolder, JournalPosition from, JournalOptions options, bool repair = true)
    {
        _folder = runFolder;
        _options = options;
        _repair = repair;
        _from = from;
        _nextSegmentToOpen = Math.Max(from.SegmentId, 1);
    }

    /// <summary>Where the next record would start (the start position while no segment is open).</summary>
    public JournalPosition Position => _handle is null ? _from : new JournalPosition(_segmentId, _offset);

    /// <summary>Reads the next record, or returns <see langword="false"/> at the current end of the journal.</summary>
    public bool TryRead([NotNullWhen(true)] out JournalEntry? entry)
    {
        entry = null;
        while (true)
        {
            if (_handle is null && !OpenNextSegment())
            {
                return false;
            }

            var length = RandomAccess.GetLength(_handle!);
            var status = JournalSegment.ReadRecord(_handle!, _offset, length, ref _scratch, out var type, out var payloadLength, out var recordLength);
            if (status == SegmentReadStatus.Record)
            {
                var keyCount = _keys.Count;
                try
                {
                    var record = JournalRecordCodec.Decode(type, _scratch.AsSpan(0, payloadLength), _keys);
                    var start = new JournalPosition(_segmentId, _offset);
                    _offset += recordLength;
                    _rereadAfterSeal = false;
                    entry = new JournalEntry(record, start, new JournalPosition(_segmentId, _offset));
                    return true;
                }
                catch (JournalFormatException)
                {
                    _keys.TruncateTo(keyCount);
                    status = SegmentReadStatus.Corrupt;
                }
            }

            if (!LaterSegmentExists())
            {
                // The end of the last segment: a clean end, a write in progress or a torn write.
                return false;
            }

            // The writer has moved on, so this segment is complete. Read once more before judging: the first
            // read may have raced with the segment's last write.
            if (!_rereadAfterSeal || RandomAccess.GetLength(_handle!) != length)
            {
                _rereadAfterSeal = true;
                continue;
            }

            _rereadAfterSeal = false;

            if (status != SegmentReadStatus.End)
            {
                HandleMiddleCorruption(_offset);
            }

            CloseSegment();
        }
    }

    /// <summary>Closes the open segment.</summary>
    public void Dispose() => CloseSegment();

    private void HandleMiddleCorruption(long offset)
    {
        var path = SegmentPath(_segmentId);
        if (!_repair)
        {
            _options.OnWarning?.Invoke($"LlmTrack journal: corrupt data at offset {offset} of '{path}'; skipped the rest of the segment.");
            return;
        }

        CloseSegment();
        var target = JournalFiles.Quarantine(_folder, path, offset);
        _options.OnWarning?.Invoke($"LlmTrack journal: corrupt data at offset {offset} of '{path}'; moved the rest of the segment to '{target}' and continued with the next segment.");
    }

    private void CloseSegment()
    {
        if (_handle is not null)
        {
            _handle.Dispose();
            _handle = null;
            _nextSegmentToOpen = _segmentId + 1;
        }
    }

    private bool LaterSegmentExists()
    {
        foreach (var id in JournalFiles.ListSegments(_folder))
        {
            if (id > _segmentId)
            {
                return true;
            }
        }

        return false;
    }

    private bool OpenNextSegment()
    {
        while (true)
        {
            var ids = JournalFiles.ListSegments(_folder);
            var index = ids.FindIndex(id => id >= _nextSegmentToOpen);
            if (index < 0)
            {
                return false;
            }

            var id = ids[index];
            var isLast = index == ids.Count - 1;
            SafeFileHandle handle;
            try
            {
                handle = File.OpenHandle(SegmentPath(id), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (FileNotFoundException)
            {
                _nextSegmentToOpen = id + 1;
                continue;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw JournalException.From(ex, SegmentPath(id), "read");
            }

            Span<byte> header = stackalloc byte[JournalSegment.HeaderSize];
            var complete = RandomAccess.GetLength(handle) >= JournalSegment.HeaderSize && JournalFiles.ReadExactly(handle, header, 0);
            if (!complete || !JournalSegment.IsValidHeader(header, id))
            {
                handle.Dispose();
                if (isLast && !complete)
                {
                    // Being created: look again later.
                    return false;
                }

                if (JournalSegment.IsNewerVersion(header))
                {
                    throw new JournalException(JournalErrorKind.Corrupt, SegmentPath(id), $"LlmTrack journal: '{SegmentPath(id)}' was written by a newer LlmTrack version; use that version to deliver it.");
                }

                if (_repair && !isLast)
                {
                    var target = JournalFiles.Quarantine(_folder, SegmentPath(id), 0);
                    JournalFiles.TryDelete(SegmentPath(id));
                    _options.OnWarning?.Invoke($"LlmTrack journal: segment '{SegmentPath(id)}' has an invalid header; moved it to '{target}'.");
                }

                if (isLast)
                {
                    return false;
                }

                _nextSegmentToOpen = id + 1;
                continue;
            }

            _handle = handle;
            _segmentId = id;
            _keys.Clear();
            _offset = JournalSegment.HeaderSize;
            if (id == _from.SegmentId && _from.Offset > JournalSegment.HeaderSize)
            {
                RebuildKeys(_from.Offset);
                _offset = _from.Offset;
            }

            return true;
        }
    }

    private void RebuildKeys(long until)
    {
        var offset = (long)JournalSegment.HeaderSize;
        var length = RandomAccess.GetLength(_handle!);
        while (offset < until)
        {
            var status = JournalSegment.ReadRecord(_handle!, offset, length, ref _scratch, out var type, out var payloadLength, out var recordLength);
            if (status != SegmentReadStatus.Record)
            {
                return;
            }

            if (type == JournalRecordType.Metrics)
            {
                try
                {
                    JournalRecordCodec.ReadKeyDefinitions(_scratch.AsSpan(0, payloadLength), _keys);
                }
                catch (JournalFormatException)
                {
                    return;
                }
            }

            offset += recordLength;
        }
    }

    private string SegmentPath(long id) => Path.Combine(_folder, JournalFiles.SegmentFileName(id));
}
