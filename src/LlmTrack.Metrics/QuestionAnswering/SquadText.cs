using System.Text;
using LlmTrack.Metrics.Text;

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

        return PythonText.CollapseWhitespace(RemoveArticles(noPunctuation.ToString()));
    }

    /// <summary>The tokens of the normalized answer (<c>normalize_answer(s).split()</c>).</summary>
    /// <param name="text">An answer.</param>
    /// <returns>The tokens; empty for an empty answer.</returns>
    public static IReadOnlyList<string> Tokens(string text) => PythonText.Split(NormalizeAnswer(text));

    // re.sub(r"\b(a|an|the)\b", " ", text) with Python's Unicode word characters: a maximal run of word
    // characters that is exactly "a", "an" or "the" is replaced by one space.
    private static string RemoveArticles(string text)
    {
        var builder = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            if (!PythonText.IsWordCharacter(PythonText.CodePointAt(text, i, out var length)))
            {
                builder.Append(text, i, length);
                i += length;
                continue;
            }

            var start = i;
            while (i < text.Length && PythonText.IsWordCharacter(PythonText.CodePointAt(text, i, out length)))
            {
                i += length;
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
