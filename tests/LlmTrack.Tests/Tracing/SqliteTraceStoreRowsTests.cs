using System.Text.Json.Nodes;
using LlmTrack.Model.Tracing;
using LlmTrack.Stores.Sqlite;
using LlmTrack.Tests.Sqlite;

namespace LlmTrack.Tests.Tracing;

/// <summary>
/// The rows the local store's trace sink writes, read back with SQL and compared with what MLflow 3.6's SqlAlchemyStore
/// writes for the same OTLP spans, start-trace and link-to-run calls (traces.out, FACTS.md "OTLP ingest").
/// </summary>
public sealed class SqliteTraceStoreRowsTests : IDisposable
{
    private const string TraceHex = "923f873255e6ade4dc5793a97b797a4b";
    private const string TraceId = "tr-" + TraceHex;
    private const string RootId = "2f6953e5cbc0fad8";
    private const string ChildId = "affec9db6c9bf9a0";
    private readonly TempFolder _folder = new();
    private readonly SqliteTrackingStore _store;

    public SqliteTraceStoreRowsTests() => _store = SqliteTrackingStore.Open(_folder.TrackingUri, TimeProvider.System);

    public void Dispose()
    {
        _store.Dispose();
        _folder.Dispose();
    }

    private static SpanRecord Span(string id, string? parent, long startNs, long endNs, long? inputTokens = null, bool error = false) => new(
        TraceHex,
        id,
        parent,
        parent is null ? "pipeline" : "llm",
        startNs,
        endNs,
        inputTokens is { } tokens
            ? [new("mlflow.traceRequestId", TraceId), new("mlflow.spanType", "CHAT_MODEL"), new("mlflow.chat.tokenUsage", new SpanAttribute[] { new("input_tokens", tokens), new("output_tokens", 5L), new("total_tokens", tokens + 5) }), new("custom.attr", 42L)]
            : [new("mlflow.traceRequestId", TraceId), new("mlflow.spanType", "CHAIN"), new("mlflow.spanInputs", new SpanAttribute[] { new("question", "What is MLflow?"), new("top_k", 2L) }), new("mlflow.spanOutputs", "MLflow manages ML lifecycles.")],
        error ? [new SpanEventRecord("exception", endNs, [new("exception.type", "ValueError"), new("exception.message", "boom")])] : [],
        error,
        error ? "ValueError: boom" : null);

    [Fact]
    public async Task ATraceIsInProgressUntilItsRootArrivesThenTakesTheRootsTimesAndStatus()
    {
        await _store.LogSpansAsync("0", [Span(ChildId, RootId, 1_796_358_412_957_795_269, 1_796_358_412_958_056_488, inputTokens: 12)], CancellationToken.None);
        using var db = _folder.OpenConnection();
        var partial = Assert.Single(db.Rows("SELECT experiment_id, timestamp_ms, execution_time_ms, status, client_request_id, request_preview FROM trace_info"));
        Assert.Equal(new object?[] { 0L, 1_796_358_412_957L, 1L, "IN_PROGRESS", null, null }, partial);

        await _store.LogSpansAsync("0", [Span(RootId, null, 1_796_358_412_793_750_672, 1_796_358_413_018_979_567)], CancellationToken.None);

        var info = Assert.Single(db.Rows("SELECT request_id, timestamp_ms, execution_time_ms, status, request_preview, response_preview FROM trace_info"));
        Assert.Equal(new object?[] { TraceId, 1_796_358_412_793L, 225L, "OK", "{\"question\": \"What is MLflow?\", \"top_k\": 2}", "\"MLflow manages ML lifecycles.\"" }, info);
        var tags = db.Rows("SELECT \"key\", value FROM trace_tags ORDER BY \"key\"").ToDictionary(r => (string)r[0]!, r => (string?)r[1]);
        var experimentLocation = (string)db.Scalar("SELECT artifact_location FROM experiments WHERE experiment_id = 0")!;
        Assert.Equal(experimentLocation + "/traces/" + TraceId + "/artifacts", tags["mlflow.artifactLocation"]);
        Assert.Equal("TRACKING_STORE", tags["mlflow.trace.spansLocation"]);
        Assert.Equal(2, tags.Count);
        Assert.Equal(
            "{\"input_tokens\": 12, \"output_tokens\": 5, \"total_tokens\": 17}",
            db.Scalar("SELECT value FROM trace_request_metadata WHERE \"key\" = 'mlflow.trace.tokenUsage'"));
    }

    [Fact]
    public async Task SpanRowsHoldMlflowsColumnsAndSpanToDictContent()
    {
        await _store.LogSpansAsync(
            "0",
            [Span(ChildId, RootId, 1_796_358_412_957_795_269, 1_796_358_412_958_056_488, inputTokens: 12), Span(RootId, null, 1_796_358_412_793_750_672, 1_796_358_413_018_979_567)],
            CancellationToken.None);
        using var db = _folder.OpenConnection();

        var rows = db.Rows("SELECT trace_id, experiment_id, span_id, parent_span_id, name, type, status, start_time_unix_nano, end_time_unix_nano, duration_ns, content FROM spans ORDER BY start_time_unix_nano");
        Assert.Equal(2, rows.Count);
        Assert.Equal(new object?[] { TraceId, 0L, RootId, null, "pipeline", "CHAIN", "OK", 1_796_358_412_793_750_672L, 1_796_358_413_018_979_567L, 225_228_895L }, rows[0][..10]);
        Assert.Equal(new object?[] { TraceId, 0L, ChildId, RootId, "llm", "CHAT_MODEL", "OK" }, rows[1][..7]);

        var root = JsonNode.Parse((string)rows[0][10]!)!.AsObject();
        Assert.Equal(
            ["trace_id", "span_id", "parent_span_id", "name", "start_time_unix_nano", "end_time_unix_nano", "events", "status", "attributes"],
            root.Select(p => p.Key));
        Assert.Equal("kj+HMlXmreTcV5Ope3l6Sw==", (string?)root["trace_id"]);
        Assert.Equal("L2lT5cvA+tg=", (string?)root["span_id"]);
        Assert.Null(root["parent_span_id"]);
        Assert.Equal(1_796_358_412_793_750_672L, (long)root["start_time_unix_nano"]!);
        Assert.Equal("STATUS_CODE_OK", (string?)root["status"]!["code"]);
        Assert.Equal("\"tr-" + TraceHex + "\"", (string?)root["attributes"]!["mlflow.traceRequestId"]);
        Assert.Equal("\"CHAIN\"", (string?)root["attributes"]!["mlflow.spanType"]);
        Assert.Equal("{\"question\": \"What is MLflow?\", \"top_k\": 2}", (string?)root["attributes"]!["mlflow.spanInputs"]);
        var child = JsonNode.Parse((string)rows[1][10]!)!;
        Assert.Equal("r/7J22yb+aA=", (string?)child["span_id"]);
        Assert.Equal("L2lT5cvA+tg=", (string?)child["parent_span_id"]);
        Assert.Equal("{\"input_tokens\": 12, \"output_tokens\": 5, \"total_tokens\": 17}", (string?)child["attributes"]!["mlflow.chat.tokenUsage"]);
        Assert.Equal("42", (string?)child["attributes"]!["custom.attr"]);
    }

    [Fact]
    public async Task ASpanStoredTwiceIsOneRowAndDoesNotDoubleTheTokenUsage()
    {
        var child = Span(ChildId, RootId, 2_000_000, 3_000_000, inputTokens: 12);
        var other = Span("0000000000000001", RootId, 2_000_000, 4_000_000, inputTokens: 30);
        await _store.LogSpansAsync("0", [child], CancellationToken.None);
        await _store.LogSpansAsync("0", [child], CancellationToken.None);
        await _store.LogSpansAsync("0", [child, other], CancellationToken.None);

        using var db = _folder.OpenConnection();
        Assert.Equal(2L, db.Scalar("SELECT COUNT(*) FROM spans"));
        Assert.Equal(
            "{\"input_tokens\": 42, \"output_tokens\": 10, \"total_tokens\": 52}",
            db.Scalar("SELECT value FROM trace_request_metadata WHERE \"key\" = 'mlflow.trace.tokenUsage'"));
    }

    [Fact]
    public async Task ARaisingRootMakesTheTraceAndItsSpanError()
    {
        await _store.LogSpansAsync("0", [Span(RootId, null, 1_000_000, 5_000_000, error: true)], CancellationToken.None);

        using var db = _folder.OpenConnection();
        Assert.Equal("ERROR", db.Scalar("SELECT status FROM trace_info"));
        Assert.Equal("ERROR", db.Scalar("SELECT status FROM spans"));
        var content = JsonNode.Parse((string)db.Scalar("SELECT content FROM spans")!)!;
        Assert.Equal("STATUS_CODE_ERROR", (string?)content["status"]!["code"]);
        Assert.Equal("ValueError: boom", (string?)content["status"]!["message"]);
        var exception = Assert.Single(content["events"]!.AsArray())!;
        Assert.Equal("exception", (string?)exception["name"]);
        Assert.Equal("boom", (string?)exception["attributes"]!["exception.message"]);
    }

    [Fact]
    public async Task StartTraceCompletesTheTraceAndKeepsTheSpanTags()
    {
        await _store.LogSpansAsync("0", [Span(RootId, null, 1_796_358_412_793_750_672, 1_796_358_413_018_979_567)], CancellationToken.None);
        await _store.StartTraceAsync(
            new TraceInfoRecord
            {
                TraceId = TraceId,
                ExperimentId = "0",
                RequestTimeMs = 1_796_358_412_793,
                ExecutionDurationNanos = 225_228_895,
                State = "OK",
                Metadata = new Dictionary<string, string> { ["mlflow.trace_schema.version"] = "3", ["mlflow.sourceRun"] = "r1" },
                Tags = new Dictionary<string, string> { ["mlflow.traceName"] = "pipeline" },
                RequestPreview = "{\"question\": \"What is MLflow?\"}",
                ResponsePreview = null,
            },
            CancellationToken.None);

        using var db = _folder.OpenConnection();
        Assert.Equal(
            new object?[] { 1_796_358_412_793L, 225L, "OK", "{\"question\": \"What is MLflow?\"}", "\"MLflow manages ML lifecycles.\"" },
            Assert.Single(db.Rows("SELECT timestamp_ms, execution_time_ms, status, request_preview, response_preview FROM trace_info")));
        Assert.Equal(
            ["mlflow.artifactLocation", "mlflow.trace.spansLocation", "mlflow.traceName"],
            db.Rows("SELECT \"key\" FROM trace_tags ORDER BY \"key\"").Select(r => (string)r[0]!));
        Assert.Equal(
            ["mlflow.sourceRun", "mlflow.trace_schema.version"],
            db.Rows("SELECT \"key\" FROM trace_request_metadata ORDER BY \"key\"").Select(r => (string)r[0]!));
    }

    [Fact]
    public async Task SpansOfAnUnknownExperimentAreRefused()
    {
        var error = await Assert.ThrowsAsync<MlflowException>(() => _store.LogSpansAsync("98765", [Span(RootId, null, 1, 2)], CancellationToken.None));
        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, error.ErrorCode);
    }

    [Fact]
    public async Task LinkingWritesOneTraceToRunAssociationPerTrace()
    {
        await _store.LogSpansAsync("0", [Span(RootId, null, 1, 2)], CancellationToken.None);
        await _store.LinkTracesToRunAsync([TraceId], "run1", CancellationToken.None);
        await _store.LinkTracesToRunAsync([TraceId, TraceId], "run1", CancellationToken.None);

        using var db = _folder.OpenConnection();
        var row = Assert.Single(db.Rows("SELECT source_type, source_id, destination_type, destination_id, length(association_id), created_time > 0 FROM entity_associations"));
        Assert.Equal(new object?[] { "TRACE", TraceId, "RUN", "run1", 32L, 1L }, row);
        var tooMany = Enumerable.Range(0, 101).Select(i => "tr-" + i).ToList();
        var error = await Assert.ThrowsAsync<MlflowException>(() => _store.LinkTracesToRunAsync(tooMany, "run1", CancellationToken.None));
        Assert.Equal(MlflowErrorCode.InvalidParameterValue, error.ErrorCode);
    }

    [Fact]
    public async Task AttributeTextsKeepNonAsciiAsMlflowsAttributeRegistryDoes()
    {
        var span = new SpanRecord(TraceHex, RootId, null, "café", 1, 2, [new("mlflow.traceRequestId", TraceId), new("mlflow.spanOutputs", "Crème brûlée")], [], false, null);
        await _store.LogSpansAsync("0", [span], CancellationToken.None);

        using var db = _folder.OpenConnection();
        var content = (string)db.Scalar("SELECT content FROM spans")!;
        Assert.Contains("\"name\": \"caf\\u00e9\"", content, StringComparison.Ordinal);
        Assert.Equal("\"Crème brûlée\"", (string?)JsonNode.Parse(content)!["attributes"]!["mlflow.spanOutputs"]);
        Assert.Equal("\"Crème brûlée\"", db.Scalar("SELECT response_preview FROM trace_info"));
    }
}
