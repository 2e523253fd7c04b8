using System.Text.RegularExpressions;
using LlmTrack.Stores.Sqlite;
using LlmTrack.Tests.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace LlmTrack.Tests.LoggedModels;

/// <summary>The local store writes the rows MLflow's SqlAlchemyStore writes for logged models, and searches them.</summary>
public sealed partial class LoggedModelSqliteTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 4, 29, 46, TimeSpan.Zero));
    private readonly SqliteTrackingStore _store;

    public LoggedModelSqliteTests()
    {
        _store = SqliteTrackingStore.Open(_folder.TrackingUri, _time);
    }

    public void Dispose()
    {
        _store.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task CreateWritesTheRowsOfSqlAlchemyStore()
    {
        var run = await _store.CreateRunAsync("0", "r", 1, [], default);
        var model = await _store.CreateLoggedModelAsync("0", null, run.Info.RunId, null, [new Param("lr", "0.01")], [new Tag("mlflow.user", "me")], default);

        Assert.Matches(ModelId(), model.ModelId);
        Assert.Matches(@"^[a-z]+-[a-z]+-\d+$", model.Name);
        Assert.Equal(_folder.Path + "/mlruns/0/models/" + model.ModelId + "/artifacts", model.ArtifactUri);
        using var connection = _folder.OpenConnection();
        Assert.Equal(1L, connection.Scalar($"SELECT status FROM logged_models WHERE model_id = '{model.ModelId}'"));
        Assert.Equal("active", connection.Scalar($"SELECT lifecycle_stage FROM logged_models WHERE model_id = '{model.ModelId}'"));
        Assert.Equal(DBNull.Value, connection.Scalar($"SELECT model_type FROM logged_models WHERE model_id = '{model.ModelId}'"));
        Assert.Equal(run.Info.RunId, connection.Scalar($"SELECT source_run_id FROM logged_models WHERE model_id = '{model.ModelId}'"));
        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds(), connection.Scalar($"SELECT creation_timestamp_ms FROM logged_models WHERE model_id = '{model.ModelId}'"));
        Assert.Equal("0.01", connection.Scalar($"SELECT param_value FROM logged_model_params WHERE model_id = '{model.ModelId}' AND param_key = 'lr' AND experiment_id = 0"));
        Assert.Equal("me", connection.Scalar($"SELECT tag_value FROM logged_model_tags WHERE model_id = '{model.ModelId}' AND tag_key = 'mlflow.user' AND experiment_id = 0"));
    }

    [Fact]
    public async Task FinalizeTagsParamsAndDeleteBehaveAsTheServer()
    {
        var model = await _store.CreateLoggedModelAsync("0", "m", null, "agent", [], [new Tag("t", "1")], default);
        _time.Advance(TimeSpan.FromSeconds(1));

        var ready = await _store.FinalizeLoggedModelAsync(model.ModelId, LoggedModelStatus.Ready, default);
        await _store.SetLoggedModelTagsAsync(model.ModelId, [new Tag("t", "2"), new Tag("owner", "bob")], default);
        await _store.DeleteLoggedModelTagAsync(model.ModelId, "owner", default);
        await _store.LogLoggedModelParamsAsync(model.ModelId, [new Param("q", "b")], default);
        var read = await _store.GetLoggedModelAsync(model.ModelId, default);

        Assert.Equal(LoggedModelStatus.Ready, ready.Status);
        Assert.Equal(model.CreationTimestamp + 1000, ready.LastUpdatedTimestamp);
        Assert.Equal([new Tag("t", "2")], read.Tags);
        Assert.Equal([new Param("q", "b")], read.Params);
        var missingTag = await Assert.ThrowsAsync<MlflowException>(() => _store.DeleteLoggedModelTagAsync(model.ModelId, "never-set", default));
        Assert.Equal($"No tag with key 'never-set' found for model with ID '{model.ModelId}'.", missingTag.Message);

        await _store.DeleteLoggedModelAsync(model.ModelId, default);
        await _store.DeleteLoggedModelAsync(model.ModelId, default);
        var gone = await Assert.ThrowsAsync<MlflowException>(() => _store.GetLoggedModelAsync(model.ModelId, default));
        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, gone.ErrorCode);
        Assert.Equal($"Logged model with ID '{model.ModelId}' not found.", gone.Message);
        Assert.Empty((await _store.SearchLoggedModelsAsync(["0"], null, null, null, null, null, default)).Items);
    }

    [Fact]
    public async Task OutputsAndInputsAreTheInputsRowsOfLogOutputsAndLogInputs()
    {
        var run = await _store.CreateRunAsync("0", "r", 1, [], default);
        var model = await _store.CreateLoggedModelAsync("0", "m", run.Info.RunId, null, [], [], default);

        await _store.LogOutputsAsync(run.Info.RunId, [new LoggedModelOutput(model.ModelId, 3)], default);
        await _store.LogModelInputsAsync(run.Info.RunId, [model.ModelId], default);
        await _store.LogModelInputsAsync(run.Info.RunId, [model.ModelId], default);

        using var connection = _folder.OpenConnection();
        Assert.Equal(3L, connection.Scalar($"SELECT step FROM inputs WHERE source_type = 'RUN_OUTPUT' AND source_id = '{run.Info.RunId}' AND destination_type = 'MODEL_OUTPUT' AND destination_id = '{model.ModelId}'"));
        Assert.Equal(1L, connection.Scalar($"SELECT COUNT(*) FROM inputs WHERE source_type = 'RUN_INPUT' AND source_id = '{run.Info.RunId}' AND destination_type = 'MODEL_INPUT' AND destination_id = '{model.ModelId}'"));
    }

    [Fact]
    public async Task ModelMetricsAreRunMetricsAndLoggedModelMetrics()
    {
        var run = await _store.CreateRunAsync("0", "r", 1, [], default);
        var model = await _store.CreateLoggedModelAsync("0", "m", run.Info.RunId, null, [], [], default);

        await _store.LogModelMetricsAsync(run.Info.RunId, [new LoggedModelMetric("acc", 0.85, 1000, 1) { ModelId = model.ModelId, DatasetName = "eval-ds", DatasetDigest = "30646977" }, new LoggedModelMetric("x", 1, 1000, 0) { ModelId = "m-ffffffffffffffffffffffffffffffff" }], default);

        var read = await _store.GetLoggedModelAsync(model.ModelId, default);
        var point = Assert.Single(read.Metrics);
        Assert.Equal(("acc", 0.85, 1000L, 1L, run.Info.RunId, "eval-ds", "30646977"), (point.Key, point.Value, point.Timestamp, point.Step, point.RunId, point.DatasetName, point.DatasetDigest));
        var runMetrics = (await _store.GetRunAsync(run.Info.RunId, default)).Data.Metrics;
        Assert.Equal(["acc", "x"], runMetrics.Select(m => m.Key).Order());
    }

    [Fact]
    public async Task SearchSupportsAndFiltersMetricOrderDatasetsAndPaging()
    {
        var run = await _store.CreateRunAsync("0", "r", 1, [], default);
        var ids = new List<string>();
        foreach (var (name, acc) in new[] { ("a", 0.9), ("b", 0.6), ("c", 0.3) })
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            var model = await _store.CreateLoggedModelAsync("0", name, run.Info.RunId, "clf", [new Param("p", name)], [new Tag("t", "x")], default);
            await _store.LogModelMetricsAsync(run.Info.RunId, [new LoggedModelMetric("acc", acc, 1000, 0) { ModelId = model.ModelId, DatasetName = name == "c" ? "other" : "eval" }], default);
            ids.Add(model.ModelId);
        }

        async Task<string[]> NamesAsync(string? filter, LoggedModelOrder[]? order = null, LoggedModelDatasetFilter[]? datasets = null) =>
            [.. (await _store.SearchLoggedModelsAsync(["0"], filter, order, datasets, null, null, default)).Items.Select(m => m.Name)];

        Assert.Equal(["c", "b", "a"], await NamesAsync(null));
        Assert.Equal(["b"], await NamesAsync("metrics.acc > 0.5 AND params.p = 'b'"));
        Assert.Equal(["b", "a"], await NamesAsync("model_type = 'clf' AND tags.t = 'x' AND metrics.acc >= 0.6"));
        Assert.Equal(["a"], await NamesAsync("name LIKE 'a%'"));
        Assert.Equal(["a", "b", "c"], await NamesAsync(null, [new LoggedModelOrder("metrics.acc", Ascending: false)]));
        Assert.Equal(["a", "b", "c"], await NamesAsync(null, [new LoggedModelOrder("metrics.acc", Ascending: false, DatasetName: "eval")]));
        Assert.Equal(["b", "a"], await NamesAsync(null, null, [new LoggedModelDatasetFilter("eval")]));
        Assert.Equal(["c"], await NamesAsync("metrics.acc < 0.5", null, [new LoggedModelDatasetFilter("other")]));

        var first = await _store.SearchLoggedModelsAsync(["0"], null, [new LoggedModelOrder("creation_time")], null, 2, null, default);
        var second = await _store.SearchLoggedModelsAsync(["0"], null, [new LoggedModelOrder("creation_time")], null, 2, first.NextPageToken, default);
        Assert.Equal(["a", "b"], first.Items.Select(m => m.Name));
        Assert.NotNull(first.NextPageToken);
        Assert.Equal(["c"], second.Items.Select(m => m.Name));
        Assert.Null(second.NextPageToken);
    }

    [GeneratedRegex("^m-[0-9a-f]{32}$")]
    private static partial Regex ModelId();
}
