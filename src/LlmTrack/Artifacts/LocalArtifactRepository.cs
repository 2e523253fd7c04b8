using LlmTrack.Stores;

namespace LlmTrack.Artifacts;

/// <summary>
/// Artifacts in a local folder: the artifact root of a run whose artifact URI is an absolute path or
/// a <c>file:</c> URI (what MLflow's local store writes). Uploads stream into a temporary file next to
/// the target and then replace it, so a failed attempt never leaves a half-written artifact.
/// </summary>
internal sealed class LocalArtifactRepository : IArtifactRepository
{
    private const int CopyBufferSize = 81920;

    /// <summary>Creates a repository rooted at <paramref name="rootPath"/> (an absolute folder path).</summary>
    public LocalArtifactRepository(string rootPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootPath);
        RootPath = Path.GetFullPath(rootPath);
    }

    /// <summary>The absolute folder of the artifact root.</summary>
    public string RootPath { get; }

    /// <summary>Whether <paramref name="artifactUri"/> is a local artifact location (absolute path or <c>file:</c> URI).</summary>
    public static bool IsLocal(string? artifactUri) => TryGetLocalPath(artifactUri, out _);

    /// <summary>Creates a repository for a local artifact URI.</summary>
    /// <exception cref="MlflowException">The URI is not an absolute path or a <c>file:</c> URI.</exception>
    public static LocalArtifactRepository FromUri(string artifactUri)
    {
        if (!TryGetLocalPath(artifactUri, out var path))
        {
            throw new MlflowException(
                MlflowErrorCode.InvalidParameterValue,
                $"Artifact URI '{artifactUri}' is not a local path or file: URI; the local store can only read and write local artifacts.");
        }

        return new LocalArtifactRepository(path);
    }

    /// <inheritdoc />
    public async Task UploadAsync(string relativePath, Func<CancellationToken, Task<Stream>> openContent, long? length, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(openContent);
        var target = Resolve(relativePath, allowRoot: false);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temporary = target + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            var source = await openContent(cancellationToken).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                var destination = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBufferSize, useAsync: true);
                await using (destination.ConfigureAwait(false))
                {
                    await source.CopyToAsync(destination, CopyBufferSize, cancellationToken).ConfigureAwait(false);
                }
            }

            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ArtifactFile>> ListAsync(string? relativePath, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IReadOnlyList<ArtifactFile>>(List(relativePath));
    }

    /// <summary>The direct children of a folder (<see langword="null"/> = the root), sorted by path; empty when it does not exist.</summary>
    /// <exception cref="MlflowException">The path is not a valid relative artifact path.</exception>
    public List<ArtifactFile> List(string? relativePath)
    {
        var folder = Resolve(relativePath, allowRoot: true);
        var items = new List<ArtifactFile>();
        if (!Directory.Exists(folder))
        {
            return items;
        }

        var prefix = string.IsNullOrEmpty(relativePath) ? "" : relativePath.Trim('/') + "/";
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
        {
            if (entry is FileInfo file)
            {
                items.Add(new ArtifactFile(prefix + file.Name, false, file.Length));
            }
            else
            {
                items.Add(new ArtifactFile(prefix + entry.Name, true, null));
            }
        }

        items.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return items;
    }

    /// <summary>Where the file of <paramref name="relativePath"/> is (or would be) stored.</summary>
    /// <exception cref="MlflowException">The path is not a valid relative artifact path.</exception>
    public string PathOf(string relativePath) => Resolve(relativePath, allowRoot: false);

    /// <inheritdoc />
    public async Task DownloadAsync(string relativePath, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var source = Resolve(relativePath, allowRoot: false);
        if (!File.Exists(source))
        {
            throw new MlflowException(MlflowErrorCode.ResourceDoesNotExist, $"Artifact '{relativePath}' does not exist in '{RootPath}'.");
        }

        var stream = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, CopyBufferSize, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            await stream.CopyToAsync(destination, CopyBufferSize, cancellationToken).ConfigureAwait(false);
        }
    }

    private string Resolve(string? relativePath, bool allowRoot)
    {
        if (string.IsNullOrEmpty(relativePath))
        {
            return allowRoot ? RootPath : throw InvalidPath(relativePath);
        }

        string[] segments;
        try
        {
            segments = RelativeArtifactPath.Split(relativePath.TrimEnd('/'), nameof(relativePath));
        }
        catch (ArgumentException)
        {
            throw InvalidPath(relativePath);
        }

        var full = Path.GetFullPath(Path.Combine([RootPath, .. segments]));
        var rootWithSeparator = RootPath.EndsWith(Path.DirectorySeparatorChar) ? RootPath : RootPath + Path.DirectorySeparatorChar;
        if (!full.StartsWith(rootWithSeparator, StringComparison.Ordinal))
        {
            throw InvalidPath(relativePath);
        }

        return full;
    }

    private static MlflowException InvalidPath(string? relativePath) =>
        new(MlflowErrorCode.InvalidParameterValue, $"Invalid artifact path '{relativePath}': it must be relative, use '/', and not contain '..'.");

    private static bool TryGetLocalPath(string? artifactUri, out string path)
    {
        path = "";
        if (string.IsNullOrEmpty(artifactUri))
        {
            return false;
        }

        if (artifactUri.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(artifactUri, UriKind.Absolute, out var uri) || !uri.IsFile)
            {
                return false;
            }

            path = uri.LocalPath;
            return Path.IsPathRooted(path);
        }

        if (Path.IsPathFullyQualified(artifactUri))
        {
            path = artifactUri;
            return true;
        }

        return false;
    }
}
