using LlmTrack.Journal;
using LlmTrack.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmTrack.Durable;

/// <summary>Progress of <see cref="JournalSync.SyncAllAsync"/>: one run journal finished (delivered or left on disk).</summary>
/// <param name="LocalRunId">The journal's local run id.</param>
/// <param name="ServerRunId">The server's run id, once created there.</param>
/// <param name="Delivered">Whether everything was delivered and the run ended on the server.</param>
/// <param name="Error">Why it was not delivered (e.g. the server is unreachable).</param>
internal sealed record JournalSyncProgress(string LocalRunId, string? ServerRunId, bool Delivered, string? Error);

/// <summary>The result of <see cref="JournalSync.SyncAllAsync"/>.</summary>
/// <param name="Delivered">Journals fully delivered (runs ended on the server).</param>
/// <param name="Remaining">Journals still on disk (server unreachable, or held by a live process).</param>
/// <param name="DeadLetters">Items the server refused during this sync (written to each run's <c>dead-letters.jsonl</c>).</param>
internal sealed record JournalSyncResult(int Delivered, int Remaining, long DeadLetters);

/// <summary>One run journal as <c>llmtrack status</c> shows it.</summary>
/// <param name="LocalRunId">The local run id (the folder name).</param>
/// <param name="ServerRunId">The server's run id, or <see langword="null"/> while the run waits for the server.</param>
/// <param name="Folder">The journal folder.</param>
/// <param name="Ended">Whether the run ended (its end is in the journal).</param>
/// <param name="InUse">Whether a live process holds the journal (it delivers it).</param>
/// <param name="Abandoned">Whether a dead process left the run RUNNING (it is ended FAILED when delivered).</param>
/// <param name="PendingRecords">Records not yet accepted by the server.</param>
/// <param name="PendingBytes">Bytes not yet accepted by the server.</param>
/// <param name="DeadLetters">Items the server refused (see <c>dead-letters.jsonl</c>).</param>
/// <param name="LastActivity">The latest activity, Unix epoch milliseconds.</param>
/// <param name="PendingArtifacts">Artifacts spooled while the run existed only locally, not yet accepted by the server.</param>
/// <param name="PendingArtifactBytes">Bytes of those artifacts.</param>
internal sealed record JournalRunStatus(string LocalRunId, string? ServerRunId, string Folder, bool Ended, bool InUse, bool Abandoned, long PendingRecords, long PendingBytes, int DeadLetters, long LastActivity, long PendingArtifacts, long PendingArtifactBytes);

/// <summary>The journals of one tracking server (<c>llmtrack status</c>).</summary>
/// <param name="TrackingUri">The tracking URI without credentials.</param>
/// <param name="Root">The journal folder of this tracking server.</param>
/// <param name="Runs">The run journals, oldest first.</param>
internal sealed record JournalStatus(string TrackingUri, string Root, IReadOnlyList<JournalRunStatus> Runs)
{
    /// <summary>Records waiting for the server, over all runs.</summary>
    public long PendingRecords => Runs.Sum(r => r.PendingRecords);

    /// <summary>Spooled artifacts waiting for the server, over all runs.</summary>
    public long PendingArtifacts => Runs.Sum(r => r.PendingArtifacts);

    /// <summary>Runs not created on the server yet.</summary>
    public int RunsWaitingForServer => Runs.Count(r => r.ServerRunId is null);

    /// <summary>Refused items, over all runs.</summary>
    public long DeadLetters => Runs.Sum(r => (long)r.DeadLetters);
}

/// <summary>
/// What <c>llmtrack sync</c> and <c>llmtrack status</c> call: deliver the journals left on this machine for the
/// configured tracking server, and report them.
/// </summary>
internal static class JournalSync
{
    /// <summary>
    /// Delivers every journal of the configured tracking server that no live process holds (ending runs of dead
    /// processes FAILED at their last activity). A journal whose delivery hits an unreachable server (after the
    /// store's own retries) stays on disk and counts as remaining.
    /// </summary>
    public static async Task<JournalSyncResult> SyncAllAsync(LlmTrackOptions options, IProgress<JournalSyncProgress>? progress = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var uri = RemoteUri(options);
        var time = timeProvider ?? TimeProvider.System;
        var loggers = loggerFactory ?? NullLoggerFactory.Instance;
        var inner = TrackingStoreFactory.CreateServerStore(uri, options, null, time, loggers);
        using var store = new DurableTrackingStore(inner, uri, options.Durability, time, loggers);
        var runs = await store.RecoverAsync(stopWhenUnavailable: true, cancellationToken).ConfigureAwait(false);
        foreach (var run in runs)
        {
            try
            {
                await run.Shipped.WaitAsync(cancellationToken).ConfigureAwait(false);
                progress?.Report(new JournalSyncProgress(run.LocalRunId, run.ServerRunId, true, null));
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                progress?.Report(new JournalSyncProgress(run.LocalRunId, run.ServerRunId, false, ex.Message));
            }
        }

        var delivered = runs.Count(r => r.Shipped.IsCompletedSuccessfully);
        var remaining = GetStatus(options).Runs.Count(r => !r.Ended || r.PendingRecords > 0);
        return new JournalSyncResult(delivered, remaining, store.DeadLetterCount);
    }

    /// <summary>The journals of the configured tracking server: pending items, runs waiting for the server, dead letters.</summary>
    public static JournalStatus GetStatus(LlmTrackOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var uri = RemoteUri(options);
        var journalOptions = DurableTrackingStore.CreateJournalOptions(uri, options.Durability, timeProvider ?? TimeProvider.System, NullLogger.Instance);
        var runs = JournalDirectory.Scan(journalOptions).Select(s => new JournalRunStatus(
            s.LocalRunId,
            s.ServerRunId,
            s.Folder,
            s.Ended,
            s.IsLocked,
            s.IsAbandoned,
            s.PendingRecords,
            s.PendingBytes,
            s.DeadLetterCount,
            s.LastActivity,
            s.PendingArtifacts,
            s.PendingArtifactBytes)).ToList();
        return new JournalStatus(TrackingStoreFactory.Redact(uri), journalOptions.Root, runs);
    }

    private static string RemoteUri(LlmTrackOptions options)
    {
        var uri = options.TrackingUri?.Trim();
        if (!Rest.MlflowHttpClient.IsHttpTrackingUri(uri))
        {
            throw new MlflowException(
                MlflowErrorCode.InvalidParameterValue,
                $"Durable journals exist only for remote tracking (http(s)://); the tracking URI is '{(uri is null ? "(not set)" : TrackingStoreFactory.Redact(uri))}'.");
        }

        return uri!;
    }
}
