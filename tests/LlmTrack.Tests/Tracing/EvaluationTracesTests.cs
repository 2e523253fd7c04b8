using System.Text;
using System.Text.Json.Nodes;
using LlmTrack.Evaluation;
using LlmTrack.Metrics.Tokens;
using LlmTrack.Tests.Fakes;

namespace LlmTrack.Tests.Tracing;

[Collection(nameof(LlmTrack.Tests.Tracing.ActivityListenerCollection))]
public sealed class EvaluationTracesTests
{
    private static readonly string[] Questions = ["Capital of France?", "Capital of Italy?", "boom"];

    private static async Task<(InMemoryTrackingStore Store, RecordingTraceSink Sink, string RunId, EvaluationSummary Summary)> EvaluateAsync()
    {
        var store = new InMemoryTrackingStore();
        var sink = store.TraceSink = new RecordingTraceSink();
        using var tracker = new Tracker(new LlmTrackOptions(), store, TimeProvider.System, null) { Environment = _ => null, ContextTags = [new Tag("mlflow.user", "tester")] };
        await using var run = await tracker.StartRunAsync("eval");
        var summary = await run.EvaluateAsync(
            Questions,
            (q, _) => q == "boom" ? throw new InvalidOperationException("model down") : Task.FromResult(new TextPrediction(q.Contains("France") ? "Paris" : "Rome", new TokenUsage(7, 1))),
            new EvaluationOptions<string, TextPrediction> { Target = q => new TextPrediction(q.Contains("France") ? "Paris" : "Rome"), InputText = q => q });
        return (store, sink, run.RunId, summary);
    }

    [Fact]
    public async Task EveryExampleIsATraceLinkedToTheEvaluationRun()
    {
        var (_, sink, runId, summary) = await EvaluateAsync();

        Assert.Equal(3, summary.Total);
        Assert.Equal(1, summary.Errors);
        var infos = sink.TraceInfos.ToList();
        Assert.Equal(3, infos.Count);
        Assert.All(infos, i =>
        {
            Assert.Equal(runId, i.Metadata["mlflow.sourceRun"]);
            Assert.Equal("predict", i.Tags["mlflow.traceName"]);
            Assert.True(Guid.TryParse(i.Tags["mlflow.eval.requestId"], out _));
            Assert.Equal("tester", i.Metadata["mlflow.user"]);
        });
        var (ids, linkedRun) = Assert.Single(sink.Links);
        Assert.Equal(runId, linkedRun);
        Assert.Equal(infos.Select(i => i.TraceId).Order(), ids.Order());
        var paris = infos.Single(i => i.RequestPreview == "\"Capital of France?\"");
        Assert.Equal("\"Paris\"", paris.ResponsePreview);
        Assert.Equal("OK", paris.State);
        Assert.Equal("{\"input_tokens\": 7, \"output_tokens\": 1, \"total_tokens\": 8}", paris.Metadata["mlflow.trace.tokenUsage"]);
        var failed = infos.Single(i => i.RequestPreview == "\"boom\"");
        Assert.Equal("ERROR", failed.State);
        var failedRoot = sink.Spans.Single(s => s.MlflowTraceId == failed.TraceId);
        Assert.True(failedRoot.IsError);
        Assert.Equal("InvalidOperationException: model down", failedRoot.StatusMessage);
        Assert.Equal("exception", Assert.Single(failedRoot.Events).Name);
        var parisRoot = sink.Spans.Single(s => s.MlflowTraceId == paris.TraceId);
        Assert.Equal("Paris", parisRoot.Attribute("llmtrack.target"));
        Assert.Equal("UNKNOWN", parisRoot.Attribute("mlflow.spanType"));
        Assert.Equal(paris.ExperimentId, Assert.Single(sink.SpanBatches).ExperimentId);
    }

    [Fact]
    public async Task ThePerExampleTableHasATraceIdColumn()
    {
        var (store, sink, _, _) = await EvaluateAsync();

        var table = JsonNode.Parse(Encoding.UTF8.GetString(store.Artifacts.Single(a => a.Key.EndsWith("/eval_results_table.json", StringComparison.Ordinal)).Value))!;
        var columns = table["columns"]!.AsArray().Select(c => (string?)c).ToList();
        Assert.Equal("trace_id", columns[^1]);
        Assert.Equal("error", columns[^2]);
        var rows = table["data"]!.AsArray();
        var byInput = rows.ToDictionary(r => (string)r![0]!, r => r!);
        Assert.Equal(sink.TraceInfos.Single(i => i.RequestPreview == "\"boom\"").TraceId, Last(byInput["boom"], 1));
        Assert.Equal("InvalidOperationException: model down", Last(byInput["boom"], 2));
        Assert.All(rows, r => Assert.StartsWith("tr-", Last(r!, 1), StringComparison.Ordinal));
    }

    private static string? Last(JsonNode row, int fromEnd) => (string?)row.AsArray()[row.AsArray().Count - fromEnd];

    [Fact]
    public async Task WithoutATraceStoreTheEvaluationIsUnchanged()
    {
        var store = new InMemoryTrackingStore();
        using var tracker = new Tracker(new LlmTrackOptions(), store, TimeProvider.System, null) { Environment = _ => null };
        await using var run = await tracker.StartRunAsync("eval");
        await run.EvaluateAsync(["a"], (q, _) => Task.FromResult(q), new EvaluationOptions<string, string>());

        var table = JsonNode.Parse(Encoding.UTF8.GetString(store.Artifacts.Single(a => a.Key.EndsWith("/eval_results_table.json", StringComparison.Ordinal)).Value))!;
        Assert.DoesNotContain("trace_id", table["columns"]!.AsArray().Select(c => (string?)c));
    }
}
