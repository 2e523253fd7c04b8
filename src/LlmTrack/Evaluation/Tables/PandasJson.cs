using System.Globalization;
using System.Text;

namespace LlmTrack.Evaluation.Tables;

/// <summary>
/// Value formatting of pandas' <c>DataFrame.to_json</c> with its defaults (the encoder MLflow's
/// <c>log_table</c> uses): strings escaped with <c>force_ascii=True</c> (non-ASCII as lowercase
/// <c>\uXXXX</c>, <c>/</c> as <c>\/</c>), floats with <c>double_precision=10</c> decimal places
/// (trailing zeros removed, at least one decimal: <c>1.0</c>), NaN and ±∞ as <c>null</c>.
/// </summary>
internal static class PandasJson
{
    private const double ThresholdMax = 1e16 - 1;
    private const double ThresholdMin = 1e-15;
    private const int DoublePrecision = 10;
    private const double Pow10 = 10000000000.0;

    /// <summary>Appends a string literal escaped as pandas' vendored ujson does (ASCII output).</summary>
    public static void WriteString(TextWriter writer, string value)
    {
        writer.Write('"');
        int runStart = 0;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            string? escape = c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '/' => "\\/",
                '\b' => "\\b",
                '\f' => "\\f",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ => null,
            };
            if (escape is null && c >= ' ' && c < 0x80)
            {
                continue;
            }

            if (i > runStart)
            {
                writer.Write(value.AsSpan(runStart, i - runStart));
            }

            runStart = i + 1;
            if (escape is not null)
            {
                writer.Write(escape);
            }
            else
            {
                // Control characters and every non-ASCII UTF-16 code unit (an astral character is
                // written as its surrogate pair, as ujson does), lowercase hex.
                writer.Write("\\u");
                writer.Write(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
        }

        if (runStart < value.Length)
        {
            writer.Write(value.AsSpan(runStart));
        }

        writer.Write('"');
    }

    /// <summary>Returns the string literal pandas writes for <paramref name="value"/>.</summary>
    public static string QuoteString(string value)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        WriteString(writer, value);
        return writer.ToString();
    }

    /// <summary>
    /// Formats a finite double as ujson's <c>Buffer_AppendDoubleUnchecked</c> does with 10 decimal
    /// places: fixed notation rounded to 10 decimals (halfway rounds up when the last digit is odd
    /// or zero), trailing zeros dropped; <c>%.10g</c> beyond 1e16−1 or below 1e-15. Returns
    /// <c>null</c> for NaN and ±∞ (pandas writes those as JSON <c>null</c>).
    /// </summary>
    public static string? FormatDouble(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            return null;
        }

        bool negative = false;
        if (value < 0)
        {
            negative = true;
            value = -value;
        }

        if (value > ThresholdMax || (value != 0.0 && value < ThresholdMin))
        {
            return (negative ? "-" : "") + FormatG10(value);
        }

        ulong whole = (ulong)value;
        double tmp = (value - whole) * Pow10;
        ulong frac = (ulong)tmp;
        double diff = tmp - frac;
        if (diff > 0.5)
        {
            ++frac;
        }
        else if (diff == 0.5 && (frac == 0 || (frac & 1) != 0))
        {
            ++frac;
        }

        if (frac >= (ulong)Pow10)
        {
            frac = 0;
            ++whole;
        }

        var sb = new StringBuilder(24);
        if (negative)
        {
            sb.Append('-');
        }

        sb.Append(whole.ToString(CultureInfo.InvariantCulture)).Append('.');
        if (frac == 0)
        {
            sb.Append('0');
        }
        else
        {
            string digits = frac.ToString(CultureInfo.InvariantCulture).PadLeft(DoublePrecision, '0').TrimEnd('0');
            sb.Append(digits);
        }

        return sb.ToString();
    }

    /// <summary>C's <c>%.10g</c> for the values that reach it (always exponent form there).</summary>
    private static string FormatG10(double value)
    {
        // E9 = 10 significant digits, correctly rounded like glibc's printf.
        string e = value.ToString("E9", CultureInfo.InvariantCulture); // d.dddddddddE+ddd
        int ePos = e.IndexOf('E', StringComparison.Ordinal);
        string mantissa = e[..ePos];
        int exponent = int.Parse(e.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        if (exponent >= -4 && exponent < DoublePrecision)
        {
            // Not reachable for values beyond the thresholds; kept for completeness of %g.
            return value.ToString("G10", CultureInfo.InvariantCulture);
        }

        if (mantissa.Contains('.', StringComparison.Ordinal))
        {
            mantissa = mantissa.TrimEnd('0').TrimEnd('.');
        }

        return mantissa + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
    }
}
