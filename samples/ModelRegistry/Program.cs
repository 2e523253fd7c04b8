// ModelRegistry: log QuickStart's classifier with two settings as MLflow 3 logged models, register both as versions
// of one registered model, evaluate each (metrics linked to its model and the IMDb data set), give the better version
// the @champion alias, and load the champion back by its models:/ URI.
//
//   dotnet run --project samples/ModelRegistry -c Release
//
// With MLFLOW_TRACKING_URI set the runs and the registry go to that MLflow server; without it, to ./mlflow.db and
// ./mlruns (MLflow's own schema: `mlflow ui --backend-store-uri sqlite:///mlflow.db` shows the registry).
using LlmTrack;
using LlmTrack.Evaluation;
using QuickStart;

const string RegisteredModel = "quickstart-sentiment";
var dataDirectory = Path.Combine(AppContext.BaseDirectory, "data");
var train = LabelledSentence.ReadFile(Path.Combine(dataDirectory, "yelp_labelled.txt"))
    .Concat(LabelledSentence.ReadFile(Path.Combine(dataDirectory, "amazon_cells_labelled.txt")))
    .ToList();
var test = LabelledSentence.ReadFile(Path.Combine(dataDirectory, "imdb_labelled.txt"));

await using var tracker = new Tracker(LlmTrackOptions.FromEnvironment());
var candidates = new List<(ModelVersion Version, double Accuracy)>();
foreach (var smoothing in new[] { 1.0, 0.1 })
{
    var model = new NaiveBayesSentiment(smoothing);
    model.Train(train);
    await using var run = await tracker.StartRunAsync("quickstart-model-registry", runName: $"naive-bayes-smoothing-{smoothing:0.0#}");
    run.LogParam("smoothing", smoothing.ToString(System.Globalization.CultureInfo.InvariantCulture));

    // Logged as an MLflow 3 model (its counts as JSON under a custom flavor: it is C#, nothing claims Python loads it)
    // and registered as the next version of the registered model.
    var logged = await run.LogModelAsync(
        ModelFlavor.Contents(new Dictionary<string, string> { ["naive_bayes.json"] = model.ToJson() }, "llmtrack.naive_bayes_json", new Dictionary<string, string> { ["data"] = "naive_bayes.json" }),
        new LogModelOptions { Name = "naive-bayes-sentiment", ModelType = "classifier", RegisteredModelName = RegisteredModel });

    // The evaluation's metrics carry the model's id and the data set's name and digest (the model page shows them).
    var summary = await run.EvaluateAsync(
        test,
        (sentence, _) => Task.FromResult(model.Predict(sentence.Text) == 1 ? "positive" : "negative"),
        new EvaluationOptions<LabelledSentence, string>
        {
            Target = sentence => sentence.Label == 1 ? "positive" : "negative",
            InputText = sentence => sentence.Text,
            Metrics = EvaluationMetrics.Classification,
            DatasetName = "uci-imdb",
            Model = logged,
        });
    ModelVersion? version = null;
    await foreach (var v in tracker.Models.SearchVersionsAsync($"name = '{RegisteredModel}'"))
    {
        version = v.ModelId == logged.ModelId ? v : version;
    }

    ArgumentNullException.ThrowIfNull(version);
    candidates.Add((version, summary["accuracy"]));
    Console.WriteLine($"Version {version.Version}: smoothing {smoothing}, accuracy {summary["accuracy"]:F4} (run {run.RunId}, model {logged.ModelId})");
}

var champion = candidates.MaxBy(c => c.Accuracy).Version;
await tracker.Models.SetAliasAsync(RegisteredModel, "champion", champion.Version);
var resolved = await tracker.Models.ResolveAsync($"models:/{RegisteredModel}@champion");
Console.WriteLine($"@champion → version {resolved.Version} ({resolved.Source})");

var folder = Path.Combine(Path.GetTempPath(), "llmtrack-champion-" + Guid.NewGuid().ToString("N"));
var files = await tracker.Models.DownloadAsync($"models:/{RegisteredModel}@champion", folder);
Console.WriteLine($"Downloaded {files.Count} files of the champion to {folder}");
Console.WriteLine($"Gate a new candidate against it: llmtrack gate -e quickstart-model-registry --candidate <run> --baseline models:/{RegisteredModel}@champion --max-drop accuracy=0.01");
