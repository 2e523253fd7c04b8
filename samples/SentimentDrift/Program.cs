// SentimentDrift: one baseline sentiment model (multinomial Naive Bayes trained on the Yelp half of nothing but
// restaurant reviews) evaluated on the UCI IMDb, Yelp and Amazon files as three runs, then compared.
// Runs with no server: results go to ./mlflow.db unless MLFLOW_TRACKING_URI is set.
using System.Text.RegularExpressions;
using LlmTrack;
using LlmTrack.Evaluation;
using LlmTrack.Evaluation.Datasets;
using LlmTrack.Samples;

var dataDir = Path.Combine(AppContext.BaseDirectory, "data");
var files = new[] { ("yelp", "yelp_labelled.txt"), ("imdb", "imdb_labelled.txt"), ("amazon", "amazon_cells_labelled.txt") };
var datasets = files.ToDictionary(f => f.Item1, f => DatasetLoader.LoadTsv(
    Path.Combine(dataDir, f.Item2),
    new TsvOptions { Name = f.Item1, SplitOnLastTab = true, ColumnNames = ["text", "label"] }));

// Train on the first half of Yelp; every domain is evaluated on its second half, so Yelp is in-domain.
var train = Examples(datasets["yelp"]).Take(500).ToList();
var model = NaiveBayes.Train(train);
Console.WriteLine($"Trained a Naive Bayes model on {train.Count} Yelp reviews ({model.VocabularySize} words).");

using var tracker = new Tracker();
var results = new List<(string Domain, EvaluationSummary Result)>();
foreach (var (domain, _) in files)
{
    var test = Examples(datasets[domain]).Skip(500).ToList();
    await using var run = await tracker.StartRunAsync("sentiment-drift", runName: $"naive-bayes-on-{domain}");
    run.LogParam("model", "multinomial-naive-bayes");
    run.LogParam("train_domain", "yelp");
    run.LogParam("test_domain", domain);
    var result = await run.EvaluateAsync(
        test,
        (example, _) => Task.FromResult(model.Predict(example.Text)),
        new EvaluationOptions<Review, string>
        {
            Target = example => example.Label,
            InputText = example => example.Text,
            Metrics = EvaluationMetrics.Classification,
            DatasetName = $"uci-{domain}-test",
            Progress = new ConsoleProgressBar(domain),
        });
    results.Add((domain, result));
}

Console.WriteLine();
Console.WriteLine("domain    accuracy  95% CI            macro-F1  MCC");
foreach (var (domain, r) in results)
{
    var ci = r.ConfidenceIntervals["accuracy"];
    Console.WriteLine($"{domain,-9} {r["accuracy"],8:F3}  [{ci.Lower:F3}, {ci.Upper:F3}]  {r["f1_macro"],8:F3}  {r["mcc"]:F3}");
}

var inDomain = results[0].Result["accuracy"];
foreach (var (domain, r) in results.Skip(1))
{
    Console.WriteLine($"Drift yelp → {domain}: accuracy {r["accuracy"] - inDomain:+0.000;-0.000}");
}

Console.WriteLine($"Runs, tables and confusion matrices went to {Destination.Describe()}.");

static IEnumerable<Review> Examples(EvaluationDataset dataset)
{
    for (var i = 0; i < dataset.RowCount; i++)
    {
        yield return new Review((string)dataset[i, "text"]!, Convert.ToString(dataset[i, "label"], System.Globalization.CultureInfo.InvariantCulture)!);
    }
}

internal sealed record Review(string Text, string Label);

/// <summary>Multinomial Naive Bayes with add-one smoothing over lower-cased word tokens.</summary>
internal sealed partial class NaiveBayes
{
    private readonly Dictionary<string, Dictionary<string, int>> _counts = [];
    private readonly Dictionary<string, int> _totals = [];
    private readonly Dictionary<string, int> _documents = [];
    private readonly HashSet<string> _vocabulary = [];

    public int VocabularySize => _vocabulary.Count;

    public static NaiveBayes Train(IEnumerable<Review> examples)
    {
        var model = new NaiveBayes();
        foreach (var example in examples)
        {
            model._documents[example.Label] = model._documents.GetValueOrDefault(example.Label) + 1;
            if (!model._counts.TryGetValue(example.Label, out var counts))
            {
                model._counts[example.Label] = counts = [];
            }

            foreach (var word in Words(example.Text))
            {
                counts[word] = counts.GetValueOrDefault(word) + 1;
                model._totals[example.Label] = model._totals.GetValueOrDefault(example.Label) + 1;
                model._vocabulary.Add(word);
            }
        }

        return model;
    }

    public string Predict(string text)
    {
        var documents = _documents.Values.Sum();
        string best = "";
        var bestScore = double.NegativeInfinity;
        foreach (var (label, counts) in _counts.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            var score = Math.Log((double)_documents[label] / documents);
            foreach (var word in Words(text))
            {
                score += Math.Log((counts.GetValueOrDefault(word) + 1.0) / (_totals[label] + _vocabulary.Count));
            }

            if (score > bestScore)
            {
                (best, bestScore) = (label, score);
            }
        }

        return best;
    }

    private static IEnumerable<string> Words(string text) => WordPattern().Matches(text.ToLowerInvariant()).Select(m => m.Value);

    [GeneratedRegex(@"[\p{L}\p{N}']+")]
    private static partial Regex WordPattern();
}
