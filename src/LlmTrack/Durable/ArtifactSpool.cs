using System.Buffers;
using System.Globalization;
using LlmTrack.Artifacts;
using LlmTrack.Journal;

namespace LlmTrack.Durable;

/// <summary>
/// The artifacts of one journaled run that were logged while the run existed only locally. Folders under the run's
/// journal folder (0700; files 0600 on Unix):
/// <list type="bullet">
/// <item><c>artifacts/&lt;relative path&gt;</c>: spooled files waiting for the server, what the pending run lists and
/// downloads;</item>
/// <item><c>artifacts.incoming/</c>: a spool being written (a temporary name; fsynced, then renamed into
/// <c>artifacts/</c>, so a crash never leaves a half file that looks complete);</item>
/// <item><c>artifacts.outgoing/&lt;segment&gt;-&lt;offset&gt;</c>: the file of the record being uploaded, taken out of
/// <c>artifacts/</c> so that a newer version of the same path can be spooled meanwhile;</item>
/// <item><c>artifacts.refused/&lt;relative path&gt;</c>: files the server refused for good (see <c>dead-letters.jsonl</c>).</item>
/// </list>
/// </summary>
/// <remarks>
/// Writing: the content is stream-copied (memory independent of its size) to the temporary file and fsynced, renamed
/// to its path (replacing an earlier version), then an <see cref="ArtifactSpooledRecord"/> is appended and fsynced.
/// Delivering (the shipper, one record at a time): <see cref="TakeForUpload"/>, upload, <see cref="Complete"/> (deletes
/// the file) or <see cref="Refuse"/>; the record is acknowledged afterwards. A record whose file is gone was delivered
/// already (by a record of the same path that carried its newer version, or before a crash that came before the
/// acknowledgement).
/// </remarks>
internal sealed class ArtifactSpool
{
    private const int CopyBufferSize = 81920;

    // Serializes renames in artifacts/ (spooling, taking for upload, pruning folders) and the in-flight map.
    private readonly object _gate = new();
    private readonly Dictionary<string, string> _inFlight = new(StringComparer.Ordinal);
    private int _pending;

    // The spooled and the refused files are laid out as local artifact roots: the same path rule and listing.
    private readonly LocalArtifactRepository _spooled;
    private readonly LocalArtifactRepository _refused;

    /// <summary>The spool of the run journal in <paramref name="runFolder"/>.</summary>
    public ArtifactSpool(string runFolder)
    {
        _spooled = new LocalArtifactRepository(Path.Combine(runFolder, JournalFiles.ArtifactsFolderName));
        _refused = new LocalArtifactRepository(Path.Combine(runFolder, JournalFiles.ArtifactsRefusedFolderName));
        Root = _spooled.RootPath;
        IncomingFolder = Path.Combine(runFolder, JournalFiles.ArtifactsIncomingFolderName);
        OutgoingFolder = Path.Combine(runFolder, JournalFiles.ArtifactsOutgoingFolderName);
        RefusedFolder = _refused.RootPath;
    }

    /// <summary>The folder of spooled files at their relative paths.</summary>
    public string Root { get; }

    /// <summary>The folder of spools being written.</summary>
    public string IncomingFolder { get; }

    /// <summary>The folder of the file being uploaded.</summary>
    public string OutgoingFolder { get; }

    /// <summary>The folder of refused files.</summary>
    public string RefusedFolder { get; }

    /// <summary>Artifacts this process spooled that are not delivered (or refused) yet.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Where the file of <paramref name="relativePath"/> is spooled.</summary>
    /// <exception cref="MlflowException">The path is not a valid relative artifact path.</exception>
    public string PathOf(string relativePath) => _spooled.PathOf(relativePath);

    /// <summary>Deletes spools that a dead process left half-written (only the journal's lock holder may).</summary>
    public void DeleteIncomingLeftovers()
    {
        try
        {
            if (Directory.Exists(IncomingFolder))
            {
                Directory.Delete(IncomingFolder, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Harmless: the next take-over tries again, and the journal's deletion removes them.
        }
    }

    /// <summary>
    /// Writes the content to the spool durably (fsync, rename) and calls <paramref name="appendRecord"/> with the
    /// record that names it; returns when both are durable.
    /// </summary>
    /// <exception cref="JournalDiskCapExceededException">The content would take the journal past its disk cap; nothing was kept.</exception>
    /// <exception cref="JournalException">The disk refused the write; nothing was kept.</exception>
    public async Task WriteAsync(
        string relativePath,
        Func<CancellationToken, Task<Stream>> openContent,
        long? length,
        JournalOptions journalOptions,
        Action<JournalRecord> appendRecord,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(openContent);
        var target = PathOf(relativePath);
        using var reservation = JournalDiskBudget.For(journalOptions.Root).Reserve(journalOptions, relativePath, length ?? 0);
        JournalFiles.CreatePrivateFolder(IncomingFolder);
        var temporary = Path.Combine(IncomingFolder, Guid.NewGuid().ToString("N") + ".tmp");
        long written = 0;
        try
        {
            var source = await openContent(cancellationToken).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                var options = JournalFiles.PrivateFileOptions(FileMode.CreateNew, FileAccess.Write, FileShare.None);
                options.Options = FileOptions.Asynchronous;
                var destination = new FileStream(temporary, options);
                await using (destination.ConfigureAwait(false))
                {
                    var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
                    try
                    {
                        int read;
                        while ((read = await source.ReadAsync(buffer.AsMemory(0, CopyBufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                        {
                            reservation.EnsureAtLeast(written + read);
                            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                            written += read;
                        }
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }

                    destination.Flush(flushToDisk: true);
                }
            }

            lock (_gate)
            {
                JournalFiles.CreatePrivateFolder(Path.GetDirectoryName(target)!);
                File.Move(temporary, target, overwrite: true);
                _pending++;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw JournalException.From(ex, target, "spool the artifact to");
        }
        finally
        {
            if (File.Exists(temporary))
            {
                JournalFiles.TryDelete(temporary);
            }
        }

        try
        {
            appendRecord(new ArtifactSpooledRecord(relativePath, written));
        }
        catch
        {
            Interlocked.Decrement(ref _pending);
            throw;
        }
    }

    /// <summary>
    /// Takes the file of the record at <paramref name="position"/> out of <c>artifacts/</c> for its upload (or finds it
    /// taken already by an attempt before); <see langword="null"/> when it was delivered already.
    /// </summary>
    public string? TakeForUpload(string relativePath, JournalPosition position)
    {
        var outgoing = Path.Combine(OutgoingFolder, string.Create(CultureInfo.InvariantCulture, $"{position.SegmentId}-{position.Offset}"));
        lock (_gate)
        {
            if (!File.Exists(outgoing))
            {
                var spooled = PathOf(relativePath);
                if (!File.Exists(spooled))
                {
                    return null;
                }

                try
                {
                    JournalFiles.CreatePrivateFolder(OutgoingFolder);
                    File.Move(spooled, outgoing);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw JournalException.From(ex, spooled, "prepare the upload of");
                }

                PruneEmptyFolders(Path.GetDirectoryName(spooled)!);
            }

            _inFlight[relativePath] = outgoing;
            return outgoing;
        }
    }

    /// <summary>The upload of <paramref name="outgoing"/> succeeded: deletes the file.</summary>
    public void Complete(string relativePath, string outgoing)
    {
        lock (_gate)
        {
            JournalFiles.TryDelete(outgoing);
            _inFlight.Remove(relativePath);
        }

        CountDone();
    }

    /// <summary>A record whose file was gone (delivered already) needs no upload.</summary>
    public void CountDone()
    {
        if (Interlocked.Decrement(ref _pending) < 0)
        {
            // A journal of an earlier process: its spools were never counted here.
            Interlocked.Exchange(ref _pending, 0);
        }
    }

    /// <summary>The server refused <paramref name="outgoing"/> for good: keeps it under <c>artifacts.refused/</c>; returns where.</summary>
    public string Refuse(string relativePath, string outgoing)
    {
        var refused = _refused.PathOf(relativePath);
        lock (_gate)
        {
            try
            {
                JournalFiles.CreatePrivateFolder(Path.GetDirectoryName(refused)!);
                File.Move(outgoing, refused, overwrite: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw JournalException.From(ex, outgoing, "keep the refused artifact");
            }

            _inFlight.Remove(relativePath);
        }

        CountDone();
        return refused;
    }

    /// <summary>The direct children of a folder among the spooled files (<see langword="null"/> = the root), sorted by path.</summary>
    public IReadOnlyList<ArtifactFile> List(string? relativePath)
    {
        var prefix = string.IsNullOrEmpty(relativePath) ? "" : relativePath.Trim('/') + "/";
        var items = new Dictionary<string, ArtifactFile>(StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (var file in _spooled.List(relativePath))
            {
                items[file.Path] = file;
            }

            foreach (var (path, outgoing) in _inFlight)
            {
                if (!path.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var rest = path[prefix.Length..];
                var slash = rest.IndexOf('/', StringComparison.Ordinal);
                if (slash >= 0)
                {
                    items.TryAdd(prefix + rest[..slash], new ArtifactFile(prefix + rest[..slash], true, null));
                }
                else if (!items.ContainsKey(path) && File.Exists(outgoing))
                {
                    items[path] = new ArtifactFile(path, false, new FileInfo(outgoing).Length);
                }
            }
        }

        var list = items.Values.ToList();
        list.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return list;
    }

    /// <summary>Copies the spooled file of <paramref name="relativePath"/> (the newest version) into <paramref name="destination"/>; false when none is spooled.</summary>
    public async Task<bool> TryCopyToAsync(string relativePath, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var spooled = PathOf(relativePath);
        FileStream? source = null;
        lock (_gate)
        {
            foreach (var candidate in (ReadOnlySpan<string?>)[spooled, _inFlight.GetValueOrDefault(relativePath)])
            {
                if (candidate is null)
                {
                    continue;
                }

                try
                {
                    // Opened under the gate, so the shipper cannot move or delete it in between; an open handle reads the
                    // content even if the file is renamed or deleted afterwards.
                    source = new FileStream(candidate, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, CopyBufferSize, useAsync: true);
                    break;
                }
                catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
                {
                    // Not there (a folder of that name, or delivered): try the next place.
                }
            }
        }

        if (source is null)
        {
            return false;
        }

        await using (source.ConfigureAwait(false))
        {
            await source.CopyToAsync(destination, CopyBufferSize, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    private void PruneEmptyFolders(string folder)
    {
        var root = Path.TrimEndingDirectorySeparator(Root);
        while (folder.Length > root.Length && folder.StartsWith(root, StringComparison.Ordinal))
        {
            try
            {
                if (Directory.EnumerateFileSystemEntries(folder).Any())
                {
                    return;
                }

                Directory.Delete(folder);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return;
            }

            folder = Path.GetDirectoryName(folder)!;
        }
    }
}
