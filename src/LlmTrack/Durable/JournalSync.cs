using LlmTrack.Model;
using LlmTrack.Configuration;
using LlmTrack.Journal;
using LlmTrack.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmTrack.Durable;

/// <summary>
/// The work behind <see cref="PendingJournals"/> for one tracking server: deliver the journals left on this machine for
/// the configured tracking server, and report them.
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
        string? firstError = null;
        foreach (var run in runs)
        {
            try
            {
                await run.Shipped.WaitAsync(cancellationToken).ConfigureAwait(false);
                progress?.Report(new JournalSyncProgress(run.LocalRunId, run.ServerRunId, true, null) { TrackingUri = TrackingUri.Redact(uri) });
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                firstError ??= ex.Message;
                progress?.Report(new JournalSyncProgress(run.LocalRunId, run.ServerRunId, false, ex.Message) { TrackingUri = TrackingUri.Redact(uri) });
            }
        }

        var delivered = runs.Count(r => r.Shipped.IsCompletedSuccessfully);
        var status = GetStatus(options, time);
        var remaining = status.Runs.Count(r => !r.Ended || r.PendingRecords > 0);
        var server = new JournalServerSyncResult(status.TrackingUri, status.Root, delivered, remaining, store.DeadLetterCount, remaining == 0 ? null : firstError ?? "Some journals are held by a running process or not ended yet.");
        return new JournalSyncResult(delivered, remaining, store.DeadLetterCount) { Servers = [server] };
    }

    /// <summary>The journals of the configured tracking server: pending items, runs waiting for the server, dead letters.</summary>
    public static JournalStatus GetStatus(LlmTrackOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var uri = RemoteUri(options);
        var journalOptions = JournalRoot.CreateJournalOptions(uri, options.Durability, timeProvider ?? TimeProvider.System, NullLogger.Instance, recordServer: false);
        return GetStatus(journalOptions, TrackingUri.Redact(uri));
    }

    /// <summary>The journals in one server folder (<paramref name="journalOptions"/>' root), recorded for <paramref name="trackingUri"/> (null: unknown).</summary>
    public static JournalStatus GetStatus(JournalOptions journalOptions, string? trackingUri)
    {
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
        return new JournalStatus(trackingUri, journalOptions.Root, runs);
    }

    /// <summary>The tracking URI of <paramref name="options"/>, checked to be <c>http(s)://</c>.</summary>
    public static string RemoteUri(LlmTrackOptions options)
    {
        var uri = options.TrackingUri?.Trim();
        if (!TrackingUri.IsHttp(uri))
        {
            throw new MlflowException(
                MlflowErrorCode.InvalidParameterValue,
                $"Durable journals exist only for remote tracking (http(s)://); the tracking URI is '{(uri is null ? "(not set)" : TrackingUri.Redact(uri))}'.");
        }

        return uri!;
    }
}
