using LlmTrack.Model;
using LlmTrack.Configuration;
using System.Globalization;
using LlmTrack.Stores;
using LlmTrack.Stores.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmTrack.Sync;

/// <summary>
/// Copies experiments and runs from one tracking store to another (<c>llmtrack sync --from sqlite:///mlflow.db --to
/// https://mlflow.example</c>): params, tags, full metric histories, data set inputs, artifacts, status and times. Each
/// copied run carries <see cref="SourceRunIdTag"/>, so running the copy again finds its earlier copies and only adds what
/// is missing: new metric points, params, changed tags, new or resized artifacts, a changed status or end time.
/// </summary>
/// <remarks>
/// Runs are copied one after another, parents before children (<c>mlflow.parentRunId</c> is translated to the target's run
/// id). A failing run is recorded in <see cref="SyncReport.Failures"/> and the others are still copied.
/// </remarks>
internal sealed class StoreCopier
{
    /// <summary>The run tag on the target that names the source run: <c>&lt;source store id&gt;/&lt;source run id&gt;</c>.</summary>
    public const string SourceRunIdTag = TrackingStoreCopy.SourceRunIdTag;

    private const int SearchPageSize = 1000;
    private const int MaxInputsPerRequest = 100;
    private const int CopyBufferSize = 81920;

    private readonly ITrackingStore _source;
    private readonly ITrackingStore _target;
    private readonly string _sourceStoreId;
    private readonly SyncOptions _options;

    /// <summary>Creates a copier between two open stores (neither is disposed by the copier).</summary>
    /// <param name="source">The store to read.</param>
    /// <param name="target">The store to write.</param>
    /// <param name="sourceStoreId">The id recorded for the source store (see <see cref="StoreIdFromUri"/>); quotes are replaced.</param>
    /// <param name="options">Which experiments, where to stage artifacts.</param>
    public StoreCopier(ITrackingStore source, ITrackingStore target, string sourceStoreId, SyncOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceStoreId);
        _source = source;
        _target = target;
        _options = options ?? new SyncOptions();
        _sourceStoreId = SanitizeStoreId(_options.SourceStoreId ?? sourceStoreId);
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
        // Neither store is durable: a journal would acknowledge writes the target never saw (and the copy reads the source).
        var sourceOptions = LlmTrackOptionsCopy.WithTrackingUri(LlmTrackOptions.FromEnvironment(), fromUri.Trim(), durable: false);
        var targetStoreOptions = LlmTrackOptionsCopy.WithTrackingUri(targetOptions ?? LlmTrackOptions.FromEnvironment(), toUri.Trim(), durable: false);
        using var source = TrackingStoreFactory.Create(sourceOptions, null, TimeProvider.System, NullLoggerFactory.Instance);
        using var target = TrackingStoreFactory.Create(targetStoreOptions, null, TimeProvider.System, NullLoggerFactory.Instance);
        var copier = new StoreCopier(source, target, StoreIdFromUri(fromUri), syncOptions);
        return await copier.CopyAsync(progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The default id of a store: <c>sqlite://</c> + the absolute database path for SQLite (the same from any working
    /// folder), otherwise the URI without credentials and trailing <c>/</c>.
    /// </summary>
    /// <param name="trackingUri">The store's tracking URI.</param>
    /// <returns>The id.</returns>
    public static string StoreIdFromUri(string trackingUri)
    {
        ArgumentNullException.ThrowIfNull(trackingUri);
        var uri = trackingUri.Trim();
        return uri.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase)
            ? "sqlite://" + Path.GetFullPath(TrackingUri.GetSqliteDatabasePath(uri)).Replace('\\', '/')
            : TrackingUri.Redact(uri).TrimEnd('/');
    }

    /// <summary>Copies every selected experiment and its active runs.</summary>
    /// <param name="progress">Receives progress after every batch, artifact and run.</param>
    /// <param name="cancellationToken">Stops the copy; a later copy resumes it.</param>
    /// <returns>What was copied, skipped, conflicting or failed.</returns>
    public async Task<SyncReport> CopyAsync(IProgress<SyncProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var tally = new Tally(progress);
        var experiments = await ListSourceExperimentsAsync(cancellationToken).ConfigureAwait(false);
        var runs = new List<SourceRun>();
        var copies = new Dictionary<string, RunSnapshot>(StringComparer.Ordinal);
        var unreachable = new List<(RunSnapshot Run, string ExperimentName, Exception Error)>();
        foreach (var experiment in experiments)
        {
            var experimentRuns = new List<RunSnapshot>();
            await foreach (var run in SearchAllRunsAsync(_source, experiment.ExperimentId, null, ViewType.ActiveOnly, cancellationToken).ConfigureAwait(false))
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

        var ordered = ParentsFirst(runs);
        tally.RunsTotal = ordered.Count + unreachable.Count;
        foreach (var (run, experimentName, error) in unreachable)
        {
            tally.Failures.Add(await DescribeFailureAsync(run, experimentName, new RunCopy(), error, cancellationToken).ConfigureAwait(false));
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
            var state = new RunCopy();
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
        string? pageToken = null;
        do
        {
            var page = await _source.SearchExperimentsAsync(null, ViewType.ActiveOnly, SearchPageSize, null, pageToken, cancellationToken).ConfigureAwait(false);
            experiments.AddRange(page.Items.Where(e => wanted is null || wanted.Contains(e.Name)));
            pageToken = string.IsNullOrEmpty(page.NextPageToken) ? null : page.NextPageToken;
        }
        while (pageToken is not null);

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

    private async Task<string> GetOrCreateTargetExperimentAsync(Experiment experiment, Tally tally, CancellationToken cancellationToken)
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
            var targetTags = ToDictionary(target.Tags);
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
        await foreach (var run in SearchAllRunsAsync(_target, targetExperimentId, filter, ViewType.All, cancellationToken).ConfigureAwait(false))
        {
            var tag = run.Data.Tags.FirstOrDefault(t => t.Key == SourceRunIdTag);
            if (tag.Value is { } value && value.StartsWith(prefix, StringComparison.Ordinal)
                && (!copies.TryGetValue(value, out var known) || known.Info.LifecycleStage == "deleted"))
            {
                copies[value] = run;
            }
        }
    }

    private static async IAsyncEnumerable<RunSnapshot> SearchAllRunsAsync(ITrackingStore store, string experimentId, string? filter, ViewType viewType, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? pageToken = null;
        do
        {
            var page = await store.SearchRunsAsync([experimentId], filter, viewType, SearchPageSize, null, pageToken, cancellationToken).ConfigureAwait(false);
            foreach (var run in page.Items)
            {
                yield return run;
            }

            pageToken = string.IsNullOrEmpty(page.NextPageToken) ? null : page.NextPageToken;
        }
        while (pageToken is not null);
    }

    private async Task CopyRunAsync(SourceRun run, Dictionary<string, RunSnapshot> copies, Dictionary<string, string> targetRunIds, RunCopy state, Tally tally, CancellationToken cancellationToken)
    {
        var sourceRunId = run.Snapshot.Info.RunId;
        var sourceKey = _sourceStoreId + "/" + sourceRunId;

        // The search result may omit inputs or hold truncated data on some servers; the run itself is complete.
        var source = await _source.GetRunAsync(sourceRunId, cancellationToken).ConfigureAwait(false);
        state.Source = source;
        var tags = TranslateTags(source, targetRunIds, tally, sourceKey);

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
        var targetParams = ToDictionary(target.Data.Params.Select(p => new Tag(p.Key, p.Value)));
        var paramsToSend = new List<Param>();
        foreach (var param in source.Data.Params)
        {
            if (!targetParams.TryGetValue(param.Key, out var value))
            {
                paramsToSend.Add(param);
            }
            else if (value == param.Value)
            {
                tally.ParamsSkipped++;
            }
            else
            {
                tally.Conflicts.Add(new SyncConflict(sourceRunId, targetRunId, "param", param.Key, param.Value, value));
            }
        }

        var targetTags = ToDictionary(target.Data.Tags);
        var tagsToSend = tags.Where(t => !targetTags.TryGetValue(t.Key, out var value) || value != t.Value).ToList();
        state.ParamsToSend = paramsToSend.Count;
        state.TagsToSend = tagsToSend.Count;

        // Metrics: the full history of each key, minus the points the target already has, sent as batches fill up.
        var buffer = new LogBatchBuffer(paramsToSend, tagsToSend);
        foreach (var key in source.Data.Metrics.Select(m => m.Key).Distinct(StringComparer.Ordinal))
        {
            var history = await _source.GetMetricHistoryAsync(sourceRunId, key, cancellationToken).ConfigureAwait(false);
            var present = new HashSet<MetricPointKey>();
            if (!created && target.Data.Metrics.Any(m => m.Key == key))
            {
                foreach (var point in await _target.GetMetricHistoryAsync(targetRunId, key, cancellationToken).ConfigureAwait(false))
                {
                    present.Add(MetricPointKey.Of(point));
                }
            }

            foreach (var point in history)
            {
                if (present.Add(MetricPointKey.Of(point)))
                {
                    buffer.Add(point);
                }
                else
                {
                    tally.MetricPointsSkipped++;
                    state.PointsPresent++;
                }
            }

            changed |= await SendBatchesAsync(buffer, final: false, targetRunId, sourceRunId, state, tally, cancellationToken).ConfigureAwait(false);
        }

        changed |= await SendBatchesAsync(buffer, final: true, targetRunId, sourceRunId, state, tally, cancellationToken).ConfigureAwait(false);

        var presentInputs = new HashSet<string>(target.Inputs.Select(InputKey), StringComparer.Ordinal);
        var inputsToSend = source.Inputs.Where(i => presentInputs.Add(InputKey(i))).ToList();
        for (var start = 0; start < inputsToSend.Count; start += MaxInputsPerRequest)
        {
            var chunk = inputsToSend.GetRange(start, Math.Min(MaxInputsPerRequest, inputsToSend.Count - start));
            await _target.LogInputsAsync(targetRunId, chunk, cancellationToken).ConfigureAwait(false);
            tally.DatasetInputsSent += chunk.Count;
            changed = true;
        }

        changed |= await CopyArtifactsAsync(source, target, created, tally, cancellationToken).ConfigureAwait(false);

        // Status and end time last, so a copy interrupted half-way stays RUNNING on the target.
        var status = source.Info.Status == target.Info.Status ? (RunStatus?)null : source.Info.Status;
        var endTime = source.Info.EndTime is { } end && end != target.Info.EndTime ? end : (long?)null;
        var runName = !string.IsNullOrEmpty(source.Info.RunName) && source.Info.RunName != target.Info.RunName ? source.Info.RunName : null;
        if (status is not null || endTime is not null || runName is not null)
        {
            await _target.UpdateRunAsync(targetRunId, status ?? source.Info.Status, endTime ?? source.Info.EndTime, runName, cancellationToken).ConfigureAwait(false);
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
    private async Task<bool> SendBatchesAsync(LogBatchBuffer buffer, bool final, string targetRunId, string sourceRunId, RunCopy state, Tally tally, CancellationToken cancellationToken)
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

    // Tags to write on the target: mlflow.runName goes through run_name, the source's own copy marker is replaced by
    // ours, and parent run ids are translated (or dropped, with a note, when the parent has no copy).
    private static List<Tag> TranslateTags(RunSnapshot source, Dictionary<string, string> targetRunIds, Tally tally, string sourceKey)
    {
        var tags = new List<Tag>(source.Data.Tags.Count);
        foreach (var tag in source.Data.Tags)
        {
            switch (tag.Key)
            {
                case MlflowTags.RunName or SourceRunIdTag:
                    break;
                case MlflowTags.ParentRunId:
                    if (targetRunIds.TryGetValue(tag.Value, out var parent))
                    {
                        tags.Add(new Tag(tag.Key, parent));
                    }
                    else
                    {
                        tally.Notes.Add(new SyncNote(source.Info.RunId, $"Parent run {tag.Value} has no copy on the target; {MlflowTags.ParentRunId} was left out ({sourceKey})."));
                    }

                    break;
                default:
                    tags.Add(tag);
                    break;
            }
        }

        return tags;
    }

    private async Task<bool> CopyArtifactsAsync(RunSnapshot source, RunSnapshot target, bool created, Tally tally, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(source.Info.ArtifactUri))
        {
            return false;
        }

        var sourceRepository = _source.GetArtifactRepository(source.Info.ArtifactUri);
        var files = new List<ArtifactFile>();
        await ListFilesAsync(sourceRepository, null, files, cancellationToken).ConfigureAwait(false);
        if (files.Count == 0)
        {
            return false;
        }

        var targetRepository = _target.GetArtifactRepository(target.Info.ArtifactUri);
        var targetSizes = new Dictionary<string, long?>(StringComparer.Ordinal);
        if (!created)
        {
            var targetFiles = new List<ArtifactFile>();
            await ListFilesAsync(targetRepository, null, targetFiles, cancellationToken).ConfigureAwait(false);
            foreach (var file in targetFiles)
            {
                targetSizes[file.Path] = file.FileSize;
            }
        }

        var uploaded = false;
        var folder = _options.TemporaryFolder ?? Path.GetTempPath();
        foreach (var file in files)
        {
            var hasTarget = targetSizes.TryGetValue(file.Path, out var targetSize);
            if (hasTarget && file.FileSize is not null && targetSize == file.FileSize)
            {
                tally.ArtifactsSkipped++;
                continue;
            }

            var staging = Path.Combine(folder, "llmtrack-sync-" + Guid.NewGuid().ToString("N") + ".tmp");
            try
            {
                long length;
                var download = new FileStream(staging, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBufferSize, FileOptions.Asynchronous);
                await using (download.ConfigureAwait(false))
                {
                    await sourceRepository.DownloadAsync(file.Path, download, cancellationToken).ConfigureAwait(false);
                    await download.FlushAsync(cancellationToken).ConfigureAwait(false);
                    length = download.Length;
                }

                if (hasTarget && targetSize == length)
                {
                    tally.ArtifactsSkipped++;
                    continue;
                }

                await targetRepository.UploadAsync(
                    file.Path,
                    _ => Task.FromResult<Stream>(new FileStream(staging, FileMode.Open, FileAccess.Read, FileShare.Read, CopyBufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan)),
                    length,
                    cancellationToken).ConfigureAwait(false);
                tally.ArtifactsUploaded++;
                tally.ArtifactBytes += length;
                uploaded = true;
                tally.Report(source.Info.RunId);
            }
            finally
            {
                File.Delete(staging);
            }
        }

        return uploaded;
    }

    private static async Task ListFilesAsync(IArtifactRepository repository, string? folder, List<ArtifactFile> files, CancellationToken cancellationToken)
    {
        foreach (var entry in await repository.ListAsync(folder, cancellationToken).ConfigureAwait(false))
        {
            if (entry.IsDirectory)
            {
                await ListFilesAsync(repository, entry.Path, files, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                files.Add(entry);
            }
        }
    }

    // Runs whose parent is among the copied runs come after that parent; otherwise the source order is kept.
    private static List<SourceRun> ParentsFirst(List<SourceRun> runs)
    {
        var byId = runs.ToDictionary(r => r.Snapshot.Info.RunId, StringComparer.Ordinal);
        var ordered = new List<SourceRun>(runs.Count);
        var placed = new HashSet<string>(StringComparer.Ordinal);
        var visiting = new HashSet<string>(StringComparer.Ordinal);
        foreach (var run in runs)
        {
            // Walk up to the first ancestor not placed yet, then place the chain top-down (iterative, cycle-safe).
            var chain = new Stack<SourceRun>();
            var current = run;
            while (current is not null && !placed.Contains(current.Snapshot.Info.RunId) && visiting.Add(current.Snapshot.Info.RunId))
            {
                chain.Push(current);
                current = ParentOf(current) is { } parentId && byId.TryGetValue(parentId, out var parent) ? parent : null;
            }

            while (chain.Count > 0)
            {
                var next = chain.Pop();
                placed.Add(next.Snapshot.Info.RunId);
                ordered.Add(next);
            }

            visiting.Clear();
        }

        return ordered;
    }

    // A failed run: what of it is not on the target (as far as this copy knows). Points are counted from the source's
    // histories; when those cannot be read either, the count is unknown.
    private async Task<SyncFailure> DescribeFailureAsync(RunSnapshot listed, string experimentName, RunCopy state, Exception error, CancellationToken cancellationToken)
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

    private static string? ParentOf(SourceRun run) =>
        run.Snapshot.Data.Tags.FirstOrDefault(t => t.Key == MlflowTags.ParentRunId).Value;

    private static string InputKey(DatasetInput input) =>
        string.Join(
            "\u0001",
            new[] { input.Dataset.Name, input.Dataset.Digest }.Concat(input.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Key + "\u0002" + t.Value)));

    private static Dictionary<string, string> ToDictionary(IEnumerable<Tag> tags)
    {
        var dictionary = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            dictionary[tag.Key] = tag.Value;
        }

        return dictionary;
    }

    // Quotes would end the string literal of the search filter (MLflow's filter grammar has no escape).
    private static string SanitizeStoreId(string id) =>
        id.Trim().Replace('\'', '_').Replace('"', '_').Replace('`', '_');

    private sealed record SourceRun(RunSnapshot Snapshot, string ExperimentName, string TargetExperimentId);

    // What is known of a run's copy when it fails: the target run id once created or found, and what the target acknowledged.
    private sealed class RunCopy
    {
        public string? TargetRunId { get; set; }

        public RunSnapshot? Source { get; set; }

        public int? ParamsToSend { get; set; }

        public int? TagsToSend { get; set; }

        public long PointsSent { get; set; }

        public long PointsPresent { get; set; }

        public int ParamsSent { get; set; }

        public int TagsSent { get; set; }
    }

    private sealed class Tally(IProgress<SyncProgress>? progress)
    {
        public int ExperimentsCreated { get; set; }

        public int RunsTotal { get; set; }

        public int RunsDone { get; set; }

        public int RunsCreated { get; set; }

        public int RunsUpdated { get; set; }

        public int RunsUnchanged { get; set; }

        public int RunsSkipped { get; set; }

        public long MetricPointsSent { get; set; }

        public long MetricPointsSkipped { get; set; }

        public int ParamsSent { get; set; }

        public int ParamsSkipped { get; set; }

        public int TagsSent { get; set; }

        public int DatasetInputsSent { get; set; }

        public int ArtifactsUploaded { get; set; }

        public int ArtifactsSkipped { get; set; }

        public long ArtifactBytes { get; set; }

        public List<SyncConflict> Conflicts { get; } = [];

        public List<SyncNote> Notes { get; } = [];

        public List<SyncFailure> Failures { get; } = [];

        public void Report(string? currentRunId) =>
            progress?.Report(new SyncProgress(RunsDone, RunsTotal, MetricPointsSent, ArtifactBytes, currentRunId));

        public SyncReport ToReport(string sourceStoreId) => new()
        {
            SourceStoreId = sourceStoreId,
            ExperimentsCreated = ExperimentsCreated,
            RunsTotal = RunsTotal,
            RunsCreated = RunsCreated,
            RunsUpdated = RunsUpdated,
            RunsUnchanged = RunsUnchanged,
            RunsSkipped = RunsSkipped,
            MetricPointsSent = MetricPointsSent,
            MetricPointsSkipped = MetricPointsSkipped,
            ParamsSent = ParamsSent,
            ParamsSkipped = ParamsSkipped,
            TagsSent = TagsSent,
            DatasetInputsSent = DatasetInputsSent,
            ArtifactsUploaded = ArtifactsUploaded,
            ArtifactsSkipped = ArtifactsSkipped,
            ArtifactBytes = ArtifactBytes,
            Conflicts = [.. Conflicts],
            Notes = [.. Notes],
            Failures = [.. Failures],
        };
    }
}
