using System.Text;
using System.Text.Json;
using LlmTrack.Metrics.Text;

namespace LlmTrack.Cli.Common;

/// <summary>Reads input files the way sacreBLEU does: strict UTF-8, one segment per <c>\n</c>-terminated line.</summary>
internal static class InputFiles
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The lines of a text file as sacreBLEU reads them (<c>open(newline="\n")</c>, then <c>line.rstrip()</c>):
    /// lines end at <c>\n</c> only, trailing Python whitespace (including <c>\r</c>) is stripped, a final
    /// line without a newline counts, a byte-order mark is kept as U+FEFF (Python's <c>utf-8</c> codec).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="role">What the file is, for messages ("hypothesis file").</param>
    /// <returns>The lines; never empty.</returns>
    /// <exception cref="CliInputException">The file is missing, unreadable, not UTF-8 or empty.</exception>
    public static string[] ReadSegments(string path, string role)
    {
        string text = ReadText(path, role);
        var lines = SplitLines(text);
        if (lines.Count == 0)
        {
            throw new CliInputException($"{role} '{path}' is empty.");
        }

        var segments = new string[lines.Count];
        for (int i = 0; i < segments.Length; i++)
        {
            segments[i] = PythonText.RStrip(lines[i]);
        }

        return segments;
    }

    /// <summary>
    /// The lines of standard input as sacreBLEU reads them (a text wrapper with universal newlines: <c>\n</c>,
    /// <c>\r\n</c> and <c>\r</c> end lines), trailing whitespace stripped.
    /// </summary>
    /// <param name="reader">Standard input.</param>
    /// <param name="role">What is read, for messages.</param>
    /// <returns>The lines; never empty.</returns>
    /// <exception cref="CliInputException">Nothing was read.</exception>
    public static string[] ReadSegments(TextReader reader, string role)
    {
        var segments = new List<string>();
        while (reader.ReadLine() is string line)
        {
            segments.Add(PythonText.RStrip(line));
        }

        return segments.Count > 0 ? [.. segments] : throw new CliInputException($"{role} is empty.");
    }

    /// <summary>
    /// The JSON objects of a JSON Lines file, with their 1-based line numbers. Blank lines are skipped.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="role">What the file is, for messages.</param>
    /// <returns>The parsed objects; the caller disposes them.</returns>
    /// <exception cref="CliInputException">The file is missing, unreadable, empty, or a line is not a JSON object.</exception>
    public static List<(int LineNumber, JsonDocument Document)> ReadJsonLines(string path, string role)
    {
        string text = ReadText(path, role);
        var lines = SplitLines(text);
        var documents = new List<(int, JsonDocument)>(lines.Count);
        try
        {
            for (int i = 0; i < lines.Count; i++)
            {
                string line = lines[i];
                if (PythonText.Strip(line).IsEmpty)
                {
                    continue;
                }

                JsonDocument document;
                try
                {
                    document = JsonDocument.Parse(line);
                }
                catch (JsonException e)
                {
                    throw new CliInputException($"{path}:{i + 1}: invalid JSON{Position(e)}: {Reason(e)}", e);
                }

                JsonValueKind kind = document.RootElement.ValueKind;
                if (kind != JsonValueKind.Object)
                {
                    document.Dispose();
                    throw new CliInputException($"{path}:{i + 1}: expected a JSON object, found {Describe(kind)}.");
                }

                documents.Add((i + 1, document));
            }
        }
        catch
        {
            foreach (var (_, document) in documents)
            {
                document.Dispose();
            }

            throw;
        }

        if (documents.Count == 0)
        {
            throw new CliInputException($"{role} '{path}' is empty.");
        }

        return documents;
    }

    /// <summary>A JSON value kind as a user reads it.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>"an array", "a string", ….</returns>
    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Position(JsonException e) =>
        e.BytePositionInLine is long position ? $" at byte {position + 1}" : string.Empty;

    private static string Reason(JsonException e)
    {
        string message = e.Message;
        int details = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return details > 0 ? message[..details] : message;
    }

    private static string ReadText(string path, string role)
    {
        if (!File.Exists(path))
        {
            throw new CliInputException(Directory.Exists(path)
                ? $"{role} '{path}' is a directory, not a file."
                : $"{role} '{path}' does not exist.");
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliInputException($"cannot read {role} '{path}': {e.Message}", e);
        }

        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new CliInputException($"{role} '{path}' is not valid UTF-8 (byte offset {e.Index}).", e);
        }
    }

    private static List<string> SplitLines(string text)
    {
        var lines = new List<string>();
        int start = 0;
        while (start < text.Length)
        {
            int newline = text.IndexOf('\n', start);
            if (newline < 0)
            {
                lines.Add(text[start..]);
                break;
            }

            lines.Add(text[start..newline]);
            start = newline + 1;
        }

        return lines;
    }
}
