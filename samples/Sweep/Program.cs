// Sweep: tune QuickStart's Naive Bayes classifier (smoothing and decision threshold) with a grid sweep, one child run
// per trial, then write the HTML report of the trials.
//
//   dotnet run --project samples/Sweep -c Release
//
// With MLFLOW_TRACKING_URI set the runs go to that MLflow server; without it, to ./mlflow.db and ./mlruns. The report
// is written to ./report.html and logged as an artifact of the sweep's parent run.
using LlmTrack;
using LlmTrack.Evaluation;
using QuickStart;

var dataDirectory = Path.Combine(AppContext.BaseDirectory, "data");
var train = LabelledSentence.ReadFile(Path.Combine(dataDirectory, "yelp_labelled.txt"))
    .Concat(LabelledSentence.ReadFile(Path.Combine(dataDirectory, "amazon_cells_labelled.txt")))
    .ToList();
var test = LabelledSentence.ReadFile(Path.Combine(dataDirectory, "imdb_labelled.txt"));

var space = new SweepSpace()
    .LogUniform("smoothing", 0.05, 5.0, gridPoints: 4)
    .DoubleRange("threshold", 0.3, 0.7, gridPoints: 3);
var options = new SweepOptions
{
    Objective = "accuracy",
    Direction = SweepDirection.Maximize,
    Strategy = SweepStrategy.Grid,
    MaxParallelism = 2,
    EarlyStopAfter = 8,
    ExperimentName = "quickstart-sentiment-sweep",
    RunName = "naive-bayes-sweep",
};

await using var tracker = new Tracker(LlmTrackOptions.FromEnvironment());
var result = await tracker.SweepAsync(space, async (trial, cancellationToken) =>
{
    var model = new NaiveBayesSentiment(trial.GetDouble("smoothing"));
    model.Train(train);
    double threshold = trial.GetDouble("threshold");
    var summary = await trial.Run.EvaluateAsync(
        test,
        (sentence, _) => Task.FromResult(model.Predict(sentence.Text, threshold) == 1 ? "positive" : "negative"),
        new EvaluationOptions<LabelledSentence, string>
        {
            Target = sentence => sentence.Label == 1 ? "positive" : "negative",
            InputText = sentence => sentence.Text,
            Metrics = EvaluationMetrics.Classification,
            DatasetName = "uci-imdb",
        },
        cancellationToken);
    return summary["accuracy"];
}, options);

Console.WriteLine($"{result.Trials.Count} trials{(result.StoppedEarly ? " (stopped early)" : "")}; parent run {result.ParentRunId}");
foreach (var trial in result.Trials)
{
    Console.WriteLine($"  trial {trial.Number,2}: smoothing {trial.Parameters["smoothing"],-22} threshold {trial.Parameters["threshold"],-5} → {(trial.Value is double v ? v.ToString("F4") : trial.Error)}");
}

if (result.Best is { } best)
{
    Console.WriteLine($"Best: trial {best.Number} (run {best.RunId}), accuracy {best.Value:F4}");
}

var reportOptions = new RunReportOptions { Title = "Naive Bayes sweep: smoothing × threshold", ScatterX = "accuracy", ScatterY = "f1_macro" };
var html = await RunReport.BuildAsync(tracker, [.. result.Trials.Select(t => t.RunId)], reportOptions);
var file = Path.Combine(Directory.GetCurrentDirectory(), "report.html");
await File.WriteAllTextAsync(file, html);
await using (var parent = await tracker.ResumeRunAsync(result.ParentRunId))
{
    await parent.LogTextAsync(html, RunReportLoggingExtensions.DefaultFile);
}

Console.WriteLine($"Report: {file} — open it in a browser (also logged as {RunReportLoggingExtensions.DefaultFile} of the parent run).");
