// QuickStart: evaluate a baseline sentiment classifier and log the run.
//
//   dotnet run --project samples/QuickStart -c Release
//
// With MLFLOW_TRACKING_URI set (e.g. http://127.0.0.1:5000) the run goes to that MLflow server;
// without it, LlmTrack writes ./mlflow.db (MLflow's own schema) and ./mlruns next to it.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using LlmTrack;
using LlmTrack.Evaluation.Datasets;
using LlmTrack.Metrics.Classification;
using QuickStart;

var dataDirectory = Path.Combine(AppContext.BaseDirectory, "data");
var train = LabelledSentence.ReadFile(Path.Combine(dataDirectory, "yelp_labelled.txt"))
    .Concat(LabelledSentence.ReadFile(Path.Combine(dataDirectory, "amazon_cells_labelled.txt")))
    .ToList();
var test = LabelledSentence.ReadFile(Path.Combine(dataDirectory, "imdb_labelled.txt"));

var model = new NaiveBayesSentiment();
model.Train(train);

var options = LlmTrackOptions.FromEnvironment();
using var tracker = new Tracker(options);
using var run = tracker.StartRun("quickstart-sentiment", runName: "naive-bayes-yelp-amazon-to-imdb",
    description: "Multinomial Naive Bayes trained on the UCI Yelp + Amazon sentences, evaluated on the IMDb sentences.");

run.LogParam("model", "multinomial-naive-bayes");
run.LogParam("smoothing", "add-one");
run.LogParam("train_data", "yelp_labelled.txt+amazon_cells_labelled.txt");
run.LogParam("eval_data", "imdb_labelled.txt");
run.LogParam("vocabulary_size", model.VocabularySize.ToString(CultureInfo.InvariantCulture));
run.SetTag("task", "sentiment-classification");

var yTrue = new int[test.Count];
var yPred = new int[test.Count];
var predictions = new StringBuilder("sentence\tlabel\tprediction\n");
var clock = Stopwatch.StartNew();
for (var i = 0; i < test.Count; i++)
{
    yTrue[i] = test[i].Label;
    yPred[i] = model.Predict(test[i].Text);
    predictions.Append(test[i].Text).Append('\t').Append(yTrue[i]).Append('\t').Append(yPred[i]).Append('\n');
    if ((i + 1) % 100 == 0)
    {
        // a running accuracy curve, one point per 100 examples
        run.LogMetric("running_accuracy", ClassificationMetrics.Accuracy<int>(yTrue.AsSpan(0, i + 1), yPred.AsSpan(0, i + 1)), step: i + 1);
    }
}

var report = ClassificationMetrics.Report<int>(yTrue, yPred);
var f1Binary = ClassificationMetrics.F1Score<int>(yTrue, yPred, AverageKind.Binary).Value;
run.LogMetric("predict_seconds", clock.Elapsed.TotalSeconds);

// The classifier as an MLflow 3 logged model: its counts as naive_bayes.json under a custom flavor (it is C#, so
// nothing claims MLflow can load it), and the evaluation metrics linked to the model and to the IMDb data set.
var loggedModel = await run.LogModelAsync(
    ModelFlavor.Contents(new Dictionary<string, string> { ["naive_bayes.json"] = model.ToJson() }, "llmtrack.naive_bayes_json", new Dictionary<string, string> { ["data"] = "naive_bayes.json" }),
    new LogModelOptions
    {
        Name = "naive-bayes-sentiment",
        ModelType = "classifier",
        Signature = new ModelSignature([new ModelColumn("text")], [new ModelColumn("label", "long")]),
        InputExampleJson = "{\"text\": \"Great food and friendly staff.\"}",
    });
var imdb = new EvaluationDataset("imdb_labelled", ["text", "label"], test.Select(s => (IReadOnlyList<object?>)[s.Text, (long)s.Label]), "data/imdb_labelled.txt");
await run.LogInputAsync(imdb);
await run.LogModelMetricsAsync(
    loggedModel,
    new Dictionary<string, double>
    {
        ["accuracy"] = report.Accuracy,
        ["f1"] = f1Binary,
        ["f1_macro"] = report.Macro.FScore,
        ["precision_macro"] = report.Macro.Precision,
        ["recall_macro"] = report.Macro.Recall,
    },
    dataset: imdb.ToMlflowDataset());
run.LogText(predictions.ToString(), "predictions.tsv");

var delivered = run.Flush();
Console.WriteLine($"Evaluated {test.Count} IMDb sentences: accuracy {report.Accuracy:F4}, F1 {f1Binary:F4}, macro F1 {report.Macro.FScore:F4}");
Console.WriteLine($"Run {run.RunId} in experiment {run.ExperimentId}: {delivered.Counters.Delivered} values delivered, artifacts at {run.ArtifactUri}");
Console.WriteLine($"Logged model {loggedModel.Name}: {loggedModel.ModelUri}, files at {loggedModel.ArtifactUri}");
if (string.IsNullOrEmpty(options.TrackingUri))
{
    var folder = Directory.GetCurrentDirectory();
    Console.WriteLine($"Tracking data: {Path.Combine(folder, "mlflow.db")} (MLflow's SQLite schema), artifacts under {Path.Combine(folder, "mlruns")}");
    Console.WriteLine("Look at it with MLflow in this folder:  mlflow ui --backend-store-uri sqlite:///mlflow.db");
    Console.WriteLine("                                    or:  mlflow server --backend-store-uri sqlite:///mlflow.db");
}
else if (Uri.TryCreate(options.TrackingUri.Trim(), UriKind.Absolute, out var server) && (server.Scheme == Uri.UriSchemeHttp || server.Scheme == Uri.UriSchemeHttps))
{
    // The MLflow UI link, without any user:password@ part of the tracking URI.
    var ui = new UriBuilder(server) { UserName = string.Empty, Password = string.Empty, Query = string.Empty, Fragment = string.Empty };
    Console.WriteLine($"Open {ui.Uri.GetLeftPart(UriPartial.Path).TrimEnd('/')}/#/experiments/{run.ExperimentId}/runs/{run.RunId}");
}
else if (options.TrackingUri.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
{
    Console.WriteLine($"Look at it with MLflow:  mlflow ui --backend-store-uri {options.TrackingUri.Trim()}");
}
else
{
    Console.WriteLine($"Tracking URI: {options.TrackingUri}");
}
