using LlmTrack.Stores;

namespace LlmTrack.Durable;

/// <summary>
/// Artifacts of a run started while the server was unreachable. Uploads are spooled into the run's journal folder
/// (durable when the call returns) and uploaded by the shipper once the run exists on the server; they keep being
/// spooled until the spool is delivered, so a newer version never overtakes an older one. Listing and downloading
/// serve the spooled files (the newest version) merged with what the server has once the run exists there.
/// </summary>
internal sealed class PendingRunArtifactRepository(DurableRunRegistry runs, ITrackingStore server, string localRunId) : IArtifactRepository
{
    /// <summary>Spools the upload while the run is not on the server (or older spooled files are not delivered yet); uploads it otherwise.</summary>
    public Task UploadAsync(string relativePath, Func<CancellationToken, Task<Stream>> openContent, long? length, CancellationToken cancellationToken)
    {
        var run = runs.ShippingRunOf(localRunId);
        return run is not null && (runs.ArtifactUriOf(localRunId) is null || run.Artifacts.Pending > 0)
            ? run.SpoolArtifactAsync(relativePath, openContent, length, cancellationToken)
            : Server().UploadAsync(relativePath, openContent, length, cancellationToken);
    }

    /// <summary>The spooled files, merged with the server's once the run exists there.</summary>
    public async Task<IReadOnlyList<ArtifactFile>> ListAsync(string? relativePath, CancellationToken cancellationToken)
    {
        var run = runs.ShippingRunOf(localRunId);
        var spooled = run?.Artifacts.List(relativePath) ?? [];
        if (run is not null && runs.ArtifactUriOf(localRunId) is null)
        {
            return spooled;
        }

        var stored = await Server().ListAsync(relativePath, cancellationToken).ConfigureAwait(false);
        if (spooled.Count == 0)
        {
            return stored;
        }

        var merged = new Dictionary<string, ArtifactFile>(StringComparer.Ordinal);
        foreach (var file in stored.Concat(spooled))
        {
            merged[file.Path] = file;
        }

        return [.. merged.Values.OrderBy(f => f.Path, StringComparer.Ordinal)];
    }

    /// <summary>The spooled file of that path, or the server's once the run exists there.</summary>
    public async Task DownloadAsync(string relativePath, Stream destination, CancellationToken cancellationToken)
    {
        var run = runs.ShippingRunOf(localRunId);
        if (run is not null && await run.Artifacts.TryCopyToAsync(relativePath, destination, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        if (run is not null && runs.ArtifactUriOf(localRunId) is null)
        {
            throw new MlflowException(
                MlflowErrorCode.ResourceDoesNotExist,
                $"Artifact '{relativePath}' of run '{localRunId}' does not exist: the run exists only locally and no artifact of that path was logged to it.");
        }

        await Server().DownloadAsync(relativePath, destination, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The server's artifact repository of the run.</summary>
    private IArtifactRepository Server() =>
        runs.ArtifactUriOf(localRunId) is { } uri
            ? server.GetArtifactRepository(uri)
            : throw new MlflowException(
                MlflowErrorCode.Unavailable,
                $"Artifacts of run '{localRunId}' cannot be reached yet: the run was started while the tracking server was unreachable, is not delivered by this process, and does not exist on the server yet. " +
                "Its journal (with its spooled artifacts) is delivered by the process that holds it, the next process using this tracking server, or `llmtrack sync`.");
}
