namespace LlmTrack.Evaluation.Tables;

/// <summary>
/// Emulates <c>pd.concat([a, b], ignore_index=True)</c> for two frames: the union of columns (first frame's order, then
/// new ones), missing cells as gaps, and concat's dtype rules (int and float → float, bool with anything else → object,
/// gaps in an int column → float, empty and all-missing pieces do not vote).
/// </summary>
internal static class PandasConcat
{
    /// <summary><c>pd.concat([a, b], ignore_index=True)</c> for two frames.</summary>
    /// <param name="first">The first frame's columns.</param>
    /// <param name="firstRows">The first frame's row count.</param>
    /// <param name="second">The second frame's columns.</param>
    /// <param name="secondRows">The second frame's row count.</param>
    /// <returns>The merged columns with concat's dtypes.</returns>
    public static List<PandasColumn> Concat(List<PandasColumn> first, int firstRows, List<PandasColumn> second, int secondRows)
    {
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in first.Select(c => c.Name).Concat(second.Select(c => c.Name)))
        {
            if (seen.Add(name))
            {
                names.Add(name);
            }
        }

        var result = new List<PandasColumn>(names.Count);
        foreach (string name in names)
        {
            PandasColumn? a = first.Find(c => c.Name == name);
            PandasColumn? b = second.Find(c => c.Name == name);
            var parts = new[] { (Column: a, Rows: firstRows), (Column: b, Rows: secondRows) };

            // Empty frames and all-missing pieces do not take part in choosing the dtype; a column
            // missing from a non-empty frame adds gaps, which int64 and bool cannot hold. Bools
            // next to numbers become numbers (pandas before 3.0).
            var dtypes = new HashSet<PandasDtype>();
            var missingPieces = new List<PandasDtype>();
            bool gaps = false;
            foreach ((PandasColumn? column, int rows) in parts)
            {
                if (rows == 0)
                {
                    continue;
                }

                if (column is null)
                {
                    gaps = true;
                }
                else if (IsAllMissing(column))
                {
                    missingPieces.Add(column.Dtype);
                }
                else
                {
                    dtypes.Add(column.Dtype);
                }
            }

            PandasDtype dtype;
            if (dtypes.Count == 0)
            {
                dtype = missingPieces.Contains(PandasDtype.Object) ? PandasDtype.Object : PandasDtype.Float64;
            }
            else
            {
                if (dtypes.All(d => d is PandasDtype.Int64 or PandasDtype.Float64 or PandasDtype.Bool))
                {
                    dtype = dtypes.Contains(PandasDtype.Float64) ? PandasDtype.Float64
                        : dtypes.Contains(PandasDtype.Int64) ? PandasDtype.Int64
                        : PandasDtype.Bool;
                }
                else
                {
                    dtype = dtypes.Count == 1 && dtypes.Contains(PandasDtype.Datetime) ? PandasDtype.Datetime : PandasDtype.Object;
                }

                if (gaps)
                {
                    dtype = dtype switch
                    {
                        PandasDtype.Int64 => PandasDtype.Float64,
                        PandasDtype.Bool => PandasDtype.Object,
                        _ => dtype,
                    };
                }

                if (missingPieces.Count > 0)
                {
                    dtype = dtype switch
                    {
                        PandasDtype.Int64 => missingPieces.Contains(PandasDtype.Object) ? PandasDtype.Object : PandasDtype.Float64,
                        PandasDtype.Bool => PandasDtype.Object,
                        _ => dtype,
                    };
                }
            }

            var values = new List<object?>(firstRows + secondRows);
            foreach ((PandasColumn? column, int rows) in parts)
            {
                if (column is null)
                {
                    values.AddRange(Enumerable.Repeat<object?>(null, rows));
                }
                else
                {
                    values.AddRange(column.Values);
                }
            }

            result.Add(new PandasColumn(name, dtype, values));
        }

        return result;
    }

    private static bool IsAllMissing(PandasColumn column) =>
        column.Values.Count > 0 && column.Values.All(v => v is null || (v is double d && double.IsNaN(d)));
}
