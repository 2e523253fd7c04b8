using System.Globalization;
using System.Text;

namespace LlmTrack.Metrics.Text;

/// <summary>
/// Text primitives that behave like Python 3's <c>str</c> methods and <c>re</c> classes, which the
/// reference implementations (sacreBLEU's BLEU, chrF and TER, the SQuAD scripts, lm-eval's word
/// count) rely on: whitespace as in <c>str.split()</c> and <c>\s</c>, <c>str.strip()</c>/<c>rstrip()</c>,
/// <c>str.lower()</c> (full case mapping with final sigma), <c>re</c>'s word characters (<c>\w</c>) and
/// indexing by code point (a surrogate pair is one character, a lone surrogate is kept as it is).
/// </summary>
public static class PythonText
{
    private const char CapitalIWithDotAbove = '\u0130';
    private const char CapitalSigma = '\u03a3';
    private const char SmallSigma = '\u03c3';
    private const char SmallFinalSigma = '\u03c2';

    /// <summary>Whether <paramref name="c"/> is whitespace for Python's <c>str.isspace()</c>/<c>str.split()</c>.</summary>
    /// <remarks>
    /// Python's set is categories Zs, Zl, Zp and the bidirectional classes WS, B, S; it equals .NET's
    /// <see cref="char.IsWhiteSpace(char)"/> plus U+001C–U+001F (information separators).
    /// </remarks>
    public static bool IsWhitespace(char c)
    {
        if (c <= ' ')
        {
            return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\u001c' && c <= '\u001f');
        }

        return c >= '\u0085' && char.IsWhiteSpace(c);
    }

    /// <summary>
    /// Whether <paramref name="codePoint"/> is a word character of Python's <c>re</c> (<c>\w</c> in a
    /// <c>str</c> pattern): <c>str.isalnum()</c> or the underscore.
    /// </summary>
    /// <remarks>
    /// <c>isalnum</c> is <c>isalpha</c> (categories Lu, Ll, Lt, Lm, Lo) or <c>isnumeric</c> (Nd, Nl, No;
    /// the few other code points with a numeric value are CJK ideographs, already Lo). Lone
    /// surrogates (Cs) are not word characters.
    /// </remarks>
    public static bool IsWordCharacter(int codePoint) =>
        codePoint == '_' || Category(codePoint) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
            or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
            or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber;

    /// <summary>Python's <c>str.rstrip()</c> without arguments.</summary>
    public static ReadOnlySpan<char> RStrip(ReadOnlySpan<char> text) => text[..TrimmedEnd(text)];

    /// <summary>Python's <c>str.rstrip()</c> without arguments; returns <paramref name="text"/> itself when nothing is stripped.</summary>
    public static string RStrip(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int end = TrimmedEnd(text);
        return end == text.Length ? text : text[..end];
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

    /// <summary>
    /// The words of Python's <c>str.split()</c> without arguments (runs of whitespace separate words,
    /// no empty words), as slices of <paramref name="text"/> without allocating.
    /// </summary>
    internal static PythonWordEnumerator EnumerateWords(ReadOnlySpan<char> text) => new(text);

    /// <summary>Python's <c>str.split()</c> without arguments.</summary>
    public static List<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<string>();
        foreach (ReadOnlySpan<char> word in EnumerateWords(text))
        {
            words.Add(word.ToString());
        }

        return words;
    }

    /// <summary>Python's <c>' '.join(text.split())</c>; returns <paramref name="text"/> itself when it is already in that form.</summary>
    public static string CollapseWhitespace(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(text.Length);
        foreach (ReadOnlySpan<char> word in EnumerateWords(text))
        {
            if (builder.Length > 0)
            {
                builder.Append(' ');
            }

            builder.Append(word);
        }

        return builder.Equals(text.AsSpan()) ? text : builder.ToString();
    }

    /// <summary>
    /// Python's <c>str.lower()</c>: per code point lowercase mapping, U+0130 to "i̇" (the only
    /// unconditional multi-character lowercase mapping) and U+03A3 to final sigma where Unicode's
    /// Final_Sigma context holds. Lone surrogates are kept.
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
                if (c is CapitalIWithDotAbove or CapitalSigma)
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
            // Invariant lowercasing maps each code point (surrogate pairs included) by its simple
            // mapping, which is Python's full mapping for everything but U+0130 and U+03A3.
            return text.ToLowerInvariant();
        }

        var builder = new StringBuilder(text.Length + 4);
        for (int i = 0; i < text.Length;)
        {
            int cp = CodePointAt(text, i, out int length);
            if (cp == CapitalIWithDotAbove)
            {
                builder.Append('i').Append('\u0307');
            }
            else if (cp == CapitalSigma)
            {
                builder.Append(IsFinalSigma(text, i) ? SmallFinalSigma : SmallSigma);
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

    private static int TrimmedEnd(ReadOnlySpan<char> text)
    {
        int end = text.Length;
        while (end > 0 && IsWhitespace(text[end - 1]))
        {
            end--;
        }

        return end;
    }

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

    // CPython's handle_capital_sigma: final when preceded by a cased character (skipping
    // case-ignorable ones) and not followed by one (again skipping case-ignorables).
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

    // Unicode's Cased property: Lu, Ll, Lt, Other_Lowercase and Other_Uppercase. Only the members of
    // Other_* that are not also case-ignorable (modifier letters and marks are skipped before this is
    // asked) are listed: ordinal indicators, Roman numerals, circled and squared Latin letters.
    private static bool IsCased(int cp)
    {
        UnicodeCategory category = Category(cp);
        if (category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter)
        {
            return true;
        }

        return cp is 0xaa or 0xba
            or (>= 0x2160 and <= 0x217f)
            or (>= 0x24b6 and <= 0x24e9)
            or (>= 0x1f130 and <= 0x1f149)
            or (>= 0x1f150 and <= 0x1f169)
            or (>= 0x1f170 and <= 0x1f189);
    }

    // Unicode's Case_Ignorable property: Mn, Me, Cf, Lm, Sk, plus Word_Break MidLetter, MidNumLet
    // and Single_Quote.
    private static bool IsCaseIgnorable(int cp)
    {
        switch (cp)
        {
            case '\'':
            case '.':
            case ':':
            case 0xb7:
            case 0x387:
            case 0x55f:
            case 0x5f4:
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
