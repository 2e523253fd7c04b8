using System.Text.Json.Nodes;
using LlmTrack.Stores;
using WireMock.RequestBuilders;

namespace LlmTrack.Tests.Rest;

/// <summary>
/// Each endpoint against WireMock answering with the real server's recorded bodies; request bodies are
/// compared with what the real server accepted (curl recordings) or what MLflow's own client sent (wire.out).
/// </summary>
public sealed class MlflowRestStoreWireTests : IDisposable
{
    private const string RunId = "4f637ae228d84558ac6c543429351775";
    private readonly MlflowServerFixture _mlflow = new();

    public void Dispose() => _mlflow.Dispose();

    [Fact]
    public async Task CreateExperimentSendsRecordedBodyAndReadsId()
    {
        var recorded = Recordings.Curl("basic.out", "experiments/create");
        _mlflow.Respond(_mlflow.Post("experiments/create"), recorded.Status, recorded.ResponseBody);

        var id = await _mlflow.Store.CreateExperimentAsync("csharp-verify", null, [], CancellationToken.None);

        Assert.Equal("1", id);
        JsonAssert.Equal(recorded.RequestJson, _mlflow.SingleBody("experiments/create"));
        var entry = Assert.Single(_mlflow.Requests("experiments/create"));
        Assert.Equal("application/json", entry.RequestMessage.Headers!["Content-Type"].Single());
    }

    [Fact]
    public async Task CreateExperimentDuplicateThrowsResourceAlreadyExists()
    {
        var recorded = Recordings.Curl("basic.out", "experiments/create", occurrence: 1);
        _mlflow.Respond(_mlflow.Post("experiments/create"), recorded.Status, recorded.ResponseBody);

        var ex = await Assert.ThrowsAsync<MlflowException>(() => _mlflow.Store.CreateExperimentAsync("csharp-verify", null, [], CancellationToken.None));

        Assert.Equal(MlflowErrorCode.ResourceAlreadyExists, ex.ErrorCode);
        Assert.Equal(400, ex.StatusCode);
        Assert.StartsWith("Experiment(name=csharp-verify) already exists.", ex.Message);
        Assert.Single(_mlflow.Requests("experiments/create")); // 400 is never retried
    }

    [Fact]
    public async Task CreateExperimentWithArtifactLocationAndTags()
    {
        _mlflow.Respond(_mlflow.Post("experiments/create"), 200, "{\n  \"experiment_id\": \"3\"\n}");

        await _mlflow.Store.CreateExperimentAsync("e", "s3://bucket/x", [new Tag("team", "ml")], CancellationToken.None);

        JsonAssert.Equal("""{"name":"e","artifact_location":"s3://bucket/x","tags":[{"key":"team","value":"ml"}]}""", _mlflow.SingleBody("experiments/create"));
    }

    [Fact]
    public async Task GetExperimentByNameReadsRecordedExperiment()
    {
        var recorded = Recordings.Curl("basic.out", "get-by-name?experiment_name=csharp-verify");
        _mlflow.Respond(_mlflow.Get("experiments/get-by-name").WithParam("experiment_name", "csharp-verify"), recorded.Status, recorded.ResponseBody);

        var experiment = await _mlflow.Store.GetExperimentByNameAsync("csharp-verify", CancellationToken.None);

        Assert.NotNull(experiment);
        Assert.Equal("1", experiment.ExperimentId);
        Assert.Equal("csharp-verify", experiment.Name);
        Assert.Equal("mlflow-artifacts:/1", experiment.ArtifactLocation);
        Assert.Equal("active", experiment.LifecycleStage);
        Assert.Equal(1795853745731, experiment.CreationTime);
        Assert.Equal(1795853745731, experiment.LastUpdateTime);
    }

    [Fact]
    public async Task GetExperimentByNameRecorded404ReturnsNull()
    {
        var recorded = Recordings.Curl("basic.out", "get-by-name?experiment_name=does-not-exist");
        Assert.Equal(404, recorded.Status);
        _mlflow.Respond(_mlflow.Get("experiments/get-by-name"), recorded.Status, recorded.ResponseBody);

        Assert.Null(await _mlflow.Store.GetExperimentByNameAsync("does-not-exist", CancellationToken.None));
        Assert.Single(_mlflow.Requests("get-by-name"));
    }

    [Fact]
    public async Task GetExperimentByNameHtml404IsAnErrorNotNull()
    {
        // A 404 page without MLflow's JSON error means a wrong URL (e.g. a proxy prefix), not a missing experiment.
        var html = Recordings.Curl("artifacts.out", "mpu/create (no path)");
        _mlflow.Respond(_mlflow.Get("experiments/get-by-name"), html.Status, html.ResponseBody);

        var ex = await Assert.ThrowsAsync<MlflowException>(() => _mlflow.Store.GetExperimentByNameAsync("x", CancellationToken.None));

        Assert.Equal(404, ex.StatusCode);
        Assert.Contains("404 Not Found", ex.Message);
        Assert.DoesNotContain("<", ex.Message);
    }

    [Fact]
    public async Task GetExperimentByNameEscapesName()
    {
        _mlflow.Respond(_mlflow.Get("experiments/get-by-name"), 404, """{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "x"}""");

        await _mlflow.Store.GetExperimentByNameAsync("a b&c=d/é", CancellationToken.None);

        var entry = Assert.Single(_mlflow.Requests("get-by-name"));
        Assert.Equal("a b&c=d/é", entry.RequestMessage.Query!["experiment_name"].Single());
    }

    [Fact]
    public async Task CreateRunSendsWireShapeAndReadsRecordedRun()
    {
        var recorded = Recordings.Curl("basic.out", "runs/create");
        _mlflow.Respond(_mlflow.Post("runs/create"), recorded.Status, recorded.ResponseBody);

        var run = await _mlflow.Store.CreateRunAsync("1", "r1", 1700000000000, [new Tag("t0", "v0")], CancellationToken.None);

        JsonAssert.Equal(recorded.RequestJson, _mlflow.SingleBody("runs/create"));
        Assert.Equal("d28105fb3fba4af78c9f8fb8623e52f2", run.Info.RunId);
        Assert.Equal("1", run.Info.ExperimentId);
        Assert.Equal("r1", run.Info.RunName);
        Assert.Equal(RunStatus.Running, run.Info.Status);
        Assert.Equal(1700000000000, run.Info.StartTime);
        Assert.Null(run.Info.EndTime);
        Assert.Equal("mlflow-artifacts:/1/d28105fb3fba4af78c9f8fb8623e52f2/artifacts", run.Info.ArtifactUri);
        Assert.Equal([new Tag("t0", "v0"), new Tag("mlflow.runName", "r1")], run.Data.Tags);
    }

    [Fact]
    public async Task CreateRunLikeThePythonClientSendsUserIdFromMlflowUserTag()
    {
        var pythonBody = JsonNode.Parse(Recordings.WireRequest("POST", "runs/create"))!;
        var tags = pythonBody["tags"]!.AsArray().Select(t => new Tag((string)t!["key"]!, (string)t["value"]!)).ToArray();
        _mlflow.Respond(_mlflow.Post("runs/create"), 200, Recordings.Curl("basic.out", "runs/create").ResponseBody);

        await _mlflow.Store.CreateRunAsync((string)pythonBody["experiment_id"]!, (string)pythonBody["run_name"]!, (long)pythonBody["start_time"]!, tags, CancellationToken.None);

        JsonAssert.Equal(pythonBody, _mlflow.SingleBody("runs/create"));
    }

    [Fact]
    public async Task GetRunReadsRecordedRunWithMetricsParamsTags()
    {
        var recorded = Recordings.Curl("basic.out", "runs/get?run_id=");
        _mlflow.Respond(_mlflow.Get("runs/get").WithParam("run_id", RunId), recorded.Status, recorded.ResponseBody);

        var run = await _mlflow.Store.GetRunAsync(RunId, CancellationToken.None);

        Assert.Equal(RunStatus.Finished, run.Info.Status);
        Assert.Equal(1700000009999, run.Info.EndTime);
        Assert.Equal([new Metric("loss", 0.4, 1700000000002, 1), new Metric("acc", 0.9, 1700000000003, 2)], run.Data.Metrics);
        Assert.Equal([new Param("lr", "0.01"), new Param("epochs", "10")], run.Data.Params);
        Assert.Contains(new Tag("mlflow.note.content", "hello"), run.Data.Tags);
        Assert.Empty(run.Inputs);
    }

    [Fact]
    public async Task GetRunRecorded404ThrowsWithErrorCode()
    {
        var recorded = Recordings.Edge("runs/get nonexistent run_id");
        _mlflow.Respond(_mlflow.Get("runs/get"), recorded.Status, recorded.ResponseBody);

        var ex = await Assert.ThrowsAsync<MlflowException>(() => _mlflow.Store.GetRunAsync("00000000000000000000000000000000", CancellationToken.None));

        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, ex.ErrorCode);
        Assert.Equal(404, ex.StatusCode);
        Assert.Equal("Run with id=00000000000000000000000000000000 not found", ex.Message);
    }

    [Fact]
    public async Task GetRunReadsDatasetInputs()
    {
        const string body = """
            {"run":{"info":{"run_id":"r","experiment_id":"6","status":"RUNNING","start_time":"1700000000000","artifact_uri":"mlflow-artifacts:/6/r/artifacts","lifecycle_stage":"active"},
             "data":{},"inputs":{"dataset_inputs":[{"tags":[{"key":"mlflow.data.context","value":"training"},{"key":"split","value":"train"}],
             "dataset":{"name":"train-df-3","digest":"9a5137e4","source_type":"s3","source":"{\"uri\": \"s3://bucket/path/data.csv\"}",
             "schema":"{\"mlflow_colspec\": []}","profile":"{\"num_rows\": 3, \"num_elements\": 9}"}}]}}}
            """;
        _mlflow.Respond(_mlflow.Get("runs/get"), 200, body);

        var run = await _mlflow.Store.GetRunAsync("r", CancellationToken.None);

        Assert.Equal(1700000000000, run.Info.StartTime); // int64 read from a decimal string
        var input = Assert.Single(run.Inputs);
        Assert.Equal("train-df-3", input.Dataset.Name);
        Assert.Equal("9a5137e4", input.Dataset.Digest);
        Assert.Equal("s3", input.Dataset.SourceType);
        Assert.Equal("{\"num_rows\": 3, \"num_elements\": 9}", input.Dataset.Profile);
        Assert.Equal([new Tag("mlflow.data.context", "training"), new Tag("split", "train")], input.Tags);
    }

    [Fact]
    public async Task UpdateRunSendsRecordedBodyAndReadsRunInfo()
    {
        var recorded = Recordings.Curl("basic.out", "runs/update");
        _mlflow.Respond(_mlflow.Post("runs/update"), recorded.Status, recorded.ResponseBody);

        var info = await _mlflow.Store.UpdateRunAsync(RunId, RunStatus.Finished, 1700000009999, null, CancellationToken.None);

        JsonAssert.Equal(recorded.RequestJson, _mlflow.SingleBody("runs/update"));
        Assert.Equal(RunStatus.Finished, info.Status);
        Assert.Equal(1700000009999, info.EndTime);
        Assert.Equal("r2", info.RunName);
    }

    [Fact]
    public async Task UpdateRunRenameOnlyOmitsStatusAndEndTime()
    {
        _mlflow.Respond(_mlflow.Post("runs/update"), 200, Recordings.Curl("basic.out", "runs/update").ResponseBody);

        await _mlflow.Store.UpdateRunAsync(RunId, null, null, "renamed", CancellationToken.None);

        JsonAssert.Equal($$"""{"run_id":"{{RunId}}","run_name":"renamed"}""", _mlflow.SingleBody("runs/update"));
    }

    [Fact]
    public async Task LogBatchSendsRecordedBody()
    {
        var recorded = Recordings.Curl("basic.out", "runs/log-batch");
        _mlflow.Respond(_mlflow.Post("runs/log-batch"), recorded.Status, recorded.ResponseBody);

        await _mlflow.Store.LogBatchAsync(
            RunId,
            [new Metric("loss", 0.5, 1700000000001, 0), new Metric("loss", 0.4, 1700000000002, 1)],
            [new Param("lr", "0.01")],
            [new Tag("team", "ml")],
            CancellationToken.None);

        JsonAssert.Equal(recorded.RequestJson, _mlflow.SingleBody("runs/log-batch"));
    }

    [Fact]
    public async Task LogBatchNonFiniteValuesAsStringsTimestampsAsIntegers()
    {
        _mlflow.Respond(_mlflow.Post("runs/log-batch"), 200, "{}");

        await _mlflow.Store.LogBatchAsync(
            RunId,
            [
                new Metric("m", double.NaN, 1700000000000, 0),
                new Metric("m", double.PositiveInfinity, 1700000000000, 1),
                new Metric("m", double.NegativeInfinity, 1700000000000, 2),
                new Metric("m", double.MaxValue, long.MaxValue, long.MinValue),
                new Metric("m", 0.1 + 0.2, 1700000000000, 3),
            ],
            [],
            [],
            CancellationToken.None);

        var raw = Assert.Single(_mlflow.Requests("runs/log-batch")).RequestMessage.Body!;
        Assert.Contains("\"value\":\"NaN\"", raw);
        Assert.Contains("\"value\":\"Infinity\"", raw);
        Assert.Contains("\"value\":\"-Infinity\"", raw);
        Assert.Contains("\"value\":1.7976931348623157E+308", raw);
        Assert.Contains("\"timestamp\":9223372036854775807,\"step\":-9223372036854775808", raw);
        Assert.Contains("\"value\":0.30000000000000004", raw);
        Assert.DoesNotContain(":NaN", raw);
        Assert.DoesNotContain(":Infinity", raw);
        Assert.DoesNotContain("\"timestamp\":\"", raw);
        Assert.DoesNotContain(".0,\"step\"", raw);
        // The body matches the encoding the Python client used for the same values (wire.out, log-metric).
        Assert.Equal("NaN", (string)JsonNode.Parse(Recordings.WireRequest("POST", "runs/log-metric", 0))!["value"]!);
        Assert.Equal("-Infinity", (string)JsonNode.Parse(Recordings.WireRequest("POST", "runs/log-metric", 1))!["value"]!);
    }

    [Fact]
    public async Task LogBatchMatchesPythonClientMetricsShape()
    {
        var python = JsonNode.Parse(Recordings.WireRequest("POST", "runs/log-batch"))!;
        _mlflow.Respond(_mlflow.Post("runs/log-batch"), 200, "{}");

        var metrics = python["metrics"]!.AsArray()
            .Select(m => new Metric((string)m!["key"]!, (double)m["value"]!, (long)m["timestamp"]!, (long)m["step"]!))
            .ToArray();
        await _mlflow.Store.LogBatchAsync((string)python["run_id"]!, metrics, [], [], CancellationToken.None);

        // The Python client repeats run_id inside each metric; the server ignores it. Everything else is equal.
        foreach (var metric in python["metrics"]!.AsArray())
        {
            metric!.AsObject().Remove("run_id");
        }

        JsonAssert.Equal(python, _mlflow.SingleBody("runs/log-batch"));
    }

    [Fact]
    public async Task LogBatchEmptySendsNothing()
    {
        await _mlflow.Store.LogBatchAsync(RunId, [], [], [], CancellationToken.None);
        Assert.Empty(_mlflow.Server.LogEntries);
    }

    [Fact]
    public async Task LogBatchRecordedLimitErrorIsNotRetried()
    {
        var recorded = Recordings.Edge("log-batch 1001 metrics");
        _mlflow.Respond(_mlflow.Post("runs/log-batch"), recorded.Status, recorded.ResponseBody);

        var ex = await Assert.ThrowsAsync<MlflowException>(() => _mlflow.Store.LogBatchAsync(RunId, [new Metric("k", 1, 1, 0)], [], [], CancellationToken.None));

        Assert.Equal(MlflowErrorCode.InvalidParameterValue, ex.ErrorCode);
        Assert.StartsWith("A batch logging request can contain at most 1000 metrics.", ex.Message);
        Assert.Single(_mlflow.Requests("runs/log-batch"));
    }

    [Fact]
    public async Task SetTagDeleteTagSetExperimentTagDeleteRestoreSendRecordedShapes()
    {
        _mlflow.Respond(_mlflow.Post("runs/set-tag"), 200, "{}");
        _mlflow.Respond(_mlflow.Post("runs/delete-tag"), 200, "{}");
        _mlflow.Respond(_mlflow.Post("experiments/set-experiment-tag"), 200, "{}");
        _mlflow.Respond(_mlflow.Post("runs/delete"), 200, Recordings.Edge("runs/delete").ResponseBody);
        _mlflow.Respond(_mlflow.Post("runs/restore"), 200, "{}");

        await _mlflow.Store.SetTagAsync(RunId, "mlflow.note.content", "hello", CancellationToken.None);
        await _mlflow.Store.DeleteTagAsync(RunId, "mlflow.note.content", CancellationToken.None);
        await _mlflow.Store.SetExperimentTagAsync("2", "ek", "v", CancellationToken.None);
        await _mlflow.Store.DeleteRunAsync("5b485302bf10459897c2f25409f361db", CancellationToken.None);
        await _mlflow.Store.RestoreRunAsync("5b485302bf10459897c2f25409f361db", CancellationToken.None);

        JsonAssert.Equal(Recordings.Curl("basic.out", "runs/set-tag").RequestJson, _mlflow.SingleBody("runs/set-tag"));
        JsonAssert.Equal($$"""{"run_id":"{{RunId}}","key":"mlflow.note.content"}""", _mlflow.SingleBody("runs/delete-tag"));
        JsonAssert.Equal("""{"experiment_id":"2","key":"ek","value":"v"}""", _mlflow.SingleBody("experiments/set-experiment-tag"));
        JsonAssert.Equal(Recordings.Edge("runs/delete").RequestJson, _mlflow.SingleBody("runs/delete"));
        JsonAssert.Equal("""{"run_id":"5b485302bf10459897c2f25409f361db"}""", _mlflow.SingleBody("runs/restore"));
    }

    [Fact]
    public async Task SetTagOnDeletedRunRecordedErrorPassesThrough()
    {
        var recorded = Recordings.Edge("set-tag to DELETED run");
        _mlflow.Respond(_mlflow.Post("runs/set-tag"), recorded.Status, recorded.ResponseBody);

        var ex = await Assert.ThrowsAsync<MlflowException>(() => _mlflow.Store.SetTagAsync("5b485302bf10459897c2f25409f361db", "a", "b", CancellationToken.None));

        Assert.Equal(MlflowErrorCode.InvalidParameterValue, ex.ErrorCode);
        Assert.Equal("The run 5b485302bf10459897c2f25409f361db must be in the 'active' state. Current state is deleted.", ex.Message);
    }

    [Fact]
    public async Task SearchRunsSendsRecordedBodyAndReadsPage()
    {
        var recorded = Recordings.Curl("basic.out", "runs/search");
        _mlflow.Respond(_mlflow.Post("runs/search"), recorded.Status, recorded.ResponseBody);

        var page = await _mlflow.Store.SearchRunsAsync(["1"], "metrics.loss < 1", ViewType.ActiveOnly, 10, ["start_time DESC"], null, CancellationToken.None);

        var expected = recorded.RequestJson.AsObject();
        expected["run_view_type"] = "ACTIVE_ONLY";
        JsonAssert.Equal(expected, _mlflow.SingleBody("runs/search"));
        var run = Assert.Single(page.Items);
        Assert.Equal(RunId, run.Info.RunId);
        Assert.Equal(2, run.Data.Metrics.Count);
        Assert.Null(page.NextPageToken);
    }

    [Fact]
    public async Task SearchRunsPassesPageTokenAndReturnsNext()
    {
        _mlflow.Respond(_mlflow.Post("runs/search"), 200, """{"runs":[],"next_page_token":"tok2"}""");

        var page = await _mlflow.Store.SearchRunsAsync(["1", "2"], null, ViewType.All, 5, null, "tok1", CancellationToken.None);

        JsonAssert.Equal("""{"experiment_ids":["1","2"],"run_view_type":"ALL","max_results":5,"page_token":"tok1"}""", _mlflow.SingleBody("runs/search"));
        Assert.Equal("tok2", page.NextPageToken);
        Assert.Empty(page.Items);
    }

    [Fact]
    public async Task SearchExperimentsSendsShapeAndReadsPage()
    {
        var experiment = JsonNode.Parse(Recordings.Curl("basic.out", "get-by-name?experiment_name=csharp-verify").ResponseBody)!["experiment"]!.ToJsonString();
        _mlflow.Respond(_mlflow.Post("experiments/search"), 200, $$"""{"experiments":[{{experiment}}],"next_page_token":"n"}""");

        var page = await _mlflow.Store.SearchExperimentsAsync("name LIKE 'c%'", ViewType.DeletedOnly, 100, ["name"], null, CancellationToken.None);

        JsonAssert.Equal("""{"max_results":100,"filter":"name LIKE 'c%'","order_by":["name"],"view_type":"DELETED_ONLY"}""", _mlflow.SingleBody("experiments/search"));
        Assert.Equal("csharp-verify", Assert.Single(page.Items).Name);
        Assert.Equal("n", page.NextPageToken);
    }

    [Fact]
    public async Task LogInputsSendsPythonClientShape()
    {
        var python = JsonNode.Parse(Recordings.WireRequest("POST", "runs/log-inputs"))!;
        _mlflow.Respond(_mlflow.Post("runs/log-inputs"), 200, "{}");
        var input = python["datasets"]![0]!;
        var dataset = input["dataset"]!;

        await _mlflow.Store.LogInputsAsync(
            (string)python["run_id"]!,
            [
                new DatasetInput(
                    new Dataset
                    {
                        Name = (string)dataset["name"]!,
                        Digest = (string)dataset["digest"]!,
                        SourceType = (string)dataset["source_type"]!,
                        Source = (string)dataset["source"]!,
                        Schema = (string)dataset["schema"]!,
                        Profile = (string)dataset["profile"]!,
                    },
                    [new Tag("mlflow.data.context", "eval")]),
            ],
            CancellationToken.None);

        JsonAssert.Equal(python, _mlflow.SingleBody("runs/log-inputs"));
    }

    [Fact]
    public async Task GetMetricHistoryAlwaysSendsMaxResultsAndFollowsTokens()
    {
        _mlflow.Server.Given(_mlflow.Get("metrics/get-history").WithParam("page_token", "p2"))
            .AtPriority(1)
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithBody("""{"metrics":[{"key":"loss","value":"NaN","timestamp":3,"step":2}]}"""));
        _mlflow.Server.Given(_mlflow.Get("metrics/get-history"))
            .AtPriority(2)
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithBody("""{"metrics":[{"key":"loss","value":0.5,"timestamp":1,"step":0},{"key":"loss","value":1.7976931348623157e308,"timestamp":2,"step":1}],"next_page_token":"p2"}"""));

        var history = await _mlflow.Store.GetMetricHistoryAsync(RunId, "loss", CancellationToken.None);

        Assert.Equal(3, history.Count);
        Assert.Equal(new Metric("loss", 0.5, 1, 0), history[0]);
        Assert.Equal(double.MaxValue, history[1].Value);
        Assert.True(double.IsNaN(history[2].Value));
        var requests = _mlflow.Requests("metrics/get-history");
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal("25000", r.RequestMessage.Query!["max_results"].Single()));
        Assert.All(requests, r => Assert.Equal(RunId, r.RequestMessage.Query!["run_id"].Single()));
        Assert.All(requests, r => Assert.Equal("loss", r.RequestMessage.Query!["metric_key"].Single()));
    }

    [Fact]
    public async Task GetMetricHistoryRecordedNeverAdvancingTokenTerminates()
    {
        // What the real server answers without max_results: no metrics and the same token forever.
        var recorded = Recordings.Curl("basic.out", "metrics/get-history");
        _mlflow.Respond(_mlflow.Get("metrics/get-history"), recorded.Status, recorded.ResponseBody);

        var history = await _mlflow.Store.GetMetricHistoryAsync(RunId, "loss", CancellationToken.None);

        Assert.Empty(history);
        Assert.Equal(2, _mlflow.Requests("metrics/get-history").Count);
    }

    [Fact]
    public async Task GetOrCreateExperimentExistingDoesNotCreate()
    {
        _mlflow.Respond(_mlflow.Get("experiments/get-by-name"), 200, Recordings.Curl("basic.out", "get-by-name?experiment_name=csharp-verify").ResponseBody);

        Assert.Equal("1", await _mlflow.Store.GetOrCreateExperimentAsync("csharp-verify", CancellationToken.None));
        Assert.Empty(_mlflow.Requests("experiments/create"));
    }

    [Fact]
    public async Task GetOrCreateExperimentMissingCreates()
    {
        _mlflow.Respond(_mlflow.Get("experiments/get-by-name"), 404, Recordings.Curl("basic.out", "get-by-name?experiment_name=does-not-exist").ResponseBody);
        _mlflow.Respond(_mlflow.Post("experiments/create"), 200, Recordings.Curl("basic.out", "experiments/create").ResponseBody);

        Assert.Equal("1", await _mlflow.Store.GetOrCreateExperimentAsync("csharp-verify", CancellationToken.None));
        JsonAssert.Equal("""{"name":"csharp-verify"}""", _mlflow.SingleBody("experiments/create"));
    }

    [Fact]
    public async Task GetOrCreateExperimentConcurrentCreatorGetsAgain()
    {
        // get-by-name: missing first; a concurrent creator wins; create → RESOURCE_ALREADY_EXISTS; get again → found.
        _mlflow.Server.Given(_mlflow.Get("experiments/get-by-name")).InScenario("race").WillSetStateTo("created")
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(404).WithBody(Recordings.Curl("basic.out", "get-by-name?experiment_name=does-not-exist").ResponseBody));
        _mlflow.Server.Given(_mlflow.Get("experiments/get-by-name")).InScenario("race").WhenStateIs("created")
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithBody(Recordings.Curl("basic.out", "get-by-name?experiment_name=csharp-verify").ResponseBody));
        var duplicate = Recordings.Curl("basic.out", "experiments/create", occurrence: 1);
        _mlflow.Respond(_mlflow.Post("experiments/create"), duplicate.Status, duplicate.ResponseBody);

        Assert.Equal("1", await _mlflow.Store.GetOrCreateExperimentAsync("csharp-verify", CancellationToken.None));
        Assert.Equal(2, _mlflow.Requests("get-by-name").Count);
        Assert.Single(_mlflow.Requests("experiments/create"));
    }
}
