using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LlmTrack.Evaluation.Datasets;

/// <summary>
/// Reads evaluation data sets from TSV, CSV and JSON Lines files. Files are UTF-8 (a BOM is
/// skipped). Lines end at <c>\n</c> only (a <c>\r</c> before it is dropped): characters such as
/// U+0085 or U+2028 stay inside the text.
/// </summary>
public static class DatasetLoader
{
    /// <summary>
    /// Reads a tab-separated file. No quote handling: quotes are text. With
    /// <see cref="TsvOptions.SplitOnLastTab"/> each line is split on its last TAB (the UCI
    /// "Sentiment Labelled Sentences" layout <c>sentence&lt;TAB&gt;label</c>). Empty lines are skipped.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Options.</param>
    /// <exception cref="DatasetFormatException">When a line has no TAB or the wrong number of fields.</exception>
    public static EvaluationDataset LoadTsv(string path, TsvOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new TsvOptions();
        string text = File.ReadAllText(path, Encoding.UTF8);
        string[]? names = null;
        var rows = new List<IReadOnlyList<object?>>();
        int lineNumber = 0;
        foreach (string line in SplitLines(text))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            string[] fields;
            if (options.SplitOnLastTab)
            {
                int tab = line.LastIndexOf('\t');
                if (tab < 0)
                {
                    throw new DatasetFormatException(path, lineNumber, "the line has no TAB.");
                }

                fields = [line[..tab], line[(tab + 1)..]];
            }
            else
            {
                fields = line.Split('\t');
            }

            if (options.HasHeader && names is null)
            {
                names = options.ColumnNames is { } given ? CheckNames(given, fields.Length, path, lineNumber) : fields;
                continue;
            }

            names ??= options.ColumnNames is { } n ? CheckNames(n, fields.Length, path, lineNumber) : DefaultNames(fields.Length);
            if (fields.Length != names.Length)
            {
                throw new DatasetFormatException(path, lineNumber,
                    string.Create(CultureInfo.InvariantCulture, $"expected {names.Length} fields but found {fields.Length}."));
            }

            rows.Add(ToValues(fields, options.EmptyFieldsAreMissing));
        }

        return Create(path, options, names ?? [.. options.ColumnNames ?? []], rows, inferTypesFromText: true);
    }

    /// <summary>
    /// Reads a comma-separated file per RFC 4180: fields may be enclosed in double quotes, which
    /// may hold separators, line breaks and doubled quotes (<c>""</c>); spaces are kept; records end
    /// at <c>\n</c> or <c>\r\n</c>; blank lines are skipped. A quote inside an unquoted field is
    /// kept as text.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Options.</param>
    /// <exception cref="DatasetFormatException">On an unclosed quote, text after a closing quote or a wrong field count.</exception>
    public static EvaluationDataset LoadCsv(string path, CsvOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new CsvOptions();
        string text = File.ReadAllText(path, Encoding.UTF8);
        string[]? names = null;
        var rows = new List<IReadOnlyList<object?>>();
        foreach ((List<string> fields, int lineNumber) in ParseCsv(text, options.Delimiter, path))
        {
            if (options.HasHeader && names is null)
            {
                names = options.ColumnNames is { } given ? CheckNames(given, fields.Count, path, lineNumber) : [.. fields];
                continue;
            }

            names ??= options.ColumnNames is { } n ? CheckNames(n, fields.Count, path, lineNumber) : DefaultNames(fields.Count);
            if (fields.Count != names.Length)
            {
                throw new DatasetFormatException(path, lineNumber,
                    string.Create(CultureInfo.InvariantCulture, $"expected {names.Length} fields but found {fields.Count}."));
            }

            rows.Add(ToValues([.. fields], options.EmptyFieldsAreMissing));
        }

        return Create(path, options, names ?? [.. options.ColumnNames ?? []], rows, inferTypesFromText: true);
    }

    /// <summary>
    /// Reads a JSON Lines file: one JSON object per line (blank lines skipped). Columns are the keys
    /// in order of first appearance (or <see cref="DatasetFileOptions.ColumnNames"/>); a missing key
    /// or <c>null</c> is a missing value; numbers become <see cref="long"/> or <see cref="double"/>;
    /// nested objects and arrays are kept as their JSON text.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Options.</param>
    /// <exception cref="DatasetFormatException">When a line is not a JSON object.</exception>
    public static EvaluationDataset LoadJsonl(string path, JsonlOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new JsonlOptions();
        string text = File.ReadAllText(path, Encoding.UTF8);
        var names = new List<string>(options.ColumnNames ?? []);
        var index = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        bool fixedColumns = options.ColumnNames is not null;
        var records = new List<Dictionary<string, object?>>();
        int lineNumber = 0;
        foreach (string line in SplitLines(text))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException ex)
            {
                throw new DatasetFormatException(path, lineNumber, "invalid JSON: " + ex.Message, ex);
            }

            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new DatasetFormatException(path, lineNumber,
                        $"expected a JSON object but found {document.RootElement.ValueKind.ToString().ToLowerInvariant()}.");
                }

                var record = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (JsonProperty property in document.RootElement.EnumerateObject())
                {
                    if (!index.ContainsKey(property.Name))
                    {
                        if (fixedColumns)
                        {
                            continue;
                        }

                        index[property.Name] = names.Count;
                        names.Add(property.Name);
                    }

                    record[property.Name] = JsonValue(property.Value);
                }

                records.Add(record);
            }
        }

        var rows = records.Select(r => (IReadOnlyList<object?>)[.. names.Select(n => r.GetValueOrDefault(n))]).ToList();
        return Create(path, options, [.. names], rows, inferTypesFromText: false);
    }

    /// <summary>Splits on <c>\n</c> only; drops one <c>\r</c> before each <c>\n</c> and the empty piece after a final newline.</summary>
    internal static IEnumerable<string> SplitLines(string text)
    {
        int start = 0;
        while (start < text.Length)
        {
            int end = text.IndexOf('\n', start);
            int next = end < 0 ? text.Length : end + 1;
            int stop = end < 0 ? text.Length : end;
            if (end >= 0 && stop > start && text[stop - 1] == '\r')
            {
                stop--;
            }

            yield return text[start..stop];
            start = next;
        }
    }

    /// <summary>RFC 4180 records with the physical line number each starts on.</summary>
    internal static IEnumerable<(List<string> Fields, int LineNumber)> ParseCsv(string text, char delimiter, string path)
    {
        int i = 0;
        int line = 1;
        var field = new StringBuilder();
        while (i < text.Length)
        {
            int recordLine = line;
            var fields = new List<string>();
            bool endOfRecord = false;
            while (!endOfRecord)
            {
                field.Clear();
                if (i < text.Length && text[i] == '"')
                {
                    int quoteLine = line;
                    i++;
                    while (true)
                    {
                        if (i >= text.Length)
                        {
                            throw new DatasetFormatException(path, quoteLine, "a quoted field is not closed.");
                        }

                        char c = text[i];
                        if (c == '"')
                        {
                            if (i + 1 < text.Length && text[i + 1] == '"')
                            {
                                field.Append('"');
                                i += 2;
                                continue;
                            }

                            i++;
                            break;
                        }

                        if (c == '\n')
                        {
                            line++;
                        }

                        field.Append(c);
                        i++;
                    }

                    if (i < text.Length && text[i] != delimiter && text[i] != '\n' && !(text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n'))
                    {
                        throw new DatasetFormatException(path, line,
                            $"unexpected character '{text[i]}' after a closing quote (a quote inside a quoted field must be doubled).");
                    }
                }
                else
                {
                    while (i < text.Length && text[i] != delimiter && text[i] != '\n'
                        && !(text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n'))
                    {
                        field.Append(text[i]);
                        i++;
                    }
                }

                fields.Add(field.ToString());
                if (i >= text.Length)
                {
                    endOfRecord = true;
                }
                else if (text[i] == delimiter)
                {
                    i++;
                }
                else
                {
                    i += text[i] == '\r' ? 2 : 1;
                    line++;
                    endOfRecord = true;
                }
            }

            bool blank = fields.Count == 1 && fields[0].Length == 0;
            if (!blank)
            {
                yield return (fields, recordLine);
            }
        }
    }

    private static object? JsonValue(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return value.GetString();
            case JsonValueKind.Number:
                string raw = value.GetRawText();
                if (raw.AsSpan().IndexOfAny(".eE") < 0 && value.TryGetInt64(out long l))
                {
                    return l;
                }

                return value.GetDouble();
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Null:
                return null;
            default:
                return value.GetRawText();
        }
    }

    private static object?[] ToValues(string[] fields, bool emptyIsMissing) =>
        [.. fields.Select(f => emptyIsMissing && f.Length == 0 ? null : (object?)f)];

    private static string[] DefaultNames(int count) =>
        [.. Enumerable.Range(0, count).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    private static string[] CheckNames(IReadOnlyList<string> names, int fieldCount, string path, int lineNumber)
    {
        if (names.Count != fieldCount)
        {
            throw new DatasetFormatException(path, lineNumber,
                string.Create(CultureInfo.InvariantCulture, $"{names.Count} column names were given but the line has {fieldCount} fields."));
        }

        return [.. names];
    }

    private static EvaluationDataset Create(
        string path, DatasetFileOptions options, string[] names, List<IReadOnlyList<object?>> rows, bool inferTypesFromText)
    {
        string name = options.Name ?? Path.GetFileNameWithoutExtension(path);
        return new EvaluationDataset(name, names, rows, Path.GetFullPath(path), inferTypesFromText);
    }
}
