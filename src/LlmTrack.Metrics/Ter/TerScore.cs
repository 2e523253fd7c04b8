using LlmTrack.Metrics.Text;

namespace LlmTrack.Metrics.Ter;

/// <summary>
/// A TER result, as sacreBLEU's <c>TERScore</c>: <see cref="Score"/> = 100 ×
/// <see cref="NumEdits"/> / <see cref="RefLength"/> (lower is better).
/// </summary>
/// <param name="Score">
/// TER in percent. When the reference length is 0 it is 100 if there are edits and 0 otherwise.
/// </param>
/// <param name="NumEdits">Total edits (shifts, insertions, deletions, substitutions), best reference per segment.</param>
/// <param name="RefLength">Sum over segments of the average reference length in words.</param>
/// <param name="Signature">
/// sacreBLEU's reproducibility signature, e.g.
/// <c>nrefs:1|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:2.6.0</c>.
/// </param>
public sealed record TerScore(double Score, long NumEdits, double RefLength, string Signature)
{
    /// <summary>The score with <paramref name="width"/> decimals, as sacreBLEU's <c>format(score_only=True)</c>.</summary>
    /// <param name="width">Number of decimals.</param>
    public string FormatScore(int width = 2) => PythonFormatting.FormatFixed(Score, width);

    /// <summary>sacreBLEU's <c>format()</c>, e.g. <c>TER = 28.31</c>.</summary>
    /// <param name="width">Number of decimals.</param>
    public string Format(int width = 2) => $"TER = {FormatScore(width)}";

    /// <summary>sacreBLEU's <c>format(signature=...)</c>, e.g. <c>TER|nrefs:1|…|version:2.6.0 = 28.31</c>.</summary>
    /// <param name="width">Number of decimals.</param>
    public string FormatWithSignature(int width = 2) => $"TER|{Signature} = {FormatScore(width)}";

    /// <inheritdoc/>
    public override string ToString() => Format();
}
