using System.Globalization;
using System.Text;
using LlmTrack.Model;
using LlmTrack.Metrics.Text;

namespace LlmTrack.Evaluation.Datasets;

/// <summary>
/// An evaluation data set held in memory: a name, column names, rows of values and where it came
/// from. It computes the MLflow <see cref="Dataset"/> record (digest, source, schema, profile) to
/// log it as a run input.
/// </summary>
/// <remarks>
/// Values are <see langword="null"/> (missing), <see cref="string"/>, <see cref="long"/>,
/// <see cref="double"/> or <see cref="bool"/>. Data sets read from TSV or CSV files hold strings;
/// their schema types are guessed from the text the way pandas' <c>read_csv</c> would
/// (<c>long</c>, <c>double</c>, <c>boolean</c>, otherwise <c>string</c>).
/// </remarks>
public sealed class EvaluationDataset
{
    private readonly string[] _columns;
    private readonly object?[][] _rows;
    private readonly Dictionary<string, int> _columnIndex;
    private string? _digest;
    private string[]? _types;

    /// <summary>Creates a data set.</summary>
    /// <param name="name">The data set's name as MLflow shows it.</param>
    /// <param name="columns">Unique column names.</param>
    /// <param name="rows">Rows, one value per column (null, string, integer, floating-point number or bool).</param>
    /// <param name="sourceUri">Where the data came from (a path or URI), or <see langword="null"/> for data built in code.</param>
    /// <param name="inferTypesFromText">Whether string values are text read from a file whose schema types are guessed from their content.</param>
    /// <exception cref="ArgumentException">When column names repeat, a row has the wrong length or a value has an unsupported type.</exception>
    public EvaluationDataset(
        string name,
        IReadOnlyList<string> columns,
        IEnumerable<IReadOnlyList<object?>> rows,
        string? sourceUri = null,
        bool inferTypesFromText = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        Name = name;
        _columns = [.. columns];
        _columnIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < _columns.Length; i++)
        {
            if (!_columnIndex.TryAdd(_columns[i] ?? throw new ArgumentException("Column names must not be null.", nameof(columns)), i))
            {
                throw new ArgumentException($"Column '{_columns[i]}' appears more than once.", nameof(columns));
            }
        }

        var list = new List<object?[]>();
        foreach (IReadOnlyList<object?> row in rows)
        {
            if (row.Count != _columns.Length)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Row {list.Count} has {row.Count} values but the data set has {_columns.Length} columns."),
                    nameof(rows));
            }

            var copy = new object?[row.Count];
            for (int i = 0; i < copy.Length; i++)
            {
                copy[i] = Normalise(row[i], _columns[i]);
            }

            list.Add(copy);
        }

        _rows = [.. list];
        SourceUri = sourceUri;
        InferTypesFromText = inferTypesFromText;
    }

    /// <summary>The data set's name.</summary>
    public string Name { get; }

    /// <summary>The column names.</summary>
    public IReadOnlyList<string> Columns => _columns;

    /// <summary>The rows; each has one value per column.</summary>
    public IReadOnlyList<IReadOnlyList<object?>> Rows => _rows;

    /// <summary>The number of rows.</summary>
    public int RowCount => _rows.Length;

    /// <summary>Where the data came from (for files, the full path), or <see langword="null"/>.</summary>
    public string? SourceUri { get; }

    /// <summary>Whether string values are file text whose schema types are guessed from content.</summary>
    public bool InferTypesFromText { get; }

    /// <summary>The value in a row and column.</summary>
    /// <param name="row">Zero-based row index.</param>
    /// <param name="column">Column name.</param>
    public object? this[int row, string column] => _rows[row][IndexOf(column)];

    /// <summary>All values of one column, in row order.</summary>
    /// <param name="column">Column name.</param>
    /// <exception cref="KeyNotFoundException">When there is no such column.</exception>
    public IReadOnlyList<object?> GetColumn(string column)
    {
        int index = IndexOf(column);
        return [.. _rows.Select(r => r[index])];
    }

    /// <summary>
    /// A content digest: the first 8 hex characters of the MD5 of a canonical serialisation of the
    /// column names and values (see <see cref="WriteCanonical"/>). Equal content gives an equal digest
    /// on every machine and culture; the name and source do not take part.
    /// </summary>
    public string Digest => _digest ??= ComputeDigest();

    /// <summary>The MLflow column types (<c>long</c>, <c>double</c>, <c>boolean</c>, <c>string</c>) in column order.</summary>
    public IReadOnlyList<string> ColumnTypes => _types ??= InferTypes();

    /// <summary>The source type MLflow records: <c>local</c> for files, <c>code</c> for data built in code.</summary>
    public string SourceType => SourceUri is null ? "code" : "local";

    /// <summary>The MLflow source JSON: <c>{"uri": "…"}</c> (or <c>{}</c> without a source).</summary>
    public string SourceJson => SourceUri is null ? "{}" : "{\"uri\": " + PythonJson.QuoteString(SourceUri) + "}";

    /// <summary>
    /// The MLflow schema JSON: <c>{"mlflow_colspec": [{"type": "string", "name": "text", "required": true}, …]}</c>;
    /// <c>"required": false</c> for columns with missing values.
    /// </summary>
    public string SchemaJson
    {
        get
        {
            var sb = new StringBuilder("{\"mlflow_colspec\": [");
            for (int i = 0; i < _columns.Length; i++)
            {
                if (i > 0)
                {
                    sb.Append(", ");
                }

                bool required = _rows.All(r => r[i] is not null);
                sb.Append("{\"type\": ").Append(PythonJson.QuoteString(ColumnTypes[i]))
                  .Append(", \"name\": ").Append(PythonJson.QuoteString(_columns[i]))
                  .Append(", \"required\": ").Append(required ? "true" : "false").Append('}');
            }

            return sb.Append("]}").ToString();
        }
    }

    /// <summary>The MLflow profile JSON: <c>{"num_rows": N, "num_elements": N × columns}</c>.</summary>
    public string ProfileJson => string.Create(CultureInfo.InvariantCulture,
        $"{{\"num_rows\": {_rows.Length}, \"num_elements\": {(long)_rows.Length * _columns.Length}}}");

    /// <summary>The data set as MLflow records it (for <c>runs/log-inputs</c>).</summary>
    public Dataset ToMlflowDataset() => new()
    {
        Name = Name,
        Digest = Digest,
        SourceType = SourceType,
        Source = SourceJson,
        Schema = SchemaJson,
        Profile = ProfileJson,
    };

    /// <summary>The data set as a run input with the <c>mlflow.data.context</c> tag.</summary>
    /// <param name="context">What the data set was used for: <c>eval</c>, <c>training</c>, …</param>
    public DatasetInput ToDatasetInput(string context = "eval")
    {
        ArgumentException.ThrowIfNullOrEmpty(context);
        return new DatasetInput(ToMlflowDataset(), [new Tag(MlflowTags.DatasetContext, context)]);
    }

    /// <summary>
    /// Writes the canonical serialisation the digest is computed over, as UTF-8:
    /// <c>llmtrack-dataset-v1\n</c>; then for each column name <c>C&lt;n&gt;:&lt;name&gt;\n</c>
    /// (n = UTF-8 byte count); then for each row its values followed by <c>\n</c>, each value being
    /// <c>N;</c> (missing), <c>S&lt;n&gt;:&lt;text&gt;;</c>, <c>L&lt;integer&gt;;</c>,
    /// <c>D&lt;round-trip double&gt;;</c> (invariant culture, <c>NaN</c>/<c>Infinity</c>/<c>-Infinity</c>)
    /// or <c>B1;</c>/<c>B0;</c>.
    /// </summary>
    /// <param name="output">The stream to write to.</param>
    public void WriteCanonical(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var writer = DatasetDigest.ToStream(output, _columns);
        WriteRows(writer);
    }

    private void WriteRows(DatasetDigest digest)
    {
        foreach (object?[] row in _rows)
        {
            foreach (object? value in row)
            {
                digest.AddValue(value);
            }

            digest.EndRow();
        }
    }

    private string ComputeDigest()
    {
        using var digest = DatasetDigest.Create(_columns);
        WriteRows(digest);
        return digest.Finish();
    }

    private string[] InferTypes()
    {
        var types = new string[_columns.Length];
        for (int i = 0; i < _columns.Length; i++)
        {
            bool anyLong = false, anyDouble = false, anyBool = false, anyString = false, anyValue = false;
            bool textLong = true, textDouble = true, textBool = true;
            foreach (object?[] row in _rows)
            {
                switch (row[i])
                {
                    case null:
                        continue;
                    case long:
                        anyLong = true;
                        break;
                    case double:
                        anyDouble = true;
                        break;
                    case bool:
                        anyBool = true;
                        break;
                    case string s:
                        anyString = true;
                        if (InferTypesFromText)
                        {
                            textLong &= DatasetTextTypes.IsLong(s);
                            textDouble &= DatasetTextTypes.IsDouble(s);
                            textBool &= DatasetTextTypes.IsBoolean(s);
                        }

                        break;
                }

                anyValue = true;
            }

            string type;
            if (!anyValue)
            {
                type = "string";
            }
            else if (anyString)
            {
                bool onlyText = !anyLong && !anyDouble && !anyBool;
                type = !InferTypesFromText || !onlyText ? "string"
                    : textLong ? "long"
                    : textDouble ? "double"
                    : textBool ? "boolean"
                    : "string";
            }
            else if (anyBool)
            {
                type = anyLong || anyDouble ? "string" : "boolean";
            }
            else
            {
                type = anyDouble ? "double" : "long";
            }

            types[i] = type;
        }

        return types;
    }

    private int IndexOf(string column) =>
        _columnIndex.TryGetValue(column, out int index) ? index : throw new KeyNotFoundException($"The data set has no column '{column}'.");

    private static object? Normalise(object? value, string column) => value switch
    {
        null => null,
        string s => s,
        bool b => b,
        long l => l,
        int i => (long)i,
        short s16 => (long)s16,
        byte u8 => (long)u8,
        uint u32 => (long)u32,
        double d => d,
        float f => (double)f,
        decimal m => (double)m,
        _ => throw new ArgumentException(
            $"Column '{column}': values of type {value.GetType()} are not supported (use string, integer, floating-point, bool or null).",
            nameof(value)),
    };
}

/// <summary>Guesses a column type from text, like pandas' <c>read_csv</c>.</summary>
internal static class DatasetTextTypes
{
    /// <summary>An optionally signed decimal integer that fits in 64 bits.</summary>
    public static bool IsLong(string s)
    {
        string t = s.Trim();
        if (t.Length == 0)
        {
            return false;
        }

        int start = t[0] is '+' or '-' ? 1 : 0;
        if (start == t.Length)
        {
            return false;
        }

        for (int i = start; i < t.Length; i++)
        {
            if (!char.IsAsciiDigit(t[i]))
            {
                return false;
            }
        }

        return long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);
    }

    /// <summary>A decimal number with optional fraction and exponent, or inf/nan spellings.</summary>
    public static bool IsDouble(string s)
    {
        string t = s.Trim();
        if (t.Length == 0)
        {
            return false;
        }

        string body = t[0] is '+' or '-' ? t[1..] : t;
        if (body.ToLowerInvariant() is "inf" or "infinity" or "nan")
        {
            return true;
        }

        foreach (char c in body)
        {
            if (!(char.IsAsciiDigit(c) || c is '.' or 'e' or 'E' or '+' or '-'))
            {
                return false;
            }
        }

        return body.Any(char.IsAsciiDigit)
            && double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
    }

    /// <summary><c>True</c>/<c>False</c> in the spellings pandas recognises.</summary>
    public static bool IsBoolean(string s) => s is "True" or "False" or "true" or "false" or "TRUE" or "FALSE";
}
