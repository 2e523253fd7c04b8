using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace LlmTrack.Evaluation.Datasets;

/// <summary>
/// The canonical <c>llmtrack-dataset-v1</c> serialisation of a data set, written incrementally, and the digest over it
/// (the first 8 hex characters of its MD5). The single implementation of the format: <see cref="EvaluationDataset"/>
/// uses it for <see cref="EvaluationDataset.Digest"/> and <see cref="EvaluationDataset.WriteCanonical"/>, and an
/// evaluation over examples without a data set uses it for the <c>inputs</c>/<c>target</c> input it logs.
/// </summary>
/// <remarks>
/// The format, as UTF-8: <c>llmtrack-dataset-v1\n</c>; then for each column name <c>C&lt;n&gt;:&lt;name&gt;\n</c>
/// (n = UTF-8 byte count); then for each row its values followed by <c>\n</c>, each value being <c>N;</c> (missing),
/// <c>S&lt;n&gt;:&lt;text&gt;;</c>, <c>L&lt;integer&gt;;</c>, <c>D&lt;round-trip double&gt;;</c> (invariant culture,
/// <c>NaN</c>/<c>Infinity</c>/<c>-Infinity</c>) or <c>B1;</c>/<c>B0;</c>. Values of other types write nothing.
/// Not thread-safe.
/// </remarks>
internal sealed class DatasetDigest : IDisposable
{
    private const string Header = "llmtrack-dataset-v1\n";

    private readonly IncrementalHash? _hash;
    private readonly StreamWriter? _writer;
    private byte[] _buffer = [];

    private DatasetDigest(IncrementalHash? hash, StreamWriter? writer, IEnumerable<string> columns)
    {
        _hash = hash;
        _writer = writer;
        if (hash is not null)
        {
            _buffer = new byte[256];
        }

        Write(Header);
        foreach (var column in columns)
        {
            Write("C");
            WriteCounted(column);
            Write("\n");
        }
    }

    /// <summary>Starts a digest over a data set with these columns (header and column names are written).</summary>
    /// <param name="columns">The column names, in order.</param>
    /// <returns>The digest; add rows, then call <see cref="Finish"/>.</returns>
    public static DatasetDigest Create(IEnumerable<string> columns) =>
        new(IncrementalHash.CreateHash(HashAlgorithmName.MD5), null, columns);

    /// <summary>Writes the canonical serialisation to a stream instead of hashing it (the stream stays open).</summary>
    /// <param name="output">The stream to write to.</param>
    /// <param name="columns">The column names, in order.</param>
    /// <returns>The writer; add rows, then dispose it to flush.</returns>
    public static DatasetDigest ToStream(Stream output, IEnumerable<string> columns) =>
        new(null, new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true), columns);

    /// <summary>Adds one value of the current row.</summary>
    /// <param name="value"><see langword="null"/>, a string, a long, a double or a bool.</param>
    public void AddValue(object? value)
    {
        switch (value)
        {
            case null:
                Write("N;");
                break;
            case string s:
                AddString(s);
                break;
            case long l:
                Write("L");
                Write(l.ToString(CultureInfo.InvariantCulture));
                Write(";");
                break;
            case double d:
                Write("D");
                Write(double.IsNaN(d) ? "NaN"
                    : double.IsPositiveInfinity(d) ? "Infinity"
                    : double.IsNegativeInfinity(d) ? "-Infinity"
                    : d.ToString("R", CultureInfo.InvariantCulture));
                Write(";");
                break;
            case bool b:
                Write(b ? "B1;" : "B0;");
                break;
        }
    }

    /// <summary>Adds a text value (<c>S&lt;n&gt;:&lt;text&gt;;</c>), or a missing one for <see langword="null"/>.</summary>
    /// <param name="text">The text.</param>
    public void AddString(string? text)
    {
        if (text is null)
        {
            Write("N;");
            return;
        }

        Write("S");
        WriteCounted(text);
        Write(";");
    }

    /// <summary>Ends the current row.</summary>
    public void EndRow() => Write("\n");

    /// <summary>The digest of everything added: the first 8 hex characters (lower case) of the MD5.</summary>
    /// <returns>The digest.</returns>
    /// <exception cref="InvalidOperationException">When writing to a stream.</exception>
    public string Finish() =>
        _hash is null
            ? throw new InvalidOperationException("A canonical writer to a stream has no digest.")
            : Convert.ToHexString(_hash.GetHashAndReset())[..8].ToLowerInvariant();

    /// <inheritdoc/>
    public void Dispose()
    {
        _writer?.Dispose();
        _hash?.Dispose();
    }

    private void WriteCounted(string text)
    {
        Span<char> number = stackalloc char[12];
        Encoding.UTF8.GetByteCount(text).TryFormat(number, out var written, provider: CultureInfo.InvariantCulture);
        Write(number[..written]);
        Write(":");
        Write(text);
    }

    private void Write(ReadOnlySpan<char> text)
    {
        if (_writer is not null)
        {
            _writer.Write(text);
            return;
        }

        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_buffer.Length < max)
        {
            _buffer = new byte[Math.Max(max, _buffer.Length * 2)];
        }

        var count = Encoding.UTF8.GetBytes(text, _buffer);
        _hash!.AppendData(_buffer, 0, count);
    }
}
