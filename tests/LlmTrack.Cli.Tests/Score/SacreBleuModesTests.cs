using System.Globalization;
using System.Text.Json;
using LlmTrack.Metrics.Bleu;
using LlmTrack.Metrics.Bootstrap;
using LlmTrack.Metrics.Chrf;
using LlmTrack.Metrics.Ter;
using static LlmTrack.Cli.Tests.CliRun;

namespace LlmTrack.Cli.Tests.Score;

/// <summary><c>--sentence-level</c>, <c>--paired-bs</c> and the statistics of <c>--format json</c>.</summary>
public class SacreBleuModesTests
{
    private const string Hyp = "The dog bit the man.\nIt wasn't surprising.\nThe man had just bitten him.\n";
    private const string Ref1 = "The dog bit the man.\nIt was not unexpected.\nThe man bit him first.\n";
    private const string Ref2 = "The dog had bit the man.\nNo one was surprised.\nThe man had bitten the dog.\n";

    private static readonly string[] Hyps = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."];
    private static readonly string[][] Refs =
    [
        ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
        ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
    ];

    [Fact]
    public async Task BleuSentenceLevelIsSentenceBleuPerLine()
    {
        using var files = new TempFolder();
        var run = await RunAsync("score", "bleu", "-i", files.Write("h.txt", Hyp), files.Write("r1.txt", Ref1), files.Write("r2.txt", Ref2), "--sentence-level", "-f", "json", "-w", "20");
        Assert.Equal(0, run.ExitCode);
        string[] lines = run.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        for (int i = 0; i < 3; i++)
        {
            // sacreBLEU's --sentence-level turns effective order on (sentence_bleu).
            BleuResult expected = BleuScorer.SentenceScore(Hyps[i], [Refs[0][i], Refs[1][i]]);
            using var json = JsonDocument.Parse(lines[i]);
            Assert.Equal(Round(expected.Score, 20), json.RootElement.GetProperty("score").GetDouble());
            Assert.Equal("nrefs:2|case:mixed|eff:yes|tok:13a|smooth:exp|version:2.6.0", json.RootElement.GetProperty("signature").GetString());
            Assert.Equal(expected.RefLen, json.RootElement.GetProperty("ref_len").GetInt64());
        }

        var text = await RunAsync("score", "bleu", "-i", files.PathOf("h.txt"), files.PathOf("r1.txt"), "-sl", "-b", "-w", "4");
        Assert.Equal(
            string.Concat(Hyps.Select((h, i) => BleuScorer.SentenceScore(h, [Refs[0][i]]).Score.ToString("F4", CultureInfo.InvariantCulture) + "\n")),
            text.Stdout);
    }

    [Fact]
    public async Task ChrfAndTerSentenceLevel()
    {
        using var files = new TempFolder();
        string h = files.Write("h.txt", Hyp);
        string r = files.Write("r.txt", Ref1);
        var chrf = await RunAsync("score", "chrf", "-i", h, r, "-sl", "-w", "6");
        string[] chrfLines = chrf.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(3, chrfLines.Length);
        Assert.Equal($"chrF2|nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0 = {ChrfScorer.SentenceScore(Hyps[1], [Refs[0][1]]).Score.ToString("F6", CultureInfo.InvariantCulture)}", chrfLines[1]);

        var ter = await RunAsync("score", "ter", "-i", h, r, "-sl", "-f", "json");
        string[] terLines = ter.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(3, terLines.Length);
        TerScore expected = new TerScorer().SentenceScore(Hyps[2], [Refs[0][2]]);
        using var json = JsonDocument.Parse(terLines[2]);
        Assert.Equal(expected.NumEdits, json.RootElement.GetProperty("num_edits").GetInt64());
        Assert.Equal(expected.RefLength, json.RootElement.GetProperty("ref_length").GetDouble());
    }

    [Fact]
    public async Task JsonCarriesChrfStatisticsAndTerEdits()
    {
        using var files = new TempFolder();
        string h = files.Write("h.txt", Hyp);
        string r = files.Write("r.txt", Ref1);
        var chrf = await RunAsync("score", "chrf", "-i", h, r, "-f", "json", "-cw", "2");
        using (var json = JsonDocument.Parse(chrf.Stdout))
        {
            ChrfCorpus corpus = ChrfScorer.Prepare(Hyps, [Refs[0]], ChrfOptions.ChrfPlusPlus);
            var sums = new long[24];
            for (int i = 0; i < 3; i++)
            {
                var row = corpus.GetSegmentStatistics(i);
                for (int k = 0; k < row.Count; k++)
                {
                    sums[k] += row[k];
                }
            }

            Assert.Equal(sums, json.RootElement.GetProperty("statistics").EnumerateArray().Select(e => e.GetInt64()));
            Assert.Equal(2, json.RootElement.GetProperty("word_order").GetInt32());
        }

        var ter = await RunAsync("score", "ter", "-i", h, r, "-f", "json");
        using (var json = JsonDocument.Parse(ter.Stdout))
        {
            TerScore expected = new TerScorer().CorpusScore(Hyps, [Refs[0]]);
            Assert.Equal(expected.NumEdits, json.RootElement.GetProperty("num_edits").GetInt64());
            Assert.Equal(expected.RefLength, json.RootElement.GetProperty("ref_length").GetDouble());
        }
    }

    [Fact]
    public async Task PairedBootstrapComparesEverySystemWithTheBaseline()
    {
        const string System1 = "hyp.opus-2021-02-18.por";
        const string System2 = "hyp.opusTCv20210807-bt-transformer-big-2022-03-13.por";
        var run = await RunAsync("score", "bleu", Flores("por_Latn.devtest"), "-i", Flores(System1), Flores(System2), "--paired-bs", "--paired-bs-n", "100", "-f", "json");
        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.Equal("nrefs:1|bs:100|seed:12345|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0", root.GetProperty("signature").GetString());
        var systems = root.GetProperty("systems").EnumerateArray().ToArray();
        Assert.Equal(2, systems.Length);
        Assert.True(systems[0].GetProperty("baseline").GetBoolean());
        Assert.Equal(46.6, systems[0].GetProperty("score").GetDouble());
        Assert.Equal(50.4, systems[1].GetProperty("score").GetDouble());

        string[] reference = File.ReadAllLines(Flores("por_Latn.devtest"));
        var baseline = BleuScorer.Prepare(File.ReadAllLines(Flores(System1)), [reference]).CreateSampleScorer();
        var system = BleuScorer.Prepare(File.ReadAllLines(Flores(System2)), [reference]).CreateSampleScorer();
        var expected = BootstrapResampling.PairedTest(reference.Length, baseline, system, new BootstrapOptions { Resamples = 100, Seed = 12345 });
        Assert.Equal(expected.PValue, systems[1].GetProperty("p_value").GetDouble());
        Assert.True(systems[1].GetProperty("significant").GetBoolean());

        var text = await RunAsync("score", "ter", Flores("por_Latn.devtest"), "-i", Flores(System1), Flores(System2), "--paired-bs", "--paired-bs-n", "20");
        Assert.Equal(0, text.ExitCode);
        string[] lines = text.Stdout.TrimEnd('\n').Split('\n');
        Assert.StartsWith("TER|nrefs:1|bs:20|seed:12345|", lines[0]);
        Assert.StartsWith("Baseline: ", lines[1]);
        Assert.Contains("(p = ", lines[2]);
    }

    [Theory]
    [InlineData("--sentence-level", "--confidence")]
    [InlineData("--sentence-level", "--paired-bs")]
    [InlineData("--paired-bs")]
    [InlineData("--paired-bs-n", "10")]
    public async Task BadCombinationsAreUsageErrors(params string[] extra)
    {
        using var files = new TempFolder();
        string h = files.Write("h.txt", Hyp);
        string r = files.Write("r.txt", Ref1);
        var run = await RunAsync(["score", "bleu", r, "-i", h, .. extra]);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("llmtrack: error: ", run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task SeveralSystemsNeedPairedBsAndReferencesFirst()
    {
        using var files = new TempFolder();
        string h = files.Write("h.txt", Hyp);
        string h2 = files.Write("h2.txt", Ref2);
        string r = files.Write("r.txt", Ref1);
        var noTest = await RunAsync("score", "chrf", r, "-i", h, h2);
        Assert.Equal(2, noTest.ExitCode);
        Assert.Contains("need --paired-bs", noTest.Stderr);

        var noReference = await RunAsync("score", "chrf", "-i", h, h2, r, "--paired-bs");
        Assert.Equal(2, noReference.ExitCode);
        Assert.Contains("reference files before -i", noReference.Stderr);

        // Without --paired-bs, "-i HYP REF" keeps its meaning.
        var legacy = await RunAsync("score", "chrf", "-i", h, r);
        Assert.Equal(0, legacy.ExitCode);
    }

    private static double Round(double value, int width) =>
        double.Parse(value.ToString("F" + width.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
