using System.Text.Json;
using LlmTrack.AI;
using LlmTrack.Evaluation;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;
using LlmTrack.Tests.Fakes;

namespace LlmTrack.AI.Tests;

public sealed class ChatClientTests
{
    private readonly InMemoryTrackingStore _store = new();

    private Tracker NewTracker() => new(new LlmTrackOptions(), _store, TimeProvider.System, null) { Environment = _ => null };

    private sealed class FakeChatClient(bool reportUsage) : IChatClient
    {
        public List<IList<ChatMessage>> Calls { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var list = messages.ToList();
            lock (Calls)
            {
                Calls.Add(list);
            }

            var text = list[^1].Text.Contains("great") ? "pos" : "neg";
            var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, text));
            if (reportUsage)
            {
                response.Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 1 };
            }

            return Task.FromResult(response);
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("Streaming is not used.");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    private static readonly (string Text, string Label)[] s_examples = [("great film", "pos"), ("awful", "neg"), ("not great", "neg")];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ChatClientIsThePredictor(bool reportUsage)
    {
        var client = new FakeChatClient(reportUsage);
        using var tracker = NewTracker();
        await using var run = await tracker.StartRunAsync("ai-tests");
        var predictor = ChatClientPredictor.Create<(string Text, string Label)>(client, "Sentiment of: {text}", e => new Dictionary<string, object?> { ["text"] = e.Text }, systemPrompt: "Answer pos or neg.");
        var result = await run.EvaluateAsync(s_examples, predictor, new EvaluationOptions<(string Text, string Label), TextPrediction>
        {
            Target = e => new TextPrediction(e.Label),
            InputText = e => e.Text,
            Metrics = EvaluationMetrics.Chrf,
            Scorers = [new("correct", (e, p) => p.Text == e.Label ? 1 : 0)],
            CountTokens = true,
        });
        Assert.Equal(3, client.Calls.Count);
        Assert.Equal("Sentiment of: great film", client.Calls[0][1].Text);
        Assert.Equal(ChatRole.System, client.Calls[0][0].Role);
        Assert.Equal(2.0 / 3, result["correct"], 12);
        if (reportUsage)
        {
            Assert.Equal(30, result["prompt_tokens"]);
            Assert.Equal(3, result["completion_tokens"]);
        }
        else
        {
            Assert.Equal(3, result["completion_tokens"]); // "pos"/"neg" are one token each in o200k
        }
    }

    [Fact]
    public void PromptTemplateEscapesAndReportsMissingValues()
    {
        var template = PromptTemplate.Parse("{{json}} {a} and {b}");
        Assert.Equal(["a", "b"], template.Placeholders);
        Assert.Equal("{json} 1.5 and x", template.Render(new Dictionary<string, object?> { ["a"] = 1.5, ["b"] = "x" }));
        Assert.Throws<KeyNotFoundException>(() => template.Render(new Dictionary<string, object?> { ["a"] = 1 }));
        Assert.Throws<FormatException>(() => PromptTemplate.Parse("oops {"));
    }

    [Fact]
    public async Task EvaluationResultIsLogged()
    {
        using var tracker = NewTracker();
        string runId;
        await using (var run = await tracker.StartRunAsync("ai-tests"))
        {
            runId = run.RunId;
            var relevance = new NumericMetric("Relevance", 4.0, "On topic.") { Interpretation = new EvaluationMetricInterpretation(EvaluationRating.Good, failed: false, reason: "4 ≥ 4") };
            relevance.AddDiagnostics(EvaluationDiagnostic.Warning("slow judge"));
            var result = new Microsoft.Extensions.AI.Evaluation.EvaluationResult(
                relevance,
                new BooleanMetric("Is Safe?", false) { Interpretation = new EvaluationMetricInterpretation(EvaluationRating.Unacceptable, failed: true) },
                new StringMetric("Tone", "formal"));
            await run.LogEvaluationResultAsync(result);
        }

        var snapshot = await tracker.GetRunAsync(runId);
        var metrics = snapshot.Data.Metrics.ToDictionary(m => m.Key, m => m.Value);
        var tags = snapshot.Data.Tags.ToDictionary(t => t.Key, t => t.Value);
        Assert.Equal(4.0, metrics["Relevance"]);
        Assert.Equal(0.0, metrics["Is Safe_"]);
        Assert.Equal("formal", tags["Tone"]);
        Assert.Equal("Good", tags["Relevance.rating"]);
        Assert.Equal("true", tags["Is Safe_.failed"]);
        var file = _store.Artifacts.Single(a => a.Key.EndsWith("/evaluation/results.json", StringComparison.Ordinal)).Value;
        using var doc = JsonDocument.Parse(file);
        Assert.Equal("On topic.", doc.RootElement.GetProperty("Relevance").GetProperty("reason").GetString());
        Assert.Equal("slow judge", doc.RootElement.GetProperty("Relevance").GetProperty("diagnostics")[0].GetProperty("message").GetString());
    }
}
