using LlmTrack.Stores;
using LlmTrack.Stores.Sqlite;
using LlmTrack.Sync;
using LlmTrack.Tests.Sqlite;

namespace LlmTrack.Tests.Sync;

/// <summary>Copies between two temporary SQLite stores: round trip, idempotence, increments, conflicts and failures.</summary>
public sealed class SqliteToSqliteSyncTests : IDisposable
{
    private const long Start = 1_700_000_000_000;
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TwoStores _stores = new();

    public void Dispose() => _stores.Dispose();

    [Fact]
    public async Task FirstCopyReproducesEveryRunCompletely()
    {
        var seeded = await SeedAsync(_stores.Source);
        var progress = new ProgressLog();

        var report = await _stores.CopyAsync(progress: progress);

        Assert.Empty(report.Failures);
        Assert.Empty(report.Conflicts);
        Assert.Equal(3, report.RunsTotal);
        Assert.Equal(3, report.RunsCreated);
        Assert.Equal(2, report.ExperimentsCreated);
        Assert.Equal(4, report.ArtifactsUploaded);
        Assert.Equal(seeded.PointCount, report.MetricPointsSent);
        var last = progress.Reports[^1];
        Assert.Equal((3, 3, report.MetricPointsSent, report.ArtifactBytes, (string?)null), (last.RunsDone, last.RunsTotal, last.MetricPointsSent, last.ArtifactBytes, last.CurrentRunId));
        Assert.True(report.ArtifactBytes > 0);

        var targetExperiment = await _stores.Target.GetExperimentByNameAsync("sync-a", None);
        Assert.Contains(new Tag("team", "nlp"), targetExperiment!.Tags);

        foreach (var (experiment, runId) in seeded.Runs)
        {
            await AssertCopiedAsync(experiment, runId);
        }

        // The child's parent id is the target's id of the parent, not the source's.
        var parentCopy = await _stores.Target.CopyOfAsync("sync-a", seeded.ParentId);
        var childCopy = await _stores.Target.CopyOfAsync("sync-a", seeded.ChildId);
        Assert.Contains(new Tag("mlflow.parentRunId", parentCopy.Info.RunId), childCopy.Data.Tags);
        Assert.Contains(new Tag(StoreCopier.SourceRunIdTag, SyncEndpoints.StoreIdFromUri(_stores.SourceUri) + "/" + seeded.ParentId), parentCopy.Data.Tags);

        // NaN and the clamped infinities arrive as such, and the repeated step keeps all its points.
        var loss = await _stores.Target.GetMetricHistoryAsync(parentCopy.Info.RunId, "loss", None);
        Assert.Contains(loss, m => double.IsNaN(m.Value));
        Assert.Contains(loss, m => m.Value == double.MaxValue);
        Assert.Contains(loss, m => m.Value == double.MinValue);
        Assert.Equal(3, loss.Count(m => m.Step == 1));
    }

    [Fact]
    public async Task SecondCopyCreatesAndSendsNothing()
    {
        var seeded = await SeedAsync(_stores.Source);
        await _stores.CopyAsync();
        var historyBefore = await _stores.Target.HistoryAsync((await _stores.Target.CopyOfAsync("sync-a", seeded.ParentId)).Info.RunId, "loss");

        var report = await _stores.CopyAsync();

        Assert.Empty(report.Failures);
        Assert.Equal((0, 0, 3), (report.RunsCreated, report.RunsUpdated, report.RunsUnchanged));
        Assert.Equal((0L, 0, 0, 0, 0), (report.MetricPointsSent, report.ParamsSent, report.TagsSent, report.DatasetInputsSent, report.ArtifactsUploaded));
        Assert.Equal(seeded.PointCount, report.MetricPointsSkipped);
        Assert.Equal(4, report.ArtifactsSkipped);
        Assert.Equal(0, report.ExperimentsCreated);
        Assert.Equal(2, (await _stores.Target.AllRunsAsync("sync-a")).Count);
        Assert.Single(await _stores.Target.AllRunsAsync("sync-b"));
        var parentCopy = await _stores.Target.CopyOfAsync("sync-a", seeded.ParentId);
        Assert.Equal(historyBefore, await _stores.Target.HistoryAsync(parentCopy.Info.RunId, "loss"));
        Assert.Single(parentCopy.Inputs);
    }

    [Fact]
    public async Task LaterCopySendsOnlyWhatIsNewAndReportsConflicts()
    {
        var seeded = await SeedAsync(_stores.Source);
        await _stores.CopyAsync();
        var parentCopy = await _stores.Target.CopyOfAsync("sync-a", seeded.ParentId);

        // New points (one at an existing step), a new param, a param the target already has differently, a changed
        // tag, a changed artifact, and the open run finishing.
        await _stores.Source.LogBatchAsync(seeded.ParentId, [new Metric("loss", 0.05, Start + 900, 3), new Metric("loss", 0.07, Start + 901, 1)], [new Param("added", "yes"), new Param("extra", "1")], [new Tag("stage", "final")], None);
        await _stores.Target.LogBatchAsync(parentCopy.Info.RunId, [], [new Param("extra", "2")], [], None);
        var parent = await _stores.Source.GetRunAsync(seeded.ParentId, None);
        await _stores.Source.UploadTextAsync(parent, "notes.txt", "notes, now longer than before");
        await _stores.Source.UpdateRunAsync(seeded.OpenRunId, RunStatus.Finished, Start + 7000, null, None);

        var report = await _stores.CopyAsync();

        Assert.Empty(report.Failures);
        Assert.Equal((0, 2, 1), (report.RunsCreated, report.RunsUpdated, report.RunsUnchanged));
        Assert.Equal(2, report.MetricPointsSent);
        Assert.Equal(1, report.ParamsSent);
        Assert.Equal(1, report.TagsSent);
        Assert.Equal(1, report.ArtifactsUploaded);
        var conflict = Assert.Single(report.Conflicts);
        Assert.Equal(new SyncConflict(seeded.ParentId, parentCopy.Info.RunId, "param", "extra", "1", "2"), conflict);

        parentCopy = await _stores.Target.GetRunAsync(parentCopy.Info.RunId, None);
        Assert.Contains(new Param("added", "yes"), parentCopy.Data.Params);
        Assert.Contains(new Param("extra", "2"), parentCopy.Data.Params);
        Assert.Contains(new Tag("stage", "final"), parentCopy.Data.Tags);
        Assert.Equal("notes, now longer than before", await _stores.Target.DownloadTextAsync(parentCopy, "notes.txt"));
        Assert.Equal(
            await _stores.Source.HistoryAsync(seeded.ParentId, "loss"),
            await _stores.Target.HistoryAsync(parentCopy.Info.RunId, "loss"));
        var openCopy = await _stores.Target.CopyOfAsync("sync-b", seeded.OpenRunId);
        Assert.Equal((RunStatus.Finished, (long?)(Start + 7000)), (openCopy.Info.Status, openCopy.Info.EndTime));

        // And once more: nothing left to do (the conflict is reported again, nothing is sent).
        var again = await _stores.CopyAsync();
        Assert.Equal((0, 0, 3, 0L), (again.RunsCreated, again.RunsUpdated, again.RunsUnchanged, again.MetricPointsSent));
        Assert.Single(again.Conflicts);
    }

    [Fact]
    public async Task FailingRunDoesNotStopTheOthersAndIsCompletedByTheNextCopy()
    {
        var seeded = await SeedAsync(_stores.Source);
        using var failing = new FailingArtifactsStore(_stores.Source, uri => uri.Contains(seeded.ParentId, StringComparison.Ordinal));

        var report = await _stores.CopyAsync(failing);

        var failure = Assert.Single(report.Failures);
        Assert.Equal(seeded.ParentId, failure.SourceRunId);
        Assert.Equal("sync-a", failure.ExperimentName);
        Assert.NotNull(failure.TargetRunId);
        Assert.IsType<IOException>(failure.Exception);
        Assert.Equal(3, report.RunsCreated);
        await AssertCopiedAsync("sync-a", seeded.ChildId);
        await AssertCopiedAsync("sync-b", seeded.OpenRunId);
        var partial = await _stores.Target.CopyOfAsync("sync-a", seeded.ParentId);
        Assert.Equal(RunStatus.Running, partial.Info.Status);

        var retry = await _stores.CopyAsync();

        Assert.Empty(retry.Failures);
        Assert.Equal((0, 1, 2), (retry.RunsCreated, retry.RunsUpdated, retry.RunsUnchanged));
        Assert.Equal(0, retry.MetricPointsSent);
        await AssertCopiedAsync("sync-a", seeded.ParentId);
    }

    [Fact]
    public async Task DeletedTargetExperimentFailsOnlyItsRuns()
    {
        var seeded = await SeedAsync(_stores.Source);
        await _stores.Target.CreateExperimentAsync("sync-b", null, [], None);
        using (var connection = _stores.TargetFolder.OpenConnection())
        {
            connection.Execute("UPDATE experiments SET lifecycle_stage = 'deleted' WHERE name = 'sync-b'");
        }

        var report = await _stores.CopyAsync();

        var failure = Assert.Single(report.Failures);
        Assert.Equal((seeded.OpenRunId, "sync-b", (string?)null), (failure.SourceRunId, failure.ExperimentName, failure.TargetRunId));
        Assert.Contains("deleted", failure.Error, StringComparison.Ordinal);
        Assert.Equal((3, 2), (report.RunsTotal, report.RunsCreated));
        await AssertCopiedAsync("sync-a", seeded.ParentId);
    }

    [Fact]
    public async Task DeletedCopyIsSkippedNotCopiedAgain()
    {
        var seeded = await SeedAsync(_stores.Source);
        await _stores.CopyAsync();
        var openCopy = await _stores.Target.CopyOfAsync("sync-b", seeded.OpenRunId);
        await _stores.Target.DeleteRunAsync(openCopy.Info.RunId, None);

        var report = await _stores.CopyAsync();

        Assert.Equal((0, 1, 2), (report.RunsCreated, report.RunsSkipped, report.RunsUnchanged));
        Assert.Contains(report.Notes, n => n.SourceRunId == seeded.OpenRunId && n.Message.Contains(openCopy.Info.RunId, StringComparison.Ordinal));
        Assert.Single(await _stores.Target.AllRunsAsync("sync-b"));
    }

    [Fact]
    public async Task ConvenienceOverloadOpensBothStoresByUri()
    {
        var seeded = await SeedAsync(_stores.Source);

        var report = await StoreCopier.CopyAsync(_stores.SourceUri, _stores.TargetUri, new LlmTrackOptions(), new SyncOptions { ExperimentNames = ["sync-b"] }, null, None);

        Assert.Empty(report.Failures);
        Assert.Equal(1, report.RunsCreated);
        await AssertCopiedAsync("sync-b", seeded.OpenRunId);
        Assert.Null(await _stores.Target.GetExperimentByNameAsync("sync-a", None));
    }

    [Fact]
    public void StoreIdIsTheAbsoluteDatabasePath()
    {
        var id = SyncEndpoints.StoreIdFromUri("sqlite:///mlflow.db");
        Assert.Equal("sqlite://" + Path.GetFullPath("mlflow.db").Replace('\\', '/'), id);
        Assert.Equal("https://***@mlflow.example", SyncEndpoints.StoreIdFromUri("https://user:secret@mlflow.example/"));
    }

    private async Task AssertCopiedAsync(string experiment, string sourceRunId)
    {
        var source = await _stores.Source.GetRunAsync(sourceRunId, None);
        var copy = await _stores.Target.CopyOfAsync(experiment, sourceRunId);
        Assert.Equal(source.Info.RunName, copy.Info.RunName);
        Assert.Equal(source.Info.StartTime, copy.Info.StartTime);
        Assert.Equal(source.Info.EndTime, copy.Info.EndTime);
        Assert.Equal(source.Info.Status, copy.Info.Status);
        Assert.Equal(source.Data.Params.OrderBy(p => p.Key), copy.Data.Params.OrderBy(p => p.Key));
        foreach (var tag in source.Data.Tags.Where(t => t.Key != "mlflow.parentRunId"))
        {
            Assert.Contains(tag, copy.Data.Tags);
        }

        Assert.Equal(source.Data.Metrics.Select(m => m.Key).Order(), copy.Data.Metrics.Select(m => m.Key).Order());
        foreach (var key in source.Data.Metrics.Select(m => m.Key))
        {
            Assert.Equal(await _stores.Source.HistoryAsync(sourceRunId, key), await _stores.Target.HistoryAsync(copy.Info.RunId, key));
        }

        Assert.Equal(source.Inputs.Count, copy.Inputs.Count);
        for (var i = 0; i < source.Inputs.Count; i++)
        {
            Assert.Equal(source.Inputs[i].Dataset, copy.Inputs[i].Dataset);
            Assert.Equal(source.Inputs[i].Tags, copy.Inputs[i].Tags);
        }

        var sourceFiles = await _stores.Source.ListAllArtifactsAsync(source);
        Assert.Equal(sourceFiles, await _stores.Target.ListAllArtifactsAsync(copy));
        foreach (var file in sourceFiles)
        {
            Assert.Equal(await _stores.Source.DownloadTextAsync(source, file.Path), await _stores.Target.DownloadTextAsync(copy, file.Path));
        }
    }

    private static async Task<Seeded> SeedAsync(SqliteTrackingStore store)
    {
        var a = await store.CreateExperimentAsync("sync-a", null, [new Tag("team", "nlp")], None);
        var b = await store.CreateExperimentAsync("sync-b", null, [], None);

        var parent = await store.CreateRunAsync(a, "parent-run", Start, [new Tag("mlflow.user", "alice"), new Tag("mlflow.source.name", "train.py")], None);
        var parentId = parent.Info.RunId;
        Metric[] loss =
        [
            new("loss", 1.0, Start + 10, 0),
            new("loss", 0.5, Start + 20, 1),
            new("loss", 0.4, Start + 21, 1),
            new("loss", 0.3, Start + 21, 1),
            new("loss", double.NaN, Start + 30, 2),
            new("loss", double.PositiveInfinity, Start + 40, 2),
            new("loss", double.NegativeInfinity, Start + 50, 2),
        ];
        var accuracy = Enumerable.Range(0, 1500).Select(i => new Metric("accuracy", i / 1500.0, Start + 100 + i, i)).ToArray();
        await store.LogBatchAsync(parentId, loss, [new Param("model", "gpt-mini"), new Param("lr", "0.001")], [new Tag("stage", "eval"), new Tag("mlflow.note.content", "first run")], None);
        foreach (var chunk in accuracy.Chunk(1000))
        {
            await store.LogBatchAsync(parentId, chunk, [], [], None);
        }

        var dataset = new Dataset
        {
            Name = "eval-set",
            Digest = "1a2b3c4d",
            SourceType = "local",
            Source = """{"uri":"data/eval.tsv"}""",
            Schema = """{"mlflow_colspec":[{"type":"string","name":"text"}]}""",
            Profile = """{"num_rows":10,"num_elements":10}""",
        };
        await store.LogInputsAsync(parentId, [new DatasetInput(dataset, [new Tag("mlflow.data.context", "eval")])], None);
        await store.UploadTextAsync(parent, "notes.txt", "notes");
        await store.UploadTextAsync(parent, "model/weights.bin", new string('w', 100_000));
        await store.UploadTextAsync(parent, "model/config/params.json", """{"layers": 2}""");
        await store.UpdateRunAsync(parentId, RunStatus.Finished, Start + 5000, null, None);

        // The child starts later, so the source lists it before its parent.
        var child = await store.CreateRunAsync(a, "child-run", Start + 100, [new Tag("mlflow.parentRunId", parentId)], None);
        await store.LogBatchAsync(child.Info.RunId, [new Metric("score", 0.9, Start + 200, 0)], [new Param("fold", "1")], [], None);
        await store.UploadTextAsync(child, "out/predictions.txt", "a\nb\n");
        await store.UpdateRunAsync(child.Info.RunId, RunStatus.Failed, Start + 300, null, None);

        var open = await store.CreateRunAsync(b, "open-run", Start + 1000, [], None);
        await store.LogBatchAsync(open.Info.RunId, [new Metric("x", 1, Start + 1001, 0)], [], [], None);

        return new Seeded(parentId, child.Info.RunId, open.Info.RunId, loss.Length + accuracy.Length + 2);
    }

    private sealed record Seeded(string ParentId, string ChildId, string OpenRunId, int PointCount)
    {
        public IEnumerable<(string Experiment, string RunId)> Runs => [("sync-a", ParentId), ("sync-a", ChildId), ("sync-b", OpenRunId)];
    }
}
