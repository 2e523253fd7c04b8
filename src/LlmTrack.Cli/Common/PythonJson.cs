using System.Globalization;
using System.Text;

namespace LlmTrack.Cli.Common;

/// <summary>An ordered JSON object for <see cref="PythonJson"/>: keys keep their insertion order, like a Python dict.</summary>
internal sealed class PythonJsonObject : List<KeyValuePair<string, object?>>
{
    /// <summary>Appends a member.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">A string, double, int, long, bool, null, <see cref="PythonJsonObject"/> or <see cref="IEnumerable{T}"/> of these.</param>
    public void Add(string key, object? value) => Add(new KeyValuePair<string, object?>(key, value));
}

/// <summary>
/// Writes JSON byte for byte as Python's <c>json.dumps(value, indent=…, ensure_ascii=False)</c> does, so the
/// output of sacreBLEU and of the official SQuAD scripts can be reproduced exactly: floats as Python's
/// <c>repr</c> (<c>46.6</c>, <c>50.0</c>, <c>1e-05</c>), <c>", "</c>/<c>": "</c> separators without indent,
/// one member per line with indent.
/// </summary>
internal static class PythonJson
{
    /// <summary>Serializes <paramref name="value"/>.</summary>
    /// <param name="value">A string, double, int, long, bool, null, <see cref="PythonJsonObject"/> or sequence.</param>
    /// <param name="indent">Python's <c>indent</c>; null for a single line.</param>
    /// <returns>The JSON text.</returns>
    public static string Dumps(object? value, int? indent = null)
    {
        var builder = new StringBuilder();
        Write(builder, value, indent, 0);
        return builder.ToString();
    }

    /// <summary>Python's <c>repr(float)</c> as <c>json</c> writes it (<c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c> for non-finite values).</summary>
    /// <param name="value">The value.</param>
    /// <returns>The shortest round-trip representation in Python's notation.</returns>
    public static string FormatFloat(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }

        // Shortest round-trip digits and decimal exponent from .NET's "R" ("1.2345E-05" or "123.45").
        string shortest = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        string digits;
        int exponent;
        int e = shortest.IndexOfAny(['E', 'e']);
        string mantissa = e >= 0 ? shortest[..e] : shortest;
        int exponentPart = e >= 0 ? int.Parse(shortest[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : 0;
        int point = mantissa.IndexOf('.', StringComparison.Ordinal);
        string integerDigits = point >= 0 ? mantissa[..point] : mantissa;
        string fractionDigits = point >= 0 ? mantissa[(point + 1)..] : string.Empty;
        string all = (integerDigits + fractionDigits).TrimStart('0');
        int leadingZeros = (integerDigits + fractionDigits).Length - all.Length;
        digits = all.TrimEnd('0');
        exponent = exponentPart + integerDigits.Length - 1 - leadingZeros;

        var builder = new StringBuilder(24);
        if (value < 0)
        {
            builder.Append('-');
        }

        if (exponent is >= -4 and < 16)
        {
            if (exponent < 0)
            {
                builder.Append("0.").Append('0', -exponent - 1).Append(digits);
            }
            else if (digits.Length <= exponent + 1)
            {
                builder.Append(digits).Append('0', exponent + 1 - digits.Length).Append(".0");
            }
            else
            {
                builder.Append(digits, 0, exponent + 1).Append('.').Append(digits, exponent + 1, digits.Length - exponent - 1);
            }
        }
        else
        {
            builder.Append(digits[0]);
            if (digits.Length > 1)
            {
                builder.Append('.').Append(digits, 1, digits.Length - 1);
            }

            builder.Append('e').Append(exponent < 0 ? '-' : '+').Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    private static void Write(StringBuilder builder, object? value, int? indent, int level)
    {
        switch (value)
        {
            case null:
                builder.Append("null");
                break;
            case string s:
                WriteString(builder, s);
                break;
            case bool b:
                builder.Append(b ? "true" : "false");
                break;
            case double d:
                builder.Append(FormatFloat(d));
                break;
            case int i:
                builder.Append(i.ToString(CultureInfo.InvariantCulture));
                break;
            case long l:
                builder.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case PythonJsonObject obj:
                WriteContainer(builder, obj, '{', '}', indent, level, (b, member, lvl) =>
                {
                    WriteString(b, member.Key);
                    b.Append(": ");
                    Write(b, member.Value, indent, lvl);
                });
                break;
            case System.Collections.IEnumerable sequence:
                WriteContainer(builder, sequence.Cast<object?>().ToList(), '[', ']', indent, level, (b, item, lvl) => Write(b, item, indent, lvl));
                break;
            default:
                throw new ArgumentException($"Unsupported JSON value type {value.GetType().Name}.", nameof(value));
        }
    }

    private static void WriteContainer<T>(StringBuilder builder, IReadOnlyList<T> items, char open, char close, int? indent, int level, Action<StringBuilder, T, int> writeItem)
    {
        builder.Append(open);
        if (items.Count == 0)
        {
            builder.Append(close);
            return;
        }

        for (int i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(indent is null ? ", " : ",");
            }

            if (indent is int width)
            {
                builder.Append('\n').Append(' ', width * (level + 1));
            }

            writeItem(builder, items[i], level + 1);
        }

        if (indent is int closingWidth)
        {
            builder.Append('\n').Append(' ', closingWidth * level);
        }

        builder.Append(close);
    }

    private static void WriteString(StringBuilder builder, string text)
    {
        builder.Append('"');
        foreach (char c in text)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '\b':
                    builder.Append("\\b");
                    break;
                case '\f':
                    builder.Append("\\f");
                    break;
                default:
                    if (c < ' ')
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }
}
