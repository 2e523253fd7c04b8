namespace LlmTrack;

// Part of the public class Tracker: reading a stored run's artifacts, for the layers above (the HTML report reads the
// per-example tables of the runs it compares).
public sealed partial class Tracker
{
    /// <summary>Copies one artifact file of a run into <paramref name="destination"/>.</summary>
    /// <param name="artifactUri">The run's artifact root (<see cref="RunInfo.ArtifactUri"/>).</param>
    /// <param name="relativePath">The file's path under the root.</param>
    /// <param name="destination">Receives the bytes.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    internal Task DownloadArtifactAsync(string artifactUri, string relativePath, Stream destination, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        return _store.GetArtifactRepository(artifactUri).DownloadAsync(relativePath, destination, cancellationToken);
    }
}
