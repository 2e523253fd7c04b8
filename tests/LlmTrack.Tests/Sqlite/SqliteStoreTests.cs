using LlmTrack.Stores.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace LlmTrack.Tests.Sqlite;

public sealed class SqliteStoreTests : IDisposable
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(s_now);
    private readonly SqliteTrackingStore _store;

    public SqliteStoreTests()
    {
        _store = SqliteTrackingStore.Open(_folder.TrackingUri, _time);
    }

    public void Dispose()
    {
        _store.Dispose();
        _folder.Dispose();
    }

    private long Ms => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task<RunSnapshot> NewRunAsync(string experimentId = "0", string? name = "r") =>
        await _store.CreateRunAsync(experimentId, name, 1_700_000_000_000, [], default);

    [Fact]
    public async Task CreateExperimentRoundTripsAndGetsAnArtifactLocationUnderTheRoot()
    {
        var id = await _store.CreateExperimentAsync("exp", null, [new Tag("team", "nlp")], default);
        Assert.Equal("1", id);

        var experiment = await _store.GetExperimentAsync(id, default);
        Assert.Equal("exp", experiment.Name);
        Assert.Equal(_folder.Path + "/mlruns/1", experiment.ArtifactLocation);
        Assert.Equal("active", experiment.LifecycleStage);
        Assert.Equal(Ms, experiment.CreationTime);
        Assert.Equal(Ms, experiment.LastUpdateTime);
        Assert.Equal([new Tag("team", "nlp")], experiment.Tags);

        var byName = await _store.GetExperimentByNameAsync("exp", default);
        Assert.Equal(experiment, byName! with { Tags = experiment.Tags });
        Assert.Null(await _store.GetExperimentByNameAsync("missing", default));

        var byDefault = await _store.GetExperimentByNameAsync("Default", default);
        Assert.Equal("0", byDefault!.ExperimentId);
    }

    [Fact]
    public async Task ExplicitArtifactLocationIsResolvedWhenLocalAndKeptWhenAUri()
    {
        var local = await _store.CreateExperimentAsync("a", "relative/artifacts", [], default);
        Assert.Equal(Path.GetFullPath("relative/artifacts"), (await _store.GetExperimentAsync(local, default)).ArtifactLocation);

        var remote = await _store.CreateExperimentAsync("b", "s3://bucket/path", [], default);
        Assert.Equal("s3://bucket/path", (await _store.GetExperimentAsync(remote, default)).ArtifactLocation);
        var run = await _store.CreateRunAsync(remote, "r", 1, [], default);
        Assert.Equal("s3://bucket/path/" + run.Info.RunId + "/artifacts", run.Info.ArtifactUri);
    }

    [Fact]
    public async Task DuplicateExperimentNameIsResourceAlreadyExistsLikeTheServer()
    {
        await _store.CreateExperimentAsync("dup", null, [], default);
        var ex = await Assert.ThrowsAsync<MlflowException>(() => _store.CreateExperimentAsync("dup", null, [], default));
        Assert.Equal(MlflowErrorCode.ResourceAlreadyExists, ex.ErrorCode);
        Assert.StartsWith("Experiment(name=dup) already exists. Error: (sqlite3.IntegrityError) UNIQUE constraint failed: experiments.workspace, experiments.name", ex.Message);

        // Nothing half-written: still exactly one experiment named dup and the next id is 2.
        Assert.Equal("2", await _store.CreateExperimentAsync("other", null, [], default));
    }

    [Fact]
    public async Task MissingExperimentIsResourceDoesNotExist()
    {
        var ex = await Assert.ThrowsAsync<MlflowException>(() => _store.GetExperimentAsync("42", default));
        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, ex.ErrorCode);
        Assert.Equal("No Experiment with id=42 exists", ex.Message);
        await Assert.ThrowsAsync<MlflowException>(() => _store.CreateRunAsync("42", "r", 1, [], default));
    }

    [Fact]
    public async Task SetExperimentTagUpserts()
    {
        var id = await _store.CreateExperimentAsync("tags", null, [], default);
        await _store.SetExperimentTagAsync(id, "k", "1", default);
        await _store.SetExperimentTagAsync(id, "k", "2", default);
        Assert.Equal([new Tag("k", "2")], (await _store.GetExperimentAsync(id, default)).Tags);
    }

    [Fact]
    public async Task CreateRunWritesTheRowsMlflowWrites()
    {
        var run = await _store.CreateRunAsync("0", null, 1_700_000_000_123, [new Tag("mlflow.user", "alice"), new Tag("mlflow.source.type", "LOCAL")], default);

        Assert.Matches("^[0-9a-f]{32}$", run.Info.RunId);
        Assert.Matches("^[a-z]+-[a-z]+-[0-9]{1,3}$", run.Info.RunName);
        Assert.Equal(RunStatus.Running, run.Info.Status);
        Assert.Equal("alice", run.Info.UserId);
        Assert.Equal(_folder.Path + "/mlruns/0/" + run.Info.RunId + "/artifacts", run.Info.ArtifactUri);
        Assert.Contains(new Tag("mlflow.runName", run.Info.RunName!), run.Data.Tags);

        using var connection = _folder.OpenConnection();
        var row = Assert.Single(connection.Rows(
            "SELECT run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time FROM runs"));
        Assert.Equal(
            new object?[] { run.Info.RunId, run.Info.RunName, "UNKNOWN", "", "", "alice", "RUNNING", 1_700_000_000_123L, null, "", "active", run.Info.ArtifactUri, 0L, null },
            row);
        Assert.Equal(3L, connection.Scalar("SELECT COUNT(*) FROM tags"));
    }

    [Fact]
    public async Task RunNameArgumentAndTagMustAgree()
    {
        var ex = await Assert.ThrowsAsync<MlflowException>(() =>
            _store.CreateRunAsync("0", "a", 1, [new Tag("mlflow.runName", "b")], default));
        Assert.Equal(MlflowErrorCode.InvalidParameterValue, ex.ErrorCode);

        var run = await _store.CreateRunAsync("0", null, 1, [new Tag("mlflow.runName", "from-tag")], default);
        Assert.Equal("from-tag", run.Info.RunName);
    }

    [Fact]
    public async Task RunNameTagAndColumnStayInSync()
    {
        var run = await NewRunAsync(name: "first");
        await _store.SetTagAsync(run.Info.RunId, "mlflow.runName", "second", default);
        var got = await _store.GetRunAsync(run.Info.RunId, default);
        Assert.Equal("second", got.Info.RunName);
        Assert.Contains(new Tag("mlflow.runName", "second"), got.Data.Tags);

        var info = await _store.UpdateRunAsync(run.Info.RunId, null, null, "third", default);
        Assert.Equal("third", info.RunName);
        got = await _store.GetRunAsync(run.Info.RunId, default);
        Assert.Contains(new Tag("mlflow.runName", "third"), got.Data.Tags);

        await _store.LogBatchAsync(run.Info.RunId, [], [], [new Tag("mlflow.runName", "fourth")], default);
        Assert.Equal("fourth", (await _store.GetRunAsync(run.Info.RunId, default)).Info.RunName);
    }

    [Fact]
    public async Task UpdateRunSetsStatusAndEndTime()
    {
        var run = await NewRunAsync();
        var info = await _store.UpdateRunAsync(run.Info.RunId, RunStatus.Finished, 1_700_000_009_000, null, default);
        Assert.Equal(RunStatus.Finished, info.Status);
        Assert.Equal(1_700_000_009_000, info.EndTime);
        Assert.Equal("r", info.RunName);

        info = await _store.UpdateRunAsync(run.Info.RunId, RunStatus.Failed, null, null, default);
        Assert.Equal(RunStatus.Failed, info.Status);
        Assert.Equal(1_700_000_009_000, info.EndTime);

        // Logging to a finished run is allowed, like MLflow.
        await _store.LogBatchAsync(run.Info.RunId, [new Metric("m", 1, 1, 0)], [], [], default);
    }

    [Fact]
    public async Task DeleteAndRestoreRunSetDeletedTime()
    {
        var run = await NewRunAsync();
        await _store.DeleteRunAsync(run.Info.RunId, default);
        using (var connection = _folder.OpenConnection())
        {
            Assert.Equal(new object?[] { "deleted", Ms }, connection.Rows("SELECT lifecycle_stage, deleted_time FROM runs").Single());
        }

        var ex = await Assert.ThrowsAsync<MlflowException>(() => _store.LogBatchAsync(run.Info.RunId, [new Metric("m", 1, 1, 0)], [], [], default));
        Assert.Equal(MlflowErrorCode.InvalidParameterValue, ex.ErrorCode);
        Assert.Equal($"The run {run.Info.RunId} must be in the 'active' state. Current state is deleted.", ex.Message);

        await _store.RestoreRunAsync(run.Info.RunId, default);
        using (var connection = _folder.OpenConnection())
        {
            Assert.Equal(new object?[] { "active", null }, connection.Rows("SELECT lifecycle_stage, deleted_time FROM runs").Single());
        }
    }

    [Fact]
    public async Task MissingRunIsResourceDoesNotExist()
    {
        var ex = await Assert.ThrowsAsync<MlflowException>(() => _store.GetRunAsync("00000000000000000000000000000000", default));
        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, ex.ErrorCode);
        Assert.Equal("Run with id=00000000000000000000000000000000 not found", ex.Message);
    }

    [Fact]
    public async Task ParamsAreImmutableWithTheServersMessage()
    {
        var run = await NewRunAsync();
        var id = run.Info.RunId;
        await _store.LogBatchAsync(id, [], [new Param("p", "1")], [], default);
        await _store.LogBatchAsync(id, [], [new Param("p", "1")], [], default);

        var ex = await Assert.ThrowsAsync<MlflowException>(() => _store.LogBatchAsync(id, [], [new Param("p", "2")], [], default));
        Assert.Equal(MlflowErrorCode.InvalidParameterValue, ex.ErrorCode);

        // The exact text a real MLflow 3.6 server returned (recording edge.out), with this run's id.
        var recorded = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "TestData", "mlflow", "edge.out"))
            .First(l => l.StartsWith("HTTP 400", StringComparison.Ordinal) && l.Contains("Param with key='p'", StringComparison.Ordinal));
        var recordedMessage = recorded[(recorded.IndexOf("Changing", StringComparison.Ordinal))..recorded.IndexOf("\"}", StringComparison.Ordinal)];
        Assert.Equal(recordedMessage.Replace("6ca1b9c57e4444d198f29a6bcb07aeb4", id, StringComparison.Ordinal), ex.Message);

        var snapshot = await _store.GetRunAsync(id, default);
        Assert.Equal([new Param("p", "1")], snapshot.Data.Params);
    }

    [Fact]
    public async Task BatchIsAllOrNothing()
    {
        var run = await NewRunAsync();
        var id = run.Info.RunId;
        await _store.LogBatchAsync(id, [], [new Param("p", "1")], [], default);

        await Assert.ThrowsAsync<MlflowException>(() => _store.LogBatchAsync(
            id,
            [new Metric("m", 1, 10, 0)],
            [new Param("q", "new"), new Param("p", "2")],
            [new Tag("t", "v")],
            default));

        var snapshot = await _store.GetRunAsync(id, default);
        Assert.Empty(snapshot.Data.Metrics);
        Assert.Equal([new Param("p", "1")], snapshot.Data.Params);
        Assert.DoesNotContain(snapshot.Data.Tags, t => t.Key == "t");
        Assert.Empty(await _store.GetMetricHistoryAsync(id, "m", default));
    }

    [Fact]
    public async Task NaNAndInfinityAreStoredAsMlflowStoresThem()
    {
        var run = await NewRunAsync();
        var id = run.Info.RunId;
        await _store.LogBatchAsync(
            id,
            [
                new Metric("nan", double.NaN, 100, 0),
                new Metric("inf", double.PositiveInfinity, 100, 0),
                new Metric("ninf", double.NegativeInfinity, 100, 0),
            ],
            [],
            [],
            default);

        using (var connection = _folder.OpenConnection())
        {
            var rows = connection.Rows("SELECT \"key\", value, is_nan FROM metrics ORDER BY \"key\"");
            Assert.Equal(new object?[] { "inf", 1.7976931348623157e308, 0L }, rows[0]);
            Assert.Equal(new object?[] { "nan", 0d, 1L }, rows[1]);
            Assert.Equal(new object?[] { "ninf", -1.7976931348623157e308, 0L }, rows[2]);
            var latest = connection.Rows("SELECT \"key\", value, is_nan FROM latest_metrics ORDER BY \"key\"");
            Assert.Equal(new object?[] { "nan", 0d, 1L }, latest[1]);
        }

        var history = await _store.GetMetricHistoryAsync(id, "nan", default);
        Assert.True(double.IsNaN(Assert.Single(history).Value));
        var snapshot = await _store.GetRunAsync(id, default);
        Assert.True(double.IsNaN(snapshot.Data.Metrics.Single(m => m.Key == "nan").Value));
        Assert.Equal(double.MaxValue, snapshot.Data.Metrics.Single(m => m.Key == "inf").Value);
    }

    [Fact]
    public async Task IdenticalPointsAreStoredOnceIncludingNaN()
    {
        var run = await NewRunAsync();
        var id = run.Info.RunId;
        Metric[] batch = [new Metric("m", 0.5, 100, 1), new Metric("m", 0.5, 100, 1), new Metric("n", double.NaN, 100, 1)];
        await _store.LogBatchAsync(id, batch, [], [], default);
        await _store.LogBatchAsync(id, batch, [], [], default); // a retried batch succeeds

        Assert.Single(await _store.GetMetricHistoryAsync(id, "m", default));
        Assert.Single(await _store.GetMetricHistoryAsync(id, "n", default));

        // Same key, step and timestamp but a different value is a new point.
        await _store.LogBatchAsync(id, [new Metric("m", 0.7, 100, 1)], [], [], default);
        Assert.Equal(2, (await _store.GetMetricHistoryAsync(id, "m", default)).Count);
    }

    [Fact]
    public async Task LatestMetricIsTheHighestStepThenTimestampThenValue()
    {
        var run = await NewRunAsync();
        var id = run.Info.RunId;
        await _store.LogBatchAsync(id, [new Metric("m", 5, 200, 2), new Metric("m", 9, 300, 1)], [], [], default);
        Assert.Equal(new Metric("m", 5, 200, 2), (await _store.GetRunAsync(id, default)).Data.Metrics.Single());

        // Later batch, lower step: latest unchanged.
        await _store.LogBatchAsync(id, [new Metric("m", 100, 999, 1)], [], [], default);
        Assert.Equal(new Metric("m", 5, 200, 2), (await _store.GetRunAsync(id, default)).Data.Metrics.Single());

        // Same step, later timestamp wins; same step and timestamp, higher value wins.
        await _store.LogBatchAsync(id, [new Metric("m", 1, 201, 2)], [], [], default);
        Assert.Equal(new Metric("m", 1, 201, 2), (await _store.GetRunAsync(id, default)).Data.Metrics.Single());
        await _store.LogBatchAsync(id, [new Metric("m", 3, 201, 2), new Metric("m", 2, 201, 2)], [], [], default);
        Assert.Equal(new Metric("m", 3, 201, 2), (await _store.GetRunAsync(id, default)).Data.Metrics.Single());

        // NaN compares as its stored value 0, like MLflow: it does not beat 3 at the same step/timestamp...
        await _store.LogBatchAsync(id, [new Metric("m", double.NaN, 201, 2)], [], [], default);
        Assert.Equal(3, (await _store.GetRunAsync(id, default)).Data.Metrics.Single().Value);
        // ...but does at a higher step.
        await _store.LogBatchAsync(id, [new Metric("m", double.NaN, 201, 3)], [], [], default);
        Assert.True(double.IsNaN((await _store.GetRunAsync(id, default)).Data.Metrics.Single().Value));

        using var connection = _folder.OpenConnection();
        Assert.Equal(new object?[] { "m", 0d, 201L, 3L, 1L, id }, connection.Rows("SELECT \"key\", value, timestamp, step, is_nan, run_uuid FROM latest_metrics").Single());
    }

    [Fact]
    public async Task FullBatchOfMixedKeysAndDuplicatesIsStoredExactly()
    {
        var run = await NewRunAsync();
        var id = run.Info.RunId;
        var batch = new List<Metric>();
        for (var i = 0; i < 995; i++)
        {
            batch.Add(new Metric("k" + (i % 3), i, 1000 + i, i / 3));
        }

        batch.AddRange(batch.Take(5)); // identical points inside the batch, across statement chunks
        await _store.LogBatchAsync(id, batch, [], [], default);
        await _store.LogBatchAsync(id, batch.Skip(990).ToList(), [], [], default); // a partial retry

        using var connection = _folder.OpenConnection();
        Assert.Equal(995L, connection.Scalar("SELECT COUNT(*) FROM metrics"));
        var latest = (await _store.GetRunAsync(id, default)).Data.Metrics;
        Assert.Equal([new Metric("k0", 993, 1993, 331), new Metric("k1", 994, 1994, 331), new Metric("k2", 992, 1992, 330)], latest);
        var history = await _store.GetMetricHistoryAsync(id, "k1", default);
        Assert.Equal(332, history.Count);
        Assert.Equal(Enumerable.Range(0, 332).Select(i => new Metric("k1", 1 + (3 * i), 1001 + (3 * i), i)), history);
    }

    [Fact]
    public async Task MetricHistoryIsOrderedByTimestampThenStep()
    {
        var run = await NewRunAsync();
        await _store.LogBatchAsync(
            run.Info.RunId,
            [new Metric("m", 3, 300, 0), new Metric("m", 1, 100, 5), new Metric("m", 2, 100, 1), new Metric("other", 1, 1, 1)],
            [],
            [],
            default);
        var history = await _store.GetMetricHistoryAsync(run.Info.RunId, "m", default);
        Assert.Equal([new Metric("m", 2, 100, 1), new Metric("m", 1, 100, 5), new Metric("m", 3, 300, 0)], history);
    }

    [Fact]
    public async Task TagsCanBeSetOverwrittenAndDeleted()
    {
        var run = await NewRunAsync();
        var id = run.Info.RunId;
        await _store.SetTagAsync(id, "t", "1", default);
        await _store.LogBatchAsync(id, [], [], [new Tag("t", "2"), new Tag("u", "x")], default);
        var tags = (await _store.GetRunAsync(id, default)).Data.Tags;
        Assert.Contains(new Tag("t", "2"), tags);
        Assert.Contains(new Tag("u", "x"), tags);

        await _store.DeleteTagAsync(id, "t", default);
        Assert.DoesNotContain((await _store.GetRunAsync(id, default)).Data.Tags, t => t.Key == "t");
        var ex = await Assert.ThrowsAsync<MlflowException>(() => _store.DeleteTagAsync(id, "t", default));
        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, ex.ErrorCode);
        Assert.Equal($"No tag with name: t in run with id {id}", ex.Message);
    }

    [Fact]
    public async Task DatasetsAreSharedByNameAndDigestAndInputsCarryTags()
    {
        var exp1 = await _store.CreateExperimentAsync("e1", null, [], default);
        var exp2 = await _store.CreateExperimentAsync("e2", null, [], default);
        var run1 = await NewRunAsync(exp1);
        var run2 = await NewRunAsync(exp2);
        var dataset = new Dataset
        {
            Name = "eval",
            Digest = "0a1b2c3d",
            SourceType = "local",
            Source = "{\"uri\":\"data/eval.tsv\"}",
            Schema = "{\"mlflow_colspec\":[{\"type\":\"string\",\"name\":\"text\",\"required\":true}]}",
            Profile = "{\"num_rows\":2,\"num_elements\":4}",
        };
        var input = new DatasetInput(dataset, [new Tag("mlflow.data.context", "eval")]);
        await _store.LogInputsAsync(run1.Info.RunId, [input, input], default);
        await _store.LogInputsAsync(run1.Info.RunId, [input], default);
        await _store.LogInputsAsync(run2.Info.RunId, [input], default);

        using (var connection = _folder.OpenConnection())
        {
            Assert.Equal(1L, connection.Scalar("SELECT COUNT(*) FROM datasets"));
            Assert.Equal(2L, connection.Scalar("SELECT COUNT(*) FROM inputs"));
            Assert.Equal(2L, connection.Scalar("SELECT COUNT(*) FROM input_tags"));
            Assert.Equal(
                new object?[] { "DATASET", "RUN", 0L },
                connection.Rows("SELECT source_type, destination_type, step FROM inputs LIMIT 1").Single());
        }

        var snapshot = await _store.GetRunAsync(run2.Info.RunId, default);
        var logged = Assert.Single(snapshot.Inputs);
        Assert.Equal(dataset, logged.Dataset);
        Assert.Equal([new Tag("mlflow.data.context", "eval")], logged.Tags);
    }

    [Fact]
    public async Task SearchRunsFiltersOrdersAndPages()
    {
        var exp = await _store.CreateExperimentAsync("search", null, [], default);
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var run = await _store.CreateRunAsync(exp, "run" + i, 1000 + i, [], default);
            ids.Add(run.Info.RunId);
            await _store.LogBatchAsync(run.Info.RunId, [new Metric("acc", i / 10.0, 1, 0)], [new Param("model", i % 2 == 0 ? "even" : "odd")], [new Tag("t", "v" + i)], default);
        }

        await _store.UpdateRunAsync(ids[4], RunStatus.Finished, 2000, null, default);

        var page = await _store.SearchRunsAsync([exp], "metrics.acc > 0.15 and params.model = 'even'", ViewType.ActiveOnly, 100, null, null, default);
        Assert.Equal([ids[4], ids[2]], page.Items.Select(r => r.Info.RunId));
        Assert.Null(page.NextPageToken);

        page = await _store.SearchRunsAsync([exp], "attributes.status = 'FINISHED'", ViewType.ActiveOnly, 100, null, null, default);
        Assert.Equal([ids[4]], page.Items.Select(r => r.Info.RunId));

        page = await _store.SearchRunsAsync([exp], "run_name = 'run1' AND tags.t = 'v1'", ViewType.ActiveOnly, 100, null, null, default);
        Assert.Equal([ids[1]], page.Items.Select(r => r.Info.RunId));

        page = await _store.SearchRunsAsync([exp], "tags.t LIKE 'v%' AND params.model != 'odd'", ViewType.ActiveOnly, 100, ["metrics.acc DESC"], null, default);
        Assert.Equal([ids[4], ids[2], ids[0]], page.Items.Select(r => r.Info.RunId));
        Assert.Equal(0.4, page.Items[0].Data.Metrics.Single().Value);

        page = await _store.SearchRunsAsync([exp], "tags.t LIKE 'V%'", ViewType.ActiveOnly, 100, null, null, default);
        Assert.Empty(page.Items); // LIKE is case-sensitive...
        page = await _store.SearchRunsAsync([exp], "tags.t ILIKE 'V%'", ViewType.ActiveOnly, 100, null, null, default);
        Assert.Equal(5, page.Items.Count); // ...ILIKE is not.

        page = await _store.SearchRunsAsync([exp], null, ViewType.ActiveOnly, 100, ["attributes.start_time"], null, default);
        Assert.Equal(ids, page.Items.Select(r => r.Info.RunId));

        // Paging: offset tokens like MLflow's (base64 of {"offset": n}).
        var first = await _store.SearchRunsAsync([exp], null, ViewType.ActiveOnly, 2, null, null, default);
        Assert.Equal([ids[4], ids[3]], first.Items.Select(r => r.Info.RunId));
        Assert.Equal("eyJvZmZzZXQiOiAyfQ==", first.NextPageToken);
        var second = await _store.SearchRunsAsync([exp], null, ViewType.ActiveOnly, 2, null, first.NextPageToken, default);
        Assert.Equal([ids[2], ids[1]], second.Items.Select(r => r.Info.RunId));
        var third = await _store.SearchRunsAsync([exp], null, ViewType.ActiveOnly, 2, null, second.NextPageToken, default);
        Assert.Equal([ids[0]], third.Items.Select(r => r.Info.RunId));
        Assert.Null(third.NextPageToken);

        await _store.DeleteRunAsync(ids[0], default);
        Assert.Equal(4, (await _store.SearchRunsAsync([exp], null, ViewType.ActiveOnly, 100, null, null, default)).Items.Count);
        Assert.Equal([ids[0]], (await _store.SearchRunsAsync([exp], null, ViewType.DeletedOnly, 100, null, null, default)).Items.Select(r => r.Info.RunId));
        Assert.Equal(5, (await _store.SearchRunsAsync([exp], null, ViewType.All, 100, null, null, default)).Items.Count);
    }

    [Fact]
    public async Task SearchRunsSupportsInListsNumericAttributesAndQuotedKeys()
    {
        var a = await _store.CreateRunAsync("0", "a", 100, [], default);
        var b = await _store.CreateRunAsync("0", "b", 200, [], default);
        var c = await _store.CreateRunAsync("0", "c", 300, [], default);
        await _store.LogBatchAsync(c.Info.RunId, [new Metric("eval loss", 0.25, 1, 0)], [], [], default);

        var page = await _store.SearchRunsAsync(["0"], $"attributes.run_id IN ('{a.Info.RunId}', '{c.Info.RunId}')", ViewType.ActiveOnly, 10, ["attributes.run_name ASC"], null, default);
        Assert.Equal([a.Info.RunId, c.Info.RunId], page.Items.Select(r => r.Info.RunId));

        page = await _store.SearchRunsAsync(["0"], "attributes.start_time >= 200 and created < 300", ViewType.ActiveOnly, 10, null, null, default);
        Assert.Equal([b.Info.RunId], page.Items.Select(r => r.Info.RunId));

        page = await _store.SearchRunsAsync(["0"], "metrics.`eval loss` < 0.5", ViewType.ActiveOnly, 10, null, null, default);
        Assert.Equal([c.Info.RunId], page.Items.Select(r => r.Info.RunId));
    }

    [Fact]
    public async Task SearchExperimentsByTag()
    {
        var id = await _store.CreateExperimentAsync("tagged", null, [new Tag("team", "nlp")], default);
        await _store.CreateExperimentAsync("untagged", null, [], default);
        var page = await _store.SearchExperimentsAsync("tags.team = 'nlp'", ViewType.ActiveOnly, 10, null, null, default);
        Assert.Equal([id], page.Items.Select(e => e.ExperimentId));
    }

    [Fact]
    public async Task SearchRunsSortsNaNAndMissingMetricsLast()
    {
        var a = await NewRunAsync(name: "a");
        var b = await NewRunAsync(name: "b");
        var c = await NewRunAsync(name: "c");
        await _store.LogBatchAsync(a.Info.RunId, [new Metric("x", double.NaN, 1, 0)], [], [], default);
        await _store.LogBatchAsync(b.Info.RunId, [new Metric("x", -1, 1, 0)], [], [], default);

        foreach (var direction in new[] { "ASC", "DESC" })
        {
            var page = await _store.SearchRunsAsync(["0"], null, ViewType.ActiveOnly, 10, ["metrics.x " + direction], null, default);
            Assert.Equal([b.Info.RunId, a.Info.RunId, c.Info.RunId], page.Items.Select(r => r.Info.RunId));
        }
    }

    [Theory]
    [InlineData("metrics.acc > 'x'")]
    [InlineData("params.p = 1")]
    [InlineData("attributes.status = 'FINISHED' OR attributes.status = 'FAILED'")]
    [InlineData("foo.bar = 'x'")]
    [InlineData("attributes.nope = 'x'")]
    [InlineData("metrics.acc == 1")]
    public async Task InvalidRunFiltersAreInvalidParameterValue(string filter)
    {
        var ex = await Assert.ThrowsAsync<MlflowException>(() => _store.SearchRunsAsync(["0"], filter, ViewType.ActiveOnly, 10, null, null, default));
        Assert.Equal(MlflowErrorCode.InvalidParameterValue, ex.ErrorCode);
    }

    [Fact]
    public async Task SearchExperimentsFiltersByNameAndPages()
    {
        foreach (var name in new[] { "alpha", "beta", "alphabet" })
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await _store.CreateExperimentAsync(name, null, [], default);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var exact = await _store.SearchExperimentsAsync("name = 'beta'", ViewType.ActiveOnly, 10, null, null, default);
        Assert.Equal(["beta"], exact.Items.Select(e => e.Name));

        var like = await _store.SearchExperimentsAsync("name LIKE '%alpha%'", ViewType.ActiveOnly, 10, null, null, default);
        Assert.Equal(["alphabet", "alpha"], like.Items.Select(e => e.Name)); // creation_time DESC

        var all = await _store.SearchExperimentsAsync(null, ViewType.ActiveOnly, 10, ["name ASC"], null, default);
        Assert.Equal(["Default", "alpha", "alphabet", "beta"], all.Items.Select(e => e.Name));

        var first = await _store.SearchExperimentsAsync(null, ViewType.ActiveOnly, 3, null, null, default);
        Assert.Equal(["alphabet", "beta", "alpha"], first.Items.Select(e => e.Name));
        Assert.NotNull(first.NextPageToken);
        var second = await _store.SearchExperimentsAsync(null, ViewType.ActiveOnly, 3, null, first.NextPageToken, default);
        Assert.Equal(["Default"], second.Items.Select(e => e.Name));
        Assert.Null(second.NextPageToken);
    }

    [Fact]
    public async Task BadPageTokenIsInvalidParameterValue()
    {
        var ex = await Assert.ThrowsAsync<MlflowException>(() => _store.SearchRunsAsync(["0"], null, ViewType.ActiveOnly, 10, null, "not-base64!", default));
        Assert.Equal(MlflowErrorCode.InvalidParameterValue, ex.ErrorCode);
    }

    [Fact]
    public async Task ArtifactRepositoryOfARunIsItsLocalFolder()
    {
        var run = await NewRunAsync();
        var repository = _store.GetArtifactRepository(run.Info.ArtifactUri);
        await repository.UploadAsync("a.txt", _ => Task.FromResult<Stream>(new MemoryStream("hello"u8.ToArray())), 5, default);
        Assert.Equal("hello", File.ReadAllText(Path.Combine(_folder.Path, "mlruns", "0", run.Info.RunId, "artifacts", "a.txt")));
        Assert.Throws<MlflowException>(() => _store.GetArtifactRepository("mlflow-artifacts:/0/x/artifacts"));
    }

    [Fact]
    public async Task OperationsHonourCancellation()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.GetExperimentAsync("0", cts.Token));
    }
}
