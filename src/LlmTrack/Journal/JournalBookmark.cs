using System.Buffers.Binary;

namespace LlmTrack.Journal;

/// <summary>
/// The bookmark of a run journal: the position up to which the server has accepted the records.
/// Stored in <c>bookmark</c> as 24 bytes (magic <c>LTBM</c>, segment id int64 LE, offset int64 LE,
/// CRC-32C uint32 LE) and replaced atomically (temporary file, fsync, rename), so it is either the old or
/// the new position, never a mix. A missing or invalid bookmark means "from the start": records may then
/// be sent twice, never lost.
/// </summary>
internal static class JournalBookmark
{
    private const int Size = 24;

    private static ReadOnlySpan<byte> Magic => "LTBM"u8;

    /// <summary>Reads the bookmark of a run folder (<see cref="JournalPosition.Start"/> when none is valid).</summary>
    public static JournalPosition Load(string runFolder)
    {
        if (!JournalFiles.TryReadAll(Path.Combine(runFolder, JournalFiles.BookmarkFileName), out var content) ||
            content.Length != Size ||
            !content.AsSpan(0, 4).SequenceEqual(Magic) ||
            BinaryPrimitives.ReadUInt32LittleEndian(content.AsSpan(20)) != Crc32C.Compute(content.AsSpan(0, 20)))
        {
            return JournalPosition.Start;
        }

        return new JournalPosition(
            BinaryPrimitives.ReadInt64LittleEndian(content.AsSpan(4)),
            BinaryPrimitives.ReadInt64LittleEndian(content.AsSpan(12)));
    }

    /// <summary>Stores <paramref name="position"/> atomically and durably.</summary>
    public static void Save(string runFolder, JournalPosition position)
    {
        Span<byte> content = stackalloc byte[Size];
        Magic.CopyTo(content);
        BinaryPrimitives.WriteInt64LittleEndian(content[4..], position.SegmentId);
        BinaryPrimitives.WriteInt64LittleEndian(content[12..], position.Offset);
        BinaryPrimitives.WriteUInt32LittleEndian(content[20..], Crc32C.Compute(content[..20]));
        JournalFiles.WriteAtomically(Path.Combine(runFolder, JournalFiles.BookmarkFileName), content);
    }
}

/// <summary>
/// The lock of a run journal: <c>journal.lock</c> opened with <see cref="FileShare.None"/> (an exclusive
/// <c>flock</c> on Unix, a sharing lock on Windows) by the one process that writes and ships the journal.
/// The operating system releases it when that process ends, even after <c>kill -9</c>, so a dead writer's
/// journal can be taken over by the next process.
/// </summary>
internal sealed class JournalLock : IDisposable
{
    private readonly FileStream _stream;

    private JournalLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock of a run folder, or returns <see langword="null"/> when another holder has it.</summary>
    public static JournalLock? TryAcquire(string runFolder)
    {
        var path = Path.Combine(runFolder, JournalFiles.LockFileName);
        try
        {
            return new JournalLock(new FileStream(path, JournalFiles.PrivateFileOptions(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None)));
        }
        catch (UnauthorizedAccessException ex)
        {
            throw JournalException.From(ex, path, "lock");
        }
        catch (IOException ex) when (!JournalException.IsDiskFull(ex) && File.Exists(path))
        {
            return null;
        }
        catch (IOException ex)
        {
            throw JournalException.From(ex, path, "lock");
        }
    }

    /// <summary>Whether a holder has the lock of a run folder right now (probes by taking and releasing it).</summary>
    public static bool IsHeld(string runFolder)
    {
        if (!File.Exists(Path.Combine(runFolder, JournalFiles.LockFileName)))
        {
            return false;
        }

        using var probe = TryAcquire(runFolder);
        return probe is null;
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _stream.Dispose();
}
