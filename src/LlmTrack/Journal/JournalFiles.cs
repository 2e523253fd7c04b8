using System.Diagnostics.CodeAnalysis;
using Microsoft.Win32.SafeHandles;

namespace LlmTrack.Journal;

/// <summary>
/// File-system helpers of the journal: private folders (0700) and files (0600) on Unix, atomic
/// replacement (write a temporary file, fsync, rename) and the names of the files in a run folder.
/// </summary>
internal static class JournalFiles
{
    /// <summary>The run's identity and state (JSON, replaced atomically).</summary>
    public const string ManifestFileName = "run.json";

    /// <summary>How far the server has accepted the journal (binary, replaced atomically).</summary>
    public const string BookmarkFileName = "bookmark";

    /// <summary>Held open exclusively by the process writing or shipping the journal.</summary>
    public const string LockFileName = "journal.lock";

    /// <summary>Items the server rejected for their content (JSON lines).</summary>
    public const string DeadLetterFileName = "dead-letters.jsonl";

    /// <summary>Quarantined corrupt bytes.</summary>
    public const string CorruptFolderName = "corrupt";

    /// <summary>Artifacts spooled while the run existed only locally, at their relative paths (what a pending run lists and downloads).</summary>
    public const string ArtifactsFolderName = "artifacts";

    /// <summary>Artifact spools being written (temporary files; a complete one is renamed into <see cref="ArtifactsFolderName"/>).</summary>
    public const string ArtifactsIncomingFolderName = "artifacts.incoming";

    /// <summary>The spooled artifact being uploaded, named after its record's position (taken out of <see cref="ArtifactsFolderName"/> so a newer version can be spooled meanwhile).</summary>
    public const string ArtifactsOutgoingFolderName = "artifacts.outgoing";

    /// <summary>Spooled artifacts the server refused for good (listed in <see cref="DeadLetterFileName"/>).</summary>
    public const string ArtifactsRefusedFolderName = "artifacts.refused";

    /// <summary>The extension of segment files.</summary>
    public const string SegmentExtension = ".ljs";

    private const UnixFileMode PrivateFolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The file name of segment <paramref name="segmentId"/>.</summary>
    public static string SegmentFileName(long segmentId) =>
        segmentId.ToString("D12", System.Globalization.CultureInfo.InvariantCulture) + SegmentExtension;

    /// <summary>Parses a segment file name; false for other files.</summary>
    public static bool TryParseSegmentFileName(string fileName, out long segmentId)
    {
        segmentId = 0;
        return fileName.EndsWith(SegmentExtension, StringComparison.Ordinal) &&
               long.TryParse(fileName.AsSpan(0, fileName.Length - SegmentExtension.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out segmentId) &&
               segmentId > 0;
    }

    /// <summary>The ids of the segments in a run folder, ascending.</summary>
    public static List<long> ListSegments(string runFolder)
    {
        var ids = new List<long>();
        if (!Directory.Exists(runFolder))
        {
            return ids;
        }

        foreach (var path in Directory.EnumerateFiles(runFolder, "*" + SegmentExtension))
        {
            if (TryParseSegmentFileName(Path.GetFileName(path), out var id))
            {
                ids.Add(id);
            }
        }

        ids.Sort();
        return ids;
    }

    /// <summary>Bytes of the artifact files kept in a run folder (spooled, being written or uploaded, refused).</summary>
    public static long ArtifactBytes(string runFolder)
    {
        long total = 0;
        foreach (var name in (ReadOnlySpan<string>)[ArtifactsFolderName, ArtifactsIncomingFolderName, ArtifactsOutgoingFolderName, ArtifactsRefusedFolderName])
        {
            var folder = Path.Combine(runFolder, name);
            if (!Directory.Exists(folder))
            {
                continue;
            }

            try
            {
                foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories))
                {
                    try
                    {
                        total += file.Length;
                    }
                    catch (FileNotFoundException)
                    {
                        // Delivered and deleted while measuring.
                    }
                }
            }
            catch (DirectoryNotFoundException)
            {
                // Emptied and removed while measuring.
            }
        }

        return total;
    }

    /// <summary>
    /// Bytes the journals under <paramref name="root"/> take on disk: every segment file and every artifact file kept in
    /// a run folder (what <see cref="JournalOptions.MaxTotalBytes"/> caps). Segment <paramref name="excludeSegment"/> is
    /// left out (its writer counts it itself).
    /// </summary>
    public static long MeasureUsage(string root, string? excludeSegment = null)
    {
        long total = 0;
        if (!Directory.Exists(root))
        {
            return 0;
        }

        foreach (var folder in Directory.EnumerateDirectories(root))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*" + SegmentExtension))
            {
                if (!string.Equals(file, excludeSegment, StringComparison.Ordinal))
                {
                    try
                    {
                        total += new FileInfo(file).Length;
                    }
                    catch (FileNotFoundException)
                    {
                        // Deleted after acknowledgement while measuring.
                    }
                }
            }

            total += ArtifactBytes(folder);
        }

        return total;
    }

    /// <summary>
    /// Creates a folder readable only by the user (0700 on Unix); tightens the mode of an existing one. Missing parent
    /// folders are created 0700 too (e.g. the journal root above a server's folder); existing parents are left alone.
    /// </summary>
    public static void CreatePrivateFolder(string path)
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(path);
                return;
            }

            var existed = Directory.Exists(path);
            if (!existed)
            {
                CreateMissingParentsPrivately(path);
            }

            Directory.CreateDirectory(path, PrivateFolderMode);
            if (existed && (File.GetUnixFileMode(path) & ~PrivateFolderMode) != 0)
            {
                File.SetUnixFileMode(path, PrivateFolderMode);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw JournalException.From(ex, path, "create the journal folder");
        }
    }

    // Directory.CreateDirectory(path, mode) gives only the last folder the mode; the ones above get 0777 & ~umask.
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void CreateMissingParentsPrivately(string path)
    {
        var missing = new Stack<string>();
        for (var parent = Path.GetDirectoryName(Path.GetFullPath(path)); !string.IsNullOrEmpty(parent) && !Directory.Exists(parent); parent = Path.GetDirectoryName(parent))
        {
            missing.Push(parent);
        }

        while (missing.TryPop(out var folder))
        {
            Directory.CreateDirectory(folder, PrivateFolderMode);
        }
    }

    /// <summary>Options for a private file (0600 on Unix).</summary>
    public static FileStreamOptions PrivateFileOptions(FileMode mode, FileAccess access, FileShare share)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share, BufferSize = 0 };
        if (!OperatingSystem.IsWindows() && mode != FileMode.Open)
        {
            options.UnixCreateMode = PrivateFileMode;
        }

        return options;
    }

    /// <summary>Opens (creating when needed) a private file, mapping failures to <see cref="JournalException"/>.</summary>
    public static FileStream OpenPrivate(string path, FileMode mode, FileAccess access, FileShare share, string action)
    {
        try
        {
            return new FileStream(path, PrivateFileOptions(mode, access, share));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw JournalException.From(ex, path, action);
        }
    }

    /// <summary>
    /// Replaces <paramref name="path"/> atomically with <paramref name="content"/>: writes
    /// <c>path.tmp</c> (0600), flushes it to disk, then renames it over the target.
    /// </summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        var temporary = path + ".tmp";
        try
        {
            using (var stream = new FileStream(temporary, PrivateFileOptions(FileMode.Create, FileAccess.Write, FileShare.None)))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw JournalException.From(ex, path, "write");
        }
    }

    /// <summary>Reads a whole file, or returns false when it does not exist.</summary>
    public static bool TryReadAll(string path, [NotNullWhen(true)] out byte[]? content)
    {
        if (!File.Exists(path))
        {
            content = null;
            return false;
        }

        try
        {
            content = File.ReadAllBytes(path);
            return true;
        }
        catch (FileNotFoundException)
        {
            content = null;
            return false;
        }
        catch (DirectoryNotFoundException)
        {
            content = null;
            return false;
        }
    }

    /// <summary>Deletes a file, ignoring a file that is already gone.</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary file is harmless.
        }
        catch (UnauthorizedAccessException)
        {
            // Best effort, as above.
        }
    }

    /// <summary>Reads exactly <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>; false when the file is shorter.</summary>
    public static bool ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = RandomAccess.Read(handle, buffer[total..], offset + total);
            if (read == 0)
            {
                return false;
            }

            total += read;
        }

        return true;
    }

    /// <summary>
    /// Moves bytes <c>[from, end)</c> of a segment to <c>corrupt/&lt;segment&gt;.&lt;from&gt;.bin</c> and truncates the
    /// segment at <paramref name="from"/>. Returns the quarantine file's path.
    /// </summary>
    public static string Quarantine(string runFolder, string segmentPath, long from)
    {
        var corruptFolder = Path.Combine(runFolder, CorruptFolderName);
        CreatePrivateFolder(corruptFolder);
        var target = Path.Combine(corruptFolder, $"{Path.GetFileName(segmentPath)}.{from.ToString(System.Globalization.CultureInfo.InvariantCulture)}.bin");
        try
        {
            using var source = new FileStream(segmentPath, PrivateFileOptions(FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete));
            using (var destination = new FileStream(target, PrivateFileOptions(FileMode.Create, FileAccess.Write, FileShare.None)))
            {
                source.Position = from;
                source.CopyTo(destination);
                destination.Flush(flushToDisk: true);
            }

            source.SetLength(from);
            source.Flush(flushToDisk: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw JournalException.From(ex, segmentPath, "quarantine corrupt data of");
        }

        return target;
    }
}
