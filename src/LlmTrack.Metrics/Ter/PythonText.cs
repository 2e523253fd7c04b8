using System.Globalization;
using System.Text;

namespace LlmTrack.Metrics.Ter;

/// <summary>
/// The Python 3 string operations that sacreBLEU's TER relies on, reproduced exactly:
/// <c>str.lower()</c> (full lowercase mapping with the final-sigma rule), <c>str.split()</c> and
/// <c>str.rstrip()</c> (Python's whitespace set, which also contains U+001C–U+001F).
/// </summary>
internal static class PythonText
{
    private const int CapitalSigma = 0x03A3;
    private const int SmallSigma = 0x03C3;
    private const int FinalSigma = 0x03C2;
    private const int CapitalIWithDot = 0x0130;

    /// <summary>Whether <paramref name="c"/> is whitespace for Python's <c>str.isspace</c>.</summary>
    public static bool IsWhitespace(char c) =>
        char.IsWhiteSpace(c) || (c >= '\u001C' && c <= '\u001F');

    /// <summary>Python's <c>s.rstrip()</c>.</summary>
    public static string RStrip(string s)
    {
        var end = s.Length;
        while (end > 0 && IsWhitespace(s[end - 1]))
        {
            end--;
        }

        return end == s.Length ? s : s[..end];
    }

    /// <summary>Python's <c>s.split()</c>: runs of whitespace separate words; no empty words.</summary>
    public static List<string> Split(string s)
    {
        var words = new List<string>();
        var i = 0;
        while (i < s.Length)
        {
            while (i < s.Length && IsWhitespace(s[i]))
            {
                i++;
            }

            var start = i;
            while (i < s.Length && !IsWhitespace(s[i]))
            {
                i++;
            }

            if (i > start)
            {
                words.Add(s[start..i]);
            }
        }

        return words;
    }

    /// <summary>Python's <c>' '.join(s.split())</c>.</summary>
    public static string CollapseWhitespace(string s) => string.Join(' ', Split(s));

    /// <summary>
    /// Python's <c>s.lower()</c>: per code point lowercase mapping, U+0130 to "i\u0307" (the only
    /// unconditional multi-character lowercase mapping) and U+03A3 to final sigma where Unicode's
    /// Final_Sigma context holds.
    /// </summary>
    public static string Lower(string s)
    {
        if (IsAsciiWithoutUpper(s))
        {
            return s;
        }

        var sb = new StringBuilder(s.Length);
        var i = 0;
        while (i < s.Length)
        {
            if (Rune.DecodeFromUtf16(s.AsSpan(i), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                // A lone surrogate has no case mapping: keep it as it is.
                sb.Append(s[i]);
                i += consumed;
                continue;
            }

            var value = rune.Value;
            if (value == CapitalIWithDot)
            {
                sb.Append('i').Append('\u0307');
            }
            else if (value == CapitalSigma)
            {
                sb.Append((char)(IsFinalSigma(s, i) ? FinalSigma : SmallSigma));
            }
            else
            {
                AppendRune(sb, Rune.ToLowerInvariant(rune));
            }

            i += consumed;
        }

        return sb.ToString();
    }

    private static bool IsAsciiWithoutUpper(string s)
    {
        foreach (var c in s)
        {
            if (c > 0x7F || (c >= 'A' && c <= 'Z'))
            {
                return false;
            }
        }

        return true;
    }

    private static void AppendRune(StringBuilder sb, Rune rune)
    {
        if (rune.IsBmp)
        {
            sb.Append((char)rune.Value);
        }
        else
        {
            Span<char> buffer = stackalloc char[2];
            var written = rune.EncodeToUtf16(buffer);
            sb.Append(buffer[..written]);
        }
    }

    // CPython's handle_capital_sigma: final when preceded by a cased letter (skipping
    // case-ignorable characters) and not followed by one (again skipping case-ignorables).
    private static bool IsFinalSigma(string s, int index)
    {
        var j = index;
        Rune? before = null;
        while (j > 0)
        {
            Rune.DecodeLastFromUtf16(s.AsSpan(0, j), out var r, out var consumed);
            j -= consumed;
            if (!IsCaseIgnorable(r))
            {
                before = r;
                break;
            }
        }

        if (before is null || !IsCased(before.Value))
        {
            return false;
        }

        j = index + 1;
        while (j < s.Length)
        {
            Rune.DecodeFromUtf16(s.AsSpan(j), out var r, out var consumed);
            if (!IsCaseIgnorable(r))
            {
                return !IsCased(r);
            }

            j += consumed;
        }

        return true;
    }

    // Unicode "Cased": Lu, Ll, Lt, plus Other_Lowercase/Other_Uppercase (characters such as
    // ª, º, circled letters and Roman numerals, recognised here by having a case mapping).
    private static bool IsCased(Rune r)
    {
        switch (Rune.GetUnicodeCategory(r))
        {
            case UnicodeCategory.UppercaseLetter:
            case UnicodeCategory.LowercaseLetter:
            case UnicodeCategory.TitlecaseLetter:
                return true;
        }

        return r.Value is 0x00AA or 0x00BA
            || Rune.ToLowerInvariant(r) != r
            || Rune.ToUpperInvariant(r) != r;
    }

    // Unicode "Case_Ignorable": Mn, Me, Cf, Lm, Sk, plus Word_Break MidLetter, MidNumLet and
    // Single_Quote characters.
    private static bool IsCaseIgnorable(Rune r)
    {
        switch (Rune.GetUnicodeCategory(r))
        {
            case UnicodeCategory.NonSpacingMark:
            case UnicodeCategory.EnclosingMark:
            case UnicodeCategory.Format:
            case UnicodeCategory.ModifierLetter:
            case UnicodeCategory.ModifierSymbol:
                return true;
        }

        return r.Value is 0x0027 or 0x002E or 0x003A or 0x00B7 or 0x0387 or 0x055F or 0x05F4
            or 0x2018 or 0x2019 or 0x2024 or 0x2027 or 0xFE13 or 0xFE52 or 0xFE55 or 0xFF07
            or 0xFF0E or 0xFF1A;
    }
}
