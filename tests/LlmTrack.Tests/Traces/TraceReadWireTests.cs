using System.Text.Json.Nodes;
using LlmTrack.Tests.Rest;
using static LlmTrack.Tests.Traces.TraceServer;

namespace LlmTrack.Tests.Traces;

public sealed class TraceReadWireTests : IDisposable
{
    private readonly TraceServer _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task SearchWithAFilterSendsTheRecordedBodyAndReadsTraceInfos()
    {
        var recorded = _server.Replay(V3("traces/search", "POST"), Recordings.PythonWhere(Recording, "traces/search", "attributes.status = 'OK'"));

        var page = await _server.Traces.SearchPageAsync(["1"], filter: "attributes.status = 'OK'", maxResults: 10);

        JsonAssert.Equal(recorded.RequestJson, _server.Mlflow.SingleBody("traces/search"));
        Assert.Equal([TraceId, "tr-923f873255e6ade4dc5793a97b797a4b"], page.Items.Select(t => t.TraceId));
        var trace = page.Items[0];
        Assert.Equal("1", trace.ExperimentId);
        Assert.Equal(TraceState.Ok, trace.State);
        Assert.Equal(TimeSpan.FromMilliseconds(119), trace.ExecutionDuration);
        Assert.Equal(DateTimeOffset.Parse("2026-12-04T04:26:53.207Z", System.Globalization.CultureInfo.InvariantCulture), trace.RequestTime);
        Assert.Equal(1796358413207, trace.TimestampMs);
        Assert.Equal("pipeline", trace.Name);
        Assert.Equal(RunId, trace.SourceRunId);
        Assert.Equal(new LlmTrack.Metrics.Tokens.TokenUsage(12, 5), trace.TokenUsage);
        Assert.Equal("{\"question\": \"What is tracing?\", \"top_k\": 3}", trace.RequestPreview);
        Assert.Equal("TRACKING_STORE", trace.Tags["mlflow.trace.spansLocation"]);
        Assert.Null(page.NextPageToken);
    }

    [Fact]
    public async Task SearchByRunSendsTheClientsRunIdFilter()
    {
        var recorded = _server.Replay(V3("traces/search", "POST"), Recordings.PythonWhere(Recording, "traces/search", "attribute.run_id"));

        var traces = await _server.Traces.SearchAsync(["1"], runId: RunId).ToListAsync();

        JsonAssert.Equal(recorded.RequestJson, _server.Mlflow.SingleBody("traces/search"));
        Assert.Equal(TraceId, Assert.Single(traces).TraceId);
    }

    [Fact]
    public async Task SearchByRunAndFilterAndsThem()
    {
        _server.Mlflow.Respond(V3("traces/search", "POST"), 200, "{}");

        await _server.Traces.SearchAsync(["1"], filter: "trace.status = 'OK'", runId: RunId).ToListAsync();

        Assert.Equal($"attribute.run_id = '{RunId}' AND trace.status = 'OK'", (string?)_server.Mlflow.SingleBody("traces/search")["filter"]);
    }

    [Fact]
    public async Task SearchFollowsPageTokensInTheRecordedOrder()
    {
        var first = Recordings.PythonWhere(Recording, "traces/search", "\"max_results\": 1, \"order_by\": [\"timestamp_ms DESC\"]}");
        var second = Recordings.PythonWhere(Recording, "traces/search", "eyJvZmZzZXQiOiAxfQ==");
        _server.Mlflow.Respond(V3("traces/search", "POST").WithBody((string? b) => b is not null && !b.Contains("page_token", StringComparison.Ordinal)), first.Status, first.ResponseBody);
        _server.Mlflow.Respond(V3("traces/search", "POST").WithBody((string? b) => b is not null && b.Contains("eyJvZmZzZXQiOiAxfQ==", StringComparison.Ordinal)), second.Status, second.ResponseBody);
        _server.Mlflow.Respond(V3("traces/search", "POST").WithBody((string? b) => b is not null && b.Contains("eyJvZmZzZXQiOiAyfQ==", StringComparison.Ordinal)), 200, "{}");

        var traces = await _server.Traces.SearchAsync(["1"], orderBy: ["timestamp_ms DESC"], pageSize: 1).ToListAsync();

        Assert.Equal(["tr-bc60cd860a48b85d67202d27c554f1a3", TraceId], traces.Select(t => t.TraceId));
        var bodies = _server.Mlflow.Requests("traces/search").Select(e => JsonNode.Parse(e.RequestMessage.Body!)!).ToList();
        Assert.Equal(3, bodies.Count);
        JsonAssert.Equal(first.RequestJson, bodies[0]);
        JsonAssert.Equal(second.RequestJson, bodies[1]);
        Assert.Equal(TraceState.Error, traces[0].State);
    }

    [Fact]
    public async Task AnEmptySearchAnswerReadsAsNoTraces()
    {
        var recorded = _server.Replay(V3("traces/search", "POST"), Recordings.PythonWhere(Recording, "traces/search", "\"locations\": []"));
        Assert.Equal("{}", recorded.ResponseBody);

        var page = await _server.Traces.SearchPageAsync([]);

        Assert.Empty(page.Items);
        Assert.Null(page.NextPageToken);
    }

    [Fact]
    public async Task ABadFilterThrowsInvalidParameterValue()
    {
        _server.Replay(V3("traces/search", "POST"), Recordings.PythonWhere(Recording, "traces/search", "bogus.x"));

        var ex = await Assert.ThrowsAsync<MlflowException>(() => _server.Traces.SearchAsync(["1"], filter: "bogus.x = 1").ToListAsync().AsTask());

        Assert.Equal(MlflowErrorCode.InvalidParameterValue, ex.ErrorCode);
        Assert.Contains("Invalid entity type 'bogus'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetReadsTheInfoAndDecodesTheBase64SpanIdsAndAnyValues()
    {
        _server.Replay(V3("traces/" + TraceId, "GET"), Recordings.PythonWhere(Recording, "/api/3.0/mlflow/traces/" + TraceId + " {}", "traces/" + TraceId));
        _server.Replay(V3("traces/batchGet", "GET"), Recordings.PythonWhere(Recording, "traces/batchGet", "params={\"trace_ids\": [\"" + TraceId + "\"]}"));

        var trace = await _server.Traces.GetAsync(TraceId);

        Assert.Equal(TraceId, trace.Info.TraceId);
        Assert.Equal(3, trace.Spans.Count);
        var root = Assert.Single(trace.RootSpans);
        Assert.Equal("pipeline", root.Name);
        Assert.Equal("6e44496d9d94154c", root.SpanId);
        Assert.Equal("c9d98760344a5bd0a6b2cc7b31720adc", root.TraceId);
        Assert.Null(root.ParentSpanId);
        Assert.Equal("CHAIN", root.SpanType);
        Assert.Equal(SpanStatusCode.Ok, root.StatusCode);
        JsonAssert.Equal("""{"question":"What is tracing?","top_k":3}""", root.Inputs);
        Assert.Equal("MLflow manages ML lifecycles.", (string?)root.Outputs);
        Assert.Equal(1796358413326963072 - 1796358413207498553, (root.EndTimeUnixNano - root.StartTimeUnixNano));
        Assert.Equal(["retrieve", "llm"], trace.ChildrenOf(root).Select(s => s.Name));
        var llm = trace.Spans.Single(s => s.Name == "llm");
        Assert.Equal("31bfd51e468e87ec", llm.SpanId);
        Assert.Equal("6e44496d9d94154c", llm.ParentSpanId);
        Assert.Equal("CHAT_MODEL", llm.SpanType);
        Assert.Equal(new LlmTrack.Metrics.Tokens.TokenUsage(12, 5), llm.TokenUsage);
        Assert.Equal(42, (long)llm.Attributes["custom.attr"]!);
        JsonAssert.Equal("""[{"page_content":"MLflow is an open source platform","metadata":{"doc_uri":"doc1"}}]""", trace.Spans.Single(s => s.Name == "retrieve").Outputs);
    }

    [Fact]
    public async Task GetManyUsesOneBatchGetWithRepeatedIds()
    {
        var recorded = _server.Replay(V3("traces/batchGet", "GET"), Recordings.PythonWhere(Recording, "traces/batchGet", "\"tr-923f873255e6ade4dc5793a97b797a4b\"]}"));

        var traces = await _server.Traces.GetManyAsync([TraceId, "tr-923f873255e6ade4dc5793a97b797a4b"]);

        Assert.Equal(2, traces.Count);
        var request = Assert.Single(_server.Mlflow.Requests("traces/batchGet")).RequestMessage;
        Assert.Equal($"?trace_ids={TraceId}&trace_ids=tr-923f873255e6ade4dc5793a97b797a4b", new Uri(request.AbsoluteUrl).Query);
        Assert.NotNull(recorded);
    }

    [Fact]
    public async Task GettingAnUnknownTraceThrowsResourceDoesNotExist()
    {
        const string missing = "tr-00000000000000000000000000000000";
        _server.Replay(V3("traces/" + missing, "GET"), Recordings.PythonWhere(Recording, "/api/3.0/mlflow/traces/" + missing, missing));

        var ex = await Assert.ThrowsAsync<MlflowException>(() => _server.Traces.GetAsync(missing));

        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, ex.ErrorCode);
        Assert.Equal(404, ex.StatusCode);
    }

    [Fact]
    public async Task TagsUseTheV2PathsWithTheRecordedBodies()
    {
        var set = Recordings.PythonWhere(Recording, ">>> PATCH", "\"reviewed\"");
        var delete = Recordings.PythonWhere(Recording, ">>> DELETE http://127.0.0.1:5010/api/2.0/mlflow/traces/" + TraceId + "/tags", "\"team\"");
        _server.Replay(V2($"traces/{TraceId}/tags", "PATCH"), set);
        _server.Replay(V2($"traces/{TraceId}/tags", "DELETE"), delete);

        await _server.Traces.SetTagAsync(TraceId, "reviewed", "yes");
        await _server.Traces.DeleteTagAsync(TraceId, "team");

        var requests = _server.Mlflow.Requests($"traces/{TraceId}/tags");
        Assert.All(requests, r => Assert.StartsWith("/api/2.0/", r.RequestMessage.Path, StringComparison.Ordinal));
        JsonAssert.Equal(set.RequestJson, JsonNode.Parse(requests[0].RequestMessage.Body!));
        JsonAssert.Equal(delete.RequestJson, JsonNode.Parse(requests[1].RequestMessage.Body!));
    }

    [Fact]
    public async Task DeletingAnUnknownTagThrowsResourceDoesNotExist()
    {
        _server.Replay(V2($"traces/{TraceId}/tags", "DELETE"), Recordings.PythonWhere(Recording, ">>> DELETE http://127.0.0.1:5010/api/2.0/mlflow/traces/" + TraceId + "/tags", "\"never\""));

        var ex = await Assert.ThrowsAsync<MlflowException>(() => _server.Traces.DeleteTagAsync(TraceId, "never"));

        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, ex.ErrorCode);
        Assert.Contains("No trace tag with key 'never'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteByIdsAndByTimestampSendTheRecordedBodies()
    {
        var byIds = Recordings.PythonWhere(Recording, "api/2.0/mlflow/traces/delete-traces", "request_ids");
        var byTime = Recordings.PythonWhere(Recording, "api/2.0/mlflow/traces/delete-traces", "max_timestamp_millis");
        _server.Replay(V2("traces/delete-traces", "POST"), byIds);

        Assert.Equal(1, await _server.Traces.DeleteAsync("1", ["tr-bc60cd860a48b85d67202d27c554f1a3"]));
        Assert.Equal(1, await _server.Traces.DeleteOlderThanAsync("1", DateTimeOffset.FromUnixTimeMilliseconds(1796358420242), maxTraces: 1));

        var bodies = _server.Mlflow.Requests("traces/delete-traces").Select(e => JsonNode.Parse(e.RequestMessage.Body!)).ToList();
        JsonAssert.Equal(byIds.RequestJson, bodies[0]);
        JsonAssert.Equal(byTime.RequestJson, bodies[1]);
    }

    [Fact]
    public async Task LinkToRunSendsTheRecordedBody()
    {
        var recorded = _server.Replay(V2("traces/link-to-run", "POST"), Recordings.PythonWhere(Recording, "traces/link-to-run", "run_id"));

        await _server.Traces.LinkToRunAsync(["tr-0af7651916cd43dd8448eb211c80319c"], RunId);

        JsonAssert.Equal(recorded.RequestJson, _server.Mlflow.SingleBody("traces/link-to-run"));
    }
}
