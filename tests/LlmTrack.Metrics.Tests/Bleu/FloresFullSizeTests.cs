using LlmTrack.Metrics.Bleu;
using LlmTrack.Metrics.Chrf;
using static LlmTrack.Metrics.Tests.Bleu.SacreBleuTestData;

namespace LlmTrack.Metrics.Tests.Bleu;

/// <summary>
/// FLORES-200 devtest eng→por, two OPUS-MT systems, against the official sacreBLEU scores in the
/// OPUS-MT leaderboard's .eval files (and the exact values listed in the data README).
/// </summary>
[Trait("Category", "Slow")]
public class FloresFullSizeTests
{
    private static readonly Lazy<string[]> Reference = new(() => Lines("por_Latn.devtest"));

    public static TheoryData<string, string, double, string, string, string> Systems() => new()
    {
        {
            "hyp.opus-2021-02-18.por", "opus-2021-02-18.flores200-devtest.eng-por.eval", 46.5969,
            "BLEU = 46.60 74.1/53.7/40.9/31.8 (BP = 0.977 ratio = 0.977 hyp_len = 25921 ref_len = 26519)", "0.69628", "0.6779"
        },
        {
            "hyp.opusTCv20210807-bt-transformer-big-2022-03-13.por", "opusTCv20210807-bt-transformer-big-2022-03-13.flores200-devtest.eng-por.eval", 50.4032,
            "BLEU = 50.40 75.9/57.0/44.8/36.0 (BP = 0.981 ratio = 0.981 hyp_len = 26018 ref_len = 26519)", "0.71673", "0.70028"
        },
    };

    [Theory]
    [MemberData(nameof(Systems))]
    public void BleuAndChrfEqualOfficialScores(string hypothesisFile, string evalFile, double bleuRounded, string formatted, string chrf, string chrfPlusPlus)
    {
        string[] hypotheses = Lines(hypothesisFile);
        string[] reference = Reference.Value;
        Assert.Equal(1012, hypotheses.Length);
        Assert.Equal(1012, reference.Length);
        string[] evalLines = File.ReadAllLines(PathOf(evalFile));

        BleuResult bleu = BleuScorer.CorpusScore(hypotheses, [reference]);
        Assert.Equal(formatted, bleu.Format());
        Assert.Equal(bleuRounded, Math.Round(bleu.Score, 4));
        Assert.Equal(26519, bleu.RefLen);
        Assert.Equal("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0", bleu.Signature);

        // The official line (sacreBLEU 2.3.1, command-line width 1) with our version swapped in.
        string official = evalLines.Single(l => l.StartsWith("BLEU|", StringComparison.Ordinal) && l.Contains("tok:13a", StringComparison.Ordinal) && l.Contains("2.3.1", StringComparison.Ordinal));
        Assert.Equal(official.Replace("version:2.3.1", "version:2.6.0", StringComparison.Ordinal), bleu.Format(width: 1, includeSignature: true));

        ChrfResult chrf2 = ChrfScorer.CorpusScore(hypotheses, [reference]);
        Assert.Equal(chrf, (chrf2.Score / 100).ToString("0.#####", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(evalLines, l => l == $"chrF2|{chrf2.Signature.Replace("2.6.0", "2.3.1", StringComparison.Ordinal)} = {chrf}");

        ChrfResult chrf2PlusPlus = ChrfScorer.CorpusScore(hypotheses, [reference], ChrfOptions.ChrfPlusPlus);
        Assert.Equal(chrfPlusPlus, (chrf2PlusPlus.Score / 100).ToString("0.#####", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(evalLines, l => l == $"chrF2++|{chrf2PlusPlus.Signature.Replace("2.6.0", "2.3.1", StringComparison.Ordinal)} = {chrfPlusPlus}");
    }
}
