using System.Diagnostics;
using System.Text.Json.Nodes;
using LlmTrack.Evaluation;
using LlmTrack.Metrics.Tokens;
using LlmTrack.Tests.Sqlite;

namespace LlmTrack.Tests.Tracing;

/// <summary>Tracing and per-example evaluation traces on the local store (<c>sqlite:</c> and <c>memory:</c>), through the public API.</summary>
public sealed class LocalStoreTracingTests : IDisposable
{
    private readonly string _sourceName = "LlmTrack.Tests.LocalTraces." + Guid.NewGuid().ToString("N");
    private readonly ActivitySource _source;
    private readonly TempFolder _folder = new();

    public LocalStoreTracingTests() => _source = new ActivitySource(_sourceName);

    public void Dispose()
    {
        _source.Dispose();
        _folder.Dispose();
    }

    private TracingOptions Options()
    {
        var options = new TracingOptions { ScheduledDelay = TimeSpan.FromMilliseconds(10) };
        options.ActivitySources.Clear();
        options.ActivitySources.Add(_sourceName);
        return options;
    }

    [Fact]
    public async Task EnableTracingOnASqliteFileStoresTheTraceWithSpansTokenUsageAndRun()
    {
        string traceId, rootSpanId, chatSpanId, runId, experimentId;
        await using (var tracker = new Tracker(new LlmTrackOptions { TrackingUri = _folder.TrackingUri, ExperimentName = "traced" }))
        {
            await using var run = await tracker.StartRunAsync("qa");
            (runId, experimentId) = (run.RunId, run.ExperimentId);
            using var tracing = await tracker.EnableTracingAsync(Options());
            using (tracing.LinkTo(run))
            {
                using var root = _source.StartActivity("pipeline")!;
                root.SetTag("mlflow.spanInputs", "{\"question\": \"What is tracing?\"}");
                using (var chat = _source.StartActivity("chat gpt-4o-mini")!)
                {
                    chat.SetTag("gen_ai.operation.name", "chat");
                    chat.SetTag("gen_ai.usage.input_tokens", 12);
                    chat.SetTag("gen_ai.usage.output_tokens", 5);
                    chatSpanId = chat.SpanId.ToHexString();
                }

                root.SetTag("mlflow.spanOutputs", "\"MLflow manages ML lifecycles.\"");
                (traceId, rootSpanId) = ("tr-" + root.TraceId.ToHexString(), root.SpanId.ToHexString());
            }

            Assert.True(tracing.Flush());
            Assert.True(tracing.Counters.AllDelivered);
            Assert.Equal(2, tracing.Counters.SpansExported);
        }

        using var db = _folder.OpenConnection();
        var info = Assert.Single(db.Rows("SELECT request_id, CAST(experiment_id AS TEXT), status, request_preview, response_preview, execution_time_ms >= 0 FROM trace_info"));
        Assert.Equal(new object?[] { traceId, experimentId, "OK", "{\"question\": \"What is tracing?\"}", "\"MLflow manages ML lifecycles.\"", 1L }, info);
        var metadata = db.Rows("SELECT \"key\", value FROM trace_request_metadata").ToDictionary(r => (string)r[0]!, r => (string?)r[1]);
        Assert.Equal("{\"input_tokens\": 12, \"output_tokens\": 5, \"total_tokens\": 17}", metadata["mlflow.trace.tokenUsage"]);
        Assert.Equal(runId, metadata["mlflow.sourceRun"]);
        Assert.Equal("3", metadata["mlflow.trace_schema.version"]);
        Assert.Equal("{\"question\": \"What is tracing?\"}", metadata["mlflow.traceInputs"]);
        var tags = db.Rows("SELECT \"key\", value FROM trace_tags").ToDictionary(r => (string)r[0]!, r => (string?)r[1]);
        Assert.Equal("pipeline", tags["mlflow.traceName"]);
        Assert.Equal("TRACKING_STORE", tags["mlflow.trace.spansLocation"]);
        Assert.EndsWith($"/{experimentId}/traces/{traceId}/artifacts", tags["mlflow.artifactLocation"], StringComparison.Ordinal);
        var spans = db.Rows("SELECT span_id, parent_span_id, type, status, content FROM spans ORDER BY parent_span_id IS NOT NULL");
        Assert.Equal(new object?[] { rootSpanId, null, "UNKNOWN", "OK" }, spans[0][..4]);
        Assert.Equal(new object?[] { chatSpanId, rootSpanId, "CHAT_MODEL", "OK" }, spans[1][..4]);
        var chatContent = JsonNode.Parse((string)spans[1][4]!)!;
        Assert.Equal("{\"input_tokens\": 12, \"output_tokens\": 5, \"total_tokens\": 17}", (string?)chatContent["attributes"]!["mlflow.chat.tokenUsage"]);
        Assert.Equal(Convert.ToBase64String(Convert.FromHexString(rootSpanId)), (string?)chatContent["parent_span_id"]);
    }

    [Fact]
    public async Task ARaisingRootSpanStoresAnErrorTrace()
    {
        await using (var tracker = new Tracker(new LlmTrackOptions { TrackingUri = _folder.TrackingUri }))
        {
            using var tracing = await tracker.EnableTracingAsync(Options());
            using (var root = _source.StartActivity("failing")!)
            {
                root.AddException(new InvalidOperationException("boom"));
                root.SetStatus(ActivityStatusCode.Error, "InvalidOperationException: boom");
            }

            Assert.True(tracing.Flush());
        }

        using var db = _folder.OpenConnection();
        Assert.Equal(new object?[] { "ERROR", 0L }, Assert.Single(db.Rows("SELECT status, experiment_id FROM trace_info")));
        var content = JsonNode.Parse((string)db.Scalar("SELECT content FROM spans WHERE status = 'ERROR'")!)!;
        Assert.Equal("STATUS_CODE_ERROR", (string?)content["status"]!["code"]);
        Assert.Equal("exception", (string?)Assert.Single(content["events"]!.AsArray())!["name"]);
    }

    [Fact]
    public async Task EnableTracingWorksOnTheInMemoryStore()
    {
        await using var tracker = new Tracker(new LlmTrackOptions { TrackingUri = "memory:" });
        using var tracing = await tracker.EnableTracingAsync(Options());
        using (_source.StartActivity("in memory"))
        {
        }

        Assert.True(tracing.Flush());
        Assert.Equal(1, tracing.Counters.SpansExported);
        Assert.Equal(1, tracing.Counters.TracesCompleted);
        Assert.True(tracing.Counters.AllDelivered);
    }

    [Fact]
    public async Task EvaluatingOnTheLocalStoreRecordsOneLinkedTracePerExample()
    {
        string runId;
        await using (var tracker = new Tracker(new LlmTrackOptions { TrackingUri = _folder.TrackingUri, ExperimentName = "eval" }))
        {
            await using var run = await tracker.StartRunAsync("eval");
            runId = run.RunId;
            await run.EvaluateAsync(
                ["Capital of France?", "Capital of Italy?", "boom"],
                (q, _) => q == "boom" ? throw new InvalidOperationException("model down") : Task.FromResult(new TextPrediction(q.Contains("France") ? "Paris" : "Rome", new TokenUsage(7, 1))),
                new EvaluationOptions<string, TextPrediction> { Target = q => new TextPrediction(q.Contains("France") ? "Paris" : "Rome"), InputText = q => q });
        }

        using var db = _folder.OpenConnection();
        var traces = db.Rows(
            "SELECT t.request_id, t.status, t.request_preview, m.value FROM trace_info t " +
            "JOIN trace_request_metadata m ON m.request_id = t.request_id AND m.\"key\" = 'mlflow.sourceRun' ORDER BY t.request_preview");
        Assert.Equal(3, traces.Count);
        Assert.All(traces, t => Assert.Equal(runId, t[3]));
        Assert.Equal(["\"Capital of France?\"", "\"Capital of Italy?\"", "\"boom\""], traces.Select(t => (string)t[2]!).Order(StringComparer.Ordinal));
        Assert.Equal("ERROR", traces.Single(t => (string?)t[2] == "\"boom\"")[1]);
        Assert.Equal(
            "{\"input_tokens\": 7, \"output_tokens\": 1, \"total_tokens\": 8}",
            db.Scalar("SELECT m.value FROM trace_request_metadata m JOIN trace_info t ON t.request_id = m.request_id WHERE t.request_preview = '\"Capital of France?\"' AND m.\"key\" = 'mlflow.trace.tokenUsage'"));
        var traceIds = traces.Select(t => (string)t[0]!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(traceIds, db.Rows($"SELECT source_id FROM entity_associations WHERE source_type = 'TRACE' AND destination_type = 'RUN' AND destination_id = '{runId}' ORDER BY source_id").Select(r => (string)r[0]!));
        Assert.Equal(3L, db.Scalar("SELECT COUNT(DISTINCT trace_id) FROM spans"));

        var tablePath = Directory.EnumerateFiles(_folder.Path, "eval_results_table.json", SearchOption.AllDirectories).Single();
        var table = JsonNode.Parse(File.ReadAllText(tablePath))!;
        Assert.Equal("trace_id", (string?)table["columns"]!.AsArray()[^1]);
        Assert.Equal(traceIds, table["data"]!.AsArray().Select(r => (string)r!.AsArray()[^1]!).Order(StringComparer.Ordinal));
    }
}
