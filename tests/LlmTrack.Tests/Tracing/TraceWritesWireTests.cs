using LlmTrack.Model;
using System.Diagnostics;
using System.Text.Json.Nodes;
using LlmTrack.Model.Tracing;
using LlmTrack.Stores;
using LlmTrack.Tests.Rest;
using WireMock.RequestBuilders;

namespace LlmTrack.Tests.Tracing;

[Collection(nameof(LlmTrack.Tests.Tracing.ActivityListenerCollection))]
public sealed class TraceWritesWireTests : IDisposable
{
    private const string OtlpOk = "{\"partialSuccess\":null}";
    private readonly MlflowServerFixture _server = new();

    public void Dispose() => _server.Dispose();

    private static SpanRecord Span(string name = "agent-run", string? parent = null) => new(
        "0af7651916cd43dd8448eb211c80319c",
        parent is null ? "1111111111111111" : "2222222222222222",
        parent,
        name,
        1796358418589358037,
        1796358418639358037,
        [new(MlflowTraceKeys.TraceRequestId, "tr-0af7651916cd43dd8448eb211c80319c"), new(MlflowTags.SpanType, "AGENT")],
        [],
        false,
        null);

    private void RespondOtlp(int status, string body) =>
        _server.Respond(Request.Create().WithPath("/v1/traces").UsingPost(), status, body, ("Content-Type", status == 200 ? "application/x-protobuf" : "application/json"));

    [Fact]
    public async Task SpansArePostedAsPlainProtobufWithTheExperimentHeader()
    {
        RespondOtlp(200, OtlpOk);

        await ((ITraceSink)_server.Store).LogSpansAsync("1", [Span("chat", "1111111111111111"), Span()], CancellationToken.None);

        var request = Assert.Single(_server.Requests("/v1/traces")).RequestMessage;
        Assert.Equal("application/x-protobuf", Assert.Single(request.Headers!["Content-Type"]));
        Assert.Equal("1", Assert.Single(request.Headers!["x-mlflow-experiment-id"]));
        Assert.False(request.Headers!.ContainsKey("Content-Encoding"));
        var spans = OtlpDecoder.Decode(request.BodyAsBytes!)["resourceSpans"]![0]!["scopeSpans"]![0]!["spans"]!.AsArray();
        Assert.Equal(["chat", "agent-run"], spans.Select(s => (string?)s!["name"]));
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", (string?)spans[1]!["traceId"]);
    }

    [Theory]
    [InlineData(400, "{\"detail\":\"Invalid OpenTelemetry protobuf format\"}", "Invalid OpenTelemetry protobuf format")]
    [InlineData(422, "{\"detail\":\"Failed to log OpenTelemetry spans: Trace tr-5af7651916cd43dd8448eb211c80319c: No Experiment with id=98765 exists\"}", "No Experiment with id=98765 exists")]
    public async Task AFastApiRefusalIsAnMlflowExceptionWithItsDetailAndIsNotRetried(int status, string body, string detail)
    {
        RespondOtlp(status, body);

        var ex = await Assert.ThrowsAsync<MlflowException>(() => ((ITraceSink)_server.Store).LogSpansAsync("98765", [Span()], CancellationToken.None));

        Assert.Contains(detail, ex.Message, StringComparison.Ordinal);
        Assert.Equal(status, ex.StatusCode);
        Assert.Single(_server.Requests("/v1/traces"));
    }

    [Fact]
    public async Task ALostResponseIsNeverResentBecauseAResendDoublesTokenUsage()
    {
        RespondOtlp(200, OtlpOk);
        _server.Faults.Plan = (_, i) => i == 0 ? FaultInjectingHandler.Fault.LoseResponse : FaultInjectingHandler.Fault.None;

        await Assert.ThrowsAsync<TraceSendAmbiguousException>(() => ((ITraceSink)_server.Store).LogSpansAsync("1", [Span()], CancellationToken.None));

        Assert.Single(_server.Requests("/v1/traces"));
    }

    [Fact]
    public async Task AServerErrorIsNeverResent()
    {
        RespondOtlp(500, "{\"detail\":\"Internal Server Error\"}");

        await Assert.ThrowsAsync<TraceSendAmbiguousException>(() => ((ITraceSink)_server.Store).LogSpansAsync("1", [Span()], CancellationToken.None));

        Assert.Single(_server.Requests("/v1/traces"));
    }

    [Fact]
    public async Task ARefusedConnectionIsRetriedBecauseNothingWasSent()
    {
        RespondOtlp(200, OtlpOk);
        _server.Faults.Plan = (_, i) => i == 0 ? FaultInjectingHandler.Fault.RefuseConnection : FaultInjectingHandler.Fault.None;

        await ((ITraceSink)_server.Store).LogSpansAsync("1", [Span()], CancellationToken.None);

        Assert.Single(_server.Requests("/v1/traces"));
        Assert.Equal(2, _server.Faults.Calls);
    }

    [Fact]
    public async Task StartTraceAndLinkToRunUseTheRecordedRoutesAndBodies()
    {
        var recorded = Recordings.StartTrace("genai-evaluate.out", 0);
        _server.Respond(Request.Create().WithPath("/api/3.0/mlflow/traces").UsingPost(), 200, recorded.ResponseBody);
        _server.Respond(_server.Post("traces/link-to-run"), 200, "{}");
        var info = new TraceInfoRecord
        {
            TraceId = "tr-a0a32cd0921b6e5be8e13004482d10b4",
            ExperimentId = "1",
            RequestTimeMs = 1796358247824,
            ExecutionDurationNanos = 464951,
            State = "OK",
            Metadata = new Dictionary<string, string> { ["mlflow.sourceRun"] = "67872df477574c6ab71ce92a4dd7b1cc", ["mlflow.trace_schema.version"] = "3" },
            Tags = new Dictionary<string, string> { ["mlflow.traceName"] = "predict_fn", ["mlflow.eval.requestId"] = "2c547df9-867e-4ad5-ac56-0ea9e655085d" },
            RequestPreview = "{\"question\": \"Capital of France?\"}",
            ResponsePreview = "\"Paris\"",
        };

        await ((ITraceSink)_server.Store).StartTraceAsync(info, CancellationToken.None);
        await ((ITraceSink)_server.Store).LinkTracesToRunAsync(["tr-a0a32cd0921b6e5be8e13004482d10b4", "tr-e6655f47c16a32500a4b4c8ca862134d"], "67872df477574c6ab71ce92a4dd7b1cc", CancellationToken.None);

        var sent = _server.SingleBody("/api/3.0/mlflow/traces")["trace"]!["trace_info"]!;
        var expected = recorded.RequestJson["trace"]!["trace_info"]!;
        foreach (var key in new[] { "trace_id", "trace_location", "request_time", "execution_duration", "state", "tags", "request_preview", "response_preview" })
        {
            Assert.Equal(OtlpShapeTests.Canonical(expected[key]), OtlpShapeTests.Canonical(sent[key]));
        }

        Assert.Equal(
            "{\"trace_ids\":[\"tr-a0a32cd0921b6e5be8e13004482d10b4\",\"tr-e6655f47c16a32500a4b4c8ca862134d\"],\"run_id\":\"67872df477574c6ab71ce92a4dd7b1cc\"}",
            _server.SingleBody("traces/link-to-run").ToJsonString());
    }

    [Fact]
    public async Task ATracingSessionAgainstARefusingServerCountsAndNeverThrows()
    {
        RespondOtlp(422, "{\"detail\":[{\"loc\":[\"header\",\"x-mlflow-experiment-id\"],\"msg\":\"field required\",\"type\":\"value_error.missing\"}]}");
        _server.Respond(Request.Create().WithPath("/api/3.0/mlflow/traces").UsingPost(), 404, "{\"error_code\":\"RESOURCE_DOES_NOT_EXIST\",\"message\":\"no\"}");
        using var source = new ActivitySource("LlmTrack.Tests.Wire." + Guid.NewGuid().ToString("N"));
        var warnings = new StringWriter();
        var tracker = new Tracker(_server.Options, _server.Store, TimeProvider.System, null) { Environment = _ => null, WarningWriter = warnings, ContextTags = [] };
        var options = new TracingOptions { ScheduledDelay = TimeSpan.FromMilliseconds(10) };
        options.ActivitySources.Add(source.Name);
        var tracing = tracker.EnableTracing(options);
        using (source.StartActivity("root"))
        {
            using (source.StartActivity("child"))
            {
            }
        }

        tracing.Flush();
        Assert.Equal(2, tracing.Counters.SpansFailed);
        Assert.Equal(1, tracing.Counters.TraceInfoFailures);
        tracker.Dispose();
        Assert.Contains("Tracing: not every span reached the tracking server", warnings.ToString(), StringComparison.Ordinal);
    }
}
