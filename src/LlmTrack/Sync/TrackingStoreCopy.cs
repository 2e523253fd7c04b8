using LlmTrack.Sync;

namespace LlmTrack;

/// <summary>
/// Copies experiments and runs from one tracking store to another (what <c>llmtrack sync --from … --to …</c> does):
/// params, tags, full metric histories, data set inputs, artifacts, status and times. The target is written directly
/// (never through a durable journal), so what the report counts as sent is what the target acknowledged. Each copied run
/// carries the tag <see cref="SourceRunIdTag"/>, so running the same copy again finds the earlier copies and only adds what
/// is missing: it is idempotent, and it resumes a copy that failed or was interrupted.
/// </summary>
/// <example>
/// <code>
/// var target = new LlmTrackOptions { TrackingUri = "https://mlflow.example" }.ApplyEnvironment();
/// var report = await TrackingStoreCopy.CopyAsync("sqlite:///mlflow.db", target);
/// if (!report.Succeeded)
/// {
///     foreach (var failure in report.Failures)
///     {
///         Console.Error.WriteLine($"{failure.SourceRunId}: {failure.Error} ({failure.MetricPointsMissing} points missing)");
///     }
///     // Run the same copy again later: it adds only what is missing.
/// }
/// </code>
/// </example>
public static class TrackingStoreCopy
{
    /// <summary>The run tag on the target that names the source run: <c>&lt;source store id&gt;/&lt;source run id&gt;</c>.</summary>
    public const string SourceRunIdTag = "llmtrack.sync.sourceRunId";

    /// <summary>
    /// Opens <paramref name="sourceUri"/> and <see cref="LlmTrackOptions.TrackingUri"/> of <paramref name="target"/> and
    /// copies the first into the second. A run that fails is recorded in <see cref="SyncReport.Failures"/> (with what of it
    /// is missing on the target) and the other runs are still copied.
    /// </summary>
    /// <param name="sourceUri">The source, e.g. <c>sqlite:///mlflow.db</c> (credentials for an <c>http(s)://</c> source come from MLflow's environment variables).</param>
    /// <param name="target">The target's tracking URI, credentials, TLS and retry settings. Its durable mode is ignored (the target is written directly) and the instance is not changed.</param>
    /// <param name="options">Which experiments, the source store id, where to stage artifacts.</param>
    /// <param name="progress">Receives progress after every batch, artifact and run.</param>
    /// <param name="cancellationToken">Stops the copy (<see cref="OperationCanceledException"/>); running it again resumes it.</param>
    /// <returns>What was copied, skipped, conflicting or failed.</returns>
    /// <exception cref="ArgumentException"><see cref="LlmTrackOptions.TrackingUri"/> of <paramref name="target"/> or <paramref name="sourceUri"/> is empty.</exception>
    /// <exception cref="MlflowException">A store could not be opened (e.g. an unsupported URI), or the source could not be listed.</exception>
    public static Task<SyncReport> CopyAsync(string sourceUri, LlmTrackOptions target, SyncOptions? options = null, IProgress<SyncProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceUri);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentException.ThrowIfNullOrWhiteSpace(target.TrackingUri, nameof(target));
        return StoreCopier.CopyAsync(sourceUri, target.TrackingUri, target, options, progress, cancellationToken);
    }

    /// <summary>
    /// The id a store is recorded under in <see cref="SourceRunIdTag"/> by default: <c>sqlite://</c> + the absolute database
    /// path for SQLite (the same from any working folder), otherwise the URI without credentials and trailing <c>/</c>.
    /// </summary>
    /// <param name="trackingUri">The store's tracking URI.</param>
    /// <returns>The id.</returns>
    public static string GetStoreId(string trackingUri) => SyncEndpoints.StoreIdFromUri(trackingUri);
}
