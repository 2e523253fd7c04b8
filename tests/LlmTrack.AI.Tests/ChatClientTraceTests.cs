using System.Diagnostics;
using LlmTrack.AI;
using LlmTrack.Evaluation;
using LlmTrack.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace LlmTrack.AI.Tests;

public sealed class ChatClientTraceTests
{
    private sealed class EchoClient(bool tracesItself) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Paris")) { ModelId = "fake-llm-1", Usage = new UsageDetails { InputTokenCount = 12, OutputTokenCount = 5 } });

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("Streaming is not used.");

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            tracesItself && serviceType == typeof(ActivitySource) ? new ActivitySource("someone.else") : null;

        public void Dispose()
        {
        }
    }

    private static async Task<RecordingTraceSink> EvaluateAsync(IChatClient client)
    {
        var store = new InMemoryTrackingStore();
        var sink = store.TraceSink = new RecordingTraceSink();
        using var tracker = new Tracker(new LlmTrackOptions(), store, TimeProvider.System, null) { Environment = _ => null };
        await using var run = await tracker.StartRunAsync("qa");
        var predictor = ChatClientPredictor.Create<string>(client, "Answer: {q}", q => new Dictionary<string, object?> { ["q"] = q }, options: new ChatOptions { ModelId = "fake-llm" });
        await run.EvaluateAsync(["Capital of France?"], predictor, new EvaluationOptions<string, TextPrediction> { InputText = q => q });
        return sink;
    }

    [Fact]
    public async Task EachPredictionIsAChatModelSpanInsideTheExamplesTrace()
    {
        var sink = await EvaluateAsync(new EchoClient(tracesItself: false));

        var spans = sink.Spans.ToList();
        Assert.Equal(2, spans.Count);
        var root = spans.Single(s => s.IsRoot);
        var chat = spans.Single(s => !s.IsRoot);
        Assert.Equal(root.SpanId, chat.ParentSpanId);
        Assert.Equal("chat fake-llm", chat.Name);
        Assert.Equal("CHAT_MODEL", chat.Attribute("mlflow.spanType"));
        Assert.Equal("fake-llm-1", chat.Attribute("gen_ai.response.model"));
        Assert.Equal(12L, chat.Attribute("gen_ai.usage.input_tokens"));
        Assert.Contains("Answer: Capital of France?", chat.Attribute("gen_ai.input.messages") as string, StringComparison.Ordinal);
        var info = Assert.Single(sink.TraceInfos);
        Assert.Equal("{\"input_tokens\": 12, \"output_tokens\": 5, \"total_tokens\": 17}", info.Metadata["mlflow.trace.tokenUsage"]);
        Assert.Null(root.Attribute("mlflow.chat.tokenUsage")); // counted once, on the chat span
    }

    [Fact]
    public async Task AClientThatTracesItselfGetsNoSecondChatSpan()
    {
        var sink = await EvaluateAsync(new EchoClient(tracesItself: true));

        var root = Assert.Single(sink.Spans);
        Assert.True(root.IsRoot);
        Assert.Equal("{\"input_tokens\": 12, \"output_tokens\": 5, \"total_tokens\": 17}", Assert.Single(sink.TraceInfos).Metadata["mlflow.trace.tokenUsage"]);
    }

    [Fact]
    public void MessagesFollowTheGenAiConventions() =>
        Assert.Equal(
            "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"Hi\"}]}]",
            ChatSpan.MessagesJson([new ChatMessage(ChatRole.User, "Hi")]));
}
