using System.Text;
using System.Text.Json;
using LlmTrack.Evaluation;
using LlmTrack.Evaluation.Datasets;
using LlmTrack.Evaluation.Tables;
using LlmTrack.Metrics.Bleu;
using LlmTrack.Metrics.Classification;
using LlmTrack.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace LlmTrack.Tests.Evaluation;

public class RunEvaluationTests
{
    private sealed record Review(string Text, string Label);

    private static (InMemoryTrackingStore Store, Tracker Tracker) Create(TimeProvider? time = null)
    {
        var store = new InMemoryTrackingStore();
        var tracker = new Tracker(new LlmTrackOptions(), store, time ?? TimeProvider.System, null) { Environment = _ => null };
        return (store, tracker);
    }

    private static string Artifact(InMemoryTrackingStore store, string path) =>
        Encoding.UTF8.GetString(store.Artifacts.Single(a => a.Key.EndsWith("/" + path, StringComparison.Ordinal)).Value);

    private static Dictionary<string, double> Metrics(InMemoryTrackingStore store) =>
        store.SingleRun().Latest.ToDictionary(m => m.Key, m => m.Value.Value);

    [Fact]
    public async Task LogTableWritesTheOfficialClientBytesAndTag()
    {
        var (store, tracker) = Create();
        using (tracker)
        {
            await using var run = await tracker.StartRunAsync();
            using var myTable = new EvaluationTable("a", "b", "c");
            myTable.AddRow(1, "x", 0.5);
            myTable.AddRow(2, "y", 1.5);
            myTable.AddRow(3, "z", null);
            await run.LogTableAsync(myTable, "tables/my_table.json");
            await run.LogTableAsync(new Dictionary<string, IReadOnlyList<object?>> { ["col1"] = [1, 2], ["col2"] = ["p", "q"] }, "tables/dict_table.json");
            // fluent.out: the recorded artifacts and tag.
            Assert.Equal("{\"columns\":[\"a\",\"b\",\"c\"],\"data\":[[1,\"x\",0.5],[2,\"y\",1.5],[3,\"z\",null]]}", Artifact(store, "tables/my_table.json"));
            Assert.Equal("{\"columns\":[\"col1\",\"col2\"],\"data\":[[1,\"p\"],[2,\"q\"]]}", Artifact(store, "tables/dict_table.json"));
            Assert.Equal(
                "[{\"path\": \"tables/my_table.json\", \"type\": \"table\"}, {\"path\": \"tables/dict_table.json\", \"type\": \"table\"}]",
                store.SingleRun().Tags["mlflow.loggedArtifacts"]);
        }
    }

    [Fact]
    public async Task AppendingTwiceMergesLikePandasAndListsTheTableOnce()
    {
        var (store, tracker) = Create();
        using (tracker)
        {
            await using var run = await tracker.StartRunAsync();
            for (var i = 0; i < 3; i++)
            {
                using var table = new EvaluationTable("a", "b", "c");
                table.AddRow(1, "x", 0.5);
                table.AddRow(3, "z", null);
                await run.LogTableAsync(table, "t.json");
            }

            // pd.concat of the read-back table: c keeps NaN → float; a stays int.
            Assert.Equal(
                "{\"columns\":[\"a\",\"b\",\"c\"],\"data\":[[1,\"x\",0.5],[3,\"z\",null],[1,\"x\",0.5],[3,\"z\",null],[1,\"x\",0.5],[3,\"z\",null]]}",
                Artifact(store, "t.json"));
            Assert.Equal("[{\"path\": \"t.json\", \"type\": \"table\"}]", store.SingleRun().Tags["mlflow.loggedArtifacts"]);
        }
    }

    [Fact]
    public async Task ConcurrentTablesOnOneRunAllEndUpInTheTag()
    {
        var (store, tracker) = Create();
        using (tracker)
        {
            await using var run = await tracker.StartRunAsync();
            await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
            {
                using var table = new EvaluationTable("i");
                table.AddRow(i);
                await run.LogTableAsync(table, $"tables/t{i}.json");
            })));
            using var doc = JsonDocument.Parse(store.SingleRun().Tags["mlflow.loggedArtifacts"]);
            Assert.Equal(8, doc.RootElement.GetArrayLength());
        }
    }

    [Fact]
    public async Task LogInputSendsTheDatasetWithContextTag()
    {
        var (store, tracker) = Create();
        using (tracker)
        {
            await using var run = await tracker.StartRunAsync();
            var dataset = new EvaluationDataset("reviews", ["text", "label"], [["good", 1L], ["bad", 0L]]);
            await run.LogInputAsync(dataset, "eval", [new("split", "test")]);
            var (_, input) = Assert.Single(store.Inputs);
            Assert.Equal("reviews", input.Dataset.Name);
            Assert.Equal(dataset.Digest, input.Dataset.Digest);
            Assert.Equal("code", input.Dataset.SourceType);
            Assert.Equal("{\"num_rows\": 2, \"num_elements\": 4}", input.Dataset.Profile);
            Assert.Equal([new Tag("mlflow.data.context", "eval"), new Tag("split", "test")], input.Tags);
        }
    }

    [Fact]
    public async Task LogJsonAndFigure()
    {
        var (store, tracker) = Create();
        using (tracker)
        {
            await using var run = await tracker.StartRunAsync();
            await run.LogJsonAsync(new Dictionary<string, int> { ["a"] = 1 }, "d.json");
            await run.LogJsonAsync(JsonDocument.Parse("[1,2]").RootElement, "e.json");
            await run.LogFigureAsync(LlmTrack.Evaluation.Figures.SvgFigures.ConfusionMatrix(["a", "b"], [[1, 0], [0, 1]]));
            Assert.Equal("{\n  \"a\": 1\n}", Artifact(store, "d.json").ReplaceLineEndings("\n"));
            Assert.Equal("[\n  1,\n  2\n]", Artifact(store, "e.json").ReplaceLineEndings("\n"));
            Assert.StartsWith("<svg", Artifact(store, "plots/confusion_matrix.svg"));
        }
    }

    [Fact]
    public async Task LogHelpersUseSensibleKeysAndSignatureTags()
    {
        var (store, tracker) = Create();
        using (tracker)
        {
            await using var run = await tracker.StartRunAsync();
            var bleu = BleuScorer.CorpusScore(["the cat sat on the mat"], [["the cat sat on a mat"]]);
            run.LogBleu(bleu);
            string[] gold = ["pos", "neg", "a/b", "pos"];
            string[] pred = ["pos", "pos", "a/b", "pos"];
            await run.LogClassificationAsync(ClassificationMetrics.Report<string>(gold, pred), ClassificationMetrics.ConfusionMatrix<string>(gold, pred));
            await run.FlushAsync();
            var metrics = Metrics(store);
            Assert.Equal(bleu.Score, metrics["bleu"]);
            Assert.Equal(bleu.BrevityPenalty, metrics["bleu_bp"]);
            Assert.True(metrics.ContainsKey("bleu_precision_4"));
            Assert.Equal(bleu.Signature, store.SingleRun().Tags["bleu.signature"]);
            Assert.Equal(0.75, metrics["accuracy"]);
            Assert.True(metrics.ContainsKey("f1_class_a_b"));
            Assert.True(metrics.ContainsKey("f1_macro"));
            Assert.StartsWith("<svg", Artifact(store, "plots/confusion_matrix.svg"));
        }
    }

    private static readonly Review[] s_reviews =
    [
        new("great film", "pos"), new("awful plot", "neg"), new("great acting", "pos"), new("awful", "neg"),
        new("great fun", "pos"), new("boring", "neg"), new("great", "pos"), new("not great", "neg"),
    ];

    private static Task<string> Lexicon(Review r, CancellationToken _) => Task.FromResult(r.Text.Contains("great") ? "pos" : "neg");

    [Fact]
    public async Task ClassificationLogsMetricsIntervalsTableFigureAndInput()
    {
        var (store, tracker) = Create();
        using (tracker)
        {
            await using var run = await tracker.StartRunAsync();
            var progress = new List<EvaluationProgress>();
            var result = await run.EvaluateAsync(s_reviews, Lexicon, new EvaluationOptions<Review, string>
            {
                Target = r => r.Label,
                InputText = r => r.Text,
                Metrics = EvaluationMetrics.Classification,
                Progress = new SyncProgress<EvaluationProgress>(progress.Add),
            });
            await run.FlushAsync();
            var metrics = Metrics(store);
            Assert.Equal(7.0 / 8, result["accuracy"]);
            Assert.Equal(7.0 / 8, metrics["accuracy"]);
            foreach (var key in new[] { "f1_macro", "f1_weighted", "f1_class_pos", "f1_class_neg", "mcc", "cohen_kappa", "accuracy_ci_lower", "accuracy_ci_upper", "f1_macro_ci_lower", "error_count", "latency_mean_ms", "latency_p50_ms", "latency_p95_ms" })
            {
                Assert.True(metrics.ContainsKey(key), key);
            }

            Assert.True(result.ConfidenceIntervals["accuracy"].Lower <= 7.0 / 8);
            var table = JsonDocument.Parse(Artifact(store, "eval_results_table.json")).RootElement;
            Assert.Equal(["inputs", "prediction", "target", "correct", "latency_ms", "error"], table.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!));
            Assert.Equal(8, table.GetProperty("data").GetArrayLength());
            Assert.Equal("not great", table.GetProperty("data")[7][0].GetString());
            Assert.False(table.GetProperty("data")[7][3].GetBoolean());
            Assert.Contains("eval_results_table.json", store.SingleRun().Tags["mlflow.loggedArtifacts"]);
            Assert.StartsWith("<svg", Artifact(store, "plots/confusion_matrix.svg"));
            var (_, input) = Assert.Single(store.Inputs);
            Assert.Equal("eval", input.Tags.Single(t => t.Key == "mlflow.data.context").Value);
            Assert.Matches("^[0-9a-f]{8}$", input.Dataset.Digest);
            Assert.Equal(8, progress[^1].Completed);
            Assert.Equal(8, progress[^1].Total);
        }
    }

    [Fact]
    public async Task ConcurrencyLimitIsHonoured()
    {
        var (_, tracker) = Create();
        using (tracker)
        {
            await using var run = await tracker.StartRunAsync();
            int inFlight = 0, max = 0;
            var examples = Enumerable.Range(0, 200).ToArray();
            await run.EvaluateAsync(examples, async (int x, CancellationToken ct) =>
            {
                var now = Interlocked.Increment(ref inFlight);
                int seen;
                while ((seen = Volatile.Read(ref max)) < now && Interlocked.CompareExchange(ref max, now, seen) != seen)
                {
                }

                await Task.Yield();
                await Task.Delay(x % 3, ct);
                Interlocked.Decrement(ref inFlight);
                return x;
            }, new EvaluationOptions<int, int> { MaxConcurrency = 3, Target = x => x, Metrics = EvaluationMetrics.Accuracy, ConfidenceIntervals = false });
            Assert.InRange(max, 2, 3);
        }
    }

    [Fact]
    public async Task TimeoutIsRecordedAsAnErrorAndTheSlotWaitsForTheCall()
    {
        var time = new FakeTimeProvider();
        var (store, tracker) = Create(time);
        using (tracker)
        {
            await using var run = await tracker.StartRunAsync();
            var evaluation = run.EvaluateAsync(new[] { 1, 2, 3 }, async (int x, CancellationToken ct) =>
            {
                if (x == 2)
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }

                return x;
            }, new EvaluationOptions<int, int> { Target = x => x, Metrics = EvaluationMetrics.Accuracy, ExampleTimeout = TimeSpan.FromSeconds(5) });
            while (!evaluation.IsCompleted)
            {
                time.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(1);
            }

            var result = await evaluation;
            Assert.Equal(1, result.Errors);
            await run.FlushAsync();
            Assert.Equal(1, Metrics(store)["error_count"]);
            Assert.Equal(1.0, result["accuracy"]);
            var data = JsonDocument.Parse(Artifact(store, "eval_results_table.json")).RootElement.GetProperty("data");
            Assert.StartsWith("Timed out after 5000 ms", data[1][5].GetString());
        }
    }

    [Fact]
    public async Task TooManyErrorsFailTheRun()
    {
        var (store, tracker) = Create();
        using (tracker)
        {
            var run = await tracker.StartRunAsync();
            var ex = await Assert.ThrowsAsync<EvaluationFailedException>(() => run.EvaluateAsync(Enumerable.Range(0, 50).ToArray(),
                (int x, CancellationToken _) => x % 2 == 0 ? Task.FromException<int>(new InvalidOperationException("boom")) : Task.FromResult(x),
                new EvaluationOptions<int, int> { Target = x => x, Metrics = EvaluationMetrics.Accuracy, MaxErrors = 3, MaxConcurrency = 1 }));
            Assert.Equal(4, ex.Errors);
            Assert.Equal(RunStatus.Failed, store.SingleRun().Info.Status);
            Assert.Equal(4, Metrics(store)["error_count"]);
            var data = JsonDocument.Parse(Artifact(store, "eval_results_table.json")).RootElement.GetProperty("data");
            Assert.Equal("InvalidOperationException: boom", data[0][5].GetString());
        }
    }

    [Fact]
    public async Task ErrorRateThresholdFailsTheRun()
    {
        var (store, tracker) = Create();
        using (tracker)
        {
            var run = await tracker.StartRunAsync();
            await Assert.ThrowsAsync<EvaluationFailedException>(() => run.EvaluateAsync(Enumerable.Range(0, 10).ToArray(),
                (int x, CancellationToken _) => x < 3 ? throw new InvalidOperationException("sync throw") : Task.FromResult(x),
                new EvaluationOptions<int, int> { Target = x => x, Metrics = EvaluationMetrics.Accuracy, MaxErrorRate = 0.2 }));
            Assert.Equal(RunStatus.Failed, store.SingleRun().Info.Status);
        }
    }

    [Fact]
    public async Task CancellationKillsTheRunAndLogsPartialResults()
    {
        var (store, tracker) = Create();
        using (tracker)
        {
            var run = await tracker.StartRunAsync();
            using var cts = new CancellationTokenSource();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.EvaluateAsync(Enumerable.Range(0, 100).ToArray(),
                async (int x, CancellationToken ct) =>
                {
                    if (x == 10)
                    {
                        await cts.CancelAsync();
                    }

                    if (x >= 10)
                    {
                        await Task.Delay(Timeout.Infinite, ct);
                    }

                    return x;
                },
                new EvaluationOptions<int, int> { Target = x => x, Metrics = EvaluationMetrics.Accuracy, MaxConcurrency = 1 }, cts.Token));
            Assert.Equal(RunStatus.Killed, store.SingleRun().Info.Status);
            var metrics = Metrics(store);
            Assert.Equal(1.0, metrics["accuracy"]);
            Assert.Equal(10, metrics["example_count"]);
            var data = JsonDocument.Parse(Artifact(store, "eval_results_table.json")).RootElement.GetProperty("data");
            Assert.Equal(10, data.GetArrayLength());
        }
    }

    [Fact]
    public async Task TextMetricsWithReferencesTokensAndCustomScorer()
    {
        var (store, tracker) = Create();
        using (tracker)
        {
            await using var run = await tracker.StartRunAsync();
            (string Q, string[] Answers)[] examples = [("Where is Paris?", ["in France", "France"]), ("Capital of Italy?", ["Rome"])];
            var result = await run.EvaluateAsync(examples,
                (e, _) => Task.FromResult(new TextPrediction(e.Q.StartsWith("Where") ? "France" : "Milan", e.Q.StartsWith("Where") ? new(7, 1) : null)),
                new EvaluationOptions<(string Q, string[] Answers), TextPrediction>
                {
                    References = e => e.Answers,
                    InputText = e => e.Q,
                    Metrics = EvaluationMetrics.QuestionAnswering | EvaluationMetrics.Translation,
                    Scorers = [new("short", (_, p) => p.Text.Length < 6 ? 1 : 0)],
                });
            Assert.Equal(50.0, result["exact_match"]);
            Assert.Equal(50.0, result["f1"]);
            Assert.Equal(0.5, result["short"]);
            Assert.InRange(result["f1_ci_lower"], 0, 50);
            Assert.InRange(result["f1_ci_upper"], 50, 100);
            Assert.InRange(result["exact_match_ci_upper"], 50, 100);
            Assert.True(result.Metrics.ContainsKey("bleu_ci_upper"));
            Assert.True(result.Metrics.ContainsKey("chrf"));
            Assert.True(result.Metrics.ContainsKey("rougeL"));
            Assert.Contains("nrefs:", result.Signatures["bleu.signature"]);
            // First example reports usage (7 + 1); the second is counted locally with the gpt-4o (o200k) encoding.
            var counter = LlmTrack.Metrics.Tokens.TokenCounter.ForModel("gpt-4o");
            Assert.Equal(4, counter.CountTokens("Capital of Italy?"));
            Assert.Equal(7 + 4, result["prompt_tokens"]);
            Assert.Equal(1 + counter.CountTokens("Milan"), result["completion_tokens"]);
            await run.FlushAsync();
            Assert.Equal(result.Signatures["chrf.signature"], store.SingleRun().Tags["chrf.signature"]);
        }
    }

    private sealed class SyncProgress<T>(Action<T> action) : IProgress<T>
    {
        public void Report(T value) => action(value);
    }

    [Fact]
    public async Task DescribedDatasetDigestEqualsEvaluationDatasetOverInputsAndTarget()
    {
        var (store, tracker) = Create();
        using (tracker)
        {
            await using var run = await tracker.StartRunAsync();
            await run.EvaluateAsync(s_reviews, Lexicon, new EvaluationOptions<Review, string>
            {
                Target = r => r.Label,
                InputText = r => r.Text,
                Metrics = EvaluationMetrics.Accuracy,
                DatasetName = "reviews",
            });
            var expected = new EvaluationDataset("reviews", ["inputs", "target"], s_reviews.Select(r => (IReadOnlyList<object?>)[r.Text, r.Label]));
            var (_, input) = Assert.Single(store.Inputs);
            Assert.Equal(expected.Digest, input.Dataset.Digest);
            Assert.Equal(expected.SchemaJson, input.Dataset.Schema);
            Assert.Equal(expected.ProfileJson, input.Dataset.Profile);
        }
    }

    [Fact]
    public async Task TablesAndEvaluationWorkAgainstTheLocalSqliteStore()
    {
        using var folder = new LlmTrack.Tests.Sqlite.TempFolder();
        using var tracker = new Tracker(new LlmTrackOptions { TrackingUri = folder.TrackingUri });
        string runId, artifactRoot;
        await using (var run = await tracker.StartRunAsync("sqlite-eval"))
        {
            runId = run.RunId;
            artifactRoot = run.ArtifactUri;
            for (var i = 0; i < 2; i++)
            {
                using var table = new EvaluationTable("a", "b", "c");
                table.AddRow(1, "x", 0.5);
                table.AddRow(3, "z", null);
                run.LogTable(table, "tables/t.json");
            }

            await run.EvaluateAsync(s_reviews, Lexicon, new EvaluationOptions<Review, string>
            {
                Target = r => r.Label,
                InputText = r => r.Text,
                Metrics = EvaluationMetrics.Accuracy | EvaluationMetrics.PerClass,
            });
        }

        var snapshot = await tracker.GetRunAsync(runId);
        Assert.Equal(RunStatus.Finished, snapshot.Info.Status);
        Assert.Equal(
            "[{\"path\": \"tables/t.json\", \"type\": \"table\"}, {\"path\": \"eval_results_table.json\", \"type\": \"table\"}]",
            snapshot.Data.Tags.Single(t => t.Key == "mlflow.loggedArtifacts").Value);
        Assert.Equal(7.0 / 8, snapshot.Data.Metrics.Single(m => m.Key == "accuracy").Value);
        var root = Directory.EnumerateDirectories(folder.Path, runId, SearchOption.AllDirectories).Single();
        Assert.Equal(
            "{\"columns\":[\"a\",\"b\",\"c\"],\"data\":[[1,\"x\",0.5],[3,\"z\",null],[1,\"x\",0.5],[3,\"z\",null]]}",
            File.ReadAllText(Path.Combine(root, "artifacts", "tables", "t.json")));
        Assert.True(File.Exists(Path.Combine(root, "artifacts", "plots", "confusion_matrix.svg")));
        Assert.Equal("eval", Assert.Single(snapshot.Inputs).Tags.Single(t => t.Key == "mlflow.data.context").Value);
    }
}
