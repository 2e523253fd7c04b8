using LlmTrack.Delivery;
using LlmTrack.Model;
using LlmTrack.Configuration;
using LlmTrack.Journal;
using LlmTrack.Stores;
using LlmTrack.Tracking;
using Microsoft.Extensions.Logging;

namespace LlmTrack.Durable;

/// <summary>
/// Delivers the records of one run journal to the server (the store the durable store wraps), one record at a time,
/// in journal order. A record the server refuses for its content is split until the bad item is isolated; that item
/// goes to the dead-letter file and the rest is delivered. Progress within a split record survives a transient
/// failure, so nothing is sent twice when shipping resumes.
/// </summary>
internal sealed class JournalShipper
{
    private readonly DurableTrackingStore _store;
    private readonly DurableRun _run;
    private readonly ILogger _logger;

    // Artifact paths this shipper uploaded: a later record of the same path finds its file gone (the upload carried
    // the newest version) and needs nothing.
    private readonly HashSet<string> _uploadedPaths = new(StringComparer.Ordinal);
    private string? _artifactUri;

    public JournalShipper(DurableTrackingStore store, DurableRun run, ILogger logger)
    {
        _store = store;
        _run = run;
        _logger = logger;
    }

    private ITrackingStore Inner => _store.Inner;

    /// <summary>
    /// Delivers one record; returns the server's run info when it was the run's end. Metric records may be delivered
    /// concurrently (each with its own <paramref name="split"/>); every other record alone.
    /// </summary>
    /// <param name="entry">The record.</param>
    /// <param name="split">The record's split progress, kept across attempts so nothing is sent twice.</param>
    /// <param name="cancellationToken">Stops the delivery.</param>
    /// <exception cref="Exception">A transient failure (<see cref="DurableErrors.IsUnavailable"/>): deliver the same entry again later.</exception>
    public async Task<RunInfo?> DeliverAsync(JournalEntry entry, RefusalSplit split, CancellationToken cancellationToken)
    {
        switch (entry.Record)
        {
            case RunCreatedRecord created:
                await EnsureCreatedAsync(created, cancellationToken).ConfigureAwait(false);
                return null;
            case MetricsRecord metrics:
                await SendSplitAsync(split, true, metrics.Metrics, (runId, part, ct) => Inner.LogBatchAsync(runId, part, [], [], ct), (m, e) => _run.Journal.DeadLetters.Append(m, e), cancellationToken).ConfigureAwait(false);
                return null;
            case ParamsRecord parameters:
                await SendSplitAsync(split, true, parameters.Params, (runId, part, ct) => Inner.LogBatchAsync(runId, [], part, [], ct), (p, e) => _run.Journal.DeadLetters.Append(p, e), cancellationToken).ConfigureAwait(false);
                return null;
            case TagsRecord tags:
                await SendSplitAsync(split, true, tags.Tags, (runId, part, ct) => Inner.LogBatchAsync(runId, [], [], part, ct), (t, e) => _run.Journal.DeadLetters.Append(t, e), cancellationToken).ConfigureAwait(false);
                return null;
            case DatasetInputsRecord inputs:
                await SendSplitAsync(split, false, inputs.Inputs, (runId, part, ct) => Inner.LogInputsAsync(runId, part, ct), (d, e) => _run.Journal.DeadLetters.Append(d, e), cancellationToken).ConfigureAwait(false);
                return null;
            case ArtifactSpooledRecord artifact:
                await DeliverArtifactAsync(entry.Position, artifact, cancellationToken).ConfigureAwait(false);
                return null;
            case RunEndedRecord ended:
            {
                var serverRunId = await ServerRunIdAsync(cancellationToken).ConfigureAwait(false);
                var info = await Inner.UpdateRunAsync(serverRunId, ended.Status, ended.EndTime, null, cancellationToken).ConfigureAwait(false);
                if (_logger.IsEnabled(LogLevel.Information))
                {
                    _logger.LogInformation("LlmTrack: run {RunId} delivered from its journal and ended {Status} on the server.", serverRunId, ended.Status);
                }

                return info with { Status = ended.Status, EndTime = info.EndTime ?? ended.EndTime };
            }

            default:
                // Mappings and heartbeats need no delivery.
                return null;
        }
    }

    /// <summary>
    /// Uploads a spooled artifact to the run's artifact root on the server, then deletes the spooled file (the caller
    /// acknowledges the record afterwards). A transient failure propagates (the record is delivered again later; the
    /// upload replaces the same path, so a repeat is harmless); a refusal keeps the file under
    /// <c>artifacts.refused/</c> and writes a dead letter.
    /// </summary>
    private async Task DeliverArtifactAsync(JournalPosition position, ArtifactSpooledRecord artifact, CancellationToken cancellationToken)
    {
        var serverRunId = await ServerRunIdAsync(cancellationToken).ConfigureAwait(false);
        var spool = _run.Artifacts;
        var file = spool.TakeForUpload(artifact.RelativePath, position);
        if (file is null)
        {
            spool.CountDone();
            if (!_uploadedPaths.Contains(artifact.RelativePath))
            {
                _logger.LogWarning(
                    "LlmTrack: the spooled artifact '{Path}' of run {RunId} is no longer in {Folder}; it was delivered before the previous process stopped.",
                    artifact.RelativePath,
                    serverRunId,
                    spool.Root);
            }

            return;
        }

        try
        {
            var artifactUri = await ArtifactUriAsync(serverRunId, cancellationToken).ConfigureAwait(false);
            var repository = Inner.GetArtifactRepository(artifactUri);
            await repository.UploadAsync(
                artifact.RelativePath,
                _ => Task.FromResult<Stream>(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, useAsync: true)),
                new FileInfo(file).Length,
                cancellationToken).ConfigureAwait(false);
        }
        catch (MlflowException ex) when (!DurableErrors.IsUnavailable(ex))
        {
            // Refused for good (e.g. the run was deleted on the server, or its artifact root cannot be written): keep the
            // content on disk, report it, and let the rest of the journal go on.
            var kept = spool.Refuse(artifact.RelativePath, file);
            _run.Journal.DeadLetters.Append(artifact, kept, ex);

            // Counted for the store (and `llmtrack status`), not in the run's counters: those count logged values only.
            _store.CountDeadLetter();
            _logger.LogWarning(
                "LlmTrack: the tracking server refused artifact '{Path}' of run {RunId} ({ErrorCode}: {Message}); its content is kept at {File}, listed in {DeadLetters}, and the rest is delivered.",
                artifact.RelativePath,
                serverRunId,
                ex.ErrorCode,
                ex.Message,
                kept,
                _run.Journal.DeadLetters.Path);
            return;
        }

        spool.Complete(artifact.RelativePath, file);
        _uploadedPaths.Add(artifact.RelativePath);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LogDebug("LlmTrack: artifact '{Path}' of run {RunId} delivered from the journal.", artifact.RelativePath, serverRunId);
        }
    }

    private async Task<string> ArtifactUriAsync(string serverRunId, CancellationToken cancellationToken)
    {
        // Known from the mapping (this process or run.json); otherwise (not stored because it carried credentials) asked.
        _artifactUri ??= _store.Runs.ArtifactUriOf(_run.LocalRunId)
            ?? _run.Journal.State.ArtifactUri
            ?? (await Inner.GetRunAsync(serverRunId, cancellationToken).ConfigureAwait(false)).Info.ArtifactUri;
        return string.IsNullOrWhiteSpace(_artifactUri)
            ? throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"The tracking server reports no artifact location for run '{serverRunId}'.")
            : _artifactUri;
    }

    private async Task<string> ServerRunIdAsync(CancellationToken cancellationToken)
    {
        if (_run.ServerRunId is { } id)
        {
            return id;
        }

        // The RunCreated record was acknowledged without a mapping (never happens in a consistent journal): create
        // the run from run.json.
        var state = _run.Journal.State;
        await EnsureCreatedAsync(
            new RunCreatedRecord(state.LocalRunId, state.ExperimentId, state.ExperimentName, state.RunName, state.StartTime, state.ParentLocalRunId, [], state.Owner),
            cancellationToken).ConfigureAwait(false);
        return _run.ServerRunId!;
    }

    private async Task EnsureCreatedAsync(RunCreatedRecord created, CancellationToken cancellationToken)
    {
        if (_run.ServerRunId is not null)
        {
            return;
        }

        var experimentId = created.ExperimentId
            ?? await Inner.GetOrCreateExperimentAsync(created.ExperimentName ?? "Default", cancellationToken).ConfigureAwait(false);
        var tags = new List<Tag>(created.Tags.Count);
        foreach (var tag in created.Tags)
        {
            // A child of a run that was itself started locally names the parent's local id: use the server's.
            tags.Add(tag.Key == MlflowTags.ParentRunId && _store.Runs.TryGetServerRunId(tag.Value, out var parent) ? tag with { Value = parent } : tag);
        }

        var snapshot = await Inner.CreateRunAsync(experimentId, created.RunName, created.StartTime, tags, cancellationToken).ConfigureAwait(false);
        _run.Journal.MapServerRun(snapshot.Info.RunId, JournalArtifactUri.ForJournal(snapshot.Info.ArtifactUri));
        _store.Runs.OnMapped(_run, snapshot.Info);
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.LogInformation("LlmTrack: run {LocalRunId}, started while the server was unreachable, is now run {RunId} on the server.", created.LocalRunId, snapshot.Info.RunId);
        }
    }

    // One record's items through the shared split-on-refusal (resumed across attempts by `split`).
    private async Task SendSplitAsync<T>(
        RefusalSplit split,
        bool countsAsValues,
        IReadOnlyList<T> items,
        Func<string, IReadOnlyList<T>, CancellationToken, Task> send,
        Action<T, MlflowException> deadLetter,
        CancellationToken cancellationToken)
    {
        if (items.Count == 0)
        {
            return;
        }

        var serverRunId = await ServerRunIdAsync(cancellationToken).ConfigureAwait(false);
        await split.SendAsync(
            items.Count,
            async (start, count) =>
            {
                var part = Slice(items, start, count);
                try
                {
                    await send(serverRunId, part, cancellationToken).ConfigureAwait(false);
                }
                catch (MlflowException ex) when (DurableErrors.IsUniqueConstraint(ex) && part is IReadOnlyList<Metric> points)
                {
                    // Identical points are stored already (an earlier process sent them and died before the
                    // acknowledgement): send only the points the server does not have.
                    var missing = await FindUnstoredAsync(serverRunId, points, cancellationToken).ConfigureAwait(false);
                    if (missing.Count > 0)
                    {
                        await Inner.LogBatchAsync(serverRunId, missing, [], [], cancellationToken).ConfigureAwait(false);
                    }
                }

                Delivered(countsAsValues, count);
            },
            static error => error switch
            {
                _ when DurableErrors.IsUnavailable(error) => RefusalKind.Propagate,
                _ when DurableErrors.IsContentRejection(error) => RefusalKind.Value,
                MlflowException => RefusalKind.Whole, // e.g. the run was deleted on the server: splitting cannot help
                _ => RefusalKind.Propagate,
            },
            (start, count, error) =>
            {
                for (var k = start; k < start + count; k++)
                {
                    DeadLetter(items[k], (MlflowException)error, deadLetter);
                }
            }).ConfigureAwait(false);
    }

    private void Delivered(bool countsAsValues, int count)
    {
        if (countsAsValues)
        {
            _run.CountDelivered(count);
        }
        else
        {
            _run.SignalProgress();
        }
    }

    private void DeadLetter<T>(T item, MlflowException error, Action<T, MlflowException> deadLetter)
    {
        deadLetter(item, error);
        if (item is Metric or Param or Tag)
        {
            _run.CountDeadLetter(1);
        }
        else
        {
            _run.SignalProgress();
        }

        _store.CountDeadLetter();
        _logger.LogWarning(
            "LlmTrack: the tracking server refused a value of run {RunId} ({ErrorCode}: {Message}); it was written to {Path} and the rest is delivered.",
            _run.ServerRunId ?? _run.LocalRunId,
            error.ErrorCode,
            error.Message,
            _run.Journal.DeadLetters.Path);
    }

    // Reads only the batch's step ranges from the store (any ITrackingStore), with the one metric-point identity.
    private Task<IReadOnlyList<Metric>> FindUnstoredAsync(string serverRunId, IReadOnlyList<Metric> metrics, CancellationToken cancellationToken) =>
        MetricReconciler.FindUnstoredAsync(Inner, serverRunId, metrics, cancellationToken);

    private static IReadOnlyList<T> Slice<T>(IReadOnlyList<T> items, int start, int count)
    {
        if (start == 0 && count == items.Count)
        {
            return items;
        }

        var part = new T[count];
        for (var i = 0; i < count; i++)
        {
            part[i] = items[start + i];
        }

        return part;
    }
}
