using static LlmTrack.Cli.Tests.CliRun;

namespace LlmTrack.Cli.Tests.Score;

public class PerplexityCommandTests
{
    [Fact]
    public async Task TokenPerplexities()
    {
        using var files = new TempFolder();
        var run = await RunAsync("score", "perplexity", files.Write("p.jsonl", "{\"logprobs\": [-1.0, -2.0]}\n{\"logprobs\": [-0.5]}\n"), "-f", "json");
        Assert.Equal(0, run.ExitCode);
        using var json = System.Text.Json.JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.Equal(Math.Exp(1.5), root.GetProperty("perplexities")[0].GetDouble(), 12);
        Assert.Equal(Math.Exp(0.5), root.GetProperty("perplexities")[1].GetDouble(), 12);
        Assert.Equal((Math.Exp(1.5) + Math.Exp(0.5)) / 2, root.GetProperty("mean_perplexity").GetDouble(), 12);
        Assert.Equal(Math.Exp(3.5 / 3), root.GetProperty("perplexity").GetDouble(), 12);
        Assert.Equal(3, root.GetProperty("tokens").GetInt32());
        Assert.False(root.TryGetProperty("word_perplexity", out _));
    }

    [Fact]
    public async Task TextGivesWordAndBytePerplexity()
    {
        using var files = new TempFolder();
        var run = await RunAsync("score", "perplexity", files.Write("p.jsonl",
            "{\"logprobs\": [-1.0, -2.0], \"text\": \"hello world\"}\n{\"logprobs\": [-0.5], \"text\": \"hé\"}\n"));
        Assert.Equal(0, run.ExitCode);
        // 3 words (lm-eval counts), 11 + 3 UTF-8 bytes, total log-likelihood -3.5.
        Assert.Equal(
            $"mean_perplexity = {(Math.Exp(1.5) + Math.Exp(0.5)) / 2:F4}\nperplexity = {Math.Exp(3.5 / 3):F4}\ntokens = 3\n" +
            $"word_perplexity = {Math.Exp(3.5 / 3):F4}\nbyte_perplexity = {Math.Exp(3.5 / 14):F4}\nbits_per_byte = {3.5 / 14 / Math.Log(2):F4}\n",
            run.Stdout);
    }

    [Theory]
    [InlineData("{\"logprobs\": [-1.0, 0.5]}\n", "p.jsonl:1: logprobs[1] = 0.5 is positive; log-probabilities are at most 0.")]
    [InlineData("{\"logprobs\": []}\n", "p.jsonl:1: \"logprobs\" is empty.")]
    [InlineData("{\"logprobs\": [-1, \"x\"]}\n", "p.jsonl:1: logprobs[1] is not a finite number.")]
    [InlineData("{\"tokens\": [-1]}\n", "p.jsonl:1: \"logprobs\" must be an array of numbers.")]
    [InlineData("{\"logprobs\": [-1], \"text\": \"a\"}\n{\"logprobs\": [-1]}\n", "1 of 2 lines have \"text\"")]
    [InlineData("{\"logprobs\": [-1]}\n{\"logprobs\": [-1]\n", "p.jsonl:2: invalid JSON")]
    public async Task BadLinesAreInputErrors(string content, string message)
    {
        using var files = new TempFolder();
        var run = await RunAsync("score", "perplexity", files.Write("p.jsonl", content));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(message, run.Stderr);
    }

    [Fact]
    public async Task MissingFileIsAnInputError()
    {
        var run = await RunAsync("score", "perplexity", "/nonexistent/llmtrack/p.jsonl");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("llmtrack: error: perplexity file '/nonexistent/llmtrack/p.jsonl' does not exist.\n", run.Stderr);
    }
}
