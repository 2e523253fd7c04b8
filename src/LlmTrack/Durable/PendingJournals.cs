using LlmTrack.Model;
using LlmTrack.Configuration;
using LlmTrack.Durable;
using LlmTrack.Journal;
using LlmTrack.Stores;
using Microsoft.Extensions.Logging;

namespace LlmTrack;

/// <summary>
/// The durable journals this machine keeps for tracking servers (what <c>llmtrack sync</c> and <c>llmtrack status</c>
/// show and deliver). Each tracking server has its own folder under the journal root
/// (<see cref="DurabilityOptions.JournalDirectory"/>, else <c>LLMTRACK_JOURNAL_DIR</c>, else the per-user data folder),
/// with a <c>server.json</c> that records its tracking URI without credentials.
/// </summary>
/// <example>
/// <code>
/// // Every server under the default journal root (credentials from MLFLOW_TRACKING_TOKEN/USERNAME/PASSWORD):
/// var options = new LlmTrackOptions { Token = Environment.GetEnvironmentVariable("MLFLOW_TRACKING_TOKEN") };
/// var result = await PendingJournals.DeliverAsync(options);
/// Console.WriteLine($"{result.Delivered} delivered, {result.Remaining} still on disk");
/// foreach (var server in PendingJournals.GetStatus(options))
/// {
///     Console.WriteLine($"{server.TrackingUri ?? "(unknown server)"}: {server.Runs.Count} run journals in {server.Root}");
/// }
/// </code>
/// </example>
public static class PendingJournals
{
    /// <summary>
    /// Delivers the journals no live process holds (ending runs of dead processes FAILED at their last activity): those of
    /// <see cref="LlmTrackOptions.TrackingUri"/>, or, when it is <see langword="null"/>, those of every server folder under
    /// the journal root, each to the server its <c>server.json</c> records (with the credentials, TLS and retry settings of
    /// <paramref name="options"/>). A journal whose server does not answer (after the configured retries), that a running
    /// process holds, or whose folder records no server (made by an older version: deliver it with its tracking URI) stays
    /// on disk and counts as remaining.
    /// </summary>
    /// <param name="options">The tracking URI (or <see langword="null"/> for every server), credentials and <see cref="LlmTrackOptions.Durability"/> (journal root). It is not changed.</param>
    /// <param name="progress">Receives one report per run journal delivered or left on disk.</param>
    /// <param name="loggerFactory">Where warnings go (default none).</param>
    /// <param name="timeProvider">The clock (default the system clock).</param>
    /// <param name="cancellationToken">Stops the delivery; what was not delivered stays on disk.</param>
    /// <returns>What was delivered and what remains, in total and per server folder.</returns>
    /// <exception cref="MlflowException">The tracking URI is given but not <c>http(s)://</c>, or the journal root cannot be read.</exception>
    public static async Task<JournalSyncResult> DeliverAsync(LlmTrackOptions options, IProgress<JournalSyncProgress>? progress = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.TrackingUri))
        {
            return await JournalSync.SyncAllAsync(options, progress, loggerFactory, timeProvider, cancellationToken).ConfigureAwait(false);
        }

        var time = timeProvider ?? TimeProvider.System;
        var servers = new List<JournalServerSyncResult>();
        foreach (var folder in ServerFolders(options))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var recorded = JournalServerRecord.TryRead(folder);
            var problem = recorded is null ? NoRecordMessage(folder) : ForeignRecordMessage(options, folder, recorded);
            if (problem is not null)
            {
                var status = JournalSync.GetStatus(FolderOptions(folder, options, time), null);
                if (status.Runs.Count > 0)
                {
                    servers.Add(new JournalServerSyncResult(null, folder, 0, status.Runs.Count, 0, problem));
                }

                continue;
            }

            var serverOptions = LlmTrackOptionsCopy.WithTrackingUri(options, recorded!);
            try
            {
                var result = await JournalSync.SyncAllAsync(serverOptions, progress, loggerFactory, time, cancellationToken).ConfigureAwait(false);
                servers.AddRange(result.Servers);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // E.g. a server.json naming a URI that is not http(s)://, or a certificate file that cannot be read.
                var status = JournalSync.GetStatus(FolderOptions(folder, options, time), recorded);
                servers.Add(new JournalServerSyncResult(recorded, folder, 0, status.Runs.Count, 0, ex.Message));
            }
        }

        return new JournalSyncResult(servers.Sum(s => s.Delivered), servers.Sum(s => s.Remaining), servers.Sum(s => s.DeadLetters)) { Servers = servers };
    }

    /// <summary>
    /// The journals of <see cref="LlmTrackOptions.TrackingUri"/> (one entry), or, when it is <see langword="null"/>, of every
    /// server folder under the journal root that records a server or holds journals: pending items, runs waiting for the
    /// server, dead letters. Reads only the local disk (no server is contacted).
    /// </summary>
    /// <param name="options">The tracking URI (or <see langword="null"/> for every server) and <see cref="LlmTrackOptions.Durability"/> (journal root).</param>
    /// <param name="timeProvider">The clock that tells stale journals of other machines (default the system clock).</param>
    /// <returns>One entry per server folder, ordered by folder; <see cref="JournalStatus.TrackingUri"/> is <see langword="null"/> for a folder without <c>server.json</c>.</returns>
    /// <exception cref="MlflowException">The tracking URI is given but not <c>http(s)://</c>, or the journal root cannot be read.</exception>
    public static IReadOnlyList<JournalStatus> GetStatus(LlmTrackOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.TrackingUri))
        {
            return [JournalSync.GetStatus(options, timeProvider)];
        }

        var time = timeProvider ?? TimeProvider.System;
        var statuses = new List<JournalStatus>();
        foreach (var folder in ServerFolders(options))
        {
            var recorded = JournalServerRecord.TryRead(folder);
            var status = JournalSync.GetStatus(FolderOptions(folder, options, time), recorded);
            if (recorded is not null || status.Runs.Count > 0)
            {
                statuses.Add(status);
            }
        }

        return statuses;
    }

    /// <summary>
    /// The journal root: <see cref="DurabilityOptions.JournalDirectory"/> of <paramref name="options"/>, else
    /// <c>LLMTRACK_JOURNAL_DIR</c>, else the per-user data folder.
    /// </summary>
    /// <param name="options">The options.</param>
    /// <returns>The absolute path (it may not exist).</returns>
    public static string GetJournalRoot(LlmTrackOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return JournalOptions.ResolveRoot(options.Durability.JournalDirectory);
    }

    private static List<string> ServerFolders(LlmTrackOptions options)
    {
        var root = GetJournalRoot(options);
        if (!Directory.Exists(root))
        {
            return [];
        }

        try
        {
            var folders = Directory.GetDirectories(root).ToList();
            folders.Sort(StringComparer.Ordinal);
            return folders;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw JournalException.From(ex, root, "list");
        }
    }

    private static JournalOptions FolderOptions(string folder, LlmTrackOptions options, TimeProvider time) => new()
    {
        Root = folder,
        MaxTotalBytes = options.Durability.DiskCapBytes,
        FlushInterval = options.Durability.FlushToDiskInterval,
        TimeProvider = time,
    };

    private static string NoRecordMessage(string folder) =>
        $"The folder '{folder}' records no tracking server (no {JournalServerRecord.FileName}; made by an older version): deliver it with `llmtrack sync --tracking-uri <uri>`.";

    // A server.json copied into another server's folder would send journals to the wrong server: the folder name must match.
    private static string? ForeignRecordMessage(LlmTrackOptions options, string folder, string recorded)
    {
        string expected;
        try
        {
            expected = JournalRoot.ServerRoot(GetJournalRoot(options), recorded);
        }
        catch (ArgumentException)
        {
            return $"The folder '{folder}' records the tracking URI '{TrackingUri.Redact(recorded)}', which is not valid.";
        }

        return string.Equals(Path.GetFileName(expected), Path.GetFileName(folder), StringComparison.Ordinal)
            ? null
            : $"The folder '{folder}' records the tracking URI '{TrackingUri.Redact(recorded)}', whose journals belong in '{expected}'; deliver it with `llmtrack sync --tracking-uri <uri>`.";
    }
}

/// <summary>Progress of <see cref="PendingJournals.DeliverAsync"/>: one run journal finished (delivered or left on disk).</summary>
/// <param name="LocalRunId">The journal's local run id.</param>
/// <param name="ServerRunId">The server's run id, once created there.</param>
/// <param name="Delivered">Whether everything was delivered and the run ended on the server.</param>
/// <param name="Error">Why it was not delivered (e.g. the server is unreachable).</param>
public sealed record JournalSyncProgress(string LocalRunId, string? ServerRunId, bool Delivered, string? Error)
{
    /// <summary>The tracking server (without credentials) the journal belongs to.</summary>
    public string? TrackingUri { get; init; }
}

/// <summary>The result of <see cref="PendingJournals.DeliverAsync"/>.</summary>
/// <param name="Delivered">Journals fully delivered (runs ended on the server).</param>
/// <param name="Remaining">Journals still on disk (server unreachable, held by a live process, or no server recorded).</param>
/// <param name="DeadLetters">Items the server refused during this delivery (written to each run's <c>dead-letters.jsonl</c>).</param>
public sealed record JournalSyncResult(int Delivered, int Remaining, long DeadLetters)
{
    /// <summary>Per server folder: what was delivered and what remains, and why.</summary>
    public IReadOnlyList<JournalServerSyncResult> Servers { get; init; } = [];
}

/// <summary>What <see cref="PendingJournals.DeliverAsync"/> did for one server folder.</summary>
/// <param name="TrackingUri">The tracking server without credentials, or <see langword="null"/> when the folder records none.</param>
/// <param name="Root">The server's journal folder.</param>
/// <param name="Delivered">Journals fully delivered.</param>
/// <param name="Remaining">Journals still on disk.</param>
/// <param name="DeadLetters">Items the server refused during this delivery.</param>
/// <param name="Error">Why journals remain (e.g. the server did not answer, or no server is recorded); <see langword="null"/> when none remain.</param>
public sealed record JournalServerSyncResult(string? TrackingUri, string Root, int Delivered, int Remaining, long DeadLetters, string? Error);

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
public sealed record JournalRunStatus(string LocalRunId, string? ServerRunId, string Folder, bool Ended, bool InUse, bool Abandoned, long PendingRecords, long PendingBytes, int DeadLetters, long LastActivity, long PendingArtifacts, long PendingArtifactBytes);

/// <summary>The journals of one tracking server folder (<c>llmtrack status</c>).</summary>
/// <param name="TrackingUri">The tracking URI without credentials, or <see langword="null"/> when the folder records none (made by an older version).</param>
/// <param name="Root">The journal folder of this tracking server.</param>
/// <param name="Runs">The run journals, oldest first.</param>
public sealed record JournalStatus(string? TrackingUri, string Root, IReadOnlyList<JournalRunStatus> Runs)
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
