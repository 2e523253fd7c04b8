using System.Globalization;
using LlmTrack.Metrics.Text;
using LlmTrack.Metrics.Tokenization;

namespace LlmTrack.Metrics.Chrf;

/// <summary>A chrF or chrF++ score as sacreBLEU reports it.</summary>
public sealed class ChrfResult
{
    internal ChrfResult(double score, ChrfOptions options, string signature)
    {
        Score = score;
        CharOrder = options.CharOrder;
        WordOrder = options.WordOrder;
        Beta = options.Beta;
        Name = "chrF" + options.Beta.ToString(CultureInfo.InvariantCulture) + new string('+', options.WordOrder);
        Signature = signature;
    }

    /// <summary>The score, 0–100.</summary>
    public double Score { get; }

    /// <summary>The metric name: <c>chrF{β}</c> followed by one <c>+</c> per word order (chrF2, chrF2++).</summary>
    public string Name { get; }

    /// <summary>The character n-gram order.</summary>
    public int CharOrder { get; }

    /// <summary>The word n-gram order.</summary>
    public int WordOrder { get; }

    /// <summary>β.</summary>
    public int Beta { get; }

    /// <summary>sacreBLEU's signature, e.g. <c>nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0</c>.</summary>
    public string Signature { get; }

    /// <summary>The score line as sacreBLEU prints it, e.g. <c>chrF2 = 77.49</c>.</summary>
    /// <param name="width">Decimals (default 2).</param>
    /// <param name="includeSignature">Prefix the signature (<c>chrF2|nrefs:…|version:2.6.0 = 77.49</c>).</param>
    /// <returns>The formatted line.</returns>
    public string Format(int width = 2, bool includeSignature = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        string name = includeSignature ? Name + "|" + Signature : Name;
        return name + " = " + PythonFormatting.FormatFixed(Score, width);
    }

    /// <summary>The score line with two decimals.</summary>
    /// <returns>The formatted line.</returns>
    public override string ToString() => Format();
}
