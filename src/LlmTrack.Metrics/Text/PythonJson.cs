using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LlmTrack.Metrics.Text;

/// <summary>
/// Writes JSON text exactly as Python's <c>json.dumps</c> does with its defaults
/// (<c>", "</c> and <c>": "</c> separators, <c>ensure_ascii=True</c>, float <c>repr</c>).
/// MLflow stores several run fields (dataset source, schema, profile, the
/// <c>mlflow.loggedArtifacts</c> tag) as text produced this way.
/// </summary>
public static class PythonJson
{
    /// <summary>Appends <paramref name="value"/> as a JSON string literal, escaped as <c>json.dumps</c> does.</summary>
    /// <param name="sb">The builder to append to.</param>
    /// <param name="value">The text.</param>
    /// <param name="ensureAscii">
    /// Python's <c>ensure_ascii</c>: true (its default) escapes everything outside printable ASCII as
    /// <c>\uXXXX</c>; false escapes only quotes, backslashes and control characters below U+0020.
    /// </param>
    public static void WriteString(StringBuilder sb, string value, bool ensureAscii = true)
    {
        sb.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < ' ' || (ensureAscii && c > '~'))
                    {
                        // With ensure_ascii Python escapes everything outside printable ASCII, UTF-16 code
                        // units (surrogate pairs for astral characters), lowercase hex.
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }

    /// <summary>Returns <paramref name="value"/> as a JSON string literal with <c>ensure_ascii</c> escaping.</summary>
    public static string QuoteString(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        WriteString(sb, value);
        return sb.ToString();
    }

    /// <summary>Formats a double like Python's <c>repr(float)</c> (and <c>json.dumps</c>).</summary>
    public static string FormatFloat(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsPositiveInfinity(value))
        {
            return "Infinity";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "-Infinity";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }

        // Shortest round-trip digits and decimal exponent.
        string shortest = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        (string digits, int exponent) = SplitDigits(shortest);
        var sb = new StringBuilder();
        if (value < 0)
        {
            sb.Append('-');
        }

        // repr uses scientific notation when the decimal exponent is < -4 or >= 16.
        if (exponent < -4 || exponent >= 16)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }

            sb.Append('e').Append(exponent < 0 ? '-' : '+')
              .Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (exponent < 0)
        {
            sb.Append("0.").Append('0', -exponent - 1).Append(digits);
        }
        else if (digits.Length > exponent + 1)
        {
            sb.Append(digits, 0, exponent + 1).Append('.').Append(digits, exponent + 1, digits.Length - exponent - 1);
        }
        else
        {
            sb.Append(digits).Append('0', exponent + 1 - digits.Length).Append(".0");
        }

        return sb.ToString();
    }

    /// <summary>
    /// Splits a positive number's invariant "R" text into its significant digits (no leading or
    /// trailing zeros) and the decimal exponent of the first digit.
    /// </summary>
    internal static (string Digits, int Exponent) SplitDigits(string text)
    {
        int exp = 0;
        int e = text.IndexOfAny(['E', 'e']);
        string mantissa = text;
        if (e >= 0)
        {
            exp = int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            mantissa = text[..e];
        }

        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        string intPart = dot < 0 ? mantissa : mantissa[..dot];
        string fracPart = dot < 0 ? "" : mantissa[(dot + 1)..];
        string all = intPart + fracPart;
        int firstNonZero = 0;
        while (firstNonZero < all.Length && all[firstNonZero] == '0')
        {
            firstNonZero++;
        }

        string digits = all[firstNonZero..].TrimEnd('0');
        int exponent = intPart.Length - 1 - firstNonZero + exp;
        return (digits.Length == 0 ? "0" : digits, exponent);
    }

    /// <summary>
    /// Re-serialises a parsed JSON value the way <c>json.dumps(json.loads(text), ensure_ascii=…)</c> would.
    /// Integers keep their digits; numbers with a fraction or exponent become Python floats.
    /// </summary>
    /// <param name="sb">Where the text goes.</param>
    /// <param name="element">The value.</param>
    /// <param name="ensureAscii">Python's <c>ensure_ascii</c> (default <see langword="true"/>): escape non-ASCII characters in strings.</param>
    public static void WriteElement(StringBuilder sb, JsonElement element, bool ensureAscii = true)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                sb.Append('{');
                bool first = true;
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    if (!first)
                    {
                        sb.Append(", ");
                    }

                    first = false;
                    WriteString(sb, property.Name, ensureAscii);
                    sb.Append(": ");
                    WriteElement(sb, property.Value, ensureAscii);
                }

                sb.Append('}');
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                bool firstItem = true;
                foreach (JsonElement item in element.EnumerateArray())
                {
                    if (!firstItem)
                    {
                        sb.Append(", ");
                    }

                    firstItem = false;
                    WriteElement(sb, item, ensureAscii);
                }

                sb.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(sb, element.GetString()!, ensureAscii);
                break;
            case JsonValueKind.Number:
                string raw = element.GetRawText();
                if (raw.AsSpan().IndexOfAny(".eE") >= 0)
                {
                    sb.Append(FormatFloat(double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture)));
                }
                else
                {
                    sb.Append(System.Numerics.BigInteger.Parse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
                        .ToString(CultureInfo.InvariantCulture));
                }

                break;
            case JsonValueKind.True:
                sb.Append("true");
                break;
            case JsonValueKind.False:
                sb.Append("false");
                break;
            default:
                sb.Append("null");
                break;
        }
    }
}
