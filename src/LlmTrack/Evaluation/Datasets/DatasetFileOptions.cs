namespace LlmTrack.Evaluation.Datasets;

/// <summary>Options shared by the data set file loaders.</summary>
public record DatasetFileOptions
{
    /// <summary>The data set's name; defaults to the file name without its extension.</summary>
    public string? Name { get; init; }

    /// <summary>
    /// Column names to use. With <see cref="HasHeader"/> they replace the header's names; without a
    /// header they name the columns (otherwise <c>0</c>, <c>1</c>, … as pandas does).
    /// For JSON Lines they choose and order the keys to keep.
    /// </summary>
    public IReadOnlyList<string>? ColumnNames { get; init; }

    /// <summary>Whether the first line holds the column names (TSV and CSV; default <see langword="false"/>).</summary>
    public bool HasHeader { get; init; }

    /// <summary>Whether empty fields are missing values (TSV and CSV; default <see langword="true"/>, as pandas).</summary>
    public bool EmptyFieldsAreMissing { get; init; } = true;
}

/// <summary>Options for tab-separated files.</summary>
public sealed record TsvOptions : DatasetFileOptions
{
    /// <summary>
    /// Split each line on its last TAB only, giving two columns (text, label); the text keeps any
    /// earlier TABs. Default <see langword="false"/>: split on every TAB.
    /// </summary>
    public bool SplitOnLastTab { get; init; }
}

/// <summary>Options for comma-separated files (RFC 4180).</summary>
public sealed record CsvOptions : DatasetFileOptions
{
    /// <summary>The field separator (default <c>,</c>).</summary>
    public char Delimiter { get; init; } = ',';
}

/// <summary>Options for JSON Lines files.</summary>
public sealed record JsonlOptions : DatasetFileOptions;

/// <summary>A data file line that cannot be read.</summary>
public sealed class DatasetFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public DatasetFormatException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public DatasetFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public DatasetFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a file line.</summary>
    /// <param name="path">The file.</param>
    /// <param name="lineNumber">The 1-based line number.</param>
    /// <param name="problem">What is wrong.</param>
    /// <param name="innerException">The cause, if any.</param>
    public DatasetFormatException(string path, int lineNumber, string problem, Exception? innerException = null)
        : base($"{path}, line {lineNumber}: {problem}", innerException)
    {
        Path = path;
        LineNumber = lineNumber;
    }

    /// <summary>The file, when known.</summary>
    public string? Path { get; }

    /// <summary>The 1-based line number, when known.</summary>
    public int LineNumber { get; }
}
