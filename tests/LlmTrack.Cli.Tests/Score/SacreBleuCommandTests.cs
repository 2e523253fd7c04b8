using LlmTrack.Metrics.Bleu;
using LlmTrack.Metrics.Chrf;
using LlmTrack.Metrics.Ter;
using static LlmTrack.Cli.Tests.CliRun;

namespace LlmTrack.Cli.Tests.Score;

public class SacreBleuCommandTests
{
    private const string System1 = "hyp.opus-2021-02-18.por";
    private const string System2 = "hyp.opusTCv20210807-bt-transformer-big-2022-03-13.por";
    private const string Reference = "por_Latn.devtest";

    [Theory]
    [InlineData(System1, "BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0 = 46.6 74.1/53.7/40.9/31.8 (BP = 0.977 ratio = 0.977 hyp_len = 25921 ref_len = 26519)\n")]
    [InlineData(System2, "BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0 = 50.4 75.9/57.0/44.8/36.0 (BP = 0.981 ratio = 0.981 hyp_len = 26018 ref_len = 26519)\n")]
    public async Task BleuTextLineEqualsSacreBleu(string system, string expected)
    {
        var run = await RunAsync("score", "bleu", "-i", Flores(system), Flores(Reference));
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(expected, run.Stdout);
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task BleuJsonEqualsSacreBleuOutput()
    {
        var run = await RunAsync("score", "bleu", "-i", Flores(System1), Flores(Reference), "--format", "json");
        Assert.Equal(0, run.ExitCode);
        const string expected = """
            {
             "name": "BLEU",
             "score": 46.6,
             "signature": "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0",
             "verbose_score": "74.1/53.7/40.9/31.8 (BP = 0.977 ratio = 0.977 hyp_len = 25921 ref_len = 26519)",
             "nrefs": "1",
             "case": "mixed",
             "eff": "no",
             "tok": "13a",
             "smooth": "exp",
             "version": "2.6.0",
             "counts": [

            """;

        // sacreBLEU's members first, then the statistics under BLEUScore's attribute names.
        Assert.StartsWith(expected.ReplaceLineEndings("\n"), run.Stdout);
        Assert.EndsWith(" \"sys_len\": 25921,\n \"ref_len\": 26519\n}\n", run.Stdout);
        var library = BleuScorer.CorpusScore(File.ReadAllLines(Flores(System1)), [File.ReadAllLines(Flores(Reference))]);
        using var json = System.Text.Json.JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.Equal(library.Counts, root.GetProperty("counts").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(library.Totals, root.GetProperty("totals").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(library.Precisions, root.GetProperty("precisions").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(library.BrevityPenalty, root.GetProperty("bp").GetDouble());
        Assert.Equal(library.Ratio, root.GetProperty("ratio").GetDouble());
    }

    [Theory]
    [InlineData(System1, "3", "chrF2|nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0 = 69.628\n")]
    [InlineData(System2, "3", "chrF2|nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0 = 71.673\n")]
    public async Task ChrfEqualsOfficialScores(string system, string width, string expected)
    {
        var run = await RunAsync("score", "chrf", "-i", Flores(system), Flores(Reference), "-w", width);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(expected, run.Stdout);
    }

    [Theory]
    [InlineData(System1, "chrF2++|nrefs:1|case:mixed|eff:yes|nc:6|nw:2|space:no|version:2.6.0 = 67.79\n")]
    [InlineData(System2, "chrF2++|nrefs:1|case:mixed|eff:yes|nc:6|nw:2|space:no|version:2.6.0 = 70.03\n")]
    public async Task ChrfPlusPlusEqualsOfficialScores(string system, string expected)
    {
        var run = await RunAsync("score", "chrf", "-i", Flores(system), Flores(Reference), "--chrf-word-order", "2", "--width", "2");
        Assert.Equal(expected, run.Stdout);
    }

    private static string[] Lines(string name) => File.ReadAllLines(Flores(name)).Select(l => l.TrimEnd()).ToArray();

    [Fact]
    public async Task HypothesesCanBePipedThroughStandardInput()
    {
        // As `cat hyp | sacrebleu ref`: no -i (or -i -) reads standard input, with universal newlines.
        string hypotheses = File.ReadAllText(Flores(System1)).Replace("\n", "\r\n");
        var piped = await RunWithStdinAsync(hypotheses, "score", "bleu", Flores(Reference));
        Assert.Equal(0, piped.ExitCode);
        Assert.StartsWith("BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0 = 46.6 74.1/53.7/40.9/31.8 (BP = 0.977 ratio = 0.977 hyp_len = 25921 ", piped.Stdout);
        var dash = await RunWithStdinAsync(hypotheses, "score", "bleu", "-i", "-", Flores(Reference));
        Assert.Equal(piped.Stdout, dash.Stdout);
    }

    [Fact]
    public async Task ScoreOnlyPrintsTheScore()
    {
        var run = await RunAsync("score", "bleu", "-i", Flores(System2), Flores(Reference), "-b", "-w", "4");
        Assert.Equal("50.4032\n", run.Stdout);
    }

    [Fact]
    public async Task ChrfJsonHasNoVerboseScore()
    {
        var run = await RunAsync("score", "chrf", "-i", Flores(System1), Flores(Reference), "-f", "json", "-w", "2");
        Assert.Equal(
            "{\n \"name\": \"chrF2\",\n \"score\": 69.63,\n \"signature\": \"nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0\",\n" +
            " \"nrefs\": \"1\",\n \"case\": \"mixed\",\n \"eff\": \"yes\",\n \"nc\": \"6\",\n \"nw\": \"0\",\n \"space\": \"no\",\n \"version\": \"2.6.0\",\n" +
            " \"char_order\": 6,\n \"word_order\": 0,\n \"beta\": 2,\n \"statistics\": [\n",
            run.Stdout[..run.Stdout.IndexOf("  ", run.Stdout.IndexOf("\"statistics\"", StringComparison.Ordinal), StringComparison.Ordinal)]);
    }

    [Fact]
    public async Task SeveralReferenceFilesAreSeveralReferencesPerSegment()
    {
        using var files = new TempFolder();
        string hyp = files.Write("hyp.txt", "The cat sat on the mat.\nIt was not unexpected.\nA quick brown fox.\n");
        string ref1 = files.Write("ref1.txt", "The cat is on the mat.\nIt wasn't surprising.\nThe quick brown fox jumps.\n");
        string ref2 = files.Write("ref2.txt", "There is a cat on the mat.\nIt was not unexpected at all.\nA fast brown fox.\n");
        var run = await RunAsync("score", "bleu", "-i", hyp, ref1, ref2, "-w", "2");
        Assert.Equal(0, run.ExitCode);

        string[] hyps = File.ReadAllLines(hyp);
        string[][] refs = [File.ReadAllLines(ref1), File.ReadAllLines(ref2)];
        var expected = BleuScorer.CorpusScore(hyps, refs);
        Assert.Equal($"BLEU|{expected.Signature} = {expected.Format(2)["BLEU = ".Length..]}\n", run.Stdout);
        Assert.StartsWith("BLEU|nrefs:2|", run.Stdout);
        Assert.NotEqual(BleuScorer.CorpusScore(hyps, [refs[0]]).Score, expected.Score);

        // --num-refs reads the same references tab-separated from one file.
        string tabbed = files.Write("refs.tsv", string.Concat(refs[0].Zip(refs[1], (a, b) => a + "\t" + b + "\n")));
        var tabbedRun = await RunAsync("score", "bleu", "-i", hyp, tabbed, "--num-refs", "2", "-w", "2");
        Assert.Equal(run.Stdout, tabbedRun.Stdout);
    }

    [Fact]
    public async Task LinesAreReadAsSacreBleuReadsThem()
    {
        using var files = new TempFolder();
        // CRLF and trailing whitespace are stripped (line.rstrip()); leading whitespace and inner \r stay; no final newline is fine.
        string crlf = files.Write("crlf.txt", "Hello world .  \r\nsecond line\t\r\n  third\rline");
        string plain = files.Write("plain.txt", "Hello world .\nsecond line\n  third\rline\n");
        var a = await RunAsync("score", "chrf", "-i", crlf, plain, "-w", "6");
        Assert.Equal(0, a.ExitCode);
        Assert.EndsWith(" = 100.000000\n", a.Stdout);
        string[] expected = ["Hello world .", "second line", "  third\rline"];
        Assert.Equal(expected, LlmTrack.Cli.Common.InputFiles.ReadSegments(crlf, "file"));
    }

    [Fact]
    public async Task BleuOptionsReachTheMetric()
    {
        var run = await RunAsync("score", "bleu", "-i", Flores(System1), Flores(Reference),
            "--tokenize", "intl", "--lowercase", "--smooth-method", "floor", "--smooth-value", "0.2", "-w", "3");
        string[] hyps = File.ReadAllLines(Flores(System1));
        string[][] refs = [File.ReadAllLines(Flores(Reference))];
        var expected = BleuScorer.CorpusScore(hyps, refs, new BleuOptions
        {
            Tokenizer = BleuTokenizer.International, Lowercase = true, Smoothing = BleuSmoothing.Floor, SmoothValue = 0.2,
        });
        Assert.Equal($"BLEU|{expected.Signature} = {expected.Format(3)["BLEU = ".Length..]}\n", run.Stdout);
        Assert.Contains("|case:lc|eff:no|tok:intl|smooth:floor", run.Stdout);

        var shortAliases = await RunAsync("score", "bleu", "-i", Flores(System1), Flores(Reference), "-tok", "intl", "-lc", "-s", "floor", "-sv", "0.2", "-w", "3");
        Assert.Equal(run.Stdout, shortAliases.Stdout);
    }

    [Fact]
    public async Task ChrfOptionsReachTheMetric()
    {
        var run = await RunAsync("score", "chrf", "-i", Flores(System2), Flores(Reference),
            "-cc", "4", "-cw", "1", "--chrf-beta", "1", "--chrf-whitespace", "--chrf-lowercase", "--chrf-eps-smoothing", "-w", "4");
        // sacreBLEU strips trailing whitespace of every line, which counts with --chrf-whitespace.
        var expected = ChrfScorer.CorpusScore(Lines(System2), [Lines(Reference)], new ChrfOptions
        {
            CharOrder = 4, WordOrder = 1, Beta = 1, Whitespace = true, Lowercase = true, EpsSmoothing = true,
        });
        Assert.Equal(expected.Format(4, includeSignature: true) + "\n", run.Stdout);
        Assert.StartsWith("chrF1+|nrefs:1|case:lc|eff:no|nc:4|nw:1|space:yes|", run.Stdout);
    }

    [Fact]
    public async Task TerAndItsOptionsEqualTheMetric()
    {
        string[] hyps = File.ReadAllLines(Flores(System1))[..200];
        string[] refs = File.ReadAllLines(Flores(Reference))[..200];
        using var files = new TempFolder();
        string hyp = files.Write("hyp.txt", string.Join('\n', hyps) + "\n");
        string reference = files.Write("ref.txt", string.Join('\n', refs) + "\n");

        var plain = await RunAsync("score", "ter", "-i", hyp, reference, "-w", "2");
        var expected = new TerScorer().CorpusScore(hyps, [refs]);
        Assert.Equal(expected.FormatWithSignature(2) + "\n", plain.Stdout);

        var options = await RunAsync("score", "ter", "-i", hyp, reference, "--ter-case-sensitive", "--ter-no-punct", "--ter-normalized", "--ter-asian-support", "-w", "2");
        var expectedOptions = new TerScorer(new TerOptions { CaseSensitive = true, NoPunctuation = true, Normalized = true, AsianSupport = true }).CorpusScore(hyps, [refs]);
        Assert.Equal(expectedOptions.FormatWithSignature(2) + "\n", options.Stdout);
        Assert.Contains("case:mixed|tok:tercom|norm:yes|punct:no|asian:yes", options.Stdout);
    }

    [Fact]
    public async Task ConfidenceAddsBootstrapMeanAndHalfWidth()
    {
        string[] args = ["score", "bleu", "-i", Flores(System1), Flores(Reference), "--confidence", "--confidence-n", "200"];
        var run = await RunAsync(args);
        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"^BLEU\|nrefs:1\|bs:200\|seed:12345\|case:mixed\|eff:no\|tok:13a\|smooth:exp\|version:2\.6\.0 = 46\.6 \(μ = 4[56]\.\d ± [0-2]\.\d\) 74\.1/53\.7/40\.9/31\.8 \(BP = 0\.977 ", run.Stdout);
        Assert.Equal(run.Stdout, (await RunAsync(args)).Stdout); // seeded: reproducible

        var json = await RunAsync([.. args, "-f", "json"]);
        Assert.Contains("\n \"confidence_mean\": 4", json.Stdout);
        Assert.Contains("\n \"confidence\": \"μ = ", json.Stdout);
        Assert.Contains("\n \"bs\": \"200\",\n \"seed\": \"12345\",", json.Stdout);

        var otherSeed = await RunAsync([.. args, "--seed", "7"]);
        Assert.Contains("|seed:7|", otherSeed.Stdout);
    }
}
