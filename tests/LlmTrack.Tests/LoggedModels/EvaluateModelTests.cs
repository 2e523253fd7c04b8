using LlmTrack.Evaluation;
using LlmTrack.Evaluation.Datasets;
using LlmTrack.Tests.Sqlite;

namespace LlmTrack.Tests.LoggedModels;

/// <summary>An evaluation of a logged model links its metrics to the model and to the evaluated data set.</summary>
public sealed class EvaluateModelTests
{
    [Fact]
    public async Task EvaluationMetricsCarryTheModelAndTheDatasetDigest()
    {
        using var folder = new TempFolder();
        await using var tracker = new Tracker(new LlmTrackOptions { TrackingUri = folder.TrackingUri });
        await using var run = await tracker.StartRunAsync(new RunOptions { RunName = "eval" });
        var model = await run.LogModelAsync(ModelFlavor.Contents(new Dictionary<string, string> { ["rules.json"] = "{}" }), new LogModelOptions { Name = "echo" });
        var dataset = new EvaluationDataset("golden", ["inputs", "target"], [["a", "a"], ["b", "c"]]);

        var summary = await run.EvaluateAsync(
            new[] { ("a", "a"), ("b", "c") },
            (example, _) => Task.FromResult(example.Item1),
            new EvaluationOptions<(string, string), string> { Target = e => e.Item2, Metrics = EvaluationMetrics.Classification, Dataset = dataset, Model = model });

        var read = await tracker.GetLoggedModelAsync(model.ModelId);
        var accuracy = Assert.Single(read.Metrics, m => m.Key == "accuracy");
        Assert.Equal(summary["accuracy"], accuracy.Value);
        Assert.Equal(("golden", dataset.Digest, run.RunId), (accuracy.DatasetName, accuracy.DatasetDigest, accuracy.RunId));
        var runMetrics = (await tracker.GetRunAsync(run.RunId)).Data.Metrics;
        Assert.Contains(runMetrics, m => m.Key == "accuracy");
    }
}
