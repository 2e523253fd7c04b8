using System.Globalization;

namespace LlmTrack.Evaluation.Tables;

/// <summary>The pandas column dtypes that matter for how a table is written.</summary>
internal enum PandasDtype
{
    /// <summary><c>object</c>: each value written by its own type.</summary>
    Object,

    /// <summary><c>int64</c>.</summary>
    Int64,

    /// <summary><c>float64</c>: integers written as floats (<c>1.0</c>), missing as <c>null</c>.</summary>
    Float64,

    /// <summary><c>bool</c>.</summary>
    Bool,

    /// <summary><c>datetime64[ns]</c>: written as epoch milliseconds.</summary>
    Datetime,
}

/// <summary>A pandas timestamp (nanoseconds since the epoch); written as epoch milliseconds.</summary>
/// <param name="Nanoseconds">Nanoseconds since 1970-01-01.</param>
internal readonly record struct PandasTimestamp(long Nanoseconds);

/// <summary>A nested JSON value (list or dict in pandas) kept as its JSON text.</summary>
/// <param name="Json">The JSON text.</param>
internal sealed record RawJsonValue(string Json);

/// <summary>A column of a pandas-like frame: its name, dtype and values.</summary>
/// <param name="Name">Column name.</param>
/// <param name="Dtype">The dtype.</param>
/// <param name="Values">Values: <see langword="null"/>, string, long, double, bool, <see cref="PandasTimestamp"/> or <see cref="RawJsonValue"/>.</param>
internal sealed record PandasColumn(string Name, PandasDtype Dtype, List<object?> Values);

/// <summary>Which value kinds a column holds; decides the dtype pandas infers for a list of Python values.</summary>
[Flags]
internal enum ValueKinds
{
    None = 0,
    Null = 1,
    Long = 2,
    Double = 4,
    Bool = 8,
    String = 16,
    Other = 32,
}

/// <summary>Pandas' value and dtype rules needed to reproduce <c>log_table</c> output.</summary>
internal static class PandasRules
{
    /// <summary>
    /// The dtype pandas infers for a column built from Python values (<c>pd.Series(list)</c>,
    /// <c>lib.maybe_convert_objects</c>): ints → int64; ints/floats with floats or None → float64;
    /// only bools → bool; anything else (strings, bools with None, all None, empty) → object.
    /// </summary>
    public static PandasDtype InferDtype(ValueKinds kinds)
    {
        if ((kinds & (ValueKinds.String | ValueKinds.Other)) != 0)
        {
            return PandasDtype.Object;
        }

        bool numeric = (kinds & (ValueKinds.Long | ValueKinds.Double)) != 0;
        if (numeric && (kinds & ValueKinds.Bool) == 0)
        {
            return (kinds & (ValueKinds.Double | ValueKinds.Null)) != 0 ? PandasDtype.Float64 : PandasDtype.Int64;
        }

        return kinds == ValueKinds.Bool ? PandasDtype.Bool : PandasDtype.Object;
    }

    /// <summary>The kind of one value.</summary>
    public static ValueKinds KindOf(object? value) => value switch
    {
        null => ValueKinds.Null,
        long => ValueKinds.Long,
        double => ValueKinds.Double,
        bool => ValueKinds.Bool,
        string => ValueKinds.String,
        _ => ValueKinds.Other,
    };

    /// <summary>Builds a column from values with the dtype pandas would infer.</summary>
    public static PandasColumn FromValues(string name, List<object?> values)
    {
        ValueKinds kinds = ValueKinds.None;
        foreach (object? v in values)
        {
            kinds |= KindOf(v);
        }

        PandasDtype dtype = InferDtype(kinds);
        if (dtype == PandasDtype.Float64)
        {
            for (int i = 0; i < values.Count; i++)
            {
                values[i] = ToFloat(values[i]);
            }
        }

        return new PandasColumn(name, dtype, values);
    }

    /// <summary>A numeric value (or null) as a float64 element.</summary>
    public static double ToFloat(object? value) => value switch
    {
        null => double.NaN,
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        _ => throw new InvalidOperationException("not numeric"),
    };

    /// <summary>Writes one value of a column with the given dtype as pandas' <c>to_json</c> does.</summary>
    public static void WriteValue(TextWriter writer, object? value, PandasDtype dtype)
    {
        if (dtype == PandasDtype.Float64 && value is long or bool)
        {
            value = ToFloat(value);
        }
        else if (dtype == PandasDtype.Int64 && value is bool flag)
        {
            value = flag ? 1L : 0L;
        }

        switch (value)
        {
            case null:
                writer.Write("null");
                break;
            case string s:
                PandasJson.WriteString(writer, s);
                break;
            case long n:
                writer.Write(n.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                writer.Write(PandasJson.FormatDouble(d) ?? "null");
                break;
            case bool b:
                writer.Write(b ? "true" : "false");
                break;
            case PandasTimestamp t:
                writer.Write((t.Nanoseconds / 1_000_000).ToString(CultureInfo.InvariantCulture));
                break;
            case RawJsonValue raw:
                writer.Write(raw.Json);
                break;
            default:
                throw new InvalidOperationException($"Unexpected table value of type {value.GetType()}.");
        }
    }

    /// <summary>
    /// Python's <c>float(str)</c>: surrounding whitespace allowed, digits with single underscores
    /// between them, optional fraction and exponent, or <c>inf</c>/<c>infinity</c>/<c>nan</c>.
    /// </summary>
    public static bool TryParsePythonFloat(string text, out double value)
    {
        value = 0;
        string s = text.Trim();
        if (s.Length == 0)
        {
            return false;
        }

        string body = s[0] is '+' or '-' ? s[1..] : s;
        bool negative = s[0] == '-';
        string lower = body.ToLowerInvariant();
        if (lower is "inf" or "infinity")
        {
            value = negative ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }

        if (lower == "nan")
        {
            value = double.NaN;
            return true;
        }

        // Validate the grammar: digits('_'digits)* ['.' digits...] [e[+-]digits] with at least one digit.
        int i = 0;
        bool mantissaDigits = ReadDigits(body, ref i);
        if (i < body.Length && body[i] == '.')
        {
            i++;
            if (i < body.Length && char.IsAsciiDigit(body[i]))
            {
                mantissaDigits |= ReadDigits(body, ref i);
            }
        }

        if (!mantissaDigits)
        {
            return false;
        }

        if (i < body.Length && (body[i] == 'e' || body[i] == 'E'))
        {
            i++;
            if (i < body.Length && (body[i] == '+' || body[i] == '-'))
            {
                i++;
            }

            if (!ReadDigits(body, ref i))
            {
                return false;
            }
        }

        if (i != body.Length)
        {
            return false;
        }

        return double.TryParse(s.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Python's <c>int(str)</c> limited to int64 (<paramref name="overflow"/> when it does not fit).</summary>
    public static bool TryParsePythonInt(string text, out long value, out bool overflow)
    {
        value = 0;
        overflow = false;
        string s = text.Trim();
        if (s.Length == 0)
        {
            return false;
        }

        string body = s[0] is '+' or '-' ? s[1..] : s;
        int i = 0;
        if (!ReadDigits(body, ref i) || i != body.Length)
        {
            return false;
        }

        string digits = (s[0] == '-' ? "-" : "") + body.Replace("_", "", StringComparison.Ordinal);
        if (long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        overflow = true;
        return false;
    }

    private static bool ReadDigits(string s, ref int i)
    {
        int start = i;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
            if (i + 1 < s.Length && s[i] == '_' && char.IsAsciiDigit(s[i + 1]))
            {
                i++;
            }
        }

        return i > start;
    }
}
