using System.Text;

namespace LlmTrack.Metrics.QuestionAnswering;

/// <summary>Answer normalization and tokenization of the official SQuAD evaluation scripts (v1.1 and v2.0).</summary>
public static class SquadText
{
    private const string AsciiPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    /// <summary>
    /// <c>normalize_answer</c>: lowercase (Python <c>str.lower</c>), remove ASCII punctuation (Python's
    /// <c>string.punctuation</c>), replace the whole words a, an and the by a space, and collapse whitespace.
    /// </summary>
    /// <param name="text">An answer.</param>
    /// <returns>The normalized answer.</returns>
    public static string NormalizeAnswer(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lowered = PythonText.Lower(text);
        var noPunctuation = new StringBuilder(lowered.Length);
        foreach (var c in lowered)
        {
            if (!AsciiPunctuation.Contains(c, StringComparison.Ordinal))
            {
                noPunctuation.Append(c);
            }
        }

        return string.Join(' ', SplitWhitespace(RemoveArticles(noPunctuation.ToString())));
    }

    /// <summary>The tokens of the normalized answer (<c>normalize_answer(s).split()</c>).</summary>
    /// <param name="text">An answer.</param>
    /// <returns>The tokens; empty for an empty answer.</returns>
    public static IReadOnlyList<string> Tokens(string text) => SplitWhitespace(NormalizeAnswer(text));

    /// <summary>Python's <c>str.split()</c> without arguments: split on runs of Unicode whitespace, dropping empty parts.</summary>
    internal static List<string> SplitWhitespace(string text)
    {
        var parts = new List<string>();
        var start = -1;
        for (var i = 0; i < text.Length; i++)
        {
            if (PythonText.IsSpace(text[i]))
            {
                if (start >= 0)
                {
                    parts.Add(text[start..i]);
                    start = -1;
                }
            }
            else if (start < 0)
            {
                start = i;
            }
        }

        if (start >= 0)
        {
            parts.Add(text[start..]);
        }

        return parts;
    }

    // re.sub(r"\b(a|an|the)\b", " ", text) with Python's Unicode word characters: a maximal run of word
    // characters that is exactly "a", "an" or "the" is replaced by one space.
    private static string RemoveArticles(string text)
    {
        var builder = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var length);
            if (!PythonText.IsWordChar(rune))
            {
                builder.Append(text, i, length);
                i += length;
                continue;
            }

            var start = i;
            while (i < text.Length)
            {
                Rune.DecodeFromUtf16(text.AsSpan(i), out var r, out var runeLength);
                if (!PythonText.IsWordChar(r))
                {
                    break;
                }

                i += runeLength;
            }

            var word = text.AsSpan(start, i - start);
            if (word is "a" or "an" or "the")
            {
                builder.Append(' ');
            }
            else
            {
                builder.Append(word);
            }
        }

        return builder.ToString();
    }
}
