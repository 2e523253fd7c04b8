using System.Globalization;
using System.Text;

namespace LlmTrack.Evaluation.Tables;

/// <summary>
/// A table of evaluation results (one row per example) to log as an MLflow table artifact.
/// Rows are spooled to a temporary file as they are added, so tables of hundreds of thousands of
/// rows do not stay in memory. Values may be <see langword="null"/>, <see cref="string"/>,
/// integers (stored as <see cref="long"/>), floating-point numbers (stored as <see cref="double"/>)
/// or <see cref="bool"/>.
/// </summary>
/// <remarks>
/// <see cref="WriteTo"/> produces the same bytes as MLflow's <c>log_table</c>
/// (<c>pd.DataFrame(data).to_json(orient="split", index=False)</c>): compact pandas "split" JSON,
/// a column mixing integers with floats or missing values written as floats (<c>1.0</c>),
/// floats rounded to 10 decimal places, NaN and ±∞ as <c>null</c>, strings ASCII-escaped.
/// An instance is not thread-safe.
/// </remarks>
public sealed class EvaluationTable : IDisposable
{
    private readonly string[] _columns;
    private readonly ValueKinds[] _kinds;
    private FileStream? _spool;
    private BinaryWriter? _writer;
    private bool _disposed;

    /// <summary>Creates an empty table with the given column names.</summary>
    /// <param name="columns">Column names, unique and in order.</param>
    /// <exception cref="ArgumentException">When there are no columns or a name repeats.</exception>
    public EvaluationTable(IEnumerable<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        _columns = [.. columns];
        if (_columns.Length == 0)
        {
            throw new ArgumentException("A table needs at least one column.", nameof(columns));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string column in _columns)
        {
            ArgumentNullException.ThrowIfNull(column, nameof(columns));
            if (!seen.Add(column))
            {
                throw new ArgumentException($"Column '{column}' appears more than once.", nameof(columns));
            }
        }

        _kinds = new ValueKinds[_columns.Length];
    }

    /// <summary>Creates an empty table with the given column names.</summary>
    /// <param name="columns">Column names, unique and in order.</param>
    public EvaluationTable(params string[] columns)
        : this((IEnumerable<string>)columns)
    {
    }

    /// <summary>The column names.</summary>
    public IReadOnlyList<string> Columns => _columns;

    /// <summary>The number of rows added.</summary>
    public long RowCount { get; private set; }

    /// <summary>Adds a row; one value per column, in column order.</summary>
    /// <param name="values">The values (<see langword="null"/>, string, integer, floating-point number or bool).</param>
    /// <exception cref="ArgumentException">When the count does not match or a value has an unsupported type.</exception>
    public void AddRow(params object?[]? values)
    {
        // AddRow(null) on a one-column table means one missing value, not a missing array.
        values ??= _columns.Length == 1 ? [null] : throw new ArgumentNullException(nameof(values));
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (values.Length != _columns.Length)
        {
            throw new ArgumentException(
                $"The row has {values.Length} values but the table has {_columns.Length} columns.", nameof(values));
        }

        var normalised = new object?[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            normalised[i] = Normalise(values[i], _columns[i]);
        }

        BinaryWriter writer = EnsureWriter();
        for (int i = 0; i < normalised.Length; i++)
        {
            object? v = normalised[i];
            _kinds[i] |= PandasRules.KindOf(v);
            switch (v)
            {
                case null: writer.Write((byte)0); break;
                case long l: writer.Write((byte)1); writer.Write(l); break;
                case double d: writer.Write((byte)2); writer.Write(d); break;
                case bool b: writer.Write((byte)3); writer.Write(b); break;
                case string s: writer.Write((byte)4); writer.Write(s); break;
            }
        }

        RowCount++;
    }

    /// <summary>Writes the table as pandas "split" JSON (what MLflow's <c>log_table</c> uploads) to <paramref name="output"/>.</summary>
    /// <param name="output">The stream to write to; left open.</param>
    public void WriteTo(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        ObjectDisposedException.ThrowIf(_disposed, this);
        PandasDtype[] dtypes = [.. _kinds.Select(PandasRules.InferDtype)];
        using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        writer.Write("{\"columns\":[");
        for (int i = 0; i < _columns.Length; i++)
        {
            if (i > 0)
            {
                writer.Write(',');
            }

            PandasJson.WriteString(writer, _columns[i]);
        }

        writer.Write("],\"data\":[");
        long rowIndex = 0;
        foreach (object?[] row in ReadRows())
        {
            if (rowIndex++ > 0)
            {
                writer.Write(',');
            }

            writer.Write('[');
            for (int i = 0; i < row.Length; i++)
            {
                if (i > 0)
                {
                    writer.Write(',');
                }

                PandasRules.WriteValue(writer, row[i], dtypes[i]);
            }

            writer.Write(']');
        }

        writer.Write("]}");
    }

    /// <summary>Returns the table as pandas "split" JSON text (see <see cref="WriteTo"/>).</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        WriteTo(buffer);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Deletes the temporary file holding the rows.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _writer?.Dispose();
        _spool?.Dispose();
    }

    /// <summary>
    /// Reads the rows back in order (values normalised: long, double, bool, string or null).
    /// Rows must not be added while the enumeration runs.
    /// </summary>
    internal IEnumerable<object?[]> ReadRows()
    {
        if (_spool is null || _writer is null)
        {
            yield break;
        }

        _writer.Flush();
        long end = _spool.Position;
        long total = RowCount;
        _spool.Position = 0;
        try
        {
            using var reader = new BinaryReader(_spool, Encoding.UTF8, leaveOpen: true);
            for (long r = 0; r < total; r++)
            {
                var row = new object?[_columns.Length];
                for (int i = 0; i < row.Length; i++)
                {
                    byte tag = reader.ReadByte();
                    row[i] = tag switch
                    {
                        0 => null,
                        1 => reader.ReadInt64(),
                        2 => reader.ReadDouble(),
                        3 => reader.ReadBoolean(),
                        _ => reader.ReadString(),
                    };
                }

                yield return row;
            }
        }
        finally
        {
            _spool.Position = end;
        }
    }

    private BinaryWriter EnsureWriter()
    {
        if (_writer is null)
        {
            string path = Path.Combine(Path.GetTempPath(), "llmtrack-table-" + Guid.NewGuid().ToString("N") + ".bin");
            _spool = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
            _writer = new BinaryWriter(_spool, Encoding.UTF8, leaveOpen: true);
        }

        return _writer;
    }

    private static object? Normalise(object? value, string column) => value switch
    {
        null or DBNull => null,
        string s => s,
        bool b => b,
        long l => l,
        int i => (long)i,
        short s16 => (long)s16,
        sbyte s8 => (long)s8,
        byte u8 => (long)u8,
        ushort u16 => (long)u16,
        uint u32 => (long)u32,
        ulong u64 when u64 <= long.MaxValue => (long)u64,
        double d => d,
        float f => (double)f,
        decimal m => (double)m,
        _ => throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"Column '{column}': values of type {value.GetType()} are not supported (use string, integer, floating-point, bool or null)."),
            nameof(value)),
    };
}
