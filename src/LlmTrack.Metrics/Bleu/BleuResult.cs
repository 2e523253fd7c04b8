using System.Globalization;
using System.Text;
using LlmTrack.Metrics.Text;
using LlmTrack.Metrics.Tokenization;

namespace LlmTrack.Metrics.Bleu;

/// <summary>A BLEU score with the details sacreBLEU reports.</summary>
public sealed class BleuResult
{
    internal BleuResult(double score, double[] counts, double[] totals, double[] precisions, double brevityPenalty, long sysLen, long refLen, string signature)
    {
        Score = score;
        Counts = counts;
        Totals = totals;
        Precisions = precisions;
        BrevityPenalty = brevityPenalty;
        SysLen = sysLen;
        RefLen = refLen;
        Ratio = refLen != 0 ? (double)sysLen / refLen : 0.0;
        Signature = signature;
    }

    /// <summary>The BLEU score, 0–100.</summary>
    public double Score { get; }

    /// <summary>
    /// Matched n-grams per order (1–4). As in sacreBLEU, <see cref="BleuSmoothing.AddK"/> reports
    /// them with k added for orders 2 and up.
    /// </summary>
    public IReadOnlyList<double> Counts { get; }

    /// <summary>Hypothesis n-grams per order (1–4); with <see cref="BleuSmoothing.AddK"/>, k added for orders 2 and up.</summary>
    public IReadOnlyList<double> Totals { get; }

    /// <summary>The (smoothed) n-gram precisions in percent, orders 1–4.</summary>
    public IReadOnlyList<double> Precisions { get; }

    /// <summary>The brevity penalty.</summary>
    public double BrevityPenalty { get; }

    /// <summary>Hypothesis length over reference length (0 when the reference length is 0).</summary>
    public double Ratio { get; }

    /// <summary>The total hypothesis length in tokens (sacreBLEU's <c>sys_len</c>, printed as hyp_len).</summary>
    public long SysLen { get; }

    /// <summary>The total effective reference length in tokens (closest reference length per segment).</summary>
    public long RefLen { get; }

    /// <summary>sacreBLEU's signature, e.g. <c>nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0</c>.</summary>
    public string Signature { get; }

    /// <summary>
    /// The score line as sacreBLEU prints it, e.g.
    /// <c>BLEU = 46.60 74.1/53.7/40.9/31.8 (BP = 0.977 ratio = 0.977 hyp_len = 25921 ref_len = 26519)</c>.
    /// </summary>
    /// <param name="width">Decimals of the score (sacreBLEU's API default is 2, its command line's 1).</param>
    /// <param name="includeSignature">Prefix the signature (<c>BLEU|nrefs:…|version:2.6.0 = …</c>).</param>
    /// <returns>The formatted line.</returns>
    public string Format(int width = 2, bool includeSignature = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        var builder = new StringBuilder(128);
        builder.Append("BLEU");
        if (includeSignature)
        {
            builder.Append('|').Append(Signature);
        }

        builder.Append(" = ").Append(PythonFormatting.FormatFixed(Score, width)).Append(' ');
        for (int i = 0; i < Precisions.Count; i++)
        {
            if (i > 0)
            {
                builder.Append('/');
            }

            builder.Append(PythonFormatting.FormatFixed(Precisions[i], 1));
        }

        builder.Append(" (BP = ").Append(PythonFormatting.FormatFixed(BrevityPenalty, 3))
            .Append(" ratio = ").Append(PythonFormatting.FormatFixed(Ratio, 3))
            .Append(" hyp_len = ").Append(SysLen.ToString(CultureInfo.InvariantCulture))
            .Append(" ref_len = ").Append(RefLen.ToString(CultureInfo.InvariantCulture))
            .Append(')');
        return builder.ToString();
    }

    /// <summary>The score line with two decimals, as sacreBLEU's <c>str(score)</c>.</summary>
    /// <returns>The formatted line.</returns>
    public override string ToString() => Format();
}

/// <summary>sacreBLEU's sufficient statistics of one segment.</summary>
/// <param name="SysLen">Hypothesis length in tokens.</param>
/// <param name="RefLen">Length of the reference closest in length (the shorter one on ties).</param>
/// <param name="Correct">Matched (clipped) n-grams per order 1–4.</param>
/// <param name="Total">Hypothesis n-grams per order 1–4.</param>
public sealed record BleuSegmentStatistics(int SysLen, int RefLen, IReadOnlyList<int> Correct, IReadOnlyList<int> Total);
