using System.Globalization;
using System.Text;

namespace LlmTrack.Evaluation.Figures;

/// <summary>Small helpers for writing SVG text.</summary>
internal static class SvgText
{
    /// <summary>Formats a coordinate with at most two decimals, invariant culture.</summary>
    public static string N(double value) => Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>
    /// Escapes text for XML content and attribute values; characters XML 1.0 does not allow
    /// (control characters, lone surrogates) become U+FFFD.
    /// </summary>
    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&apos;"); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        sb.Append(c).Append(text[i + 1]);
                        i++;
                    }
                    else if ((c < ' ' && c != '\t' && c != '\n' && c != '\r') || char.IsSurrogate(c) || c == '\uFFFE' || c == '\uFFFF')
                    {
                        sb.Append('\uFFFD');
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.ToString();
    }

    /// <summary>Cuts <paramref name="text"/> to <paramref name="max"/> characters, ending in "…" when cut.</summary>
    public static string Truncate(string text, int max)
    {
        string oneLine = text.Replace('\n', ' ').Replace('\r', ' ');
        var info = new StringInfo(oneLine);
        if (max < 2 || info.LengthInTextElements <= max)
        {
            return oneLine;
        }

        return info.SubstringByTextElements(0, max - 1) + "…";
    }

    /// <summary>A rough width of a text in a sans-serif font.</summary>
    public static double EstimateWidth(string text, double fontSize) => new StringInfo(text).LengthInTextElements * fontSize * 0.6;

    /// <summary>Starts an SVG document with a white background.</summary>
    public static StringBuilder Begin(int width, int height, string title)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\">\n");
        sb.Append("<title>").Append(Escape(title)).Append("</title>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\n");
        return sb;
    }

    /// <summary>Appends a text element.</summary>
    public static void Text(StringBuilder sb, double x, double y, string text, double fontSize, string anchor = "middle",
        string fill = "#222222", string? extra = null, string? tooltip = null)
    {
        sb.Append("<text x=\"").Append(N(x)).Append("\" y=\"").Append(N(y))
          .Append("\" font-size=\"").Append(N(fontSize)).Append("\" text-anchor=\"").Append(anchor)
          .Append("\" fill=\"").Append(fill).Append('"');
        if (extra is not null)
        {
            sb.Append(' ').Append(extra);
        }

        sb.Append('>');
        if (tooltip is not null)
        {
            sb.Append("<title>").Append(Escape(tooltip)).Append("</title>");
        }

        sb.Append(Escape(text)).Append("</text>\n");
    }
}

/// <summary>"Nice" axis ticks (1, 2, 5 × 10^k spacing), after Heckbert's Graphics Gems algorithm.</summary>
internal static class NiceScale
{
    /// <summary>Computes an axis range and ticks covering [min, max] with about <paramref name="maxTicks"/> ticks.</summary>
    public static (double Min, double Max, double Step, List<double> Ticks) Compute(double min, double max, int maxTicks, bool integers = false)
    {
        if (!(max > min))
        {
            double pad = min == 0 ? 1 : Math.Abs(min) * 0.1;
            min -= pad;
            max += pad;
        }

        double step = NiceNumber((max - min) / Math.Max(1, maxTicks - 1));
        if (integers && step < 1)
        {
            step = 1;
        }

        double niceMin = Math.Floor(min / step) * step;
        double niceMax = Math.Ceiling(max / step) * step;
        var ticks = new List<double>();
        for (double t = niceMin; t <= niceMax + (step * 0.5); t += step)
        {
            ticks.Add(Math.Abs(t) < step * 1e-9 ? 0 : t);
        }

        return (niceMin, niceMax, step, ticks);
    }

    /// <summary>Formats a tick with as many decimals as the spacing needs.</summary>
    public static string Format(double value, double step)
    {
        double magnitude = Math.Max(Math.Abs(value), Math.Abs(step));
        if (magnitude >= 1e7 || (step < 1e-5 && step > 0))
        {
            return value.ToString("0.###E+0", CultureInfo.InvariantCulture);
        }

        int decimals = step >= 1 ? 0 : (int)Math.Ceiling(-Math.Log10(step) - 1e-9);
        return value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    private static double NiceNumber(double x)
    {
        double exponent = Math.Floor(Math.Log10(x));
        double fraction = x / Math.Pow(10, exponent);
        double nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
        return nice * Math.Pow(10, exponent);
    }
}

/// <summary>The viridis colour map (matplotlib's default, scikit-learn's confusion matrix colours), interpolated between anchors.</summary>
internal static class Viridis
{
    private static readonly (double R, double G, double B)[] s_anchors =
    [
        (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
        (31, 158, 137), (53, 183, 121), (109, 205, 89), (180, 222, 44), (253, 231, 37),
    ];

    /// <summary>The colour for <paramref name="t"/> in [0, 1].</summary>
    public static (int R, int G, int B) At(double t)
    {
        if (double.IsNaN(t))
        {
            t = 0;
        }

        t = Math.Clamp(t, 0, 1) * (s_anchors.Length - 1);
        int i = Math.Min((int)Math.Floor(t), s_anchors.Length - 2);
        double f = t - i;
        (double r0, double g0, double b0) = s_anchors[i];
        (double r1, double g1, double b1) = s_anchors[i + 1];
        return ((int)Math.Round(r0 + ((r1 - r0) * f)), (int)Math.Round(g0 + ((g1 - g0) * f)), (int)Math.Round(b0 + ((b1 - b0) * f)));
    }

    /// <summary>The colour as <c>#rrggbb</c>.</summary>
    public static string Hex((int R, int G, int B) c) => string.Create(CultureInfo.InvariantCulture, $"#{c.R:x2}{c.G:x2}{c.B:x2}");

    /// <summary>Black or white, whichever reads better on <paramref name="background"/> (WCAG relative luminance).</summary>
    public static string TextColourOn((int R, int G, int B) background)
    {
        static double Linear(int c)
        {
            double s = c / 255.0;
            return s <= 0.03928 ? s / 12.92 : Math.Pow((s + 0.055) / 1.055, 2.4);
        }

        double luminance = (0.2126 * Linear(background.R)) + (0.7152 * Linear(background.G)) + (0.0722 * Linear(background.B));
        double contrastWhite = 1.05 / (luminance + 0.05);
        double contrastBlack = (luminance + 0.05) / 0.05;
        return contrastBlack >= contrastWhite ? "#000000" : "#ffffff";
    }
}
