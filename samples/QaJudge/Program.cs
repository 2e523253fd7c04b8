// QaJudge: a question-answering evaluation through an IChatClient, in MLflow 3's GenAI evaluation shape. A local,
// deterministic fake chat client answers SQuAD questions from the bundled data (no network); a second fake client
// acts as an LLM judge (a 1-5 rating with a rationale). Scored by SQuAD token F1 (LlmTrack.Metrics) and the judge;
// every example is a trace with feedback and expectation assessments. Runs with no server (./mlflow.db) or against
// MLFLOW_TRACKING_URI.
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LlmTrack;
using LlmTrack.AI;
using LlmTrack.Evaluation;
using LlmTrack.Metrics.QuestionAnswering;
using LlmTrack.Samples;
using Microsoft.Extensions.AI;

var questions = QaData.Load(Path.Combine(AppContext.BaseDirectory, "data", "squad-v2.0-dev.first2articles.jsonl"), take: 40);
Console.WriteLine($"{questions.Count} answerable questions; the answering model and the judge are local fakes (no network).");

using var tracker = new Tracker();
TracingSession? tracing = null;
try
{
    tracing = tracker.EnableTracing(); // the judge's own chat calls become traces too
}
catch (MlflowException ex)
{
    Console.WriteLine($"Traces are not available on this tracking store yet ({ex.Message}); the evaluation runs without them.");
}

using var model = new ChatClientBuilder(new FakeQaClient(questions)).UseOpenTelemetry().Build();
using var judgeClient = new ChatClientBuilder(new FakeJudgeClient()).UseOpenTelemetry().Build();
var judge = new AsyncExampleScorer<Question, TextPrediction>("correctness", async (q, p, ct) =>
{
    var verdict = await judgeClient.GetResponseAsync(Judge.Prompt(q, p.Text), cancellationToken: ct);
    return Judge.Parse(verdict.Text);
}) { Source = new AssessmentSource(AssessmentSourceType.LlmJudge, FakeJudgeClient.ModelId) };

await using var run = await tracker.StartRunAsync("qa-judge", runName: "fake-extractive-model");
run.LogParam("model", FakeQaClient.ModelId);
run.LogParam("judge", FakeJudgeClient.ModelId);
var result = await run.EvaluateAsync(
    questions,
    ChatClientPredictor.Create<Question>(model, "Context: {context}\nQuestion: {question}", q => new Dictionary<string, object?> { ["context"] = q.Context, ["question"] = q.Text }),
    new EvaluationOptions<Question, TextPrediction>
    {
        References = q => q.Answers,
        InputText = q => q.Text,
        Metrics = EvaluationMetrics.QuestionAnswering,
        Scorers = [new("token_f1", (q, p) => SquadMetrics.ScoreV1(p.Text, q.Answers).F1)],
        AsyncScorers = [judge],
        DatasetName = "squad-v2.0-dev-first2articles-answerable-40",
        Progress = new ConsoleProgressBar("qa"),
    });
Console.WriteLine($"SQuAD F1 {result["f1"]:F1}, mean token F1 {result["token_f1"]:F3}, judge correctness/mean {result["correctness/mean"]:F2} (1-5)");
tracing?.Dispose();
var assessments = "with feedback (token_f1, correctness) and expectation assessments";
try
{
    await tracker.Traces.SearchPageAsync([run.ExperimentId], runId: run.RunId, maxResults: 1);
}
catch (MlflowException)
{
    assessments = "without assessments (this tracking store cannot store them yet)";
}

Console.WriteLine(tracing is null
    ? $"Run {run.RunId} went to {Destination.Describe()} (metrics and table; no traces or assessments on this store yet)."
    : $"Run {run.RunId}, one trace per question {assessments}, went to {Destination.Describe()}.");

internal sealed record Question(string Id, string Context, string Text, string[] Answers);

internal static class QaData
{
    public static List<Question> Load(string path, int take)
    {
        var questions = new List<Question>();
        foreach (var line in File.ReadLines(path))
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var answers = root.GetProperty("answers").EnumerateArray().Select(a => a.GetProperty("text").GetString()!).ToArray();
            if (answers.Length > 0 && questions.Count < take)
            {
                questions.Add(new Question(root.GetProperty("id").GetString()!, root.GetProperty("context").GetString()!, root.GetProperty("question").GetString()!, answers));
            }
        }

        return questions;
    }
}

/// <summary>The answering "model": the bundled gold answer, except every third question, answered with the context's first sentence.</summary>
internal sealed class FakeQaClient(IReadOnlyList<Question> questions) : IChatClient
{
    public const string ModelId = "fake-extractive-1";
    private readonly Dictionary<string, Question> _byQuestion = questions.GroupBy(q => q.Text).ToDictionary(g => g.Key, g => g.First());
    private readonly Dictionary<string, int> _index = questions.Select((q, i) => (q.Text, i)).GroupBy(x => x.Text).ToDictionary(g => g.Key, g => g.First().i);

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var prompt = messages.Last().Text;
        var question = prompt[(prompt.LastIndexOf("Question: ", StringComparison.Ordinal) + "Question: ".Length)..];
        var q = _byQuestion[question];
        var answer = _index[question] % 3 == 2 ? q.Context.Split(". ")[0] : q.Answers[0];
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answer))
        {
            ModelId = ModelId,
            Usage = new UsageDetails { InputTokenCount = prompt.Length / 4, OutputTokenCount = Math.Max(1, answer.Length / 4) },
        });
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The sample does not stream.");

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("fake", null, ModelId) : null;

    public void Dispose()
    {
    }
}

/// <summary>The judge "model": rates 1-5 by the SQuAD token F1 of the answer against the reference, with a rationale.</summary>
internal sealed partial class FakeJudgeClient : IChatClient
{
    public const string ModelId = "fake-judge-1";

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var prompt = messages.Last().Text;
        var reference = Field().Match(prompt, prompt.IndexOf("Reference:", StringComparison.Ordinal)).Groups[1].Value;
        var answer = Field().Match(prompt, prompt.IndexOf("Answer:", StringComparison.Ordinal)).Groups[1].Value;
        var f1 = SquadMetrics.F1(answer, reference);
        var rating = 1 + (int)Math.Round(4 * f1);
        var why = f1 >= 0.99 ? "The answer matches the reference." : f1 > 0 ? "The answer overlaps the reference only partly." : "The answer does not contain the reference.";
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, $"Rating: {rating}\nRationale: {why}")) { ModelId = ModelId });
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The sample does not stream.");

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }

    [GeneratedRegex(@"\G\w+: (.*)")]
    private static partial Regex Field();
}

internal static partial class Judge
{
    public static string Prompt(Question q, string answer) =>
        $"Rate from 1 to 5 how correct the answer is.\nQuestion: {q.Text}\nReference: {q.Answers[0]}\nAnswer: {answer}\nReply 'Rating: <n>' and 'Rationale: <why>'.";

    public static ScorerFeedback Parse(string verdict)
    {
        var match = Verdict().Match(verdict);
        return match.Success
            ? ScorerFeedback.Of(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value.Trim())
            : ScorerFeedback.Failed("SCORER_ERROR", "The judge's reply has no rating: " + verdict);
    }

    [GeneratedRegex(@"Rating:\s*(\d+)\s*Rationale:\s*(.*)", RegexOptions.Singleline)]
    private static partial Regex Verdict();
}
