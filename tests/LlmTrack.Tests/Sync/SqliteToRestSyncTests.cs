using System.Text.Json.Nodes;
using LlmTrack.Stores.Sqlite;
using LlmTrack.Sync;
using LlmTrack.Tests.Rest;
using LlmTrack.Tests.Sqlite;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace LlmTrack.Tests.Sync;

/// <summary>Copies one small SQLite run to an MLflow server (WireMock on 127.0.0.1) and checks the requests.</summary>
public sealed class SqliteToRestSyncTests : IDisposable
{
    private const long Start = 1_700_000_000_000;
    private const string TargetRunId = "0123456789abcdef0123456789abcdef";
    private readonly TempFolder _folder = new();
    private readonly SqliteTrackingStore _source;
    private readonly MlflowServerFixture _mlflow = new();

    public SqliteToRestSyncTests() => _source = SqliteTrackingStore.Open(_folder.TrackingUri, TimeProvider.System);

    public void Dispose()
    {
        _source.Dispose();
        _mlflow.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task SmallRunBecomesTheExpectedRequests()
    {
        var experimentId = await _source.CreateExperimentAsync("demo", null, [], CancellationToken.None);
        var run = await _source.CreateRunAsync(experimentId, "small-run", Start, [new Tag("mlflow.user", "alice")], CancellationToken.None);
        var runId = run.Info.RunId;
        await _source.LogBatchAsync(runId, [new Metric("loss", 0.5, Start + 1, 0), new Metric("loss", double.NaN, Start + 2, 0)], [new Param("model", "tiny")], [new Tag("stage", "dev")], CancellationToken.None);
        var dataset = new Dataset { Name = "eval", Digest = "deadbeef", SourceType = "local", Source = """{"uri":"eval.tsv"}""" };
        await _source.LogInputsAsync(runId, [new DatasetInput(dataset, [new Tag("mlflow.data.context", "eval")])], CancellationToken.None);
        await _source.UploadTextAsync(run, "out/answer.txt", "forty-two");
        await _source.UpdateRunAsync(runId, RunStatus.Finished, Start + 60_000, null, CancellationToken.None);

        _mlflow.Respond(_mlflow.Get("experiments/get-by-name"), 404, """{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "No experiment"}""");
        _mlflow.Respond(_mlflow.Post("experiments/create"), 200, """{"experiment_id": "7"}""");
        _mlflow.Respond(_mlflow.Post("runs/search"), 200, "{}");
        _mlflow.Respond(_mlflow.Post("runs/create"), 200, $$$"""
            {"run": {"info": {"run_id": "{{{TargetRunId}}}", "run_uuid": "{{{TargetRunId}}}", "experiment_id": "7", "run_name": "small-run",
              "status": "RUNNING", "start_time": {{{Start}}}, "artifact_uri": "mlflow-artifacts:/7/{{{TargetRunId}}}/artifacts", "lifecycle_stage": "active"},
              "data": {"tags": [{"key": "mlflow.user", "value": "alice"}]}, "inputs": {} } }
            """);
        _mlflow.Respond(_mlflow.Post("runs/log-batch"), 200, "{}");
        _mlflow.Respond(_mlflow.Post("runs/log-inputs"), 200, "{}");
        _mlflow.Respond(_mlflow.Post("runs/update"), 200, $$$"""
            {"run_info": {"run_id": "{{{TargetRunId}}}", "experiment_id": "7", "status": "FINISHED", "start_time": {{{Start}}}, "end_time": {{{Start + 60_000}}}, "lifecycle_stage": "active"}}
            """);
        _mlflow.Server.Given(Request.Create().WithPath($"/api/2.0/mlflow-artifacts/artifacts/7/{TargetRunId}/artifacts/out/answer.txt").UsingPut())
            .RespondWith(Response.Create().WithBody("{}"));

        var storeId = SyncEndpoints.StoreIdFromUri(_folder.TrackingUri);
        var report = await new StoreCopier(_source, _mlflow.Store, storeId, new SyncOptions { ExperimentNames = ["demo"] }).CopyAsync();

        Assert.Empty(report.Failures);
        Assert.Equal((1, 1, 2L, 1, 1), (report.ExperimentsCreated, report.RunsCreated, report.MetricPointsSent, report.ParamsSent, report.ArtifactsUploaded));

        Assert.Equal("demo", _mlflow.SingleBody("experiments/create")["name"]!.GetValue<string>());

        var search = _mlflow.SingleBody("runs/search");
        Assert.Equal("7", search["experiment_ids"]![0]!.GetValue<string>());
        Assert.Equal($"tags.`{StoreCopier.SourceRunIdTag}` LIKE '{storeId}/%'", search["filter"]!.GetValue<string>());

        var create = _mlflow.SingleBody("runs/create");
        Assert.Equal("7", create["experiment_id"]!.GetValue<string>());
        Assert.Equal("small-run", create["run_name"]!.GetValue<string>());
        Assert.Equal(Start, create["start_time"]!.GetValue<long>());
        Assert.Equal("alice", create["user_id"]!.GetValue<string>());
        var createTags = Tags(create);
        Assert.Equal(storeId + "/" + runId, createTags[StoreCopier.SourceRunIdTag]);
        Assert.False(createTags.ContainsKey("mlflow.runName"));

        var batch = _mlflow.SingleBody("runs/log-batch");
        Assert.Equal(TargetRunId, batch["run_id"]!.GetValue<string>());
        var metrics = batch["metrics"]!.AsArray();
        Assert.Equal(2, metrics.Count);
        Assert.Contains(metrics, m => m!["value"]!.ToJsonString() == "\"NaN\"" || m["value"]!.ToJsonString() == "NaN");
        Assert.Contains(metrics, m => m!["value"]!.GetValue<double>() == 0.5 && m["timestamp"]!.GetValue<long>() == Start + 1 && m["step"]!.GetValue<long>() == 0);
        Assert.Equal("tiny", Assert.Single(batch["params"]!.AsArray(), p => p!["key"]!.GetValue<string>() == "model")!["value"]!.GetValue<string>());
        Assert.Equal("dev", Tags(batch)["stage"]);

        var inputs = _mlflow.SingleBody("runs/log-inputs");
        Assert.Equal(TargetRunId, inputs["run_id"]!.GetValue<string>());
        var input = Assert.Single(inputs["datasets"]!.AsArray())!;
        Assert.Equal("eval", input["dataset"]!["name"]!.GetValue<string>());
        Assert.Equal("deadbeef", input["dataset"]!["digest"]!.GetValue<string>());
        Assert.Equal("eval", Tags(input)["mlflow.data.context"]);

        var put = Assert.Single(_mlflow.Requests("out/answer.txt"));
        Assert.Equal("PUT", put.RequestMessage.Method);
        Assert.Equal("forty-two", put.RequestMessage.Body);

        var update = _mlflow.SingleBody("runs/update");
        Assert.Equal(TargetRunId, update["run_id"]!.GetValue<string>());
        Assert.Equal("FINISHED", update["status"]!.GetValue<string>());
        Assert.Equal(Start + 60_000, update["end_time"]!.GetValue<long>());

        // Status and end time go last, after data and artifacts.
        var order = _mlflow.Server.LogEntries.Select(e => e.RequestMessage.Path).ToList();
        Assert.Equal(order.Count - 1, order.FindIndex(p => p.EndsWith("runs/update", StringComparison.Ordinal)));
    }

    private static Dictionary<string, string> Tags(JsonNode node) =>
        node["tags"]!.AsArray().ToDictionary(t => t!["key"]!.GetValue<string>(), t => t!["value"]!.GetValue<string>());
}
