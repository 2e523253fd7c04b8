using static LlmTrack.Cli.Tests.CliRun;

namespace LlmTrack.Cli.Tests.Score;

public class SquadCommandTests
{
    private const string Answered =
        "{\"prediction\": \"Denver Broncos\", \"answers\": [\"Denver Broncos\", \"Broncos\"]}\n" +
        "\n" +
        "{\"id\": \"q2\", \"prediction\": \"the cat\", \"answers\": [{\"text\": \"a black cat\"}, {\"text\": \"dog\"}]}\n";

    [Fact]
    public async Task V1JsonIsTheOfficialScriptsLine()
    {
        using var files = new TempFolder();
        var run = await RunAsync("score", "squad", files.Write("s.jsonl", Answered), "--format", "json");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("{\"exact_match\": 50.0, \"f1\": 83.33333333333333}\n", run.Stdout);
    }

    [Fact]
    public async Task V1TextPrintsEmAndF1()
    {
        using var files = new TempFolder();
        var run = await RunAsync("score", "squad", files.Write("s.jsonl", Answered));
        Assert.Equal("exact_match = 50.00\nf1 = 83.33\n", run.Stdout);
    }

    [Fact]
    public async Task V2CountsUnanswerableQuestions()
    {
        using var files = new TempFolder();
        string path = files.Write("s.jsonl", Answered +
            "{\"prediction\": \"\", \"answers\": []}\n" +
            "{\"prediction\": \"something\", \"answers\": []}\n");
        var run = await RunAsync("score", "squad", path, "--version", "2.0", "-f", "json");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            "{\n  \"exact\": 50.0,\n  \"f1\": 66.66666666666666,\n  \"total\": 4,\n  \"HasAns_exact\": 50.0,\n  \"HasAns_f1\": 83.33333333333333,\n  \"HasAns_total\": 2,\n" +
            "  \"NoAns_exact\": 50.0,\n  \"NoAns_f1\": 50.0,\n  \"NoAns_total\": 2\n}\n",
            run.Stdout);
    }

    [Fact]
    public async Task V2NoAnswerProbabilitiesAddBestThresholds()
    {
        using var files = new TempFolder();
        string path = files.Write("s.jsonl",
            "{\"prediction\": \"Broncos\", \"answers\": [\"Broncos\"], \"no_answer_probability\": 0.2}\n" +
            "{\"prediction\": \"something\", \"answers\": [], \"no_answer_probability\": 0.9}\n");
        var run = await RunAsync("score", "squad", path, "--version", "2.0", "--na-prob-thresh", "0.5");
        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("exact = 100.00\nf1 = 100.00\ntotal = 2\n", run.Stdout);
        Assert.Contains("best_exact = 100.00\n", run.Stdout);
    }

    [Theory]
    [InlineData("{\"prediction\": \"a\", \"answers\": [\"a\"]}\n{\"prediction\": \"b\", \"answers\": [\"b\"]\n", "s.jsonl:2: invalid JSON at byte ")]
    [InlineData("{\"prediction\": \"a\", \"answers\": [\"a\"]}\n[1, 2]\n", "s.jsonl:2: expected a JSON object, found an array.")]
    [InlineData("{\"answers\": [\"a\"]}\n", "s.jsonl:1: \"prediction\" must be a string.")]
    [InlineData("{\"prediction\": \"a\", \"answers\": \"a\"}\n", "s.jsonl:1: \"answers\" must be an array")]
    [InlineData("{\"prediction\": \"a\", \"answers\": [3]}\n", "s.jsonl:1: each answer must be a string or an object with a string \"text\", found a number.")]
    [InlineData("\n{\"prediction\": \"a\", \"answers\": []}\n", "s.jsonl:2: no answers; SQuAD v1.1 needs at least one")]
    [InlineData("\n  \n", "SQuAD file '")]
    public async Task BadLinesAreReportedWithTheirLineNumber(string content, string message)
    {
        using var files = new TempFolder();
        var run = await RunAsync("score", "squad", files.Write("s.jsonl", content));
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Contains(message, run.Stderr);
    }
}
