using System.Globalization;
using System.Text;

namespace LlmTrack.Evaluation.Tables;

/// <summary>
/// Appends rows to a table artifact that already exists, the way MLflow's <c>log_table</c> does:
/// <c>pd.concat([pd.read_json(existing, orient="split"), new], ignore_index=True)</c> written back
/// with <c>to_json(orient="split", index=False)</c>.
/// </summary>
/// <remarks>
/// Reading the existing file is <see cref="PandasReadJson"/> (its type and date guessing), merging is
/// <see cref="PandasConcat"/> (union of columns, dtype rules); this class only converts the new rows and writes the
/// result back in the "split" format (timestamps as epoch milliseconds).
/// </remarks>
internal static class TableMerge
{
    /// <summary>Returns the merged table's JSON text.</summary>
    /// <param name="existingJson">The existing artifact's content (pandas "split" JSON).</param>
    /// <param name="newTable">The rows to append.</param>
    /// <exception cref="FormatException">When <paramref name="existingJson"/> is not a "split" table.</exception>
    public static string Append(string existingJson, EvaluationTable newTable)
    {
        ArgumentNullException.ThrowIfNull(existingJson);
        ArgumentNullException.ThrowIfNull(newTable);
        List<PandasColumn> existing = PandasReadJson.Read(existingJson, out int existingRows);
        List<PandasColumn> added = FromTable(newTable);
        int addedRows = (int)newTable.RowCount;
        return Write(PandasConcat.Concat(existing, existingRows, added, addedRows), existingRows + addedRows);
    }

    private static List<PandasColumn> FromTable(EvaluationTable table)
    {
        var values = table.Columns.Select(_ => new List<object?>()).ToList();
        foreach (object?[] row in table.ReadRows())
        {
            for (int i = 0; i < row.Length; i++)
            {
                values[i].Add(row[i]);
            }
        }

        return [.. table.Columns.Select((name, i) => PandasRules.FromValues(name, values[i]))];
    }

    private static string Write(List<PandasColumn> columns, int rows)
    {
        var sb = new StringBuilder();
        using var writer = new StringWriter(sb, CultureInfo.InvariantCulture);
        writer.Write("{\"columns\":[");
        for (int i = 0; i < columns.Count; i++)
        {
            if (i > 0)
            {
                writer.Write(',');
            }

            PandasJson.WriteString(writer, columns[i].Name);
        }

        writer.Write("],\"data\":[");
        for (int r = 0; r < rows; r++)
        {
            if (r > 0)
            {
                writer.Write(',');
            }

            writer.Write('[');
            for (int i = 0; i < columns.Count; i++)
            {
                if (i > 0)
                {
                    writer.Write(',');
                }

                PandasRules.WriteValue(writer, columns[i].Values[r], columns[i].Dtype);
            }

            writer.Write(']');
        }

        writer.Write("]}");
        writer.Flush();
        return sb.ToString();
    }
}
