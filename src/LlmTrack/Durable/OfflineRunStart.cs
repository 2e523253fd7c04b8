using LlmTrack.Journal;
using LlmTrack.Model;
using Microsoft.Extensions.Logging;

namespace LlmTrack.Durable;

/// <summary>
/// Starting a run in durable mode whether or not the server answers: the server gets
/// <see cref="DurabilityOptions.StartTimeout"/> to resolve the experiment and create the run; when it does not answer,
/// the run starts locally (a new 32-hex id, its experiment deferred by name when need be) and the shipper creates it on
/// the server later.
/// </summary>
internal sealed class OfflineRunStart(DurableTrackingStore store, ILogger logger)
{
    private const string DeferredExperimentPrefix = "\u0001experiment-name:";

    /// <summary>The experiment "id" of a run whose experiment could not be resolved because the server was unreachable.</summary>
    public static string DeferredExperimentId(string experimentName) => DeferredExperimentPrefix + experimentName;

    /// <summary>Runs <paramref name="call"/> (a call that starts a run) within <see cref="DurabilityOptions.StartTimeout"/>.</summary>
    /// <returns>The result, or <see langword="default"/> and the error when the server could not be reached in time.</returns>
    public async Task<(T? Result, Exception? Unavailable)> TryWithStartTimeoutAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(store.Durability.StartTimeout, store.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return (await call(linked.Token).ConfigureAwait(false), null);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && DurableErrors.IsUnavailable(ex))
        {
            return (default, ex);
        }
    }

    /// <summary>
    /// Gives the server <see cref="DurabilityOptions.StartTimeout"/> to resolve the experiment; when it does not answer
    /// and the experiment has a name, the run starts anyway and the name is resolved when the run is delivered.
    /// </summary>
    public async Task<string> ResolveExperimentAsync(Func<CancellationToken, Task<string>> resolve, string? experimentName, CancellationToken cancellationToken)
    {
        var (id, unavailable) = await TryWithStartTimeoutAsync(resolve, cancellationToken).ConfigureAwait(false);
        if (unavailable is null)
        {
            return id!;
        }

        if (experimentName is null)
        {
            throw unavailable;
        }

        logger.LogWarning("The tracking server is unreachable; experiment '{ExperimentName}' is resolved when the run is delivered.", experimentName);
        return DeferredExperimentId(experimentName);
    }

    /// <summary>
    /// Creates the run on the server within <see cref="DurabilityOptions.StartTimeout"/> and journals it; when the
    /// server is unreachable (or the experiment is deferred), starts it locally.
    /// </summary>
    public async Task<RunSnapshot> CreateRunAsync(string experimentId, string? runName, long startTime, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        string? experimentName = null;
        Exception? unavailable = null;
        if (experimentId.StartsWith(DeferredExperimentPrefix, StringComparison.Ordinal))
        {
            experimentName = experimentId[DeferredExperimentPrefix.Length..];
            experimentId = "";
        }
        else
        {
            (var created, unavailable) = await TryWithStartTimeoutAsync(
                ct => store.Inner.CreateRunAsync(experimentId, runName, startTime, tags, ct),
                cancellationToken).ConfigureAwait(false);
            if (created is not null)
            {
                RunJournal journal;
                try
                {
                    journal = RunJournal.Create(store.JournalOptions, new RunCreatedRecord(created.Info.RunId, experimentId, null, runName, startTime, null, tags, JournalOwner.Current));
                    journal.MapServerRun(created.Info.RunId, JournalArtifactUri.ForJournal(created.Info.ArtifactUri));
                }
                catch (JournalException ex)
                {
                    logger.LogError(ex, "LlmTrack could not create the journal of run {RunId} ({Message}); the run is tracked without durable mode.", created.Info.RunId, ex.Message);
                    return created;
                }

                store.Runs.MapServerId(created.Info.RunId, created.Info.RunId);
                store.Register(created.Info.RunId, journal);
                return created;
            }
        }

        return StartLocally(experimentId, experimentName, runName, startTime, tags, unavailable);
    }

    /// <summary>Starts the run locally: a new 32-hex id and a journal the shipper creates the run on the server from.</summary>
    private RunSnapshot StartLocally(string experimentId, string? experimentName, string? runName, long startTime, IReadOnlyList<Tag> tags, Exception? unavailable)
    {
        var localRunId = Guid.NewGuid().ToString("N");
        string? parent = null;
        foreach (var tag in tags)
        {
            if (tag.Key == MlflowTags.ParentRunId)
            {
                parent = tag.Value;
            }
        }

        var localJournal = RunJournal.Create(
            store.JournalOptions,
            new RunCreatedRecord(localRunId, experimentName is null ? experimentId : null, experimentName, runName, startTime, parent is not null && store.Runs.IsOpen(parent) ? parent : null, tags, JournalOwner.Current));
        store.Register(localRunId, localJournal);
        logger.LogWarning(
            "LlmTrack: the tracking server is unreachable ({Message}); run {RunId} started locally and logs to its journal at {Folder}. It is created on the server when the server is back.",
            unavailable?.Message ?? "the experiment could not be resolved",
            localRunId,
            localJournal.Folder);
        return new RunSnapshot
        {
            Info = new RunInfo
            {
                RunId = localRunId,
                ExperimentId = experimentId,
                RunName = runName,
                Status = RunStatus.Running,
                StartTime = startTime,
                ArtifactUri = DurableTrackingStore.LocalArtifactScheme + localRunId,
            },
            Data = new RunData { Tags = tags },
        };
    }
}
