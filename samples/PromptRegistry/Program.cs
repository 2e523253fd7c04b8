// PromptRegistry: register two versions of a prompt, evaluate both with a local rule-based chat client, link each
// prompt version to its evaluation run and point @champion at the winner.
//
//   dotnet run --project samples/PromptRegistry -c Release
//
// With MLFLOW_TRACKING_URI set (e.g. http://127.0.0.1:5000) everything goes to that MLflow server; without it,
// LlmTrack writes ./mlflow.db (MLflow's own schema): `mlflow ui --backend-store-uri sqlite:///mlflow.db` shows the
// prompts under "Prompts" and the runs with their linked prompt versions.
using LlmTrack;
using LlmTrack.AI;
using LlmTrack.Evaluation;
using PromptRegistrySample;

var examples = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "data", "capitals.tsv"))
    .Skip(1)
    .Select(line => line.Split('\t'))
    .Select(parts => (Question: parts[0], Answer: parts[1]))
    .ToList();

using var tracker = new Tracker(LlmTrackOptions.FromEnvironment());
const string PromptName = "capital-qa";
var versions = new[]
{
    await tracker.Prompts.RegisterAsync(PromptName, "Answer the question: {{question}}", "first draft", new Dictionary<string, string> { ["author"] = "sample" }),
    await tracker.Prompts.RegisterAsync(PromptName, "Answer the question in one word: {{question}}", "ask for one word", new Dictionary<string, string> { ["author"] = "sample" }),
};

using var client = new RuleBasedChatClient();
var scores = new Dictionary<int, double>();
foreach (var prompt in versions)
{
    await using var run = await tracker.StartRunAsync("prompt-registry-sample", $"{PromptName}-v{prompt.Version}");
    run.LogParam("prompt", prompt.Uri);
    var summary = await run.EvaluatePromptAsync(
        examples,
        client,
        prompt,
        e => new Dictionary<string, object?> { ["question"] = e.Question },
        new EvaluationOptions<(string Question, string Answer), TextPrediction>
        {
            Target = e => new TextPrediction(e.Answer),
            InputText = e => e.Question,
            Scorers = [new("exact_match", (e, p) => string.Equals(p.Text.Trim(), e.Answer, StringComparison.OrdinalIgnoreCase) ? 1 : 0)],
        });
    scores[prompt.Version] = summary["exact_match"];
    Console.WriteLine($"{prompt.Uri}: exact_match = {summary["exact_match"]:0.00} (run {run.RunId})");
}

var winner = scores.MaxBy(s => s.Value).Key;
await tracker.Prompts.SetAliasAsync(PromptName, "champion", winner);
var champion = await tracker.Prompts.LoadAsync($"prompts:/{PromptName}@champion");
Console.WriteLine($"prompts:/{PromptName}@champion → version {champion.Version}: \"{champion.Template}\"");
