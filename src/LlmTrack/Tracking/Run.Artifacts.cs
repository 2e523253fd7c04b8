// Part of the public class Run (one type, so a partial): the artifact upload members. Run.cs holds the logging hot
// path, flushing and ending, and the internal seam the evaluation layer builds on.
using System.Text;
using LlmTrack.Tracking;
using LlmTrack.Validation;

namespace LlmTrack;

/// <content>The artifact uploads of a run: files, folders, streams, text and bytes, uploaded at the call.</content>
public sealed partial class Run
{
    /// <summary>Uploads a local file into the run's artifacts (under <paramref name="artifactPath"/>, keeping its name).</summary>
    /// <param name="localPath">The file to upload.</param>
    /// <param name="artifactPath">The folder under the artifact root (default: the root); never absolute, never with <c>..</c>.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    public void LogArtifact(string localPath, string? artifactPath = null, CancellationToken cancellationToken = default) => SyncOverAsync.Run(ct => LogArtifactAsync(localPath, artifactPath, ct), cancellationToken);

    /// <summary>Uploads a local file into the run's artifacts; completes when the store has it.</summary>
    /// <param name="localPath">The file to upload.</param>
    /// <param name="artifactPath">The folder under the artifact root (default: the root); never absolute, never with <c>..</c>.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>A task that completes when the file is stored.</returns>
    public Task LogArtifactAsync(string localPath, string? artifactPath = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(localPath);
        var folder = ArtifactPaths.NormalizeFolder(artifactPath, nameof(artifactPath));
        var file = new FileInfo(Path.GetFullPath(localPath));
        if (!file.Exists)
        {
            throw new FileNotFoundException($"The artifact file '{file.FullName}' does not exist.", file.FullName);
        }

        return UploadFileAsync(file, ArtifactPaths.Combine(folder, file.Name), cancellationToken);
    }

    /// <summary>Uploads every file under a local folder (recursively), keeping the folder structure.</summary>
    /// <param name="localDirectory">The folder whose contents to upload.</param>
    /// <param name="artifactPath">The folder under the artifact root (default: the root).</param>
    /// <param name="cancellationToken">Cancels the remaining uploads.</param>
    public void LogArtifacts(string localDirectory, string? artifactPath = null, CancellationToken cancellationToken = default) => SyncOverAsync.Run(ct => LogArtifactsAsync(localDirectory, artifactPath, ct), cancellationToken);

    /// <summary>Uploads every file under a local folder (recursively, one file at a time, in ordinal path order).</summary>
    /// <param name="localDirectory">The folder whose contents to upload.</param>
    /// <param name="artifactPath">The folder under the artifact root (default: the root).</param>
    /// <param name="cancellationToken">Cancels the remaining uploads.</param>
    /// <returns>A task that completes when every file is stored.</returns>
    public async Task LogArtifactsAsync(string localDirectory, string? artifactPath = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(localDirectory);
        var folder = ArtifactPaths.NormalizeFolder(artifactPath, nameof(artifactPath));
        var root = new DirectoryInfo(Path.GetFullPath(localDirectory));
        if (!root.Exists)
        {
            throw new DirectoryNotFoundException($"The artifact folder '{root.FullName}' does not exist.");
        }

        var files = root.EnumerateFiles("*", SearchOption.AllDirectories)
            .Select(f => (File: f, Relative: Path.GetRelativePath(root.FullName, f.FullName).Replace('\\', '/')))
            .OrderBy(f => f.Relative, StringComparer.Ordinal)
            .ToList();
        foreach (var (file, relative) in files)
        {
            await UploadFileAsync(file, ArtifactPaths.Combine(folder, relative), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Uploads the rest of a stream as an artifact file. The stream is not closed.</summary>
    /// <param name="content">The content; read from its current position. A seekable stream is rewound for a retried upload.</param>
    /// <param name="artifactFile">The file's path under the artifact root, e.g. <c>plots/roc.svg</c>.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    public void LogArtifact(Stream content, string artifactFile, CancellationToken cancellationToken = default) => SyncOverAsync.Run(ct => LogArtifactAsync(content, artifactFile, ct), cancellationToken);

    /// <summary>Uploads the rest of a stream as an artifact file. The stream is not closed.</summary>
    /// <param name="content">The content; read from its current position. A seekable stream is rewound for a retried upload.</param>
    /// <param name="artifactFile">The file's path under the artifact root, e.g. <c>plots/roc.svg</c>.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>A task that completes when the file is stored.</returns>
    public Task LogArtifactAsync(Stream content, string artifactFile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = ArtifactPaths.NormalizeFile(artifactFile, nameof(artifactFile));
        long? length = null;
        Func<CancellationToken, Task<Stream>> open;
        if (content.CanSeek)
        {
            var start = content.Position;
            length = content.Length - start;
            open = _ =>
            {
                content.Position = start;
                return Task.FromResult<Stream>(new BorrowedStream(content));
            };
        }
        else
        {
            var opened = 0;
            open = _ => Interlocked.Exchange(ref opened, 1) == 0
                ? Task.FromResult<Stream>(new BorrowedStream(content))
                : throw new InvalidOperationException($"The upload of '{path}' cannot be retried: its stream cannot seek back to the start.");
        }

        return UploadAsync(path, open, length, cancellationToken);
    }

    /// <summary>Stores a text as a UTF-8 artifact file.</summary>
    /// <param name="text">The text.</param>
    /// <param name="artifactFile">The file's path under the artifact root, e.g. <c>outputs/answer.txt</c>.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    public void LogText(string text, string artifactFile, CancellationToken cancellationToken = default) => SyncOverAsync.Run(ct => LogTextAsync(text, artifactFile, ct), cancellationToken);

    /// <summary>Stores a text as a UTF-8 artifact file (no byte-order mark).</summary>
    /// <param name="text">The text.</param>
    /// <param name="artifactFile">The file's path under the artifact root, e.g. <c>outputs/answer.txt</c>.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>A task that completes when the file is stored.</returns>
    public Task LogTextAsync(string text, string artifactFile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return LogBytesAsync(Encoding.UTF8.GetBytes(text), artifactFile, cancellationToken);
    }

    /// <summary>Stores bytes as an artifact file.</summary>
    /// <param name="bytes">The content.</param>
    /// <param name="artifactFile">The file's path under the artifact root.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    public void LogBytes(ReadOnlyMemory<byte> bytes, string artifactFile, CancellationToken cancellationToken = default) => SyncOverAsync.Run(ct => LogBytesAsync(bytes, artifactFile, ct), cancellationToken);

    /// <summary>Stores bytes as an artifact file.</summary>
    /// <param name="bytes">The content (not copied; do not change it before the task completes).</param>
    /// <param name="artifactFile">The file's path under the artifact root.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>A task that completes when the file is stored.</returns>
    public Task LogBytesAsync(ReadOnlyMemory<byte> bytes, string artifactFile, CancellationToken cancellationToken = default)
    {
        var path = ArtifactPaths.NormalizeFile(artifactFile, nameof(artifactFile));
        return UploadAsync(path, _ => Task.FromResult<Stream>(new ReadOnlyMemoryStream(bytes)), bytes.Length, cancellationToken);
    }

    private Task UploadFileAsync(FileInfo file, string relativePath, CancellationToken cancellationToken) =>
        UploadAsync(
            relativePath,
            _ => Task.FromResult<Stream>(new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true)),
            file.Length,
            cancellationToken);

    private async Task UploadAsync(string relativePath, Func<CancellationToken, Task<Stream>> open, long? length, CancellationToken cancellationToken)
    {
        if (IsEnded)
        {
            throw new InvalidOperationException("The run has ended; nothing more can be logged to it.");
        }

        var repository = _artifacts ??= _store.GetArtifactRepository(ArtifactUri);
        await repository.UploadAsync(relativePath, open, length, cancellationToken).ConfigureAwait(false);
    }
}
