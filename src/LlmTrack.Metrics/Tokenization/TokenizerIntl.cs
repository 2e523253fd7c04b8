using System.Globalization;
using LlmTrack.Metrics.Text;

namespace LlmTrack.Metrics.Tokenization;

/// <summary>
/// sacreBLEU's <c>intl</c> tokenizer (mteval-v14 international tokenization), as three
/// code-point scanners with the semantics of the <c>regex</c> module's <c>sub</c>:
/// <list type="number">
/// <item><c>(\P{N})(\p{P})</c> → <c>\1 \2 </c></item>
/// <item><c>(\p{P})(\P{N})</c> → <c> \1 \2</c></item>
/// <item><c>(\p{S})</c> → <c> \1 </c></item>
/// </list>
/// followed by splitting on whitespace.
/// </summary>
internal sealed class TokenizerIntl : SegmentTokenizer
{
    /// <inheritdoc/>
    public override string Name => "intl";

    /// <inheritdoc/>
    public override void Tokenize(ReadOnlySpan<char> line, TokenList tokens)
    {
        int capacity = (line.Length * 6) + 8;
        char[] a = First(capacity);
        char[] b = Second(capacity);

        // Pass 1: (\P{N})(\p{P}) -> "\1 \2 "
        int o = 0;
        int i = 0;
        while (i < line.Length)
        {
            int first = PythonText.CodePointAt(line, i, out int firstLength);
            if (i + firstLength < line.Length)
            {
                int second = PythonText.CodePointAt(line, i + firstLength, out int secondLength);
                if (!IsNumber(first) && IsPunctuation(second))
                {
                    line.Slice(i, firstLength).CopyTo(a.AsSpan(o));
                    o += firstLength;
                    a[o++] = ' ';
                    line.Slice(i + firstLength, secondLength).CopyTo(a.AsSpan(o));
                    o += secondLength;
                    a[o++] = ' ';
                    i += firstLength + secondLength;
                    continue;
                }
            }

            line.Slice(i, firstLength).CopyTo(a.AsSpan(o));
            o += firstLength;
            i += firstLength;
        }

        // Pass 2: (\p{P})(\P{N}) -> " \1 \2"
        ReadOnlySpan<char> source = a.AsSpan(0, o);
        b = Second(o * 2);
        o = 0;
        i = 0;
        while (i < source.Length)
        {
            int first = PythonText.CodePointAt(source, i, out int firstLength);
            if (i + firstLength < source.Length && IsPunctuation(first))
            {
                int second = PythonText.CodePointAt(source, i + firstLength, out int secondLength);
                if (!IsNumber(second))
                {
                    b[o++] = ' ';
                    source.Slice(i, firstLength).CopyTo(b.AsSpan(o));
                    o += firstLength;
                    b[o++] = ' ';
                    source.Slice(i + firstLength, secondLength).CopyTo(b.AsSpan(o));
                    o += secondLength;
                    i += firstLength + secondLength;
                    continue;
                }
            }

            source.Slice(i, firstLength).CopyTo(b.AsSpan(o));
            o += firstLength;
            i += firstLength;
        }

        // Pass 3: (\p{S}) -> " \1 "
        source = b.AsSpan(0, o);
        a = First(o * 3);
        o = 0;
        i = 0;
        while (i < source.Length)
        {
            int cp = PythonText.CodePointAt(source, i, out int length);
            bool symbol = IsSymbol(cp);
            if (symbol)
            {
                a[o++] = ' ';
            }

            source.Slice(i, length).CopyTo(a.AsSpan(o));
            o += length;
            if (symbol)
            {
                a[o++] = ' ';
            }

            i += length;
        }

        tokens.SetFromWhitespaceSplit(a.AsSpan(0, o));
    }

    private static bool IsNumber(int cp)
    {
        if (cp < 0x80)
        {
            return cp is >= '0' and <= '9';
        }

        return PythonText.Category(cp) is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber;
    }

    private static bool IsPunctuation(int cp)
    {
        if (cp < 0x80)
        {
            return cp is (>= '!' and <= '#') or (>= '%' and <= '*') or (>= ',' and <= '/') or ':' or ';' or '?' or '@'
                or (>= '[' and <= ']') or '_' or '{' or '}';
        }

        return PythonText.Category(cp) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    private static bool IsSymbol(int cp)
    {
        if (cp < 0x80)
        {
            return cp is '$' or '+' or '<' or '=' or '>' or '^' or '`' or '|' or '~';
        }

        return PythonText.Category(cp) is UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol
            or UnicodeCategory.ModifierSymbol or UnicodeCategory.OtherSymbol;
    }
}
