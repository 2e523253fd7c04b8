namespace LlmTrack.Journal;

/// <summary>
/// The segment file a <see cref="JournalWriter"/> appends to: opened for append (a torn or corrupt tail cut off, an
/// invalid header or a segment the server already read past replaced by a fresh one) or created with its header, and
/// written at its end and forced to disk. A failed write never leaves part of a record behind.
/// </summary>
internal sealed class SegmentFile : IDisposable
{
    private readonly FileStream _stream;

    private SegmentFile(FileStream stream, long id, string path, long length)
    {
        _stream = stream;
        Id = id;
        Path = path;
        Length = length;
    }

    /// <summary>The segment's id.</summary>
    public long Id { get; }

    /// <summary>The segment file's path.</summary>
    public string Path { get; }

    /// <summary>The bytes written to the file (its header and complete records).</summary>
    public long Length { get; private set; }

    /// <summary>
    /// Opens the last segment of <paramref name="journal"/> for append, repairing its tail, or creates the first (or a
    /// fresh) one; <paramref name="keys"/> then hold the metric keys the segment defines.
    /// </summary>
    /// <exception cref="JournalException">The segment could not be opened, repaired or created, or a newer version wrote it.</exception>
    public static SegmentFile OpenForAppend(RunJournal journal, JournalKeyDictionary keys, long now)
    {
        var folder = journal.Folder;
        var onWarning = journal.Options.OnWarning;
        var segments = JournalFiles.ListSegments(folder);
        if (segments.Count == 0)
        {
            return Create(folder, 1, now, keys);
        }

        var id = segments[^1];
        var path = System.IO.Path.Combine(folder, JournalFiles.SegmentFileName(id));
        SegmentScan scan;
        try
        {
            scan = JournalSegment.Scan(path, id, keys);
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
                onWarning?.Invoke($"LlmTrack journal: segment '{path}' has an invalid header; moved its content to '{target}'.");
            }

            JournalFiles.TryDelete(path);
            keys.Clear();
            return Create(folder, id, now, keys);
        }

        if (scan.ValidEnd < scan.FileLength)
        {
            if (scan.IsTornTail)
            {
                onWarning?.Invoke($"LlmTrack journal: ignored a torn last record at offset {scan.ValidEnd} of '{path}' (an interrupted write).");
            }
            else
            {
                var target = JournalFiles.Quarantine(folder, path, scan.ValidEnd);
                onWarning?.Invoke($"LlmTrack journal: corrupt data at offset {scan.ValidEnd} of '{path}'; moved the rest of the segment to '{target}'.");
            }
        }

        var bookmark = journal.Bookmark;
        if (bookmark.SegmentId == id && bookmark.Offset > scan.ValidEnd)
        {
            // The server accepted records that the disk lost (written, not yet fsynced, at a power cut): never
            // hide new records behind the bookmark; continue in a fresh segment.
            keys.Clear();
            return Create(folder, id + 1, now, keys);
        }

        var stream = JournalFiles.OpenPrivate(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete, "open");
        try
        {
            stream.SetLength(scan.ValidEnd);
            stream.Flush(flushToDisk: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stream.Dispose();
            throw JournalException.From(ex, path, "repair");
        }

        return new SegmentFile(stream, id, path, scan.ValidEnd);
    }

    /// <summary>Creates segment <paramref name="id"/> in <paramref name="folder"/> with its header on disk; clears <paramref name="keys"/> (keys are defined per segment).</summary>
    /// <exception cref="JournalException">The file could not be created.</exception>
    public static SegmentFile Create(string folder, long id, long now, JournalKeyDictionary keys)
    {
        var path = System.IO.Path.Combine(folder, JournalFiles.SegmentFileName(id));
        var stream = JournalFiles.OpenPrivate(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete, "create");
        try
        {
            Span<byte> header = stackalloc byte[JournalSegment.HeaderSize];
            JournalSegment.WriteHeader(header, id, now);
            RandomAccess.Write(stream.SafeFileHandle, header, 0);
            stream.Flush(flushToDisk: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stream.Dispose();
            JournalFiles.TryDelete(path);
            throw JournalException.From(ex, path, "create");
        }

        keys.Clear();
        return new SegmentFile(stream, id, path, JournalSegment.HeaderSize);
    }

    /// <summary>Writes complete records at the end of the file (not forced to disk).</summary>
    /// <exception cref="JournalException">The disk refused the write; the file is cut back to its last complete record.</exception>
    public void Write(ReadOnlySpan<byte> records)
    {
        try
        {
            RandomAccess.Write(_stream.SafeFileHandle, records, Length);
            Length += records.Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            try
            {
                // Never leave part of a record behind: cut the file back to the last complete record.
                _stream.SetLength(Length);
            }
            catch (Exception cut) when (cut is IOException or UnauthorizedAccessException)
            {
                // The next open truncates a torn tail anyway.
            }

            throw JournalException.From(ex, Path, "write");
        }
    }

    /// <summary>Forces what was written to the storage device (fsync).</summary>
    /// <exception cref="JournalException">The flush failed.</exception>
    public void FlushToDisk()
    {
        try
        {
            _stream.Flush(flushToDisk: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw JournalException.From(ex, Path, "flush to disk");
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _stream.Dispose();
}
