using System.Text.Json.Nodes;
using LlmTrack.Tests.Rest;
using WireMock.RequestBuilders;

namespace LlmTrack.Tests.LoggedModels;

/// <summary>Every logged-model endpoint replayed from logged-models.out: the request JSON must equal the official client's.</summary>
public sealed class LoggedModelRestTests : IDisposable
{
    private const string File = "logged-models.out";
    private const string RunId = "9f8b4a64e5a546f7b5ac958c77bce069";
    private const string ExtModel = "m-bd97384c048746b69815be3df1994942";
    private readonly MlflowServerFixture _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task CreateSendsTheRecordedBodyAndReadsTheModel()
    {
        var recorded = Recordings.Python(File, "/api/2.0/mlflow/logged-models {", 1);
        _server.Respond(_server.Post("logged-models"), 200, recorded.ResponseBody);

        var model = await _server.Store.CreateLoggedModelAsync("1", "ext-model", RunId, "agent", [new Param("p", "a")], [new Tag("t", "1")], default);

        JsonAssert.Equal(recorded.RequestJson, _server.SingleBody("/logged-models"));
        Assert.Equal(ExtModel, model.ModelId);
        Assert.Equal(LoggedModelStatus.Pending, model.Status);
        Assert.Equal("agent", model.ModelType);
        Assert.Equal("mlflow-artifacts:/1/models/" + ExtModel + "/artifacts", model.ArtifactUri);
        Assert.Equal([new Param("p", "a")], model.Params);
        Assert.Equal([new Tag("t", "1")], model.Tags);
        Assert.Empty(model.Metrics);
    }

    [Fact]
    public async Task GetReadsMetricsWithTheirModelAndDatasetFields()
    {
        var recorded = Recordings.Python(File, "GET http://127.0.0.1:5010/api/2.0/mlflow/logged-models/m-8308d0529e7340bca357613ccbedf78a {}");
        _server.Respond(_server.Get("logged-models/m-8308d0529e7340bca357613ccbedf78a"), 200, recorded.ResponseBody);

        var model = await _server.Store.GetLoggedModelAsync("m-8308d0529e7340bca357613ccbedf78a", default);

        Assert.Equal(LoggedModelStatus.Ready, model.Status);
        Assert.Equal(4, model.Metrics.Count);
        var acc = model.Metrics[1];
        Assert.Equal(("acc", 0.85, 1L, "eval-ds", "30646977", RunId), (acc.Key, acc.Value, acc.Step, acc.DatasetName, acc.DatasetDigest, acc.RunId));
        Assert.Null(model.Metrics[0].DatasetName);
    }

    [Fact]
    public async Task GetOfAMissingModelThrowsResourceDoesNotExistWithTheServersMessage()
    {
        var recorded = Recordings.Python(File, "GET http://127.0.0.1:5010/api/2.0/mlflow/logged-models/m-7749a68b81d14013baff4cc33018d7dd {'User");
        _server.Respond(_server.Get("logged-models/m-7749a68b81d14013baff4cc33018d7dd"), recorded.Status, recorded.ResponseBody);

        var error = await Assert.ThrowsAsync<MlflowException>(() => _server.Store.GetLoggedModelAsync("m-7749a68b81d14013baff4cc33018d7dd", default));

        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, error.ErrorCode);
        Assert.Contains("Logged model with ID 'm-7749a68b81d14013baff4cc33018d7dd' not found.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FinalizeIsAPatchWithTheStatusEnumName()
    {
        var recorded = Recordings.Python(File, "PATCH http://127.0.0.1:5010/api/2.0/mlflow/logged-models/" + ExtModel + " ");
        _server.Respond(Request.Create().WithPath("/api/2.0/mlflow/logged-models/" + ExtModel).UsingPatch(), 200, recorded.ResponseBody);

        var model = await _server.Store.FinalizeLoggedModelAsync(ExtModel, LoggedModelStatus.Ready, default);

        JsonAssert.Equal(recorded.RequestJson, _server.SingleBody("/logged-models/" + ExtModel));
        Assert.Equal(LoggedModelStatus.Ready, model.Status);
    }

    [Fact]
    public async Task SetTagsIsAPatchOfTheTagsRoute()
    {
        var recorded = Recordings.Python(File, "PATCH http://127.0.0.1:5010/api/2.0/mlflow/logged-models/" + ExtModel + "/tags");
        _server.Respond(Request.Create().WithPath("/api/2.0/mlflow/logged-models/" + ExtModel + "/tags").UsingPatch(), 200, recorded.ResponseBody);

        await _server.Store.SetLoggedModelTagsAsync(ExtModel, [new Tag("owner", "bob"), new Tag("t", "2")], default);

        JsonAssert.Equal(recorded.RequestJson, _server.SingleBody("/tags"));
    }

    [Fact]
    public async Task LogParamsRepeatsTheModelIdInTheBody()
    {
        var recorded = Recordings.Python(File, "/logged-models/" + ExtModel + "/params");
        _server.Respond(_server.Post("logged-models/" + ExtModel + "/params"), 200, recorded.ResponseBody);

        await _server.Store.LogLoggedModelParamsAsync(ExtModel, [new Param("q", "b"), new Param("r", "c")], default);

        JsonAssert.Equal(recorded.RequestJson, _server.SingleBody("/params"));
    }

    [Fact]
    public async Task DeleteTagOfAnUnknownKeyThrowsTheRecordedNotFound()
    {
        var recorded = Recordings.Python(File, "/tags/never-set");
        _server.Respond(Request.Create().WithPath("/api/2.0/mlflow/logged-models/m-7749a68b81d14013baff4cc33018d7dd/tags/never-set").UsingDelete(), recorded.Status, recorded.ResponseBody);

        var error = await Assert.ThrowsAsync<MlflowException>(() => _server.Store.DeleteLoggedModelTagAsync("m-7749a68b81d14013baff4cc33018d7dd", "never-set", default));

        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, error.ErrorCode);
        Assert.True(string.IsNullOrEmpty(Assert.Single(_server.Requests("/tags/never-set")).RequestMessage.Body));
    }

    [Fact]
    public async Task DeleteSendsTheModelIdAsAJsonBody()
    {
        var recorded = Recordings.Python(File, "DELETE http://127.0.0.1:5010/api/2.0/mlflow/logged-models/m-7749a68b81d14013baff4cc33018d7dd {'User");
        _server.Respond(Request.Create().WithPath("/api/2.0/mlflow/logged-models/m-7749a68b81d14013baff4cc33018d7dd").UsingDelete(), 200, recorded.ResponseBody);

        await _server.Store.DeleteLoggedModelAsync("m-7749a68b81d14013baff4cc33018d7dd", default);

        JsonAssert.Equal(recorded.RequestJson, _server.SingleBody("/logged-models/m-7749a68b81d14013baff4cc33018d7dd"));
    }

    [Fact]
    public async Task SearchSendsOrderAndPageTokenAndReadsTheNextToken()
    {
        var first = Recordings.Python(File, "/logged-models/search", 1);
        var second = Recordings.Python(File, "/logged-models/search", 2);
        var token = second.RequestJson["page_token"]!.GetValue<string>();
        _server.Respond(_server.Post("logged-models/search").WithBody(b => b is not null && !b.Contains("page_token", StringComparison.Ordinal)), 200, first.ResponseBody);
        _server.Respond(_server.Post("logged-models/search").WithBody(b => b is not null && b.Contains("page_token", StringComparison.Ordinal)), 200, second.ResponseBody);
        var order = new[] { new LoggedModelOrder("creation_time", Ascending: false) };

        var page1 = await _server.Store.SearchLoggedModelsAsync(["1"], null, order, null, 2, null, default);
        var page2 = await _server.Store.SearchLoggedModelsAsync(["1"], null, order, null, 2, page1.NextPageToken, default);

        Assert.Equal(token, page1.NextPageToken);
        Assert.Equal(["active-agent", "external-agent"], page1.Items.Select(m => m.Name));
        Assert.Equal(["ext-model", "model"], page2.Items.Select(m => m.Name));
        Assert.Null(page2.NextPageToken);
        var bodies = _server.Requests("/logged-models/search").Select(e => JsonNode.Parse(e.RequestMessage.Body!)).ToList();
        JsonAssert.Equal(first.RequestJson, bodies[0]);
        JsonAssert.Equal(second.RequestJson, bodies[1]);
    }

    [Fact]
    public async Task SearchWithDatasetsAndAnEmptyAnswerReadsAsNoModels()
    {
        var recorded = Recordings.Python(File, "/logged-models/search", 6);
        _server.Respond(_server.Post("logged-models/search"), 200, "{}");

        var page = await _server.Store.SearchLoggedModelsAsync(["1"], "metrics.acc > 0.5", null, [new LoggedModelDatasetFilter("eval-ds", "30646977")], null, null, default);

        Assert.Empty(page.Items);
        Assert.Null(page.NextPageToken);
        JsonAssert.Equal(recorded.RequestJson, _server.SingleBody("/logged-models/search"));
    }

    [Fact]
    public async Task OutputsAndModelInputsSendTheRecordedBodies()
    {
        var outputs = Recordings.Python(File, "/runs/outputs");
        var inputs = Recordings.Python(File, "/runs/log-inputs", 0);
        _server.Respond(_server.Post("runs/outputs"), 200, "{}");
        _server.Respond(_server.Post("runs/log-inputs"), 200, "{}");

        await _server.Store.LogOutputsAsync(RunId, [new LoggedModelOutput("m-8308d0529e7340bca357613ccbedf78a", 0)], default);
        await _server.Store.LogModelInputsAsync(RunId, ["m-8308d0529e7340bca357613ccbedf78a"], default);

        JsonAssert.Equal(outputs.RequestJson, _server.SingleBody("/runs/outputs"));
        JsonAssert.Equal(inputs.RequestJson, _server.SingleBody("/runs/log-inputs"));
    }

    [Fact]
    public async Task ModelMetricsGoInALogBatchCarryingModelAndDatasetFields()
    {
        var recorded = Recordings.Python(File, "/runs/log-batch", 0);
        _server.Respond(_server.Post("runs/log-batch"), 200, "{}");
        LoggedModelMetric Point(string key, double value) => new(key, value, 1796358589655, 0) { ModelId = "m-8308d0529e7340bca357613ccbedf78a", DatasetName = "eval-ds", DatasetDigest = "30646977" };

        await _server.Store.LogModelMetricsAsync(RunId, [Point("f1", 0.7), Point("loss", 0.3)], default);

        JsonAssert.Equal(recorded.RequestJson, _server.SingleBody("/runs/log-batch"));
    }

    [Fact]
    public async Task ArtifactListingReadsTheModelsDirectoriesRoute()
    {
        var recorded = Recordings.Python(File, "/artifacts/directories {}");
        _server.Respond(_server.Get("logged-models/m-8308d0529e7340bca357613ccbedf78a/artifacts/directories"), 200, recorded.ResponseBody);

        var files = await _server.Store.ListLoggedModelArtifactsAsync("m-8308d0529e7340bca357613ccbedf78a", null, default);

        Assert.Equal(7, files.Count);
        Assert.Equal(new ArtifactFile("MLmodel", false, 973), files[0]);
    }
}
