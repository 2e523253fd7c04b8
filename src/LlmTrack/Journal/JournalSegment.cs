using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace LlmTrack.Journal;

/// <summary>Outcome of reading one record from a segment.</summary>
internal enum SegmentReadStatus
{
    /// <summary>A complete record with a valid checksum.</summary>
    Record,

    /// <summary>No bytes left: a clean end.</summary>
    End,

    /// <summary>The bytes left are fewer than the record they start (a write cut short, or still in progress).</summary>
    Incomplete,

    /// <summary>A complete record whose checksum, length or type is wrong.</summary>
    Corrupt,
}

/// <summary>
/// The segment file format. A segment starts with a 32-byte header:
/// magic <c>LLMTJRNL</c> (8 bytes), format version (uint16 LE, 1), reserved (uint16), segment id (int64 LE),
/// creation time (int64 LE, Unix ms), CRC-32C of the preceding 28 bytes (uint32 LE).
/// Records follow back to back: CRC-32C (uint32 LE) of everything after it, payload length (uint32 LE),
/// record type (1 byte), payload. A record is valid only when complete and its checksum matches.
/// </summary>
internal static class JournalSegment
{
    /// <summary>Size of the segment header.</summary>
    public const int HeaderSize = 32;

    /// <summary>Size of a record header (checksum, length, type).</summary>
    public const int RecordHeaderSize = 9;

    /// <summary>The largest payload of one record (16 MiB).</summary>
    public const int MaxPayloadSize = 16 * 1024 * 1024;

    /// <summary>The format version written by this code.</summary>
    public const ushort FormatVersion = 1;

    private static ReadOnlySpan<byte> Magic => "LLMTJRNL"u8;

    /// <summary>Writes a segment header.</summary>
    public static void WriteHeader(Span<byte> destination, long segmentId, long createdAt)
    {
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[8..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[10..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(destination[12..], segmentId);
        BinaryPrimitives.WriteInt64LittleEndian(destination[20..], createdAt);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[28..], Crc32C.Compute(destination[..28]));
    }

    /// <summary>Whether a segment starts with a valid header of segment <paramref name="segmentId"/>.</summary>
    public static bool IsValidHeader(ReadOnlySpan<byte> header, long segmentId) =>
        header.Length >= HeaderSize &&
        header[..8].SequenceEqual(Magic) &&
        BinaryPrimitives.ReadUInt16LittleEndian(header[8..]) == FormatVersion &&
        BinaryPrimitives.ReadInt64LittleEndian(header[12..]) == segmentId &&
        BinaryPrimitives.ReadUInt32LittleEndian(header[28..]) == Crc32C.Compute(header[..28]);

    /// <summary>Whether the header has the magic of a newer, unknown format version.</summary>
    public static bool IsNewerVersion(ReadOnlySpan<byte> header) =>
        header.Length >= HeaderSize && header[..8].SequenceEqual(Magic) &&
        BinaryPrimitives.ReadUInt16LittleEndian(header[8..]) > FormatVersion;

    /// <summary>Starts a record in <paramref name="buffer"/>: reserves its header (the caller then writes the payload and calls <see cref="EndRecord"/>); returns where it starts.</summary>
    public static int BeginRecord(JournalBuffer buffer, JournalRecordType type)
    {
        var start = buffer.Length;
        var header = buffer.Reserve(RecordHeaderSize);
        header[8] = (byte)type;
        return start;
    }

    /// <summary>Completes a record begun at <paramref name="start"/>; returns its total size.</summary>
    public static int EndRecord(JournalBuffer buffer, int start)
    {
        var payloadLength = buffer.Length - start - RecordHeaderSize;
        if (payloadLength > MaxPayloadSize)
        {
            buffer.Truncate(start);
            throw new ArgumentException($"A journal record may hold at most {MaxPayloadSize} bytes; this one has {payloadLength}. Split the batch.");
        }

        var record = buffer.Slice(start, buffer.Length - start);
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)payloadLength);
        BinaryPrimitives.WriteUInt32LittleEndian(record, Crc32C.Compute(record[4..]));
        return record.Length;
    }

    /// <summary>
    /// Reads the record at <paramref name="offset"/> of a file of <paramref name="fileLength"/> bytes into
    /// <paramref name="scratch"/> (grown as needed). On <see cref="SegmentReadStatus.Record"/>, the payload is
    /// <c>scratch[..payloadLength]</c>; <paramref name="recordLength"/> is the record's total size whenever the
    /// header could be read (also for corrupt records).
    /// </summary>
    public static SegmentReadStatus ReadRecord(
        SafeFileHandle handle,
        long offset,
        long fileLength,
        ref byte[] scratch,
        out JournalRecordType type,
        out int payloadLength,
        out long recordLength)
    {
        type = 0;
        payloadLength = 0;
        recordLength = 0;
        var remaining = fileLength - offset;
        if (remaining <= 0)
        {
            return SegmentReadStatus.End;
        }

        if (remaining < RecordHeaderSize)
        {
            return SegmentReadStatus.Incomplete;
        }

        Span<byte> header = stackalloc byte[RecordHeaderSize];
        if (!JournalFiles.ReadExactly(handle, header, offset))
        {
            return SegmentReadStatus.Incomplete;
        }

        var storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(header);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        type = (JournalRecordType)header[8];
        if (length > MaxPayloadSize)
        {
            // A wrong length cannot be trusted to find the record's end: treat like a cut-short tail when it runs
            // past the file, as corruption otherwise.
            return length > remaining - RecordHeaderSize ? SegmentReadStatus.Incomplete : SegmentReadStatus.Corrupt;
        }

        recordLength = RecordHeaderSize + (long)length;
        if (recordLength > remaining)
        {
            return SegmentReadStatus.Incomplete;
        }

        if (scratch.Length < length)
        {
            scratch = new byte[Math.Max(length, scratch.Length * 2)];
        }

        var payload = scratch.AsSpan(0, (int)length);
        if (!JournalFiles.ReadExactly(handle, payload, offset + RecordHeaderSize))
        {
            return SegmentReadStatus.Incomplete;
        }

        if (Crc32C.Append(Crc32C.Compute(header[4..]), payload) != storedCrc || type is < JournalRecordType.RunCreated or > JournalRecordType.ArtifactSpooled)
        {
            return SegmentReadStatus.Corrupt;
        }

        payloadLength = (int)length;
        return SegmentReadStatus.Record;
    }

    /// <summary>
    /// Reads a segment from its header to where valid records end. Defines the segment's metric keys in
    /// <paramref name="keys"/> and reports each record to <paramref name="onRecord"/> when given.
    /// </summary>
    public static SegmentScan Scan(string path, long segmentId, JournalKeyDictionary? keys, Action<JournalRecord, JournalPosition>? onRecord = null)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var fileLength = RandomAccess.GetLength(handle);
        Span<byte> header = stackalloc byte[HeaderSize];
        if (fileLength < HeaderSize || !JournalFiles.ReadExactly(handle, header, 0))
        {
            return new SegmentScan(false, false, 0, fileLength, 0, SegmentReadStatus.Incomplete, 0);
        }

        if (!IsValidHeader(header, segmentId))
        {
            return new SegmentScan(false, IsNewerVersion(header), 0, fileLength, 0, SegmentReadStatus.Corrupt, 0);
        }

        keys ??= new JournalKeyDictionary();
        var scratch = new byte[64 * 1024];
        long offset = HeaderSize;
        var records = 0;
        while (true)
        {
            var status = ReadRecord(handle, offset, fileLength, ref scratch, out var type, out var payloadLength, out var recordLength);
            if (status != SegmentReadStatus.Record)
            {
                return new SegmentScan(true, false, offset, fileLength, records, status, recordLength);
            }

            var payload = scratch.AsSpan(0, payloadLength);
            try
            {
                if (onRecord is not null)
                {
                    onRecord(JournalRecordCodec.Decode(type, payload, keys), new JournalPosition(segmentId, offset));
                }
                else if (type == JournalRecordType.Metrics)
                {
                    JournalRecordCodec.ReadKeyDefinitions(payload, keys);
                }
            }
            catch (JournalFormatException)
            {
                return new SegmentScan(true, false, offset, fileLength, records, SegmentReadStatus.Corrupt, recordLength);
            }

            offset += recordLength;
            records++;
        }
    }
}

/// <summary>The result of scanning a segment.</summary>
/// <param name="HeaderValid">Whether the header is valid.</param>
/// <param name="NewerVersion">Whether the header is from a newer format version (never repaired).</param>
/// <param name="ValidEnd">Where the valid records end (0 when the header is invalid).</param>
/// <param name="FileLength">The file's length.</param>
/// <param name="Records">Valid records found.</param>
/// <param name="EndStatus">Why scanning stopped.</param>
/// <param name="BadRecordLength">Size of the record at <paramref name="ValidEnd"/> when its header could be read.</param>
internal readonly record struct SegmentScan(bool HeaderValid, bool NewerVersion, long ValidEnd, long FileLength, int Records, SegmentReadStatus EndStatus, long BadRecordLength)
{
    /// <summary>
    /// Whether the invalid bytes at the end are only a torn last write: an incomplete record, or one
    /// complete record with a bad checksum that ends exactly at the end of the file.
    /// </summary>
    public bool IsTornTail => EndStatus == SegmentReadStatus.Incomplete ||
        (EndStatus == SegmentReadStatus.Corrupt && ValidEnd + BadRecordLength == FileLength);
}
