using System.Globalization;
using System.Text;

namespace LlmTrack.Metrics.QuestionAnswering;

/// <summary>Python 3 string semantics needed to replay reference scripts: <c>str.lower</c>, <c>str.isspace</c> and <c>re</c>'s word characters.</summary>
internal static class PythonText
{
    /// <summary>Python's <c>str.isspace()</c> (also <c>\s</c> in <c>re</c> and the separators of <c>str.split()</c>).</summary>
    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || (c >= '\x1c' && c <= '\x1f');

    /// <summary>Python's <c>re</c> word character: alphanumeric (letters and numbers of any script) or underscore.</summary>
    public static bool IsWordChar(Rune r)
    {
        if (r.Value == '_')
        {
            return true;
        }

        switch (Rune.GetUnicodeCategory(r))
        {
            case UnicodeCategory.UppercaseLetter:
            case UnicodeCategory.LowercaseLetter:
            case UnicodeCategory.TitlecaseLetter:
            case UnicodeCategory.ModifierLetter:
            case UnicodeCategory.OtherLetter:
            case UnicodeCategory.DecimalDigitNumber:
            case UnicodeCategory.LetterNumber:
            case UnicodeCategory.OtherNumber:
                return true;
            default:
                return false;
        }
    }

    /// <summary>Python's <c>str.lower()</c>: full Unicode lowercase with the İ and final-sigma special cases.</summary>
    public static string Lower(string text)
    {
        var builder = new StringBuilder(text.Length);
        var runes = text.EnumerateRunes().ToArray();
        for (var i = 0; i < runes.Length; i++)
        {
            var r = runes[i];
            if (r.Value == 0x130)
            {
                builder.Append("i\u0307");
            }
            else if (r.Value == 0x3A3)
            {
                builder.Append(IsFinalSigma(runes, i) ? '\u03C2' : '\u03C3');
            }
            else
            {
                builder.Append(Rune.ToLowerInvariant(r).ToString());
            }
        }

        return builder.ToString();
    }

    private static bool IsFinalSigma(Rune[] runes, int index)
    {
        var j = index - 1;
        while (j >= 0 && IsCaseIgnorable(runes[j]))
        {
            j--;
        }

        if (j < 0 || !IsCased(runes[j]))
        {
            return false;
        }

        j = index + 1;
        while (j < runes.Length && IsCaseIgnorable(runes[j]))
        {
            j++;
        }

        return j == runes.Length || !IsCased(runes[j]);
    }

    private static bool IsCased(Rune r) => Rune.GetUnicodeCategory(r) is UnicodeCategory.UppercaseLetter
        or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter;

    private static bool IsCaseIgnorable(Rune r) =>
        Rune.GetUnicodeCategory(r) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
            or UnicodeCategory.Format or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol
        || r.Value is '\'' or '.' or ':' or 0xB7 or 0x387 or 0x5F4 or 0x2018 or 0x2019 or 0x2024 or 0x2027
            or 0xFE13 or 0xFE52 or 0xFE55 or 0xFF07 or 0xFF0E or 0xFF1A;
}
