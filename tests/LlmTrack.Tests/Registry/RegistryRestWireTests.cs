using System.Text.Json.Nodes;
using LlmTrack.Stores;
using LlmTrack.Tests.Rest;
using WireMock.RequestBuilders;

namespace LlmTrack.Tests.Registry;

/// <summary>
/// Every registry endpoint against WireMock answering with MLflow 3.6's recorded responses (registry.out); the request
/// each call sends (method, path, query parameters, JSON body) is compared with the one MLflow's Python client sent.
/// </summary>
public sealed class RegistryRestWireTests : IDisposable
{
    private const string RunId = "131ac8666e5b49af8aeda009262f0395";
    private readonly MlflowServerFixture _mlflow = new();

    public void Dispose() => _mlflow.Dispose();

    private IModelRegistryStore Registry => _mlflow.Store;

    [Fact]
    public async Task CreateRegisteredModelSendsRecordedBodyAndReadsTheModel()
    {
        var recorded = Replay("registered-models/create", "POST");

        var model = await Registry.CreateRegisteredModelAsync("reg-demo-a", [new Tag("team", "x"), new Tag("stage", "dev")], "first model", default);

        AssertSentAsRecorded(recorded, "registered-models/create");
        Assert.Equal("reg-demo-a", model.Name);
        Assert.Equal(1796358160897, model.CreationTime);
        Assert.Equal("first model", model.Description);
        Assert.Equal([new Tag("team", "x"), new Tag("stage", "dev")], model.Tags);
        Assert.Empty(model.Aliases);
        Assert.Empty(model.LatestVersions);
    }

    [Fact]
    public async Task CreatingADuplicateModelThrowsAlreadyExists()
    {
        var recorded = Replay("registered-models/create", "POST", occurrence: 1);

        var ex = await Assert.ThrowsAsync<MlflowException>(() => Registry.CreateRegisteredModelAsync("reg-demo-a", [], null, default));

        AssertSentAsRecorded(recorded, "registered-models/create");
        Assert.Equal(MlflowErrorCode.ResourceAlreadyExists, ex.ErrorCode);
        Assert.Equal(400, ex.StatusCode);
        Assert.Contains("Registered Model (name=reg-demo-a) already exists.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GettingAMissingModelThrowsDoesNotExist()
    {
        var recorded = Replay("registered-models/get params={\"name\": \"no-such-model\"}", "GET", path: "registered-models/get");

        var ex = await Assert.ThrowsAsync<MlflowException>(() => Registry.GetRegisteredModelAsync("no-such-model", default));

        AssertSentAsRecorded(recorded, "registered-models/get");
        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, ex.ErrorCode);
        Assert.Equal(404, ex.StatusCode);
    }

    [Fact]
    public async Task GetReadsLatestVersionsPerStageAndAliases()
    {
        var recorded = Replay("registered-models/get params={\"name\": \"reg-demo-b\"}", "GET", occurrence: 17, path: "registered-models/get");
        Assert.Contains("\"aliases\"", recorded.ResponseBody, StringComparison.Ordinal);

        var model = await Registry.GetRegisteredModelAsync("reg-demo-b", default);

        AssertSentAsRecorded(recorded, "registered-models/get");
        Assert.Equal([new ModelAlias("champion", 2)], model.Aliases);
        Assert.Equal(["Archived", "Production", "None"], model.LatestVersions.Select(v => v.Stage));
        Assert.Equal([2, 3, 5], model.LatestVersions.Select(v => v.Version));
        Assert.Equal(RunId, model.LatestVersions[0].RunId);
    }

    [Fact]
    public async Task RenameUpdateAndTagsSendTheRecordedShapes()
    {
        var rename = Replay("registered-models/rename", "POST");
        var renamed = await Registry.RenameRegisteredModelAsync("reg-demo-a", "reg-demo-b", default);
        AssertSentAsRecorded(rename, "registered-models/rename");
        Assert.Equal("reg-demo-b", renamed.Name);

        var update = Replay("registered-models/update", "PATCH");
        var updated = await Registry.UpdateRegisteredModelAsync("reg-demo-b", "renamed and updated", default);
        AssertSentAsRecorded(update, "registered-models/update");
        Assert.Equal("renamed and updated", updated.Description);

        var setTag = Replay("registered-models/set-tag", "POST");
        await Registry.SetRegisteredModelTagAsync("reg-demo-b", "owner", "alice", default);
        AssertSentAsRecorded(setTag, "registered-models/set-tag");

        var deleteTag = Replay("registered-models/delete-tag", "DELETE");
        await Registry.DeleteRegisteredModelTagAsync("reg-demo-b", "stage", default);
        AssertSentAsRecorded(deleteTag, "registered-models/delete-tag");
    }

    [Fact]
    public async Task RenamingOntoAnExistingNameThrowsAlreadyExists()
    {
        Replay("registered-models/rename", "POST", occurrence: 1);

        var ex = await Assert.ThrowsAsync<MlflowException>(() => Registry.RenameRegisteredModelAsync("reg-demo-c", "reg-demo-b", default));

        Assert.Equal(MlflowErrorCode.ResourceAlreadyExists, ex.ErrorCode);
    }

    [Fact]
    public async Task SearchModelsSendsFilterOrderAndTokenAndReadsTheNextPage()
    {
        var first = Replay("registered-models/search", "GET");
        var page = await Registry.SearchRegisteredModelsAsync("name LIKE 'x%' AND tag.`mlflow.prompt.is_prompt` != 'true'", 2, ["name DESC"], null, default);
        AssertSentAsRecorded(first, "registered-models/search");
        Assert.Equal(["xylo", "xray-3"], page.Items.Select(m => m.Name));
        Assert.Equal("eyJvZmZzZXQiOiAyfQ==", page.NextPageToken);

        _mlflow.Server.Reset();
        var second = Replay("registered-models/search", "GET", occurrence: 1);
        var next = await Registry.SearchRegisteredModelsAsync("name LIKE 'x%' AND tag.`mlflow.prompt.is_prompt` != 'true'", 2, ["name DESC"], page.NextPageToken, default);
        AssertSentAsRecorded(second, "registered-models/search");
        Assert.Equal(["xray-2", "xray-1"], next.Items.Select(m => m.Name));
        Assert.Null(next.NextPageToken);
    }

    [Fact]
    public async Task SearchWithAnUnsupportedKeyThrowsInvalidParameter()
    {
        Replay("registered-models/search params={\"filter\": \"description = 'x'\"}", "GET", path: "registered-models/search");

        var ex = await Assert.ThrowsAsync<MlflowException>(() => Registry.SearchRegisteredModelsAsync("description = 'x'", 100, null, null, default));

        Assert.Equal(MlflowErrorCode.InvalidParameterValue, ex.ErrorCode);
        Assert.Contains("Invalid attribute key 'description'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateModelVersionSendsRecordedBodyAndReadsAReadyVersion()
    {
        var recorded = Replay("model-versions/create", "POST");

        var version = await Registry.CreateModelVersionAsync(new ModelVersionRequest("reg-demo-b", $"runs:/{RunId}/model", RunId, [new Tag("k", "v")], "v1 desc", null), default);

        AssertSentAsRecorded(recorded, "model-versions/create");
        Assert.Equal(1, version.Version);
        Assert.Equal(ModelStage.None, version.Stage);
        Assert.Equal("READY", version.Status);
        Assert.Equal(RunId, version.RunId);
        Assert.Equal([new Tag("k", "v")], version.Tags);
    }

    [Fact]
    public async Task CreateModelVersionWithoutRunIdReadsEmptyRunIdAsNull()
    {
        var recorded = Replay("model-versions/create", "POST", occurrence: 3);

        var version = await Registry.CreateModelVersionAsync(new ModelVersionRequest("reg-demo-b", $"mlflow-artifacts:/1/{RunId}/artifacts/model", null, [], null, null), default);

        AssertSentAsRecorded(recorded, "model-versions/create");
        Assert.Equal(4, version.Version);
        Assert.Null(version.RunId);
    }

    [Fact]
    public async Task ALocalSourceIsRefusedWithTheServersMessage()
    {
        Replay("model-versions/create", "POST", occurrence: 4);

        var ex = await Assert.ThrowsAsync<MlflowException>(() => Registry.CreateModelVersionAsync(new ModelVersionRequest("reg-demo-b", "/opt/models/m1", null, [], null, null), default));

        Assert.Equal(MlflowErrorCode.InvalidParameterValue, ex.ErrorCode);
        Assert.StartsWith("Invalid model version source: '/opt/models/m1'.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VersionGetUpdateTagsAndDeleteSendTheRecordedShapes()
    {
        var get = Replay("model-versions/get params={\"name\": \"reg-demo-b\", \"version\": \"1\"}", "GET", path: "model-versions/get");
        var version = await Registry.GetModelVersionAsync("reg-demo-b", 1, default);
        AssertSentAsRecorded(get, "model-versions/get");
        Assert.Equal("v1 desc", version.Description);

        var update = Replay("model-versions/update", "PATCH");
        Assert.Equal("updated v1", (await Registry.UpdateModelVersionAsync("reg-demo-b", 1, "updated v1", default)).Description);
        AssertSentAsRecorded(update, "model-versions/update");

        var setTag = Replay("model-versions/set-tag", "POST");
        await Registry.SetModelVersionTagAsync("reg-demo-b", 1, "validated", "true", default);
        AssertSentAsRecorded(setTag, "model-versions/set-tag");

        var deleteTag = Replay("model-versions/delete-tag", "DELETE");
        await Registry.DeleteModelVersionTagAsync("reg-demo-b", 1, "k", default);
        AssertSentAsRecorded(deleteTag, "model-versions/delete-tag");

        var delete = Replay("model-versions/delete {'User", "DELETE", path: "model-versions/delete");
        await Registry.DeleteModelVersionAsync("reg-demo-b", 4, default);
        AssertSentAsRecorded(delete, "model-versions/delete");
    }

    [Fact]
    public async Task GettingAMissingVersionThrowsDoesNotExist()
    {
        Replay("model-versions/get params={\"name\": \"reg-demo-b\", \"version\": \"99\"}", "GET", path: "model-versions/get");

        var ex = await Assert.ThrowsAsync<MlflowException>(() => Registry.GetModelVersionAsync("reg-demo-b", 99, default));

        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, ex.ErrorCode);
        Assert.Equal("Model Version (name=reg-demo-b, version=99) not found", ex.Message);
    }

    [Fact]
    public async Task AliasesSetGetAndDeleteSendTheRecordedShapes()
    {
        var set = Replay("registered-models/alias", "POST");
        await Registry.SetRegisteredModelAliasAsync("reg-demo-b", "champion", 1, default);
        AssertSentAsRecorded(set, "registered-models/alias");

        _mlflow.Server.Reset();
        var get = Replay("registered-models/alias params={\"name\": \"reg-demo-b\", \"alias\": \"champion\"}", "GET", path: "registered-models/alias");
        var version = await Registry.GetModelVersionByAliasAsync("reg-demo-b", "champion", default);
        AssertSentAsRecorded(get, "registered-models/alias");
        Assert.Equal(["champion"], version.Aliases);

        _mlflow.Server.Reset();
        var delete = Replay("registered-models/alias", "DELETE");
        await Registry.DeleteRegisteredModelAliasAsync("reg-demo-b", "challenger", default);
        AssertSentAsRecorded(delete, "registered-models/alias");
    }

    [Fact]
    public async Task AnUnknownAliasThrowsInvalidParameterNotDoesNotExist()
    {
        Replay("registered-models/alias params={\"name\": \"reg-demo-b\", \"alias\": \"nope\"}", "GET", path: "registered-models/alias");

        var ex = await Assert.ThrowsAsync<MlflowException>(() => Registry.GetModelVersionByAliasAsync("reg-demo-b", "nope", default));

        Assert.Equal(MlflowErrorCode.InvalidParameterValue, ex.ErrorCode);
        Assert.Equal("Registered model alias nope not found.", ex.Message);
    }

    [Fact]
    public async Task TransitionStageAndLatestVersionsSendTheRecordedShapes()
    {
        var transition = Replay("model-versions/transition-stage", "POST", occurrence: 1);
        var version = await Registry.TransitionModelVersionStageAsync("reg-demo-b", 2, "Production", true, default);
        AssertSentAsRecorded(transition, "model-versions/transition-stage");
        Assert.Equal(ModelStage.Production, version.Stage);

        var latest = Replay("registered-models/get-latest-versions", "POST");
        var versions = await Registry.GetLatestVersionsAsync("reg-demo-b", ["Production", "Staging"], default);
        AssertSentAsRecorded(latest, "registered-models/get-latest-versions");
        Assert.Equal([1, 3], versions.Select(v => v.Version));
    }

    [Fact]
    public async Task DownloadUriIsTheSourceAsRegistered()
    {
        var recorded = Replay("model-versions/get-download-uri", "GET");

        var uri = await Registry.GetModelVersionDownloadUriAsync("reg-demo-b", 1, default);

        AssertSentAsRecorded(recorded, "model-versions/get-download-uri");
        Assert.Equal($"runs:/{RunId}/model", uri);
    }

    [Fact]
    public async Task SearchVersionsSendsOrderAndPagesWithTheToken()
    {
        var recorded = Replay("model-versions/search", "GET", occurrence: 1);

        var page = await Registry.SearchModelVersionsAsync($"run_id='{RunId}'", 2, ["version_number DESC"], null, default);

        AssertSentAsRecorded(recorded, "model-versions/search");
        Assert.Equal([3, 2], page.Items.Select(v => v.Version));
        Assert.Equal("eyJvZmZzZXQiOiAyfQ==", page.NextPageToken);
    }

    [Fact]
    public async Task DeleteModelSendsTheNameInTheBody()
    {
        var recorded = Replay("registered-models/delete {'User", "DELETE", path: "registered-models/delete");

        await Registry.DeleteRegisteredModelAsync("reg-demo-b", default);

        AssertSentAsRecorded(recorded, "registered-models/delete");
    }

    private RecordedExchange Replay(string marker, string method, int occurrence = 0, string? path = null)
    {
        var recorded = Recordings.Python("registry.out", (path is null ? method + " http://127.0.0.1:5010/api/2.0/mlflow/" + marker : marker), occurrence);
        path ??= marker;
        _mlflow.Respond(Request.Create().WithPath("/api/2.0/mlflow/" + path).UsingMethod(method), recorded.Status, recorded.ResponseBody);
        return recorded;
    }

    private void AssertSentAsRecorded(RecordedExchange recorded, string path)
    {
        var sent = _mlflow.Requests(path)[^1].RequestMessage;
        Assert.Equal(recorded.Command.Split(' ')[1], sent.Method);
        if (recorded.RequestBody is null)
        {
            Assert.True(string.IsNullOrEmpty(sent.Body), $"Expected no body but sent {sent.Body}");
        }
        else
        {
            JsonAssert.Equal(recorded.RequestJson, JsonNode.Parse(sent.Body!));
        }

        var expected = Recordings.QueryParams(recorded);
        var actual = (sent.Query ?? new Dictionary<string, WireMock.Types.WireMockList<string>>()).ToDictionary(q => q.Key, q => q.Value.ToList());
        Assert.Equal(expected.OrderBy(p => p.Key).Select(p => p.Key + "=" + string.Join("|", p.Value)), actual.OrderBy(p => p.Key).Select(p => p.Key + "=" + string.Join("|", p.Value)));
    }
}
