using System.Text;
using System.Text.RegularExpressions;
using LlmTrack.Metrics.Text;

namespace LlmTrack.Metrics.Ter;

/// <summary>
/// sacreBLEU's <c>TercomTokenizer</c> (a port of Tercom's Normalizer): optional lowercasing,
/// optional Western (and Asian) normalization, optional punctuation removal, then whitespace
/// collapsing. Every step mirrors the Python regular expressions, applied in the same order.
/// </summary>
internal sealed partial class TercomTokenizer
{
    private readonly TerOptions _options;

    public TercomTokenizer(TerOptions options)
    {
        _options = options;
    }

    /// <summary>The tokenizer's signature name, as printed in the metric signature.</summary>
    public const string SignatureName = "tercom";

    /// <summary>
    /// sacreBLEU's <c>TER._preprocess_segment</c>: <c>tokenizer(sent.rstrip())</c>.
    /// </summary>
    public string Preprocess(string sentence) => Tokenize(PythonText.RStrip(sentence));

    /// <summary>Tokenizes one sentence; the result is space-separated words.</summary>
    public string Tokenize(string sentence)
    {
        if (sentence.Length == 0)
        {
            return string.Empty;
        }

        if (!_options.CaseSensitive)
        {
            sentence = PythonText.Lower(sentence);
        }

        if (_options.Normalized)
        {
            sentence = NormalizeGeneralAndWestern(sentence);
            if (_options.AsianSupport)
            {
                sentence = NormalizeAsian(sentence);
            }
        }

        if (_options.NoPunctuation)
        {
            sentence = RemovePunctuation(sentence);
            if (_options.AsianSupport)
            {
                sentence = RemoveAsianPunctuation(sentence);
            }
        }

        return PythonText.CollapseWhitespace(sentence);
    }

    private static string NormalizeGeneralAndWestern(string sentence)
    {
        // End-of-line hyphenation, then remaining line breaks.
        sentence = sentence.Replace("\n-", string.Empty, StringComparison.Ordinal);
        sentence = sentence.Replace("\n", " ", StringComparison.Ordinal);

        // XML escapes, in Tercom's order.
        sentence = sentence.Replace("&quot;", "\"", StringComparison.Ordinal);
        sentence = sentence.Replace("&amp;", "&", StringComparison.Ordinal);
        sentence = sentence.Replace("&lt;", "<", StringComparison.Ordinal);
        sentence = sentence.Replace("&gt;", ">", StringComparison.Ordinal);

        sentence = " " + sentence + " ";

        // Tokenize punctuation: the class [{-~[-` -&(-+:-@/].
        sentence = SurroundEach(sentence, IsWesternPunctuation);

        // Possessives.
        sentence = sentence.Replace("'s ", " 's ", StringComparison.Ordinal);
        sentence = PossessiveAtEnd().Replace(sentence, " 's");

        // Period and comma unless preceded by a digit, then unless followed by a digit.
        sentence = PeriodCommaAfterNonDigit().Replace(sentence, "$1 $2 ");
        sentence = PeriodCommaBeforeNonDigit().Replace(sentence, " $1 $2");

        // Dash preceded by a digit.
        sentence = DashAfterDigit().Replace(sentence, "$1 $2 ");
        return sentence;
    }

    private static string NormalizeAsian(string sentence)
    {
        // CJK Unified Ideographs (+ Extension A).
        sentence = SurroundEach(sentence, static c => c is (>= '\u4e00' and <= '\u9fff') or (>= '\u3400' and <= '\u4dbf'));

        // CJK Strokes, CJK Radicals Supplement.
        sentence = SurroundEach(sentence, static c => c is (>= '\u31c0' and <= '\u31ef') or (>= '\u2e80' and <= '\u2eff'));

        // CJK Compatibility, Compatibility Ideographs, Compatibility Forms.
        sentence = SurroundEach(
            sentence,
            static c => c is (>= '\u3300' and <= '\u33ff') or (>= '\uf900' and <= '\ufaff') or (>= '\ufe30' and <= '\ufe4f'));

        // Enclosed CJK Letters and Months (sacreBLEU's range runs to U+3F22).
        sentence = SurroundEach(sentence, static c => c is >= '\u3200' and <= '\u3f22');

        // Hiragana, Katakana and Katakana Phonetic Extensions, anchored at the string start.
        sentence = HiraganaRun().Replace(sentence, "$1 $2 ");
        sentence = KatakanaRun().Replace(sentence, "$1 $2 ");
        sentence = KatakanaPhoneticRun().Replace(sentence, "$1 $2 ");

        sentence = SurroundEach(sentence, IsAsianPunctuation);
        sentence = SurroundEach(sentence, IsFullWidthPunctuation);
        return sentence;
    }

    private static string RemovePunctuation(string sentence) =>
        RemoveEach(sentence, static c => c is '.' or ',' or '?' or ':' or ';' or '!' or '"' or '(' or ')');

    private static string RemoveAsianPunctuation(string sentence)
    {
        sentence = RemoveEach(sentence, IsAsianPunctuation);
        return RemoveEach(sentence, IsFullWidthPunctuation);
    }

    private static bool IsWesternPunctuation(char c) =>
        c is (>= '\u0020' and <= '\u0026') or (>= '(' and <= '+') or '/' or (>= ':' and <= '@')
            or (>= '[' and <= '`') or (>= '{' and <= '~');

    private static bool IsAsianPunctuation(char c) =>
        c is '\u3001' or '\u3002' or (>= '\u3008' and <= '\u3011') or (>= '\u3014' and <= '\u301f')
            or (>= '\uff61' and <= '\uff65') or '\u30fb';

    private static bool IsFullWidthPunctuation(char c) =>
        c is '\uff0e' or '\uff0c' or '\uff1f' or '\uff1a' or '\uff1b' or '\uff01' or '\uff02' or '\uff08' or '\uff09';

    // re.sub(r"([class])", r" \1 ", s) for a class of single BMP characters.
    private static string SurroundEach(string sentence, Func<char, bool> matches)
    {
        var first = IndexOfMatch(sentence, matches);
        if (first < 0)
        {
            return sentence;
        }

        var sb = new StringBuilder(sentence.Length + 16);
        sb.Append(sentence, 0, first);
        for (var i = first; i < sentence.Length; i++)
        {
            var c = sentence[i];
            if (matches(c))
            {
                sb.Append(' ').Append(c).Append(' ');
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    // re.sub(r"[class]", "", s).
    private static string RemoveEach(string sentence, Func<char, bool> matches)
    {
        var first = IndexOfMatch(sentence, matches);
        if (first < 0)
        {
            return sentence;
        }

        var sb = new StringBuilder(sentence.Length);
        sb.Append(sentence, 0, first);
        for (var i = first; i < sentence.Length; i++)
        {
            if (!matches(sentence[i]))
            {
                sb.Append(sentence[i]);
            }
        }

        return sb.ToString();
    }

    private static int IndexOfMatch(string sentence, Func<char, bool> matches)
    {
        for (var i = 0; i < sentence.Length; i++)
        {
            if (matches(sentence[i]))
            {
                return i;
            }
        }

        return -1;
    }

    [GeneratedRegex("'s$", RegexOptions.CultureInvariant)]
    private static partial Regex PossessiveAtEnd();

    [GeneratedRegex("([^0-9])([.,])", RegexOptions.CultureInvariant)]
    private static partial Regex PeriodCommaAfterNonDigit();

    [GeneratedRegex("([.,])([^0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex PeriodCommaBeforeNonDigit();

    [GeneratedRegex("([0-9])(-)", RegexOptions.CultureInvariant)]
    private static partial Regex DashAfterDigit();

    [GeneratedRegex("(^|^[\u3040-\u309f])([\u3040-\u309f]+)(?=$|^[\u3040-\u309f])", RegexOptions.CultureInvariant)]
    private static partial Regex HiraganaRun();

    [GeneratedRegex("(^|^[\u30a0-\u30ff])([\u30a0-\u30ff]+)(?=$|^[\u30a0-\u30ff])", RegexOptions.CultureInvariant)]
    private static partial Regex KatakanaRun();

    [GeneratedRegex("(^|^[\u31f0-\u31ff])([\u31f0-\u31ff]+)(?=$|^[\u31f0-\u31ff])", RegexOptions.CultureInvariant)]
    private static partial Regex KatakanaPhoneticRun();
}
