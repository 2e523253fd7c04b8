using LlmTrack.Delivery;
using LlmTrack.Model;
using LlmTrack.Stores;
using LlmTrack.Validation;
using Microsoft.Extensions.Logging;

namespace LlmTrack.Tracking;

/// <summary>
/// Starting a run for a <see cref="Tracker"/>: options → validated start tags → experiment (<see cref="ExperimentResolver"/>)
/// → a new run on the store with the process's context tags, or an existing run resumed (by id, or named by
/// <c>MLFLOW_RUN_ID</c>).
/// </summary>
internal sealed class RunStarter(
    ITrackingStore store,
    IJournalingStore? journaling,
    ExperimentResolver experiments,
    TimeProvider timeProvider,
    ILogger logger,
    Func<IReadOnlyList<Tag>> contextTags,
    Func<string, string?> environment,
    Func<RunInfo, IEnumerable<Param>, Run> register)
{
    /// <summary>The run options of the short <c>StartRun</c> forms.</summary>
    public static RunOptions BuildOptions(string? experimentName, string? runName, Run? parent, string? description, IEnumerable<KeyValuePair<string, string>>? tags)
    {
        var options = new RunOptions { ExperimentName = experimentName, RunName = runName, Parent = parent, Description = description };
        if (tags is not null)
        {
            foreach (var (key, value) in tags)
            {
                options.Tags[key] = value;
            }
        }

        return options;
    }

    /// <summary>Starts (or resumes) a run as <paramref name="options"/> say.</summary>
    public async Task<Run> StartAsync(RunOptions options, CancellationToken cancellationToken)
    {
        var parentRunId = options.Parent?.RunId ?? options.ParentRunId;
        var resumeId = options.RunId;
        if (resumeId is null && parentRunId is null && environment("MLFLOW_RUN_ID") is { Length: > 0 } fromEnvironment)
        {
            resumeId = fromEnvironment.Trim();
        }

        var startTags = ValidateStartTags(options, parentRunId);
        return resumeId is not null
            ? await ResumeAsync(resumeId, options, startTags, cancellationToken).ConfigureAwait(false)
            : await CreateAsync(options, startTags, cancellationToken).ConfigureAwait(false);
    }

    private static List<Tag> ValidateStartTags(RunOptions options, string? parentRunId)
    {
        var tags = new List<Tag>();
        void Add(string key, string value)
        {
            TrackingNames.ValidateKey(key, KeyKind.Tag);
            TrackingNames.ValidateTagValue(key, value);
            tags.RemoveAll(t => t.Key == key);
            tags.Add(new Tag(key, value));
        }

        if (options.RunName is not null)
        {
            if (options.RunName.Length == 0)
            {
                throw new ArgumentException("The run name must not be empty.", nameof(options));
            }

            Add(MlflowTags.RunName, options.RunName);
        }

        if (parentRunId is not null)
        {
            Add(MlflowTags.ParentRunId, parentRunId);
        }

        if (options.Description is not null)
        {
            Add(MlflowTags.Description, options.Description);
        }

        foreach (var (key, value) in options.Tags)
        {
            Add(key, value);
        }

        return tags;
    }

    private async Task<Run> CreateAsync(RunOptions options, List<Tag> startTags, CancellationToken cancellationToken)
    {
        var experimentId = await experiments.ResolveForStartAsync(options, cancellationToken).ConfigureAwait(false);
        var runName = options.RunName ?? RunNameGenerator.Generate();
        var tags = new List<Tag>();
        foreach (var tag in contextTags())
        {
            if (!startTags.Exists(t => t.Key == tag.Key))
            {
                tags.Add(tag);
            }
        }

        if (!startTags.Exists(t => t.Key == MlflowTags.RunName))
        {
            tags.Add(new Tag(MlflowTags.RunName, runName));
        }

        tags.AddRange(startTags);
        var startTime = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var snapshot = await store.CreateRunAsync(experimentId, runName, startTime, tags, cancellationToken).ConfigureAwait(false);
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("Started run {RunId} ({RunName}) in experiment {ExperimentId}.", snapshot.Info.RunId, snapshot.Info.RunName, experimentId);
        }

        return register(snapshot.Info, snapshot.Data.Params);
    }

    private async Task<Run> ResumeAsync(string runId, RunOptions options, List<Tag> startTags, CancellationToken cancellationToken)
    {
        var snapshot = await store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
        if (snapshot.Info.LifecycleStage == "deleted")
        {
            throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"Cannot resume run '{runId}': it is deleted.");
        }

        if (options.ExperimentId is { } experimentId && experimentId != snapshot.Info.ExperimentId)
        {
            throw new MlflowException(
                MlflowErrorCode.InvalidParameterValue,
                $"Cannot resume run '{runId}' in experiment '{experimentId}': it belongs to experiment '{snapshot.Info.ExperimentId}'.");
        }

        var info = journaling is { } durable
            ? await durable.ResumeRunAsync(runId, options.RunName, cancellationToken).ConfigureAwait(false)
            : await store.UpdateRunAsync(runId, RunStatus.Running, null, options.RunName, cancellationToken).ConfigureAwait(false);
        var run = register(info with { Status = RunStatus.Running }, snapshot.Data.Params);
        if (startTags.Count > 0)
        {
            run.SetTags(startTags.Select(t => new KeyValuePair<string, string>(t.Key, t.Value)));
        }

        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("Resumed run {RunId}.", runId);
        }

        return run;
    }
}
