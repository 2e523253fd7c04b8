using LlmTrack.Journal;
using Microsoft.Extensions.Logging;

namespace LlmTrack.Durable;

/// <summary>
/// Takes over the journals of a tracking server that earlier processes left behind and nobody holds: a run left
/// RUNNING by a dead process is ended FAILED at its last activity first; then each is shipped in the background.
/// </summary>
internal sealed class JournalRecovery(DurableTrackingStore store, ILogger logger)
{
    /// <summary>Takes over every journal under the server's root that nobody holds and starts shipping it.</summary>
    /// <param name="stopWhenUnavailable">Stop shipping (leaving the data on disk) at the first outage (<c>llmtrack sync</c>).</param>
    /// <param name="cancellationToken">Stops taking over further journals.</param>
    /// <returns>The shippers started.</returns>
    public Task<IReadOnlyList<DurableRun>> RecoverAsync(bool stopWhenUnavailable, CancellationToken cancellationToken)
    {
        var options = store.JournalOptions;
        var started = new List<DurableRun>();
        IReadOnlyList<RunJournalStatus> journals;
        try
        {
            journals = JournalDirectory.Scan(options);
        }
        catch (JournalException ex)
        {
            logger.LogWarning(ex, "LlmTrack could not scan the journal folder {Root}: {Message}", options.Root, ex.Message);
            return Task.FromResult<IReadOnlyList<DurableRun>>(started);
        }

        foreach (var status in journals)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!status.CanTakeOver || (!status.Ended && status.Owner != OwnerLiveness.Dead) || store.Runs.IsShipping(status.LocalRunId))
            {
                continue;
            }

            try
            {
                var journal = RunJournal.TryOpen(options, status.LocalRunId);
                if (journal is null)
                {
                    continue;
                }

                if (journal.State.EndStatus is null)
                {
                    EndFailed(journal, status.LastActivity);
                }

                var run = new DurableRun(store, journal, live: false, logger);
                if (journal.State.ServerRunId is { } serverId)
                {
                    store.Runs.MapServerId(journal.LocalRunId, serverId);
                }

                store.Runs.Ship(run, stopWhenUnavailable);
                started.Add(run);
            }
            catch (JournalException ex)
            {
                logger.LogWarning(ex, "LlmTrack could not take over the journal {Folder}: {Message}", status.Folder, ex.Message);
            }
        }

        return Task.FromResult<IReadOnlyList<DurableRun>>(started);
    }

    /// <summary>Ends a run a dead process left RUNNING: FAILED at its last activity.</summary>
    private void EndFailed(RunJournal journal, long lastActivity)
    {
        var writer = journal.OpenWriter();
        writer.Append(new RunEndedRecord(RunStatus.Failed, lastActivity));
        writer.Dispose();
        logger.LogWarning(
            "LlmTrack: run {RunId} was left RUNNING by a process that no longer runs; it is delivered from {Folder} and ended FAILED at its last activity.",
            journal.State.ServerRunId ?? journal.LocalRunId,
            journal.Folder);
    }
}
