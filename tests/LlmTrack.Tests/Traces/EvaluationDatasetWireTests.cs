using System.Text.Json.Nodes;
using LlmTrack.Evaluation.Datasets;
using LlmTrack.Tests.Rest;
using static LlmTrack.Tests.Traces.TraceServer;

namespace LlmTrack.Tests.Traces;

public sealed class EvaluationDatasetWireTests : IDisposable
{
    private const string File = "datasets.out";
    private const string DatasetId = "d-89ce522382cc4c4f9ac1c87aa87481a4";
    private const string RawId = "d-225f6367d13042aa85b25fcc3316cf68";
    private readonly TraceServer _server = new();

    public void Dispose() => _server.Dispose();

    private EvaluationDatasetClient Datasets => _server.Tracker.EvaluationDatasets;

    [Fact]
    public async Task CreateSendsTagsAsAJsonStringAndReadsTheDataset()
    {
        var recorded = _server.Replay(V3("datasets/create", "POST"), Recordings.PythonWhere(File, "datasets/create", "qa-eval"));

        var created = await Datasets.CreateAsync("qa-eval", ["1"], new Dictionary<string, string> { ["owner"] = "alice", ["stage"] = "dev", ["mlflow.user"] = "root" });

        JsonAssert.Equal(recorded.RequestJson, _server.Mlflow.SingleBody("datasets/create"));
        Assert.Equal(DatasetId, created.DatasetId);
        Assert.Equal("5e2034e6", created.Digest);
        Assert.Equal("alice", created.Tags["owner"]);
        Assert.Equal(["1"], created.ExperimentIds);
    }

    [Fact]
    public async Task UpsertSendsRecordsAsAJsonStringOfTheClientsShape()
    {
        var recorded = _server.Replay(V3($"datasets/{DatasetId}/records", "POST"), Recordings.PythonWhere(File, $"datasets/{DatasetId}/records", "An ML platform"));
        var records = new[]
        {
            new ManagedDatasetRecord { Inputs = new JsonObject { ["question"] = "What is MLflow?" }, Expectations = new JsonObject { ["expected_response"] = "An ML platform", ["facts"] = new JsonArray("open source") }, Tags = new Dictionary<string, string> { ["mlflow.user"] = "root" } },
            new ManagedDatasetRecord { Inputs = new JsonObject { ["question"] = "What is a trace?" }, Expectations = new JsonObject { ["expected_response"] = "Spans" }, Tags = new Dictionary<string, string> { ["mlflow.user"] = "root" } },
        };

        var result = await Datasets.UpsertRecordsAsync(DatasetId, records);

        var sent = _server.Mlflow.SingleBody($"datasets/{DatasetId}/records");
        Assert.Equal(System.Text.Json.JsonValueKind.String, JsonValueKind(sent["records"]));
        Assert.Equal((string?)recorded.RequestJson["records"], (string?)sent["records"]);
        Assert.Equal(new DatasetUpsertResult(1, 1), result);
    }

    [Fact]
    public async Task GetReadsSchemaProfileAndDigestAndAnUnknownIdThrows()
    {
        _server.Replay(V3($"datasets/{DatasetId}", "GET"), Recordings.PythonAnswering(File, $"datasets/{DatasetId} {{", "691feb7f"));
        _server.Replay(V3("datasets/d-00000000000000000000000000000000", "GET"), Recordings.PythonWhere(File, "datasets/d-00000000000000000000000000000000", "d-0"));

        var dataset = await Datasets.GetAsync(DatasetId);
        var ex = await Assert.ThrowsAsync<MlflowException>(() => Datasets.GetAsync("d-00000000000000000000000000000000"));

        Assert.Equal("691feb7f", dataset.Digest);
        Assert.Equal("{\"num_records\": 3}", dataset.Profile);
        Assert.Contains("\"facts\": \"array\"", dataset.Schema, StringComparison.Ordinal);
        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, ex.ErrorCode);
    }

    [Fact]
    public async Task RecordsArePagedThroughTheRecordedToken()
    {
        var first = Recordings.PythonWhere(File, $"datasets/{RawId}/records params={{\"max_results\": 2}}", "max_results");
        var second = Recordings.PythonWhere(File, $"datasets/{RawId}/records", "page_token");
        _server.Mlflow.Respond(V3($"datasets/{RawId}/records", "GET").WithParam("page_token"), second.Status, second.ResponseBody);
        _server.Mlflow.Respond(V3($"datasets/{RawId}/records", "GET").WithUrl((string u) => !u.Contains("page_token", StringComparison.Ordinal)), first.Status, first.ResponseBody);

        var records = await Datasets.GetRecordsAsync(RawId, pageSize: 2).ToListAsync();

        Assert.Equal(4, records.Count);
        Assert.Equal("dr-3d150877de3144bbba8613ad11caa0fe", records[0].RecordId);
        Assert.Equal("3+3", (string?)records[0].Inputs["q"]);
        Assert.Equal("6", (string?)records[0].Expectations["a"]);
        Assert.Empty(records[3].Inputs);
        Assert.Equal(2, _server.Mlflow.Requests($"datasets/{RawId}/records").Count);
    }

    [Fact]
    public async Task SearchSendsFilterStringAndReadsDatasets()
    {
        var recorded = _server.Replay(V3("datasets/search", "POST"), Recordings.PythonWhere(File, ">>> POST http://127.0.0.1:5010/api/3.0/mlflow/datasets/search", "name = 'qa-eval'"));

        var found = await Datasets.SearchAsync(filter: "name = 'qa-eval'", orderBy: ["created_time DESC"], pageSize: 10).ToListAsync();

        JsonAssert.Equal(recorded.RequestJson, _server.Mlflow.SingleBody("datasets/search"));
        Assert.Equal(DatasetId, Assert.Single(found).DatasetId);
    }

    [Fact]
    public async Task TagsAndExperimentsUseTheRecordedRoutesAndBodies()
    {
        var setTags = _server.Replay(V3($"datasets/{DatasetId}/tags", "PATCH"), Recordings.PythonWhere(File, ">>> PATCH", "prod"));
        _server.Replay(V3($"datasets/{DatasetId}/tags/new", "DELETE"), Recordings.PythonWhere(File, $"datasets/{DatasetId}/tags/new", "tags/new"));
        var add = _server.Replay(V3($"datasets/{DatasetId}/add-experiments", "POST"), Recordings.PythonWhere(File, "add-experiments", "\"2\""));

        await Datasets.SetTagsAsync(DatasetId, new Dictionary<string, string> { ["stage"] = "prod", ["new"] = "1" });
        await Datasets.DeleteTagAsync(DatasetId, "new");
        var dataset = await Datasets.AddExperimentsAsync(DatasetId, ["2"]);

        JsonAssert.Equal(setTags.RequestJson, _server.Mlflow.SingleBody($"datasets/{DatasetId}/tags"));
        Assert.Single(_server.Mlflow.Requests($"datasets/{DatasetId}/tags/new"));
        JsonAssert.Equal(add.RequestJson, _server.Mlflow.SingleBody("add-experiments"));
        Assert.Equal("prod", dataset.Tags["stage"]);
    }

    [Fact]
    public async Task CreateFromAnEvaluationDatasetSplitsInputsAndExpectations()
    {
        _server.Mlflow.Respond(V3("datasets/create", "POST"), 200, $$$"""{"dataset":{"dataset_id":"{{{DatasetId}}}","name":"qa","tags":"{}","digest":"5e2034e6","created_time":1,"last_update_time":1,"experiment_ids":["1"]}}""");
        _server.Mlflow.Respond(V3($"datasets/{DatasetId}/records", "POST"), 200, """{"inserted_count":2,"updated_count":0}""");
        _server.Replay(V3($"datasets/{DatasetId}", "GET"), Recordings.PythonAnswering(File, $"datasets/{DatasetId} {{", "691feb7f"));
        var rows = new EvaluationDataset("qa", ["question", "expected_response", "k"], [["What is MLflow?", "A platform", 3L], ["What is a run?", "An execution", 5L]]);

        var managed = await Datasets.CreateFromAsync(rows, ["expected_response"], ["1"]);

        Assert.Equal("691feb7f", managed.Digest);
        var create = _server.Mlflow.SingleBody("datasets/create");
        Assert.Equal("qa", (string?)create["name"]);
        Assert.Contains("llmtrack.dataset.digest", (string?)create["tags"], StringComparison.Ordinal);
        var records = JsonNode.Parse((string)_server.Mlflow.SingleBody($"datasets/{DatasetId}/records")["records"]!)!.AsArray();
        JsonAssert.Equal("""{"question":"What is MLflow?","k":3}""", records[0]!["inputs"]);
        JsonAssert.Equal("""{"expected_response":"A platform"}""", records[0]!["expectations"]);
        Assert.Equal("HUMAN", (string?)records[0]!["source"]!["source_type"]);
    }

    [Fact]
    public async Task DeletingTwiceIsNoError()
    {
        _server.Replay(V3($"datasets/{RawId}", "DELETE"), Recordings.PythonWhere(File, $">>> DELETE http://127.0.0.1:5010/api/3.0/mlflow/datasets/{RawId}", RawId));

        await Datasets.DeleteAsync(RawId);
        await Datasets.DeleteAsync(RawId);

        Assert.Equal(2, _server.Mlflow.Requests($"datasets/{RawId}").Count);
    }

    private static System.Text.Json.JsonValueKind JsonValueKind(JsonNode? node) => node!.GetValueKind();
}
