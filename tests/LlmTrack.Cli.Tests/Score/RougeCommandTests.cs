using LlmTrack.Metrics.Rouge;
using static LlmTrack.Cli.Tests.CliRun;

namespace LlmTrack.Cli.Tests.Score;

public class RougeCommandTests
{
    private static readonly string[] Predictions = ["the cat sat on the mat", "hello world", "Running quickly through the fields"];
    private static readonly string[] References1 = ["the cat was on the mat", "hello there world", "runs quick through fields"];
    private static readonly string[] References2 = ["a cat sat on a mat", "hello world", "she ran through the field"];

    [Fact]
    public async Task TextPrintsMeanPrecisionRecallAndF()
    {
        using var files = new TempFolder();
        var run = await RunAsync("score", "rouge", "-i", Write(files, "p.txt", Predictions), Write(files, "r.txt", References1));
        Assert.Equal(0, run.ExitCode);
        var corpus = new RougeScorer(RougeType.Default).CorpusScore(Predictions, References1);
        string expected = string.Concat(RougeType.Default.Select(t =>
        {
            var m = corpus.Mean(t);
            return $"{t.Name}: P = {m.Precision:F4} R = {m.Recall:F4} F = {m.FMeasure:F4}\n";
        }));
        Assert.Equal(expected, run.Stdout);
        Assert.StartsWith("rouge1: P = 0.7444 R = 0.6667 F = 0.6926\n", run.Stdout);
    }

    [Fact]
    public async Task JsonWithStemmerTypesAndSeveralReferences()
    {
        using var files = new TempFolder();
        var run = await RunAsync("score", "rouge", "-i", Write(files, "p.txt", Predictions), Write(files, "r1.txt", References1), Write(files, "r2.txt", References2),
            "--rouge-types", "rouge2, rougeL", "--use-stemmer", "--format", "json");
        Assert.Equal(0, run.ExitCode);

        IReadOnlyList<string>[] refs = Predictions.Select((_, i) => (IReadOnlyList<string>)[References1[i], References2[i]]).ToArray();
        var corpus = new RougeScorer([RougeType.Rouge2, RougeType.RougeL], useStemmer: true).CorpusScore(Predictions, refs);
        using var json = System.Text.Json.JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.Equal(["rouge2", "rougeL", "segments"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(corpus.Mean(RougeType.RougeL).FMeasure, root.GetProperty("rougeL").GetProperty("fmeasure").GetDouble());
        Assert.Equal(corpus.Mean(RougeType.Rouge2).Precision, root.GetProperty("rouge2").GetProperty("precision").GetDouble());
        Assert.Equal(corpus.Mean(RougeType.Rouge2).Recall, root.GetProperty("rouge2").GetProperty("recall").GetDouble());
        Assert.Equal(3, root.GetProperty("segments").GetInt32());

        var withoutStemmer = new RougeScorer([RougeType.RougeL]).CorpusScore(Predictions, refs);
        Assert.NotEqual(withoutStemmer.Mean(RougeType.RougeL).FMeasure, corpus.Mean(RougeType.RougeL).FMeasure);
    }

    private static string Write(TempFolder files, string name, string[] lines) => files.Write(name, string.Join('\n', lines) + "\n");
}
