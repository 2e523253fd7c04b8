using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmTrack.Model.Tracing;
using LlmTrack.Rest.Tracing;
using LlmTrack.Tests.Rest;
using LlmTrack.Tracing;

namespace LlmTrack.Tests.Tracing;

public sealed class OtlpShapeTests : IDisposable
{
    private const string TraceId = "c9d98760344a5bd0a6b2cc7b31720adc";
    private readonly ActivitySource _source = new("LlmTrack.Tests.OtlpShape");
    private readonly ActivityListener _listener;

    public OtlpShapeTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s == _source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _source.Dispose();
    }

    [Fact]
    public void AChatSpanEncodesExactlyAsThePythonClientSentIt()
    {
        // traces.out, the 'llm' span inside the run: typed kvlist inputs/outputs, tokenUsage, a custom int attribute.
        var recorded = Recordings.OtlpRequest("traces.out", 4);
        var activity = Start("llm", "6e44496d9d94154c");
        activity.SetTag("mlflow.spanType", "CHAT_MODEL");
        activity.SetTag("mlflow.spanInputs", "{\"messages\": [{\"role\": \"user\", \"content\": \"What is tracing?\"}], \"model\": \"fake-llm\"}");
        activity.SetTag("mlflow.chat.tokenUsage", "{\"input_tokens\": 12, \"output_tokens\": 5, \"total_tokens\": 17}");
        activity.SetTag("custom.attr", 42);
        activity.SetTag("mlflow.spanOutputs", "{\"choices\": [{\"message\": {\"role\": \"assistant\", \"content\": \"MLflow manages ML lifecycles.\"}}]}");
        activity.Stop();
        var span = ActivitySpanMapper.ToSpan(activity, captureContent: false, out _) with
        {
            SpanId = "31bfd51e468e87ec",
            StartTimeUnixNano = 1796358413271003655,
            EndTimeUnixNano = 1796358413271188390,
        };

        var decoded = OtlpDecoder.Decode(OtlpTraceRequest.Encode([span]));

        Assert.Equal(Canonical(recorded), Canonical(decoded));
    }

    [Fact]
    public void AGenAiChatSpanGetsMlflowTypeTokensAndMessagesOnlyWithContentCapture()
    {
        var activity = Start("chat gpt-4o-mini", "1111111111111111");
        activity.SetTag("gen_ai.operation.name", "chat");
        activity.SetTag("gen_ai.request.model", "gpt-4o-mini");
        activity.SetTag("gen_ai.usage.input_tokens", 21);
        activity.SetTag("gen_ai.usage.output_tokens", 7);
        activity.SetTag("gen_ai.input.messages", "[{\"role\": \"user\", \"parts\": [{\"type\": \"text\", \"content\": \"Hi\"}]}]");
        activity.SetTag("gen_ai.output.messages", "[{\"role\": \"assistant\", \"parts\": [{\"type\": \"text\", \"content\": \"Hello!\"}]}]");
        activity.Stop();

        var withContent = Attributes(ActivitySpanMapper.ToSpan(activity, captureContent: true, out var tokens));
        var without = Attributes(ActivitySpanMapper.ToSpan(activity, captureContent: false, out _));

        Assert.Equal(new TokenTotals(21, 7, true), tokens);
        Assert.Equal("{\"stringValue\":\"tr-" + TraceId + "\"}", withContent["mlflow.traceRequestId"]);
        Assert.Equal("{\"stringValue\":\"CHAT_MODEL\"}", withContent["mlflow.spanType"]);
        Assert.Equal(
            "{\"kvlistValue\":{\"values\":[{\"key\":\"input_tokens\",\"value\":{\"intValue\":\"21\"}},{\"key\":\"output_tokens\",\"value\":{\"intValue\":\"7\"}},{\"key\":\"total_tokens\",\"value\":{\"intValue\":\"28\"}}]}}",
            withContent["mlflow.chat.tokenUsage"]);
        Assert.Contains("\"stringValue\":\"Hi\"", withContent["mlflow.spanInputs"], StringComparison.Ordinal);
        Assert.Contains("\"stringValue\":\"Hello!\"", withContent["mlflow.spanOutputs"], StringComparison.Ordinal);
        Assert.Equal("{\"intValue\":\"21\"}", withContent["gen_ai.usage.input_tokens"]);
        Assert.Contains("gen_ai.input.messages", withContent.Keys);

        Assert.DoesNotContain("gen_ai.input.messages", without.Keys);
        Assert.DoesNotContain("gen_ai.output.messages", without.Keys);
        Assert.DoesNotContain("mlflow.spanInputs", without.Keys);
        Assert.DoesNotContain("mlflow.spanOutputs", without.Keys);
        Assert.Equal("{\"stringValue\":\"CHAT_MODEL\"}", without["mlflow.spanType"]);
    }

    [Fact]
    public void AFailedSpanCarriesTheErrorStatusAndTheExceptionEvent()
    {
        var activity = Start("failing", null);
        activity.AddException(new InvalidOperationException("boom"));
        activity.SetStatus(ActivityStatusCode.Error, "InvalidOperationException: boom");
        activity.Stop();

        var span = OtlpDecoder.Decode(OtlpTraceRequest.Encode([ActivitySpanMapper.ToSpan(activity, false, out _)]))["resourceSpans"]![0]!["scopeSpans"]![0]!["spans"]![0]!;

        Assert.Null(span["parentSpanId"]);
        Assert.Equal("{\"message\":\"InvalidOperationException: boom\",\"code\":\"STATUS_CODE_ERROR\"}", span["status"]!.ToJsonString());
        var e = span["events"]![0]!;
        Assert.Equal("exception", (string?)e["name"]);
        var keys = e["attributes"]!.AsArray().Select(a => (string?)a!["key"]).ToList();
        Assert.Contains("exception.type", keys);
        Assert.Contains("exception.message", keys);
        Assert.Equal("{\"stringValue\":\"UNKNOWN\"}", Attributes(ActivitySpanMapper.ToSpan(activity, false, out _))["mlflow.spanType"]);
    }

    [Fact]
    public void TheStartTraceRequestIsThePythonClients()
    {
        // traces.out, the trace made inside run 6788c757…: what the client sent after the root ended.
        var recorded = Recordings.StartTrace("traces.out", 1).RequestJson;
        var metadata = recorded["trace"]!["trace_info"]!["trace_metadata"]!.AsObject();
        metadata.Remove("mlflow.trace.sizeStats"); // size statistics of the Python span JSON are not reproduced
        metadata.Remove("mlflow.trace.sizeBytes");
        var root = Start("pipeline", null);
        root.SetTag("mlflow.spanType", "CHAIN");
        root.SetTag("mlflow.spanInputs", "{\"question\": \"What is tracing?\", \"top_k\": 3}");
        root.SetTag("mlflow.spanOutputs", "\"MLflow manages ML lifecycles.\"");
        root.Stop();
        var span = ActivitySpanMapper.ToSpan(root, false, out _) with { StartTimeUnixNano = 1796358413207498553, EndTimeUnixNano = 1796358413326963072 };
        Tag[] source =
        [
            new("mlflow.user", "root"), new("mlflow.source.name", "traces_rec.py"), new("mlflow.source.type", "LOCAL"),
            new("mlflow.source.git.commit", ""), new("mlflow.source.git.branch", ""), new("mlflow.source.git.repoURL", ""), new("mlflow.runName", "ignored"),
        ];

        var info = TraceInfoBuilder.Build(span, "1", "6788c757aeaa40bc9e954ee1764d49ae", new TokenTotals(12, 5, true), source);
        var body = JsonSerializer.Serialize(new StartTraceRequest { Trace = new StartTraceBody { TraceInfo = TraceInfoWire.From(info) } }, TraceWriteJsonContext.Default.StartTraceRequest);

        Assert.Equal("tr-" + TraceId, info.TraceId);
        Assert.Equal(Canonical(recorded), Canonical(JsonNode.Parse(body)!));
    }

    [Theory]
    [InlineData(1796358412793L, "2026-12-04T04:26:52.793Z")]
    [InlineData(1796358412000L, "2026-12-04T04:26:52Z")]
    public void RequestTimesAreProtobufTimestampJson(long ms, string expected) => Assert.Equal(expected, TraceInfoWire.Timestamp(ms));

    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(225L, "0.225s")]
    [InlineData(1L, "0.001s")]
    [InlineData(12_040L, "12.040s")]
    public void DurationsAreProtobufDurationJson(long ms, string expected) => Assert.Equal(expected, TraceInfoWire.Duration(ms));

    private Activity Start(string name, string? parentSpanId)
    {
        var context = new ActivityContext(ActivityTraceId.CreateFromString(TraceId), parentSpanId is null ? default : ActivitySpanId.CreateFromString(parentSpanId), ActivityTraceFlags.Recorded);
        if (parentSpanId is null)
        {
            // A root with a chosen trace id: the parent context carries the trace id and no span id.
            var root = new Activity(name);
            root.SetParentId(context.TraceId, default, ActivityTraceFlags.Recorded);
            return root.Start();
        }

        var activity = _source.StartActivity(name, ActivityKind.Internal, context);
        return activity!;
    }

    private static Dictionary<string, string> Attributes(SpanRecord span)
    {
        var decoded = OtlpDecoder.Decode(OtlpTraceRequest.Encode([span]));
        return decoded["resourceSpans"]![0]!["scopeSpans"]![0]!["spans"]![0]!["attributes"]!.AsArray()
            .ToDictionary(a => (string)a!["key"]!, a => a!["value"]?.ToJsonString() ?? "");
    }

    /// <summary>JSON text with object keys sorted (arrays keep their order).</summary>
    internal static string Canonical(JsonNode? node) => node switch
    {
        JsonObject o => "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => JsonSerializer.Serialize(p.Key) + ":" + Canonical(p.Value))) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Canonical)) + "]",
        null => "null",
        _ => node.ToJsonString(),
    };
}
