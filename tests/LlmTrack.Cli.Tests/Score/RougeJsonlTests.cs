using System.Text.Json;
using LlmTrack.Metrics.Rouge;
using static LlmTrack.Cli.Tests.CliRun;

namespace LlmTrack.Cli.Tests.Score;

/// <summary>
/// Multi-line summaries through <c>--jsonl</c>, so rougeLsum splits sentences on newlines. Cases from
/// rouge-score's rouge_scorer_test.py (testRougeLsum, testRougeLSumSentenceSplitting).
/// </summary>
public class RougeJsonlTests
{
    [Fact]
    public async Task RougeLsumUsesTheNewlinesOfJsonlTexts()
    {
        using var files = new TempFolder();
        string path = files.Write("s.jsonl",
            "{\"prediction\": \"w1 w2 w6 w7 w8\\nw1 w3 w8 w9 w5\", \"reference\": \"w1 w2 w3 w4 w5\"}\n" +
            "{\"prediction\": \"Second sentence.\\nFirst Sentence.\", \"references\": [\"First sentence.\\nSecond Sentence.\", \"x\"]}\n");
        var run = await RunAsync("score", "rouge", "--jsonl", path, "--rouge-types", "rougeL,rougeLsum", "--use-stemmer", "-f", "json");
        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        var scorer = new RougeScorer([RougeType.RougeL, RougeType.RougeLsum], useStemmer: true);
        var expected = scorer.CorpusScore(
            ["w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5", "Second sentence.\nFirst Sentence."],
            new IReadOnlyList<string>[] { ["w1 w2 w3 w4 w5"], ["First sentence.\nSecond Sentence.", "x"] });
        var lsum = json.RootElement.GetProperty("rougeLsum");
        Assert.Equal(expected.Mean(RougeType.RougeLsum).FMeasure, lsum.GetProperty("fmeasure").GetDouble());
        Assert.Equal((0.8 + 1.0) / 2, lsum.GetProperty("recall").GetDouble(), 1e-12);
        Assert.NotEqual(lsum.GetProperty("fmeasure").GetDouble(), json.RootElement.GetProperty("rougeL").GetProperty("fmeasure").GetDouble());
        Assert.Equal(2, json.RootElement.GetProperty("segments").GetInt32());
    }

    [Theory]
    [InlineData("{\"prediction\": 1, \"reference\": \"a\"}\n", "\"prediction\" must be a string")]
    [InlineData("{\"prediction\": \"a\"}\n", "give either \"references\"")]
    [InlineData("{\"prediction\": \"a\", \"references\": []}\n", "non-empty array")]
    public async Task BadJsonlIsAnInputError(string content, string message)
    {
        using var files = new TempFolder();
        var run = await RunAsync("score", "rouge", "--jsonl", files.Write("s.jsonl", content));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(message, run.Stderr);
    }

    [Fact]
    public async Task JsonlAndFilesTogetherAreAUsageError()
    {
        using var files = new TempFolder();
        string path = files.Write("s.jsonl", "{\"prediction\": \"a\", \"reference\": \"a\"}\n");
        var both = await RunAsync("score", "rouge", "--jsonl", path, "-i", files.Write("p.txt", "a\n"), files.Write("r.txt", "a\n"));
        Assert.Equal(2, both.ExitCode);
        var none = await RunAsync("score", "rouge", "--rouge-types", "rouge1");
        Assert.Equal(2, none.ExitCode);
        var noReference = await RunAsync("score", "rouge", "-i", files.PathOf("p.txt"));
        Assert.Equal(2, noReference.ExitCode);
    }
}
