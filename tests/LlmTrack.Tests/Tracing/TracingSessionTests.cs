using System.Diagnostics;
using LlmTrack.Model.Tracing;
using LlmTrack.Tests.Fakes;
using LlmTrack.Tracing;
using OpenTelemetry;

namespace LlmTrack.Tests.Tracing;

[Collection(nameof(LlmTrack.Tests.Tracing.ActivityListenerCollection))]
public sealed class TracingSessionTests : IDisposable
{
    private readonly string _sourceName = "LlmTrack.Tests.Session." + Guid.NewGuid().ToString("N");
    private readonly ActivitySource _source;

    public TracingSessionTests() => _source = new ActivitySource(_sourceName);

    public void Dispose() => _source.Dispose();

    private TracingOptions Options(Action<TracingOptions>? configure = null)
    {
        var options = new TracingOptions { ScheduledDelay = TimeSpan.FromMilliseconds(10) };
        options.ActivitySources.Clear();
        options.ActivitySources.Add(_sourceName);
        configure?.Invoke(options);
        return options;
    }

    [Fact]
    public void WithoutTracingNothingListensToTheSources()
    {
        Assert.False(_source.HasListeners());
        using var activity = _source.StartActivity("not traced");
        Assert.Null(activity);
    }

    [Fact]
    public async Task SpansOfALinkedRunBecomeATraceOfItsExperimentWithTheRunAsSource()
    {
        using var t = new TestTracker();
        var sink = t.Store.TraceSink = new RecordingTraceSink();
        var run = await t.Tracker.StartRunAsync("traced");
        using (var tracing = await t.Tracker.EnableTracingAsync(Options()))
        {
            using (tracing.LinkTo(run))
            {
                using var root = _source.StartActivity("pipeline")!;
                root.SetTag("mlflow.spanInputs", "{\"question\": \"What is tracing?\"}");
                using (var chat = _source.StartActivity("chat gpt-4o-mini")!)
                {
                    chat.SetTag("gen_ai.operation.name", "chat");
                    chat.SetTag("gen_ai.usage.input_tokens", 12);
                    chat.SetTag("gen_ai.usage.output_tokens", 5);
                }

                root.SetTag("mlflow.spanOutputs", "\"MLflow manages ML lifecycles.\"");
            }

            using (_source.StartActivity("outside"))
            {
            }

            Assert.True(tracing.Flush());
            Assert.Equal(3, tracing.Counters.SpansExported);
            Assert.Equal(2, tracing.Counters.TracesCompleted);
            Assert.True(tracing.Counters.AllDelivered);
        }

        var infos = sink.TraceInfos.ToDictionary(i => i.Tags["mlflow.traceName"]);
        var linked = infos["pipeline"];
        Assert.Equal(run.ExperimentId, linked.ExperimentId);
        Assert.Equal(run.RunId, linked.Metadata["mlflow.sourceRun"]);
        Assert.Equal("{\"input_tokens\": 12, \"output_tokens\": 5, \"total_tokens\": 17}", linked.Metadata["mlflow.trace.tokenUsage"]);
        Assert.Equal("{\"question\": \"What is tracing?\"}", linked.RequestPreview);
        Assert.Equal("\"MLflow manages ML lifecycles.\"", linked.ResponsePreview);
        Assert.Equal("3", linked.Metadata["mlflow.trace_schema.version"]);
        Assert.Equal("tester", linked.Metadata["mlflow.user"]);
        Assert.Equal("OK", linked.State);
        Assert.False(infos["outside"].Metadata.ContainsKey("mlflow.sourceRun"));
        Assert.Equal("0", infos["outside"].ExperimentId);
        Assert.Equal("CHAT_MODEL", sink.Spans.Single(s => s.Name == "chat gpt-4o-mini").Attribute("mlflow.spanType"));
        await run.DisposeAsync();
    }

    [Fact]
    public async Task ExportFailuresAreCountedAndNeverThrown()
    {
        using var t = new TestTracker();
        var sink = t.Store.TraceSink = new RecordingTraceSink { BeforeLogSpans = () => throw new MlflowException(MlflowErrorCode.InvalidParameterValue, "Invalid OpenTelemetry protobuf format", 400) };
        using var tracing = await t.Tracker.EnableTracingAsync(Options());
        using (_source.StartActivity("a"))
        {
        }

        tracing.Flush();

        Assert.Equal(1, tracing.Counters.SpansFailed);
        Assert.Equal(0, tracing.Counters.SpansExported);
        Assert.Equal("Invalid OpenTelemetry protobuf format", tracing.Counters.LastError);
        Assert.False(tracing.Counters.AllDelivered);
    }

    [Fact]
    public async Task ARatioOfZeroKeepsNoTraceAndOfOneEveryTrace()
    {
        using var t = new TestTracker();
        var sink = t.Store.TraceSink = new RecordingTraceSink();
        using (var none = await t.Tracker.EnableTracingAsync(Options(o => o.SamplingRatio = 0)))
        {
            for (var i = 0; i < 20; i++)
            {
                using var a = _source.StartActivity("dropped");
                Assert.False(a?.Recorded ?? false);
            }

            none.Flush();
            Assert.Equal(0, none.Counters.SpansExported);
        }

        using var all = await t.Tracker.EnableTracingAsync(Options(o => o.SamplingRatio = 1));
        for (var i = 0; i < 20; i++)
        {
            using var a = _source.StartActivity("kept");
        }

        all.Flush();
        Assert.Equal(20, all.Counters.SpansExported);
        Assert.DoesNotContain(sink.Spans, s => s.Name == "dropped");
    }

    [Fact]
    public void SpansBeyondTheQueueBoundAreDroppedAndCounted()
    {
        // The exporter is blocked, so no span leaves the queue: exactly MaxQueueSize are kept, the rest dropped.
        using var gate = new ManualResetEventSlim(false);
        var sink = new RecordingTraceSink { BeforeLogSpans = () => gate.Wait(TimeSpan.FromSeconds(30)) };
        var counters = new TracingCounters();
        var options = Options(o =>
        {
            o.MaxQueueSize = 4;
            o.MaxExportBatchSize = 1;
        });
        var exporter = new MlflowTraceExporter(sink, new TraceContext("0", null), false, counters, [], Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        using var processor = new BoundedSpanProcessor(exporter, options, counters);
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s == _source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = processor.OnEnd,
        };
        ActivitySource.AddActivityListener(listener);
        for (var i = 0; i < 10; i++)
        {
            using var a = _source.StartActivity("span " + i);
        }

        Assert.Equal(6, counters.SpansDropped);
        Assert.Equal(4, counters.SpansPending);
        gate.Set();
        processor.ForceFlush(30_000);
        Assert.Equal(4, counters.SpansExported);
        Assert.Equal(0, counters.SpansPending);
    }

    [Fact]
    public async Task ClosingTheTrackerFlushesTheSession()
    {
        var t = new TestTracker();
        var sink = t.Store.TraceSink = new RecordingTraceSink();
        var tracing = await t.Tracker.EnableTracingAsync(Options(o => o.ScheduledDelay = TimeSpan.FromMinutes(10)));
        using (_source.StartActivity("late"))
        {
        }

        t.Dispose();

        Assert.Equal("late", Assert.Single(sink.Spans).Name);
        Assert.Throws<ObjectDisposedException>(() => tracing.LinkTo(null!));
    }

    [Fact]
    public void TheSpanTypeOfEachGenAiOperationIsMlflows()
    {
        Assert.Equal("CHAT_MODEL", MlflowTraceKeys.SpanTypeOfOperation("chat"));
        Assert.Equal("AGENT", MlflowTraceKeys.SpanTypeOfOperation("invoke_agent"));
        Assert.Equal("TOOL", MlflowTraceKeys.SpanTypeOfOperation("execute_tool"));
        Assert.Equal("EMBEDDING", MlflowTraceKeys.SpanTypeOfOperation("embeddings"));
        Assert.Equal("UNKNOWN", MlflowTraceKeys.SpanTypeOfOperation(null));
    }
}
