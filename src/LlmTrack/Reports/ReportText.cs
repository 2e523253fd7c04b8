using System.Globalization;
using LlmTrack.Evaluation.Figures;

namespace LlmTrack.Reports;

/// <summary>Text of a report: cell values, numbers and HTML escaping.</summary>
internal static class ReportText
{
    /// <summary>Escapes text for HTML content and attribute values.</summary>
    public static string Html(string text) => SvgText.Escape(text);

    /// <summary>A table cell's value as text (numbers invariant, booleans as <c>true</c>/<c>false</c>, null empty).</summary>
    public static string Cell(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        double d => Number(d),
        long l => l.ToString(CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>A metric value with up to four significant decimals.</summary>
    public static string Number(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "∞" : "−∞";
        }

        double magnitude = Math.Abs(value);
        string format = magnitude >= 1e6 || (magnitude > 0 && magnitude < 1e-3) ? "0.###E+0" : magnitude >= 100 ? "0.##" : "0.####";
        return value.ToString(format, CultureInfo.InvariantCulture);
    }

    /// <summary>A score for a per-example comparison: booleans as 1/0, numbers as they are, anything else NaN.</summary>
    public static double Score(object? value) => value switch
    {
        bool b => b ? 1 : 0,
        double d => d,
        long l => l,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) => parsed,
        _ => double.NaN,
    };
}
