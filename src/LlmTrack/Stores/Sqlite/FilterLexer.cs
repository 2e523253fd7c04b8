using System.Text;

namespace LlmTrack.Stores.Sqlite;

/// <summary>
/// The lexing that MLflow's filter strings share, for the run search grammar (<see cref="SearchFilter"/>) and the trace
/// search grammar (<c>Traces/TraceFilter</c>): quoted strings (<c>'…'</c>, <c>"…"</c>, <c>`…`</c>, a doubled quote
/// standing for itself), whole keywords (<c>AND</c>, <c>IN</c>, <c>ASC</c> …) and white space.
/// </summary>
internal static class FilterLexer
{
    public static string ReadQuoted(string text, ref int position)
    {
        if (position >= text.Length || text[position] is not ('\'' or '"' or '`'))
        {
            throw Invalid($"Expected a quoted string in '{text}' at position {position}.");
        }

        var quote = text[position++];
        var builder = new StringBuilder();
        while (position < text.Length)
        {
            var c = text[position++];
            if (c == quote)
            {
                // A doubled quote inside the string stands for the quote itself.
                if (position < text.Length && text[position] == quote)
                {
                    builder.Append(quote);
                    position++;
                    continue;
                }

                return builder.ToString();
            }

            builder.Append(c);
        }

        throw Invalid($"Unterminated quoted string in '{text}'.");
    }

    public static bool TryReadWord(string text, ref int position, string word)
    {
        if (string.Compare(text, position, word, 0, word.Length, StringComparison.OrdinalIgnoreCase) != 0)
        {
            return false;
        }

        var end = position + word.Length;
        if (end < text.Length && (char.IsLetterOrDigit(text[end]) || text[end] == '_'))
        {
            return false;
        }

        position = end;
        return true;
    }

    public static void SkipSpace(string text, ref int position)
    {
        while (position < text.Length && char.IsWhiteSpace(text[position]))
        {
            position++;
        }
    }

    private static MlflowException Invalid(string message) => new(MlflowErrorCode.InvalidParameterValue, message);
}
