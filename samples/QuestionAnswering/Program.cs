// QuestionAnswering: SQuAD exact match and F1 (v1.1 metric, answerable questions) on the first two articles of the
// SQuAD 2.0 dev set, with a simple extractive baseline: answer with the context sentence that shares the most words
// with the question. Runs with no server (./mlflow.db).
using System.Text.Json;
using System.Text.RegularExpressions;
using LlmTrack;
using LlmTrack.Evaluation;
using LlmTrack.Samples;

var path = Path.Combine(AppContext.BaseDirectory, "data", "squad-v2.0-dev.first2articles.jsonl");
var questions = new List<Question>();
foreach (var line in File.ReadLines(path))
{
    using var doc = JsonDocument.Parse(line);
    var root = doc.RootElement;
    var answers = root.GetProperty("answers").EnumerateArray().Select(a => a.GetProperty("text").GetString()!).ToArray();
    if (answers.Length > 0)
    {
        questions.Add(new Question(root.GetProperty("id").GetString()!, root.GetProperty("context").GetString()!, root.GetProperty("question").GetString()!, answers));
    }
}

Console.WriteLine($"{questions.Count} answerable questions.");
using var tracker = new Tracker();
await using var run = await tracker.StartRunAsync("squad-baselines", runName: "best-overlap-sentence");
run.LogParam("model", "best word-overlap sentence");
var result = await run.EvaluateAsync(
    questions,
    (q, _) => Task.FromResult(Baseline.Answer(q.Context, q.Text)),
    new EvaluationOptions<Question, string>
    {
        References = q => q.Answers,
        InputText = q => q.Text,
        Metrics = EvaluationMetrics.QuestionAnswering,
        DatasetName = "squad-v2.0-dev-first2articles-answerable",
        Progress = new ConsoleProgressBar("squad"),
    });
Console.WriteLine($"Exact match {result["exact_match"]:F1} [{result["exact_match_ci_lower"]:F1}, {result["exact_match_ci_upper"]:F1}]");
Console.WriteLine($"F1          {result["f1"]:F1} [{result["f1_ci_lower"]:F1}, {result["f1_ci_upper"]:F1}]");
Console.WriteLine($"Run {run.RunId} and its per-question table went to {Destination.Describe()}.");

internal sealed record Question(string Id, string Context, string Text, string[] Answers);

internal static partial class Baseline
{
    private static readonly HashSet<string> s_stopWords =
        ["the", "a", "an", "of", "in", "on", "to", "is", "was", "what", "which", "who", "when", "where", "how", "did", "does", "do", "and", "for", "by", "with", "as", "at"];

    public static string Answer(string context, string question)
    {
        var questionWords = Words(question).Where(w => !s_stopWords.Contains(w)).ToHashSet();
        var sentences = SentenceSplit().Split(context);
        return sentences
            .Select((s, i) => (Sentence: s.Trim(), Overlap: Words(s).Distinct().Count(questionWords.Contains), Index: i))
            .OrderByDescending(x => x.Overlap)
            .ThenBy(x => x.Index)
            .First().Sentence;
    }

    private static IEnumerable<string> Words(string text) => Word().Matches(text.ToLowerInvariant()).Select(m => m.Value);

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();

    [GeneratedRegex(@"(?<=[.!?])\s+")]
    private static partial Regex SentenceSplit();
}
