namespace LlmTrack;

/// <summary>Where a store-to-store copy stands, reported after every batch, artifact and run.</summary>
/// <param name="RunsDone">Runs handled so far (copied, updated, unchanged, skipped or failed).</param>
/// <param name="RunsTotal">All runs to handle (known once the source has been listed).</param>
/// <param name="MetricPointsSent">Metric points written to the target so far.</param>
/// <param name="ArtifactBytes">Artifact bytes uploaded to the target so far.</param>
/// <param name="CurrentRunId">The source run being copied, or <see langword="null"/> between runs.</param>
public readonly record struct SyncProgress(int RunsDone, int RunsTotal, long MetricPointsSent, long ArtifactBytes, string? CurrentRunId);
