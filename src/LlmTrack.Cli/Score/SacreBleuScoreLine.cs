using System.Globalization;
using LlmTrack.Cli.Common;
using LlmTrack.Metrics.Bootstrap;
using LlmTrack.Metrics.Text;
using PythonJson = LlmTrack.Cli.Common.PythonJson;

namespace LlmTrack.Cli.Score;

/// <summary>A corpus score printed as sacreBLEU's command line prints it (<c>Score.format</c> in its metrics/base.py).</summary>
/// <param name="Name">The metric name: BLEU, chrF2, chrF2++, TER.</param>
/// <param name="Score">The score.</param>
/// <param name="Signature">The signature without the metric name.</param>
/// <param name="Verbose">BLEU's detail string (precisions, BP, ratio, lengths), or null.</param>
internal sealed record SacreBleuScoreLine(string Name, double Score, string Signature, string? Verbose)
{
    /// <summary>The bootstrap interval when <c>--confidence</c> is on.</summary>
    public BootstrapConfidenceInterval? Confidence { get; init; }

    /// <summary>
    /// The score's statistics, appended to the JSON after sacreBLEU's own members, under the attribute
    /// names of sacreBLEU's score objects (<c>counts</c>, <c>bp</c>, <c>num_edits</c>, …), at full precision.
    /// </summary>
    public PythonJsonObject? Details { get; init; }

    /// <summary>
    /// The signature with sacreBLEU's bootstrap fields after <c>nrefs</c>: <c>nrefs:1|bs:2000|seed:12345|case:…</c>.
    /// </summary>
    /// <param name="signature">The plain signature.</param>
    /// <param name="resamples">Bootstrap resamples.</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The signature.</returns>
    public static string WithBootstrap(string signature, int resamples, long seed)
    {
        int bar = signature.IndexOf('|', StringComparison.Ordinal);
        string fields = string.Create(CultureInfo.InvariantCulture, $"bs:{resamples}|seed:{seed}");
        return bar < 0 ? signature + "|" + fields : signature[..bar] + "|" + fields + signature[bar..];
    }

    /// <summary>The score with its confidence, as <c>--score-only</c> prints it: <c>46.6</c> or <c>46.6 (μ = 46.6 ± 0.9)</c>.</summary>
    /// <param name="width">Decimals.</param>
    /// <returns>The text.</returns>
    public string FormatScore(int width)
    {
        string score = PythonFormatting.FormatFixed(Score, width);
        return ConfidenceText(width) is string confidence ? $"{score} ({confidence})" : score;
    }

    /// <summary>The text line: <c>BLEU|nrefs:1|…|version:2.6.0 = 46.6 74.1/53.7/40.9/31.8 (BP = …)</c>.</summary>
    /// <param name="width">Decimals of the score.</param>
    /// <returns>The line.</returns>
    public string FormatText(int width)
    {
        string line = $"{Name}|{Signature} = {FormatScore(width)}";
        return Verbose is null ? line : line + " " + Verbose;
    }

    /// <summary>
    /// The JSON object sacreBLEU prints (<c>json.dumps(d, indent=1, ensure_ascii=False)</c>), followed by
    /// <see cref="Details"/>; on one line when <paramref name="indent"/> is null (JSON Lines).
    /// </summary>
    /// <param name="width">Decimals of the score.</param>
    /// <param name="indent">Python's <c>indent</c>; null for one line.</param>
    /// <returns>The JSON text.</returns>
    public string FormatJson(int width, int? indent = 1)
    {
        var json = new PythonJsonObject
        {
            { "name", Name },
            { "score", ParseFixed(PythonFormatting.FormatFixed(Score, width)) },
            { "signature", Signature },
        };
        if (ConfidenceText(width) is string confidence)
        {
            json.Add("confidence_mean", ParseFixed(PythonFormatting.FormatFixed(Confidence!.Mean, width)));
            json.Add("confidence_var", ParseFixed(PythonFormatting.FormatFixed(Confidence.HalfWidth, width)));
            json.Add("confidence", confidence);
        }

        if (Verbose is not null)
        {
            json.Add("verbose_score", Verbose);
        }

        foreach (string field in Signature.Split('|'))
        {
            int colon = field.IndexOf(':', StringComparison.Ordinal);
            json.Add(field[..colon], field[(colon + 1)..]);
        }

        if (Details is not null)
        {
            json.AddRange(Details);
        }

        return PythonJson.Dumps(json, indent);
    }

    private string? ConfidenceText(int width) =>
        Confidence is { Mean: > 0 } ci
            ? $"μ = {PythonFormatting.FormatFixed(ci.Mean, width)} ± {PythonFormatting.FormatFixed(ci.HalfWidth, width)}"
            : null;

    /// <summary>A number printed with fixed decimals, read back as the float Python's json would print.</summary>
    /// <param name="text">The fixed-point text.</param>
    /// <returns>The value.</returns>
    public static double ParseFixed(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
