using System.Globalization;
using System.Text;

namespace LlmTrack.Metrics.Tokenization;

/// <summary>
/// Text primitives that behave like Python 3's <c>str</c> methods, which the reference
/// implementations (sacreBLEU and friends) rely on: whitespace as in <c>str.split()</c>,
/// <c>str.strip()</c>/<c>rstrip()</c> and <c>str.lower()</c> (full case mapping with final sigma).
/// </summary>
internal static class PythonText
{
    /// <summary>Whether <paramref name="c"/> is whitespace for Python's <c>str.isspace()</c>/<c>str.split()</c>.</summary>
    /// <remarks>Python counts U+001C–U+001F (information separators) as whitespace, .NET does not.</remarks>
    public static bool IsWhitespace(char c)
    {
        if (c <= ' ')
        {
            return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\u001c' && c <= '\u001f');
        }

        return c >= '\u0085' && char.IsWhiteSpace(c);
    }

    /// <summary>Python's <c>str.rstrip()</c> without arguments.</summary>
    public static ReadOnlySpan<char> RStrip(ReadOnlySpan<char> text)
    {
        int end = text.Length;
        while (end > 0 && IsWhitespace(text[end - 1]))
        {
            end--;
        }

        return text[..end];
    }

    /// <summary>Python's <c>str.strip()</c> without arguments.</summary>
    public static ReadOnlySpan<char> Strip(ReadOnlySpan<char> text)
    {
        text = RStrip(text);
        int start = 0;
        while (start < text.Length && IsWhitespace(text[start]))
        {
            start++;
        }

        return text[start..];
    }

    /// <summary>Whether the text contains any Python whitespace character.</summary>
    public static bool ContainsWhitespace(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (IsWhitespace(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Python's <c>str.lower()</c>: Unicode default lowercasing including the unconditional
    /// special case U+0130 → "i̇" and the Final_Sigma rule for U+03A3.
    /// </summary>
    public static string Lower(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        bool ascii = true;
        bool special = false;
        foreach (char c in text)
        {
            if (c >= 0x80)
            {
                ascii = false;
                if (c == '\u0130' || c == '\u03a3')
                {
                    special = true;
                    break;
                }
            }
        }

        if (ascii)
        {
            return LowerAscii(text);
        }

        if (!special)
        {
            return text.ToLowerInvariant();
        }

        var builder = new StringBuilder(text.Length + 4);
        for (int i = 0; i < text.Length;)
        {
            int cp = CodePointAt(text, i, out int length);
            if (cp == 0x130)
            {
                builder.Append('i').Append('\u0307');
            }
            else if (cp == 0x3a3)
            {
                builder.Append(IsFinalSigma(text, i) ? '\u03c2' : '\u03c3');
            }
            else if (length == 1)
            {
                builder.Append(char.ToLowerInvariant(text[i]));
            }
            else
            {
                builder.Append(text.AsSpan(i, length).ToString().ToLowerInvariant());
            }

            i += length;
        }

        return builder.ToString();
    }

    /// <summary>
    /// The code point at <paramref name="index"/>: a surrogate pair gives one supplementary code point,
    /// a lone surrogate is returned as itself (as Python keeps lone surrogates).
    /// </summary>
    public static int CodePointAt(ReadOnlySpan<char> text, int index, out int length)
    {
        char c = text[index];
        if (char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
        {
            length = 2;
            return char.ConvertToUtf32(c, text[index + 1]);
        }

        length = 1;
        return c;
    }

    /// <summary>The Unicode general category of a code point (lone surrogates are <see cref="UnicodeCategory.Surrogate"/>).</summary>
    public static UnicodeCategory Category(int codePoint) =>
        codePoint is >= 0xd800 and <= 0xdfff ? UnicodeCategory.Surrogate : CharUnicodeInfo.GetUnicodeCategory(codePoint);

    private static string LowerAscii(string text)
    {
        int first = -1;
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsAsciiLetterUpper(text[i]))
            {
                first = i;
                break;
            }
        }

        if (first < 0)
        {
            return text;
        }

        return string.Create(text.Length, (text, first), static (span, state) =>
        {
            state.text.AsSpan().CopyTo(span);
            for (int i = state.first; i < span.Length; i++)
            {
                char c = span[i];
                if (char.IsAsciiLetterUpper(c))
                {
                    span[i] = (char)(c | 0x20);
                }
            }
        });
    }

    // CPython's handle_capital_sigma: final when preceded by a cased letter (skipping case-ignorable
    // characters) and not followed by one.
    private static bool IsFinalSigma(string text, int index)
    {
        int j = index - 1;
        int cp = 0;
        bool found = false;
        while (j >= 0)
        {
            int start = j;
            if (char.IsLowSurrogate(text[j]) && j > 0 && char.IsHighSurrogate(text[j - 1]))
            {
                start = j - 1;
            }

            cp = CodePointAt(text, start, out _);
            if (!IsCaseIgnorable(cp))
            {
                found = true;
                break;
            }

            j = start - 1;
        }

        if (!found || !IsCased(cp))
        {
            return false;
        }

        j = index + 1;
        while (j < text.Length)
        {
            cp = CodePointAt(text, j, out int length);
            if (!IsCaseIgnorable(cp))
            {
                return !IsCased(cp);
            }

            j += length;
        }

        return true;
    }

    private static bool IsCased(int cp)
    {
        UnicodeCategory category = Category(cp);
        return category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter;
    }

    private static bool IsCaseIgnorable(int cp)
    {
        switch (cp)
        {
            case '\'':
            case '.':
            case ':':
            case '^':
            case '`':
            case 0xb7:
            case 0x2018:
            case 0x2019:
            case 0x2024:
            case 0x2027:
            case 0xfe13:
            case 0xfe52:
            case 0xfe55:
            case 0xff07:
            case 0xff0e:
            case 0xff1a:
                return true;
            default:
                UnicodeCategory category = Category(cp);
                return category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
                    or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol;
        }
    }
}
