using static LlmTrack.Cli.Tests.CliRun;

namespace LlmTrack.Cli.Tests.Score;

public class ScoreErrorTests
{
    [Fact]
    public async Task MissingHypothesisFileIsAnInputError()
    {
        using var files = new TempFolder();
        string reference = files.Write("ref.txt", "a\n");
        var run = await RunAsync("score", "bleu", "-i", files.PathOf("missing.txt"), reference);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Equal($"llmtrack: error: hypothesis file '{files.PathOf("missing.txt")}' does not exist.\n", run.Stderr);
    }

    [Fact]
    public async Task MissingReferenceFileIsAnInputError()
    {
        using var files = new TempFolder();
        string hyp = files.Write("hyp.txt", "a\n");
        var run = await RunAsync("score", "chrf", "-i", hyp, files.PathOf("nope.txt"));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("reference file '", run.Stderr);
        Assert.Contains("nope.txt' does not exist.", run.Stderr);
    }

    [Theory]
    [InlineData("bleu")]
    [InlineData("chrf")]
    [InlineData("ter")]
    [InlineData("rouge")]
    public async Task LineCountMismatchIsRefusedWhereSacreBleuWouldTruncate(string metric)
    {
        using var files = new TempFolder();
        string hyp = files.Write("hyp.txt", "one\ntwo\nthree\n");
        string reference = files.Write("ref.txt", "one\ntwo\n");
        var run = await RunAsync("score", metric, "-i", hyp, reference);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Contains("has 3 lines but reference file", run.Stderr);
        Assert.Contains("has 2 (sacreBLEU would truncate to the shorter file; llmtrack refuses).", run.Stderr);
    }

    [Theory]
    [InlineData("bleu")]
    [InlineData("chrf")]
    [InlineData("ter")]
    public async Task EmptyReferenceLineIsAnEmptyReference(string metric)
    {
        // sacreBLEU 2.6.0's command line only rstrips reference lines: an empty line is an empty
        // reference (scored, counted in nrefs), not a missing one.
        using var files = new TempFolder();
        string hyp = files.Write("hyp.txt", "a b\nc d\n");
        string reference = files.Write("ref.txt", "a b\n\n");
        var run = await RunAsync("score", metric, "-i", hyp, reference);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("|nrefs:1|", run.Stdout);

        string second = files.Write("ref2.txt", "a b\nc d\n");
        var twoRefs = await RunAsync("score", metric, "-i", hyp, reference, second);
        Assert.Equal(0, twoRefs.ExitCode);
        Assert.Contains("|nrefs:2|", twoRefs.Stdout);
    }

    [Fact]
    public async Task OnlyEmptyReferencesScoreAsSacreBleuDoes()
    {
        // sacreBLEU 2.6.0: BLEU 0 with ref_len 0; TER 100 (1.0 when the references are empty and the
        // hypothesis is not); TER 0 when both are empty.
        using var files = new TempFolder();
        string hyp = files.Write("hyp.txt", "a b\n");
        string emptyHyp = files.Write("empty-hyp.txt", "\n");
        string reference = files.Write("ref.txt", "\n");
        var bleu = await RunAsync("score", "bleu", "-i", hyp, reference);
        Assert.Equal(0, bleu.ExitCode);
        Assert.EndsWith(" = 0.0 0.0/0.0/0.0/0.0 (BP = 1.000 ratio = 0.000 hyp_len = 2 ref_len = 0)\n", bleu.Stdout);

        var ter = await RunAsync("score", "ter", "-i", hyp, reference, "-b");
        Assert.Equal("100.0\n", ter.Stdout);
        var terBothEmpty = await RunAsync("score", "ter", "-i", emptyHyp, reference, "-b");
        Assert.Equal("0.0\n", terBothEmpty.Stdout);
    }

    [Fact]
    public async Task EmptyStandardInputIsAnInputError()
    {
        using var files = new TempFolder();
        var run = await RunAsync("score", "bleu", files.Write("ref.txt", "a\n"));
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("llmtrack: error: standard input is empty.\n", run.Stderr);
    }

    [Fact]
    public async Task EmptyFileIsAnInputError()
    {
        using var files = new TempFolder();
        string hyp = files.Write("hyp.txt", "");
        string reference = files.Write("ref.txt", "a\n");
        var run = await RunAsync("score", "bleu", "-i", hyp, reference);
        Assert.Equal(1, run.ExitCode);
        Assert.EndsWith("hyp.txt' is empty.\n", run.Stderr);
    }

    [Fact]
    public async Task InvalidUtf8IsAnInputError()
    {
        using var files = new TempFolder();
        string hyp = files.WriteBytes("hyp.txt", [(byte)'a', 0xC3, 0x28, (byte)'\n']);
        string reference = files.Write("ref.txt", "a\n");
        var run = await RunAsync("score", "bleu", "-i", hyp, reference);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("is not valid UTF-8 (byte offset 1).", run.Stderr);
    }

    [Fact]
    public async Task NumRefsNeedsThatManyFieldsPerLine()
    {
        using var files = new TempFolder();
        string hyp = files.Write("hyp.txt", "a b\nc d\n");
        string reference = files.Write("ref.tsv", "a b\ta c\nc d\n");
        var run = await RunAsync("score", "bleu", "-i", hyp, reference, "--num-refs", "2");
        Assert.Equal(1, run.ExitCode);
        Assert.EndsWith("ref.tsv:2: expected 2 tab-separated references, found 1.\n", run.Stderr);

        var twoFiles = await RunAsync("score", "bleu", "-i", hyp, reference, reference, "-nr", "2");
        Assert.Equal(1, twoFiles.ExitCode);
        Assert.Contains("give only one reference file", twoFiles.Stderr);
    }

    [Theory]
    [InlineData("Argument 'foo' not recognized", "score", "bleu", "-i", "h", "r", "--tokenize", "foo")]
    [InlineData("Argument 'wrong' not recognized", "score", "bleu", "-i", "h", "r", "--smooth-method", "wrong")]
    [InlineData("Argument 'xml' not recognized", "score", "ter", "-i", "h", "r", "--format", "xml")]
    [InlineData("--chrf-char-order must be between 1 and 6, got 7.", "score", "chrf", "-i", "h", "r", "-cc", "7")]
    [InlineData("--chrf-word-order must be between 0 and 3, got 4.", "score", "chrf", "-i", "h", "r", "-cw", "4")]
    [InlineData("--width must be between 0 and 20, got -1.", "score", "bleu", "-i", "h", "r", "-w", "-1")]
    [InlineData("--confidence-n must be at least 1, got 0.", "score", "bleu", "-i", "h", "r", "-cin", "0")]
    [InlineData("unrecognized option '--lowercse'.", "score", "bleu", "-i", "h", "r", "--lowercse")]
    [InlineData("unknown ROUGE type 'rougeX'", "score", "rouge", "-i", "h", "r", "--rouge-types", "rouge1,rougeX")]
    [InlineData("Argument '3.0' not recognized", "score", "squad", "f.jsonl", "--version", "3.0")]
    [InlineData("Argument 'samples' not recognized", "score", "classification", "--true", "t", "--pred", "p", "--average", "samples")]
    [InlineData("Required command was not provided.", "score")]
    [InlineData("Unrecognized command or argument 'nonsense'.", "score", "nonsense")]
    public async Task BadCommandLinesAreUsageErrors(string message, params string[] args)
    {
        var run = await RunAsync(args);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Contains(message, run.Stderr);
        Assert.Contains("--help' for usage.", run.Stderr);
    }

    [Fact]
    public async Task HelpListsTheMetrics()
    {
        var run = await RunAsync("score", "--help");
        Assert.Equal(0, run.ExitCode);
        foreach (string metric in new[] { "bleu", "chrf", "ter", "rouge", "squad", "classification", "perplexity" })
        {
            Assert.Contains(metric, run.Stdout);
        }

        var bleuHelp = await RunAsync("score", "bleu", "--help");
        Assert.Contains("--smooth-method", bleuHelp.Stdout);
        Assert.Contains("-tok", bleuHelp.Stdout);
    }
}
