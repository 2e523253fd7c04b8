using System.Text.Json.Nodes;
using LlmTrack.Tests.Rest;
using LlmTrack.Tests.Sqlite;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace LlmTrack.Tests.LoggedModels;

/// <summary><c>run.LogModelAsync</c> and model-linked metrics, over a replayed server and over the local store.</summary>
public sealed class LogModelTests : IDisposable
{
    private const string File = "logged-models.out";
    private const string ModelId = "m-8308d0529e7340bca357613ccbedf78a";
    private readonly WireMockServer _server = WireMockServer.Start();

    public void Dispose()
    {
        _server.Stop();
        _server.Dispose();
    }

    [Fact]
    public async Task LogModelSendsTheOfficialClientsSequence()
    {
        StubServer(failUploads: false);
        await using var tracker = NewTracker();
        await using var run = await tracker.StartRunAsync(new RunOptions { RunName = "lm-run" });
        run.LogParam("lr", "0.01");

        var model = await run.LogModelAsync(
            ModelFlavor.Contents(new Dictionary<string, string> { ["weights.json"] = "{}" }),
            new LogModelOptions { Name = "model", Signature = new([new ModelColumn("text")], [new ModelColumn("text")]), InputExampleJson = "{\"text\": \"hello\"}" });

        Assert.Equal(LoggedModelStatus.Ready, model.Status);
        var calls = _server.LogEntries.Select(e => e.RequestMessage.Method + " " + e.RequestMessage.Path).SkipWhile(c => !c.EndsWith("/runs/log-batch", StringComparison.Ordinal)).ToList();
        var artifacts = "/api/2.0/mlflow-artifacts/artifacts/1/models/" + ModelId + "/artifacts/";
        Assert.Equal(
            [
                "POST /api/2.0/mlflow/runs/log-batch", "GET /api/2.0/mlflow/runs/get", "POST /api/2.0/mlflow/logged-models", "POST /api/2.0/mlflow/runs/outputs",
                "PUT " + artifacts + "MLmodel", "PUT " + artifacts + "weights.json", "PUT " + artifacts + "input_example.json", "PATCH /api/2.0/mlflow/logged-models/" + ModelId,
            ],
            calls);
        var create = JsonNode.Parse(Body("/api/2.0/mlflow/logged-models"))!;
        JsonAssert.Equal(Recordings.Python(File, "/api/2.0/mlflow/logged-models {", 0).RequestJson, create);
        JsonAssert.Equal("{\"run_id\":\"9f8b4a64e5a546f7b5ac958c77bce069\",\"models\":[{\"model_id\":\"" + ModelId + "\",\"step\":0}]}", JsonNode.Parse(Body("/runs/outputs")));
        JsonAssert.Equal("{\"model_id\":\"" + ModelId + "\",\"status\":\"LOGGED_MODEL_READY\"}", JsonNode.Parse(Body("/logged-models/" + ModelId)));
        var mlmodel = Body(artifacts + "MLmodel");
        Assert.Contains("artifact_path: mlflow-artifacts:/1/models/" + ModelId + "/artifacts\n", mlmodel, StringComparison.Ordinal);
        Assert.Contains("model_uuid: " + ModelId + "\n", mlmodel, StringComparison.Ordinal);
        Assert.Contains("  inputs: '[{\"type\": \"string\", \"name\": \"text\", \"required\": true}]'\n", mlmodel, StringComparison.Ordinal);
        Assert.Contains("flavors: {}\n", mlmodel, StringComparison.Ordinal);
        Assert.DoesNotContain("mlflow_version", mlmodel, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailedUploadFinalizesUploadFailedAndThrowsATypedError()
    {
        StubServer(failUploads: true);
        await using var tracker = NewTracker();
        await using var run = await tracker.StartRunAsync(new RunOptions { RunName = "lm-run" });

        var error = await Assert.ThrowsAsync<LoggedModelUploadException>(() => run.LogModelAsync(ModelFlavor.Contents(new Dictionary<string, string> { ["w.bin"] = "x" })));

        Assert.Equal(ModelId, error.ModelId);
        Assert.Equal("MLmodel", error.ArtifactPath);
        JsonAssert.Equal("{\"model_id\":\"" + ModelId + "\",\"status\":\"LOGGED_MODEL_UPLOAD_FAILED\"}", JsonNode.Parse(Body("/logged-models/" + ModelId)));
    }

    [Fact]
    public async Task ModelMetricsDeclareTheModelAsAnInputOnceThenCarryItsFields()
    {
        StubServer(failUploads: false);
        await using var tracker = NewTracker();
        await using var run = await tracker.StartRunAsync(new RunOptions { RunName = "lm-run" });
        var model = await tracker.GetLoggedModelAsync(ModelId);
        var dataset = new Dataset { Name = "eval-ds", Digest = "30646977", SourceType = "code", Source = "{}" };

        await run.LogModelMetricAsync(model, "acc", 0.9);
        await run.LogModelMetricsAsync(model, [new("f1", 0.7), new("loss", 0.3)], dataset: dataset);

        var inputs = _server.LogEntries.Where(e => e.RequestMessage.Path.EndsWith("/runs/log-inputs", StringComparison.Ordinal)).ToList();
        JsonAssert.Equal(Recordings.Python(File, "/runs/log-inputs", 0).RequestJson, JsonNode.Parse(Assert.Single(inputs).RequestMessage.Body!));
        var batches = _server.LogEntries.Where(e => e.RequestMessage.Path.EndsWith("/runs/log-batch", StringComparison.Ordinal)).Select(e => JsonNode.Parse(e.RequestMessage.Body!)!).ToList();
        var last = batches[^1]["metrics"]!.AsArray();
        Assert.Equal(["f1", "loss"], last.Select(m => m!["key"]!.GetValue<string>()));
        Assert.All(last, m => Assert.Equal((ModelId, "eval-ds", "30646977"), (m!["model_id"]!.GetValue<string>(), m["dataset_name"]!.GetValue<string>(), m["dataset_digest"]!.GetValue<string>())));
        Assert.Null(batches[^2]["metrics"]![0]!["dataset_name"]);
    }

    [Fact]
    public async Task LogModelOnTheLocalStoreWritesFilesAndAReadyModelThatSearchFinds()
    {
        using var folder = new TempFolder();
        var onnx = Path.Combine(folder.Path, "classifier.onnx");
        await System.IO.File.WriteAllBytesAsync(onnx, [1, 2, 3]);
        await using var tracker = new Tracker(new LlmTrackOptions { TrackingUri = folder.TrackingUri });
        await using var run = await tracker.StartRunAsync(new RunOptions { RunName = "local" });
        run.LogParam("lr", "0.1");

        var model = await run.LogModelAsync(ModelFlavor.Onnx(onnx), new LogModelOptions { Name = "clf", Tags = new Dictionary<string, string> { ["team"] = "nlp" } });
        await run.LogModelMetricAsync(model, "accuracy", 0.75);

        var folderOfModel = new Uri(model.ArtifactUri).IsAbsoluteUri && model.ArtifactUri.StartsWith("file:", StringComparison.Ordinal) ? new Uri(model.ArtifactUri).LocalPath : model.ArtifactUri;
        Assert.Equal([1, 2, 3], await System.IO.File.ReadAllBytesAsync(Path.Combine(folderOfModel, "model.onnx")));
        var mlmodel = await System.IO.File.ReadAllTextAsync(Path.Combine(folderOfModel, "MLmodel"));
        Assert.Contains("flavors:\n  onnx:\n    code: null\n    data: model.onnx\n    providers:\n    - CPUExecutionProvider\n", mlmodel, StringComparison.Ordinal);
        Assert.Contains(run.RunId, mlmodel, StringComparison.Ordinal);
        var found = await tracker.SearchLoggedModelsAsync([run.ExperimentId], "metrics.accuracy > 0.5 AND tags.team = 'nlp'").ToListAsync();
        var read = Assert.Single(found);
        Assert.Equal(LoggedModelStatus.Ready, read.Status);
        Assert.Equal([new Param("lr", "0.1")], read.Params);
        Assert.Equal(run.RunId, read.SourceRunId);
        Assert.Equal(0.75, Assert.Single(read.Metrics).Value);
        await tracker.DeleteLoggedModelAsync(model.ModelId);
        await Assert.ThrowsAsync<MlflowException>(() => tracker.GetLoggedModelAsync(model.ModelId));
    }

    [Fact]
    public async Task LoggingWithARegisteredModelNameRegistersEachModelAsTheNextVersionAndTheAliasDownloadsItsFiles()
    {
        using var folder = new TempFolder();
        await using var tracker = new Tracker(new LlmTrackOptions { TrackingUri = folder.TrackingUri });
        var models = new List<LoggedModel>();
        foreach (var smoothing in new[] { "1.0", "0.5" })
        {
            await using var run = await tracker.StartRunAsync(new RunOptions { RunName = "smoothing-" + smoothing });
            var contents = new Dictionary<string, string> { ["weights.json"] = $"{{\"smoothing\": {smoothing}}}" };
            models.Add(await run.LogModelAsync(ModelFlavor.Contents(contents), new LogModelOptions { RegisteredModelName = "sentiment" }));
        }

        var versions = await tracker.Models.SearchVersionsAsync("name = 'sentiment'").ToListAsync();
        Assert.Equal([1, 2], versions.Select(v => v.Version).Order());
        var second = versions.Single(v => v.Version == 2);
        Assert.Equal("models:/" + models[1].ModelId, second.Source);
        Assert.Equal(models[1].ModelId, second.ModelId);
        Assert.Equal(models[1].SourceRunId, second.RunId);
        Assert.Equal("[{\"name\": \"sentiment\", \"version\": 2}]", models[1].Tags.Single(t => t.Key == "mlflow.modelVersions").Value);
        var stored = await tracker.GetLoggedModelAsync(models[1].ModelId);
        Assert.Equal("[{\"name\": \"sentiment\", \"version\": 2}]", stored.Tags.Single(t => t.Key == "mlflow.modelVersions").Value);

        await tracker.Models.SetAliasAsync("sentiment", "champion", 2);
        var target = Path.Combine(folder.Path, "download");
        await tracker.Models.DownloadAsync("models:/sentiment@champion", target);
        Assert.Equal("{\"smoothing\": 0.5}", await System.IO.File.ReadAllTextAsync(Path.Combine(target, "weights.json")));
    }

    [Fact]
    public void TheModelVersionsTagAppendsOnceWithPythonSpacing()
    {
        var first = LlmTrack.LoggedModels.ModelVersionsTag.Append(null, "m", 1);
        Assert.Equal("[{\"name\": \"m\", \"version\": 1}]", first);
        Assert.Equal("[{\"name\": \"m\", \"version\": 1}, {\"name\": \"n\", \"version\": 3}]", LlmTrack.LoggedModels.ModelVersionsTag.Append(first, "n", 3));
        Assert.Equal(first, LlmTrack.LoggedModels.ModelVersionsTag.Append(first, "m", 1));
        Assert.Equal(first, LlmTrack.LoggedModels.ModelVersionsTag.Append("not json", "m", 1));
    }

    private Tracker NewTracker()
    {
        var options = new LlmTrackOptions { TrackingUri = _server.Urls[0], ExperimentId = "1" };
        options.Http.MaxRetries = 0;
        return new Tracker(options);
    }

    private string Body(string path) =>
        _server.LogEntries.Last(e => e.RequestMessage.Path.EndsWith(path, StringComparison.Ordinal)).RequestMessage.Body!;

    private void StubServer(bool failUploads)
    {
        string Recorded(string marker, int occurrence = 0) => Recordings.Python(File, marker, occurrence).ResponseBody;
        void Json(IRequestBuilder request, string body, int status = 200) =>
            _server.Given(request).RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body));

        Json(Request.Create().WithPath("/api/2.0/mlflow/experiments/get").UsingGet(), Recorded("/experiments/get params"));
        Json(Request.Create().WithPath("/api/2.0/mlflow/runs/create").UsingPost(), Recorded("/runs/create"));
        Json(Request.Create().WithPath("/api/2.0/mlflow/runs/get").UsingGet(), Recorded("/runs/get", 0));
        Json(Request.Create().WithPath("/api/2.0/mlflow/runs/update").UsingPost(), Recorded("/runs/update"));
        Json(Request.Create().WithPath("/api/2.0/mlflow/runs/log-batch").UsingPost(), "{}");
        Json(Request.Create().WithPath("/api/2.0/mlflow/runs/log-inputs").UsingPost(), "{}");
        Json(Request.Create().WithPath("/api/2.0/mlflow/runs/outputs").UsingPost(), "{}");
        Json(Request.Create().WithPath("/api/2.0/mlflow/logged-models").UsingPost(), Recorded("/api/2.0/mlflow/logged-models {", 0));
        Json(Request.Create().WithPath("/api/2.0/mlflow/logged-models/" + ModelId).UsingGet(), Recorded("GET http://127.0.0.1:5010/api/2.0/mlflow/logged-models/" + ModelId + " {}"));
        Json(Request.Create().WithPath("/api/2.0/mlflow/logged-models/" + ModelId).UsingPatch(), Recorded("PATCH http://127.0.0.1:5010/api/2.0/mlflow/logged-models/" + ModelId + " "));
        Json(Request.Create().WithPath(new WireMock.Matchers.WildcardMatcher("/api/2.0/mlflow-artifacts/artifacts/*")).UsingPut(), failUploads ? "{\"error_code\":\"INTERNAL_ERROR\",\"message\":\"disk full\"}" : "{}", failUploads ? 500 : 200);
    }
}
