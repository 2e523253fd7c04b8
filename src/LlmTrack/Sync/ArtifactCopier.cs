using LlmTrack.Stores;

namespace LlmTrack.Sync;

/// <summary>Copies a run's artifacts from the source store to the target: new files and files whose size differs.</summary>
/// <param name="source">The store to read.</param>
/// <param name="target">The store to write.</param>
/// <param name="temporaryFolder">Where to stage files (default: the system's temporary folder).</param>
internal sealed class ArtifactCopier(ITrackingStore source, ITrackingStore target, string? temporaryFolder)
{
    private const int CopyBufferSize = 81920;

    private readonly ITrackingStore _source = source;
    private readonly ITrackingStore _target = target;
    private readonly string? _temporaryFolder = temporaryFolder;

    /// <summary>
    /// Copies the artifact files of <paramref name="source"/> that the target lacks or holds with another size (staged
    /// in a temporary file each); returns whether anything was uploaded.
    /// </summary>
    public async Task<bool> CopyAsync(RunSnapshot source, RunSnapshot target, bool created, SyncTally tally, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(source.Info.ArtifactUri))
        {
            return false;
        }

        var sourceRepository = _source.GetArtifactRepository(source.Info.ArtifactUri);
        var files = new List<ArtifactFile>();
        await ListFilesAsync(sourceRepository, null, files, cancellationToken).ConfigureAwait(false);
        if (files.Count == 0)
        {
            return false;
        }

        var targetRepository = _target.GetArtifactRepository(target.Info.ArtifactUri);
        var targetSizes = new Dictionary<string, long?>(StringComparer.Ordinal);
        if (!created)
        {
            var targetFiles = new List<ArtifactFile>();
            await ListFilesAsync(targetRepository, null, targetFiles, cancellationToken).ConfigureAwait(false);
            foreach (var file in targetFiles)
            {
                targetSizes[file.Path] = file.FileSize;
            }
        }

        var uploaded = false;
        var folder = _temporaryFolder ?? Path.GetTempPath();
        foreach (var file in files)
        {
            var hasTarget = targetSizes.TryGetValue(file.Path, out var targetSize);
            if (hasTarget && file.FileSize is not null && targetSize == file.FileSize)
            {
                tally.ArtifactsSkipped++;
                continue;
            }

            var staging = Path.Combine(folder, "llmtrack-sync-" + Guid.NewGuid().ToString("N") + ".tmp");
            try
            {
                long length;
                var download = new FileStream(staging, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBufferSize, FileOptions.Asynchronous);
                await using (download.ConfigureAwait(false))
                {
                    await sourceRepository.DownloadAsync(file.Path, download, cancellationToken).ConfigureAwait(false);
                    await download.FlushAsync(cancellationToken).ConfigureAwait(false);
                    length = download.Length;
                }

                if (hasTarget && targetSize == length)
                {
                    tally.ArtifactsSkipped++;
                    continue;
                }

                await targetRepository.UploadAsync(
                    file.Path,
                    _ => Task.FromResult<Stream>(new FileStream(staging, FileMode.Open, FileAccess.Read, FileShare.Read, CopyBufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan)),
                    length,
                    cancellationToken).ConfigureAwait(false);
                tally.ArtifactsUploaded++;
                tally.ArtifactBytes += length;
                uploaded = true;
                tally.Report(source.Info.RunId);
            }
            finally
            {
                File.Delete(staging);
            }
        }

        return uploaded;
    }

    /// <summary>Every file under <paramref name="folder"/>, recursively.</summary>
    private static async Task ListFilesAsync(IArtifactRepository repository, string? folder, List<ArtifactFile> files, CancellationToken cancellationToken)
    {
        foreach (var entry in await repository.ListAsync(folder, cancellationToken).ConfigureAwait(false))
        {
            if (entry.IsDirectory)
            {
                await ListFilesAsync(repository, entry.Path, files, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                files.Add(entry);
            }
        }
    }
}
