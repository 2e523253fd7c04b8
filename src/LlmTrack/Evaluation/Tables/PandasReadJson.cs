// Over 400 lines: one emulation of pandas' read_json(orient="split") — its type guessing, date-column rules and
// timestamp units interlock (a column is converted only after every value was inspected), so they stay in one place.
using System.Globalization;
using System.Text.Json;

namespace LlmTrack.Evaluation.Tables;

/// <summary>
/// Emulates <c>pd.read_json(text, orient="split")</c> with its defaults, as MLflow's <c>log_table</c> reads an
/// existing table artifact before appending to it.
/// </summary>
/// <remarks>
/// Reproduced: <c>read_json</c>'s type guessing (an object column whose values all parse as numbers becomes numeric,
/// so <c>"1"</c> is read as <c>1</c>; whole floats become integers, so <c>0.0</c> comes back as <c>0</c>); columns named
/// like dates — ending in <c>_at</c>/<c>_time</c>, starting with <c>timestamp</c>, or
/// <c>modified</c>/<c>date</c>/<c>datetime</c> — holding epoch numbers are read as timestamps.
/// Not reproduced: duplicate column names, non-string column names (kept as their JSON text), and the last-bit
/// differences of pandas' fast float parser.
/// </remarks>
internal static class PandasReadJson
{
    private const long MinStamp = 31536000;

    private static readonly (string Unit, long Factor, int Digits)[] s_stampUnits =
    [
        ("s", 1_000_000_000, 9),
        ("ms", 1_000_000, 6),
        ("us", 1_000, 3),
        ("ns", 1, 0),
    ];

    /// <summary>Emulates <c>pd.read_json(text, orient="split")</c> with its defaults.</summary>
    /// <param name="json">The table artifact's text.</param>
    /// <param name="rowCount">The number of rows read.</param>
    /// <returns>The columns with the dtypes pandas would guess.</returns>
    /// <exception cref="FormatException">When <paramref name="json"/> is not a "split" table.</exception>
    public static List<PandasColumn> Read(string json, out int rowCount)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new FormatException("The existing table artifact is not valid JSON: " + ex.Message, ex);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("columns", out JsonElement columnsElement)
                || columnsElement.ValueKind != JsonValueKind.Array
                || !root.TryGetProperty("data", out JsonElement dataElement)
                || dataElement.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("The existing table artifact is not a pandas \"split\" table (it needs \"columns\" and \"data\" arrays).");
            }

            var names = new List<string>();
            foreach (JsonElement name in columnsElement.EnumerateArray())
            {
                names.Add(name.ValueKind == JsonValueKind.String ? name.GetString()! : name.GetRawText());
            }

            var values = names.Select(_ => new List<object?>()).ToList();
            rowCount = 0;
            foreach (JsonElement row in dataElement.EnumerateArray())
            {
                if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != names.Count)
                {
                    throw new FormatException(string.Create(CultureInfo.InvariantCulture,
                        $"Row {rowCount} of the existing table does not have {names.Count} values."));
                }

                int i = 0;
                foreach (JsonElement cell in row.EnumerateArray())
                {
                    values[i++].Add(ReadCell(cell));
                }

                rowCount++;
            }

            var columns = new List<PandasColumn>(names.Count);
            for (int i = 0; i < names.Count; i++)
            {
                PandasColumn column = PandasRules.FromValues(names[i], values[i]);
                columns.Add(ConvertTypes(column));
            }

            return columns;
        }
    }

    private static object? ReadCell(JsonElement cell)
    {
        switch (cell.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.String:
                return cell.GetString();
            case JsonValueKind.Number:
                string raw = cell.GetRawText();
                if (raw.AsSpan().IndexOfAny(".eE") < 0 && cell.TryGetInt64(out long l))
                {
                    return l;
                }

                return double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
            default:
                return new RawJsonValue(JsonSerializer.Serialize(cell));
        }
    }

    /// <summary><c>FrameParser._try_convert_types</c>: date guessing for date-like names, then numeric guessing.</summary>
    private static PandasColumn ConvertTypes(PandasColumn column)
    {
        if (IsDateLikeName(column.Name) && TryConvertToDate(column, out PandasColumn? dated))
        {
            return dated;
        }

        return ConvertData(column);
    }

    internal static bool IsDateLikeName(string name)
    {
        string lower = name.ToLowerInvariant();
        return lower.EndsWith("_at", StringComparison.Ordinal)
            || lower.EndsWith("_time", StringComparison.Ordinal)
            || lower is "modified" or "date" or "datetime"
            || lower.StartsWith("timestamp", StringComparison.Ordinal);
    }

    /// <summary><c>Parser._try_convert_to_date</c> for the epoch-number cases.</summary>
    private static bool TryConvertToDate(PandasColumn column, out PandasColumn result)
    {
        result = column;
        List<object?> values = column.Values;
        if (values.Count == 0)
        {
            return false;
        }

        // Candidate numbers: numeric columns as they are; object columns converted to int64 when
        // every value parses as an integer (a value too large for int64 stops date guessing).
        List<object?>? numbers = null;
        bool numeric = column.Dtype is PandasDtype.Int64 or PandasDtype.Float64;
        if (numeric)
        {
            numbers = values;
        }
        else if (column.Dtype == PandasDtype.Object)
        {
            var ints = new List<object?>(values.Count);
            foreach (object? v in values)
            {
                if (v is string s)
                {
                    if (PandasRules.TryParsePythonInt(s, out long parsed, out bool overflow))
                    {
                        ints.Add(parsed);
                        continue;
                    }

                    if (overflow)
                    {
                        return false;
                    }

                    ints = null;
                    break;
                }

                if (v is long l)
                {
                    ints.Add(l);
                }
                else if (v is bool b)
                {
                    ints.Add(b ? 1L : 0L);
                }
                else
                {
                    ints = null;
                    break;
                }
            }

            if (ints is not null)
            {
                numbers = ints;
                numeric = true;
            }
        }

        if (numeric)
        {
            foreach (object? v in numbers!)
            {
                bool inRange = v switch
                {
                    long l => l > MinStamp || l == long.MinValue,
                    double d => double.IsNaN(d) || d > MinStamp,
                    _ => true,
                };
                if (!inRange)
                {
                    return false;
                }
            }
        }
        else
        {
            // Object column left as is: to_datetime with a unit accepts only numbers, numeric
            // strings and NaT strings/None; with unit "ns" it parses date strings instead.
            if (values.Any(v => v is string s && !IsNaTString(s) && !PandasRules.TryParsePythonFloat(s, out _)))
            {
                return TryParseDateStrings(column, out result);
            }

            numbers = [];
            foreach (object? v in values)
            {
                switch (v)
                {
                    case null:
                        numbers.Add(null);
                        break;
                    case string s when IsNaTString(s):
                        numbers.Add(null);
                        break;
                    case string s when PandasRules.TryParsePythonFloat(s, out double d):
                        numbers.Add(d);
                        break;
                    default:
                        return false;
                }
            }
        }

        foreach ((_, long factor, int digits) in s_stampUnits)
        {
            var stamps = new List<object?>(numbers.Count);
            bool ok = true;
            foreach (object? v in numbers)
            {
                if (!TryToNanoseconds(v, factor, digits, out object? stamp))
                {
                    ok = false;
                    break;
                }

                stamps.Add(stamp);
            }

            if (ok)
            {
                result = new PandasColumn(column.Name, PandasDtype.Datetime, stamps);
                return true;
            }
        }

        return false;
    }

    private static bool IsNaTString(string s) => s.Length == 0 || s is "NaT" or "nat" or "NAT" or "nan" or "NaN" or "NAN";

    /// <summary>Date strings (ISO 8601 and other invariant-culture forms) as UTC timestamps; missing values as NaT.</summary>
    private static bool TryParseDateStrings(PandasColumn column, out PandasColumn result)
    {
        result = column;
        var stamps = new List<object?>(column.Values.Count);
        foreach (object? v in column.Values)
        {
            if (v is null || (v is string n && IsNaTString(n)))
            {
                stamps.Add(null);
                continue;
            }

            if (v is not string s || !DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out DateTimeOffset parsed))
            {
                return false;
            }

            stamps.Add(new PandasTimestamp((parsed.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100));
        }

        result = new PandasColumn(column.Name, PandasDtype.Datetime, stamps);
        return true;
    }

    private static bool TryToNanoseconds(object? value, long factor, int digits, out object? stamp)
    {
        stamp = null;
        switch (value)
        {
            case null:
                return true;
            case long l:
                if (l == long.MinValue)
                {
                    return true;
                }

                try
                {
                    long ns = checked(l * factor);
                    stamp = new PandasTimestamp(ns);
                    return ns != long.MinValue;
                }
                catch (OverflowException)
                {
                    return false;
                }

            case double d:
                if (double.IsNaN(d))
                {
                    return true;
                }

                if (double.IsInfinity(d) || Math.Abs(d) >= 9.2e18 / factor)
                {
                    return false;
                }

                double whole = Math.Truncate(d);
                double frac = Math.Round(d - whole, digits, MidpointRounding.ToEven);
                stamp = new PandasTimestamp(((long)whole * factor) + (long)(frac * factor));
                return true;
            default:
                return false;
        }
    }

    /// <summary><c>Parser._try_convert_data</c> with <c>dtype=True</c>: object → float64 when possible, then float/object → int64 when exact.</summary>
    private static PandasColumn ConvertData(PandasColumn column)
    {
        List<object?> original = column.Values;
        PandasDtype dtype = column.Dtype;
        List<object?> data = original;
        if (dtype == PandasDtype.Object)
        {
            var floats = new List<object?>(original.Count);
            foreach (object? v in original)
            {
                double? f = v switch
                {
                    null => double.NaN,
                    long l => l,
                    double d => d,
                    bool b => b ? 1 : 0,
                    string s when PandasRules.TryParsePythonFloat(s, out double parsed) => parsed,
                    _ => null,
                };
                if (f is null)
                {
                    floats = null;
                    break;
                }

                floats.Add(f.Value);
            }

            if (floats is not null)
            {
                data = floats;
                dtype = PandasDtype.Float64;
            }
        }

        if (data.Count > 0 && dtype is PandasDtype.Float64 or PandasDtype.Object)
        {
            var ints = new List<object?>(original.Count);
            foreach (object? v in original)
            {
                long? n = v switch
                {
                    long l => l,
                    bool b => b ? 1 : 0,
                    double d when !double.IsNaN(d) && !double.IsInfinity(d) && d >= -9.2e18 && d <= 9.2e18 => (long)d,
                    string s when PandasRules.TryParsePythonInt(s, out long parsed, out _) => parsed,
                    _ => null,
                };
                if (n is null)
                {
                    ints = null;
                    break;
                }

                ints.Add(n.Value);
            }

            if (ints is not null && dtype == PandasDtype.Float64
                && ints.Zip(data).All(pair => (double)(long)pair.First! == (double)pair.Second!))
            {
                return new PandasColumn(column.Name, PandasDtype.Int64, ints);
            }
        }

        return new PandasColumn(column.Name, dtype, data);
    }
}
