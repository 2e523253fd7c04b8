namespace LlmTrack;

/// <summary>Choices for a store-to-store copy.</summary>
public sealed record SyncOptions
{
    /// <summary>
    /// Copy only experiments with these names (default: every active experiment of the source).
    /// </summary>
    public IReadOnlyCollection<string>? ExperimentNames { get; init; }

    /// <summary>
    /// The id recorded for the source store in <see cref="TrackingStoreCopy.SourceRunIdTag"/>. Default: derived from the source
    /// tracking URI (the absolute database path for <c>sqlite://</c>, the URL without credentials for HTTP). Set it to keep
    /// copies recognised after the source database was moved.
    /// </summary>
    public string? SourceStoreId { get; init; }

    /// <summary>Where artifacts are staged between download and upload (default: the system temp folder).</summary>
    public string? TemporaryFolder { get; init; }
}
