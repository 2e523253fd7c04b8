using LlmTrack.Model;
using LlmTrack.Stores;

namespace LlmTrack.Sync;

/// <summary>
/// Copies experiments and runs from one tracking store to another (<c>llmtrack sync --from sqlite:///mlflow.db --to
/// https://mlflow.example</c>): params, tags, full metric histories, data set inputs, artifacts, status and times. Each
/// copied run carries <see cref="SourceRunIdTag"/>, so running the copy again finds its earlier copies and only adds what
/// is missing: new metric points, params, changed tags, new or resized artifacts, a changed status or end time.
/// </summary>
/// <remarks>
/// Runs are copied one after another, parents before children (<c>mlflow.parentRunId</c> is translated to the target's run
/// id). A failing run is recorded in <see cref="SyncReport.Failures"/> and the others are still copied. The parts live in
/// their own types: <see cref="SyncEndpoints"/> (opening the stores, the store id), <see cref="RunDiff"/> (what a copy
/// lacks), <see cref="ArtifactCopier"/>, <see cref="RunLineage"/> (parents first, tag translation) and
/// <see cref="SyncTally"/> (the report in the making).
/// </remarks>
internal sealed class StoreCopier
{
    /// <summary>The run tag on the target that names the source run: <c>&lt;source store id&gt;/&lt;source run id&gt;</c>.</summary>
    public const string SourceRunIdTag = TrackingStoreCopy.SourceRunIdTag;

    private const int SearchPageSize = 1000;
    private const int MaxInputsPerRequest = 100;

    private readonly ITrackingStore _source;
    private readonly ITrackingStore _target;
    private readonly string _sourceStoreId;
    private readonly SyncOptions _options;
    private readonly ArtifactCopier _artifacts;

    /// <summary>Creates a copier between two open stores (neither is disposed by the copier).</summary>
    /// <param name="source">The store to read.</param>
    /// <param name="target">The store to write.</param>
    /// <param name="sourceStoreId">The id recorded for the source store (see <see cref="SyncEndpoints.StoreIdFromUri"/>); quotes are replaced.</param>
    /// <param name="options">Which experiments, where to stage artifacts.</param>
    public StoreCopier(ITrackingStore source, ITrackingStore target, string sourceStoreId, SyncOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceStoreId);
        _source = source;
        _target = target;
        _options = options ?? new SyncOptions();
        _sourceStoreId = SyncEndpoints.SanitizeStoreId(_options.SourceStoreId ?? sourceStoreId);
        _artifacts = new ArtifactCopier(source, target, _options.TemporaryFolder);
    }

    /// <summary>
    /// Opens both stores by tracking URI (<see cref="TrackingStoreFactory"/>) and copies <paramref name="fromUri"/> into
    /// <paramref name="toUri"/>.
    /// </summary>
    /// <param name="fromUri">The source, e.g. <c>sqlite:///mlflow.db</c>.</param>
    /// <param name="toUri">The target, e.g. <c>https://mlflow.example</c>.</param>
    /// <param name="targetOptions">Credentials, TLS and retry settings for the target (its tracking URI is ignored); default: MLflow's environment variables.</param>
    /// <param name="progress">Receives progress after every batch, artifact and run.</param>
    /// <param name="cancellationToken">Stops the copy; a later copy resumes it.</param>
    /// <returns>What was copied, skipped, conflicting or failed.</returns>
    public static Task<SyncReport> CopyAsync(string fromUri, string toUri, LlmTrackOptions? targetOptions, IProgress<SyncProgress>? progress, CancellationToken cancellationToken) =>
        CopyAsync(fromUri, toUri, targetOptions, null, progress, cancellationToken);

    /// <summary>As <see cref="CopyAsync(string, string, LlmTrackOptions?, IProgress{SyncProgress}?, CancellationToken)"/>, with <paramref name="syncOptions"/>.</summary>
    /// <param name="fromUri">The source, e.g. <c>sqlite:///mlflow.db</c>.</param>
    /// <param name="toUri">The target, e.g. <c>https://mlflow.example</c>.</param>
    /// <param name="targetOptions">Credentials, TLS and retry settings for the target (its tracking URI and durable mode are ignored: the target is written directly); default: MLflow's environment variables.</param>
    /// <param name="syncOptions">Which experiments, the source store id, where to stage artifacts.</param>
    /// <param name="progress">Receives progress after every batch, artifact and run.</param>
    /// <param name="cancellationToken">Stops the copy; a later copy resumes it.</param>
    /// <returns>What was copied, skipped, conflicting or failed.</returns>
    public static async Task<SyncReport> CopyAsync(string fromUri, string toUri, LlmTrackOptions? targetOptions, SyncOptions? syncOptions, IProgress<SyncProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fromUri);
        ArgumentException.ThrowIfNullOrWhiteSpace(toUri);
        var (sourceStore, targetStore) = SyncEndpoints.Open(fromUri, toUri, targetOptions);
        using var source = sourceStore;
        using var target = targetStore;
        var copier = new StoreCopier(source, target, SyncEndpoints.StoreIdFromUri(fromUri), syncOptions);
        return await copier.CopyAsync(progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Copies every selected experiment and its active runs.</summary>
    /// <param name="progress">Receives progress after every batch, artifact and run.</param>
    /// <param name="cancellationToken">Stops the copy; a later copy resumes it.</param>
    /// <returns>What was copied, skipped, conflicting or failed.</returns>
    public async Task<SyncReport> CopyAsync(IProgress<SyncProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var tally = new SyncTally(progress);
        var experiments = await ListSourceExperimentsAsync(cancellationToken).ConfigureAwait(false);
        var runs = new List<SourceRun>();
        var copies = new Dictionary<string, RunSnapshot>(StringComparer.Ordinal);
        var unreachable = new List<(RunSnapshot Run, string ExperimentName, Exception Error)>();
        foreach (var experiment in experiments)
        {
            var experimentRuns = new List<RunSnapshot>();
            await foreach (var run in _source.SearchAllRunsAsync([experiment.ExperimentId], null, ViewType.ActiveOnly, null, SearchPageSize, cancellationToken).ConfigureAwait(false))
            {
                experimentRuns.Add(run);
            }

            try
            {
                var targetExperimentId = await GetOrCreateTargetExperimentAsync(experiment, tally, cancellationToken).ConfigureAwait(false);
                await FindCopiesAsync(targetExperimentId, copies, cancellationToken).ConfigureAwait(false);
                runs.AddRange(experimentRuns.Select(run => new SourceRun(run, experiment.Name, targetExperimentId)));
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // E.g. a deleted experiment of that name on the target, or the target stopped answering: its runs fail,
                // the other experiments are still tried.
                unreachable.AddRange(experimentRuns.Select(run => (run, experiment.Name, (Exception)ex)));
            }
        }

        var ordered = RunLineage.ParentsFirst(runs, r => r.Snapshot);
        tally.RunsTotal = ordered.Count + unreachable.Count;
        foreach (var (run, experimentName, error) in unreachable)
        {
            tally.Failures.Add(await DescribeFailureAsync(run, experimentName, new RunCopyState(), error, cancellationToken).ConfigureAwait(false));
            tally.RunsDone++;
        }

        tally.Report(null);
        var targetRunIds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (sourceKey, copy) in copies)
        {
            var separator = sourceKey.LastIndexOf('/');
            targetRunIds[sourceKey[(separator + 1)..]] = copy.Info.RunId;
        }

        foreach (var run in ordered)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sourceRunId = run.Snapshot.Info.RunId;
            tally.Report(sourceRunId);
            var state = new RunCopyState();
            try
            {
                await CopyRunAsync(run, copies, targetRunIds, state, tally, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                tally.Failures.Add(await DescribeFailureAsync(run.Snapshot, run.ExperimentName, state, ex, cancellationToken).ConfigureAwait(false));
            }

            tally.RunsDone++;
            tally.Report(null);
        }

        return tally.ToReport(_sourceStoreId);
    }

    private async Task<List<Experiment>> ListSourceExperimentsAsync(CancellationToken cancellationToken)
    {
        var wanted = _options.ExperimentNames is null ? null : new HashSet<string>(_options.ExperimentNames, StringComparer.Ordinal);
        var experiments = new List<Experiment>();
        await foreach (var experiment in _source.SearchAllExperimentsAsync(null, ViewType.ActiveOnly, null, SearchPageSize, cancellationToken).ConfigureAwait(false))
        {
            if (wanted is null || wanted.Contains(experiment.Name))
            {
                experiments.Add(experiment);
            }
        }

        if (wanted is not null)
        {
            var missing = wanted.Where(name => !experiments.Any(e => e.Name == name)).ToList();
            if (missing.Count > 0)
            {
                throw new MlflowException(MlflowErrorCode.ResourceDoesNotExist, $"The source has no active experiment named {string.Join(", ", missing.Select(n => $"'{n}'"))}.");
            }
        }

        return experiments;
    }

    private async Task<string> GetOrCreateTargetExperimentAsync(Experiment experiment, SyncTally tally, CancellationToken cancellationToken)
    {
        var existed = await _target.GetExperimentByNameAsync(experiment.Name, cancellationToken).ConfigureAwait(false) is not null;
        var targetId = await _target.GetOrCreateExperimentAsync(experiment.Name, cancellationToken).ConfigureAwait(false);
        if (!existed)
        {
            tally.ExperimentsCreated++;
        }

        if (experiment.Tags.Count > 0)
        {
            var target = await _target.GetExperimentAsync(targetId, cancellationToken).ConfigureAwait(false);
            var targetTags = RunDiff.ToDictionary(target.Tags);
            foreach (var tag in experiment.Tags)
            {
                if (!targetTags.TryGetValue(tag.Key, out var value) || value != tag.Value)
                {
                    await _target.SetExperimentTagAsync(targetId, tag.Key, tag.Value, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return targetId;
    }

    // One search per target experiment: every run whose source-id tag starts with this store's id. LIKE treats '_' and
    // '%' in the id as wildcards, so matches are checked exactly here.
    private async Task FindCopiesAsync(string targetExperimentId, Dictionary<string, RunSnapshot> copies, CancellationToken cancellationToken)
    {
        var prefix = _sourceStoreId + "/";
        var filter = $"tags.`{SourceRunIdTag}` LIKE '{prefix}%'";
        await foreach (var run in _target.SearchAllRunsAsync([targetExperimentId], filter, ViewType.All, null, SearchPageSize, cancellationToken).ConfigureAwait(false))
        {
            var tag = run.Data.Tags.FirstOrDefault(t => t.Key == SourceRunIdTag);
            if (tag.Value is { } value && value.StartsWith(prefix, StringComparison.Ordinal)
                && (!copies.TryGetValue(value, out var known) || known.Info.LifecycleStage == "deleted"))
            {
                copies[value] = run;
            }
        }
    }

    private async Task CopyRunAsync(SourceRun run, Dictionary<string, RunSnapshot> copies, Dictionary<string, string> targetRunIds, RunCopyState state, SyncTally tally, CancellationToken cancellationToken)
    {
        var sourceRunId = run.Snapshot.Info.RunId;
        var sourceKey = _sourceStoreId + "/" + sourceRunId;

        // The search result may omit inputs or hold truncated data on some servers; the run itself is complete.
        var source = await _source.GetRunAsync(sourceRunId, cancellationToken).ConfigureAwait(false);
        state.Source = source;
        var tags = RunLineage.TranslateTags(source, targetRunIds, tally, sourceKey);

        RunSnapshot target;
        bool created;
        if (copies.TryGetValue(sourceKey, out var copy))
        {
            state.TargetRunId = copy.Info.RunId;
            if (copy.Info.LifecycleStage == "deleted")
            {
                tally.Notes.Add(new SyncNote(sourceRunId, $"Its copy {copy.Info.RunId} is deleted on the target; restore it to update it, or purge it to copy the run again."));
                tally.RunsSkipped++;
                return;
            }

            target = await _target.GetRunAsync(copy.Info.RunId, cancellationToken).ConfigureAwait(false);
            created = false;
        }
        else
        {
            List<Tag> createTags = [new Tag(SourceRunIdTag, sourceKey)];
            createTags.AddRange(tags.Where(t => t.Key is MlflowTags.User or MlflowTags.ParentRunId));
            target = await _target.CreateRunAsync(run.TargetExperimentId, source.Info.RunName, source.Info.StartTime, createTags, cancellationToken).ConfigureAwait(false);
            state.TargetRunId = target.Info.RunId;
            created = true;
            tally.RunsCreated++;
        }

        var targetRunId = target.Info.RunId;
        targetRunIds[sourceRunId] = targetRunId;
        var changed = false;

        // Params: immutable on every store, so an existing differing value is a conflict, not an error.
        var diff = RunDiff.Between(source, target, tags);
        tally.ParamsSkipped += diff.ParamsSkipped;
        foreach (var conflict in diff.ParamConflicts)
        {
            tally.Conflicts.Add(new SyncConflict(sourceRunId, targetRunId, "param", conflict.Key, conflict.SourceValue, conflict.TargetValue));
        }

        var paramsToSend = diff.ParamsToSend;
        var tagsToSend = diff.TagsToSend;
        state.ParamsToSend = paramsToSend.Count;
        state.TagsToSend = tagsToSend.Count;

        // Metrics: the full history of each key, minus the points the target already has, sent as batches fill up.
        var buffer = new LogBatchBuffer(paramsToSend, tagsToSend);
        foreach (var key in source.Data.Metrics.Select(m => m.Key).Distinct(StringComparer.Ordinal))
        {
            var history = await _source.GetMetricHistoryAsync(sourceRunId, key, cancellationToken).ConfigureAwait(false);
            var stored = !created && target.Data.Metrics.Any(m => m.Key == key)
                ? await _target.GetMetricHistoryAsync(targetRunId, key, cancellationToken).ConfigureAwait(false)
                : [];
            var missing = RunDiff.MissingPoints(history, stored, out var present);
            foreach (var point in missing)
            {
                buffer.Add(point);
            }

            tally.MetricPointsSkipped += present;
            state.PointsPresent += present;
            changed |= await SendBatchesAsync(buffer, final: false, targetRunId, sourceRunId, state, tally, cancellationToken).ConfigureAwait(false);
        }

        changed |= await SendBatchesAsync(buffer, final: true, targetRunId, sourceRunId, state, tally, cancellationToken).ConfigureAwait(false);

        var inputsToSend = diff.InputsToSend;
        for (var start = 0; start < inputsToSend.Count; start += MaxInputsPerRequest)
        {
            var chunk = inputsToSend.Skip(start).Take(MaxInputsPerRequest).ToList();
            await _target.LogInputsAsync(targetRunId, chunk, cancellationToken).ConfigureAwait(false);
            tally.DatasetInputsSent += chunk.Count;
            changed = true;
        }

        changed |= await _artifacts.CopyAsync(source, target, created, tally, cancellationToken).ConfigureAwait(false);

        // Status and end time last, so a copy interrupted half-way stays RUNNING on the target.
        if (diff.Update is { } update)
        {
            await _target.UpdateRunAsync(targetRunId, update.Status, update.EndTime, update.RunName, cancellationToken).ConfigureAwait(false);
            changed = true;
        }

        if (!created)
        {
            if (changed)
            {
                tally.RunsUpdated++;
            }
            else
            {
                tally.RunsUnchanged++;
            }
        }
    }

    // Counted only once the target acknowledged the batch: the report never claims what the target does not hold.
    private async Task<bool> SendBatchesAsync(LogBatchBuffer buffer, bool final, string targetRunId, string sourceRunId, RunCopyState state, SyncTally tally, CancellationToken cancellationToken)
    {
        var sent = false;
        while (buffer.Take(final) is { } batch)
        {
            await _target.LogBatchAsync(targetRunId, batch.Metrics, batch.Params, batch.Tags, cancellationToken).ConfigureAwait(false);
            state.PointsSent += batch.Metrics.Count;
            state.ParamsSent += batch.Params.Count;
            state.TagsSent += batch.Tags.Count;
            tally.MetricPointsSent += batch.Metrics.Count;
            tally.ParamsSent += batch.Params.Count;
            tally.TagsSent += batch.Tags.Count;
            sent = true;
            tally.Report(sourceRunId);
        }

        return sent;
    }

    // A failed run: what of it is not on the target (as far as this copy knows). Points are counted from the source's
    // histories; when those cannot be read either, the count is unknown.
    private async Task<SyncFailure> DescribeFailureAsync(RunSnapshot listed, string experimentName, RunCopyState state, Exception error, CancellationToken cancellationToken)
    {
        var source = state.Source ?? listed;
        long? points = null;
        try
        {
            long total = 0;
            foreach (var key in source.Data.Metrics.Select(m => m.Key).Distinct(StringComparer.Ordinal))
            {
                total += (await _source.GetMetricHistoryAsync(source.Info.RunId, key, cancellationToken).ConfigureAwait(false)).Count;
            }

            points = Math.Max(0, total - state.PointsSent - state.PointsPresent);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Unknown: the source failed too.
        }

        return new SyncFailure(source.Info.RunId, experimentName, state.TargetRunId, error.Message, error)
        {
            MetricPointsMissing = points,
            ParamsMissing = Math.Max(0, (state.ParamsToSend ?? source.Data.Params.Count) - state.ParamsSent),
            TagsMissing = Math.Max(0, (state.TagsToSend ?? source.Data.Tags.Count(t => t.Key is not (MlflowTags.RunName or SourceRunIdTag))) - state.TagsSent),
        };
    }

    /// <summary>A source run to copy, with its experiment's name and the target experiment it goes to.</summary>
    private sealed record SourceRun(RunSnapshot Snapshot, string ExperimentName, string TargetExperimentId);
}
