using LlmTrack.AI;
using LlmTrack.Evaluation;
using LlmTrack.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace LlmTrack.AI.Tests;

public sealed class PromptPredictorTests
{
    private readonly InMemoryTrackingStore _store = new();

    private sealed class EchoChatClient : IChatClient
    {
        public List<IList<ChatMessage>> Calls { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var list = messages.ToList();
            lock (Calls)
            {
                Calls.Add(list);
            }

            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, list[^1].Text.Contains('4') ? "4" : "?")));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("Streaming is not used.");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    private static PromptVersion ChatPrompt() => new(new ModelVersion
    {
        Name = "chat-prompt",
        Version = 2,
        Tags =
        [
            new Tag("_mlflow_prompt_type", "chat"),
            new Tag("mlflow.prompt.text", "[{\"role\": \"system\", \"content\": \"You are a {{style}} assistant.\"}, {\"role\": \"user\", \"content\": \"{{question}}\"}]"),
        ],
    });

    [Fact]
    public async Task EvaluatingAPromptSendsItsFormattedMessagesAndLinksItToTheRun()
    {
        var client = new EchoChatClient();
        using var tracker = new Tracker(new LlmTrackOptions(), _store, TimeProvider.System, null) { Environment = _ => null };
        await using var run = await tracker.StartRunAsync("ai-tests");
        (string Question, string Answer)[] examples = [("2+2=4?", "4"), ("why?", "4")];

        var result = await run.EvaluatePromptAsync(
            examples,
            client,
            ChatPrompt(),
            e => new Dictionary<string, object?> { ["style"] = "terse", ["question"] = e.Question },
            new EvaluationOptions<(string Question, string Answer), TextPrediction>
            {
                Target = e => new TextPrediction(e.Answer),
                Scorers = [new("correct", (e, p) => p.Text == e.Answer ? 1 : 0)],
            });

        Assert.Equal(0.5, result["correct"], 12);
        var first = client.Calls.Single(c => c[^1].Text == "2+2=4?");
        Assert.Equal((ChatRole.System, "You are a terse assistant."), (first[0].Role, first[0].Text));
        var snapshot = await _store.GetRunAsync(run.RunId, default);
        Assert.Equal("[{\"name\": \"chat-prompt\", \"version\": \"2\"}]", snapshot.Data.Tags.Single(t => t.Key == "mlflow.linkedPrompts").Value);
    }
}
