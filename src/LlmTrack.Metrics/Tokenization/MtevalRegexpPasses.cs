using System.Buffers;

namespace LlmTrack.Metrics.Tokenization;

/// <summary>
/// The four regular-expression substitutions of sacreBLEU's <c>TokenizerRegexp</c> (shared by the
/// 13a and zh tokenizers), written as scanners with the exact semantics of Python's <c>re.sub</c>
/// (leftmost, non-overlapping matches, each pass over the previous pass's output):
/// <list type="number">
/// <item><c>([\{-\~\[-\` -\&amp;\(-\+\:-\@\/])</c> → <c> \1 </c></item>
/// <item><c>([^0-9])([\.,])</c> → <c>\1 \2 </c></item>
/// <item><c>([\.,])([^0-9])</c> → <c> \1 \2</c></item>
/// <item><c>([0-9])(-)</c> → <c>\1 \2 </c></item>
/// </list>
/// The character classes are ASCII, so scanning UTF-16 code units gives the same result as
/// scanning code points. A run of spaces behaves like a single space in passes 2–4 (a space is
/// never the period/comma/dash of a match, and any space is a non-digit), and the result is split on
/// whitespace, so pass 1 leaves spaces as they are instead of tripling them.
/// </summary>
internal static class MtevalRegexpPasses
{
    // Pass 1's class without the space.
    private static readonly SearchValues<char> Symbols = SearchValues.Create("{|}~[\\]^_`!\"#$%&()*+:;<=>?@/");
    private static readonly SearchValues<char> PeriodComma = SearchValues.Create(".,");

    /// <summary>Whether <paramref name="c"/> is in the class of pass 1.</summary>
    public static bool IsSeparatedSymbol(char c) => c == ' ' || Symbols.Contains(c);

    /// <summary>
    /// Pass 1; <paramref name="destination"/> needs 3 × source length + 2. With <paramref name="pad"/>,
    /// the text is first surrounded by spaces (13a's <c>f" {line} "</c>).
    /// </summary>
    public static int SeparateSymbols(ReadOnlySpan<char> source, Span<char> destination, bool pad)
    {
        int o = 0;
        if (pad)
        {
            destination[o++] = ' ';
        }

        while (true)
        {
            int index = source.IndexOfAny(Symbols);
            if (index < 0)
            {
                source.CopyTo(destination[o..]);
                o += source.Length;
                break;
            }

            source[..index].CopyTo(destination[o..]);
            o += index;
            destination[o++] = ' ';
            destination[o++] = source[index];
            destination[o++] = ' ';
            source = source[(index + 1)..];
        }

        if (pad)
        {
            destination[o++] = ' ';
        }

        return o;
    }

    /// <summary>Passes 2 to 4 applied in order to <paramref name="a"/>[..<paramref name="length"/>] using <paramref name="b"/> as scratch (both need 8 × length); returns the final text.</summary>
    public static ReadOnlySpan<char> PeriodCommaDash(char[] a, char[] b, int length)
    {
        int n = SplitAfterNonDigit(a.AsSpan(0, length), b);
        n = SplitBeforeNonDigit(b.AsSpan(0, n), a);
        n = SplitDashAfterDigit(a.AsSpan(0, n), b);
        return b.AsSpan(0, n);
    }

    // Pass 2: ([^0-9])([\.,]) -> "\1 \2 ". A match starts at i = j - 1 for a period/comma at j,
    // unless s[j - 1] is a digit or was consumed by the previous match.
    private static int SplitAfterNonDigit(ReadOnlySpan<char> s, Span<char> d)
    {
        int o = 0;
        int copied = 0;
        int consumed = 0;
        int j = 1;
        while (j < s.Length)
        {
            int k = s[j..].IndexOfAny(PeriodComma);
            if (k < 0)
            {
                break;
            }

            j += k;
            int i = j - 1;
            if (i >= consumed && !char.IsAsciiDigit(s[i]))
            {
                s[copied..j].CopyTo(d[o..]);
                o += j - copied;
                d[o++] = ' ';
                d[o++] = s[j];
                d[o++] = ' ';
                consumed = copied = j + 1;
            }

            j++;
        }

        s[copied..].CopyTo(d[o..]);
        return o + (s.Length - copied);
    }

    // Pass 3: ([\.,])([^0-9]) -> " \1 \2".
    private static int SplitBeforeNonDigit(ReadOnlySpan<char> s, Span<char> d)
    {
        int o = 0;
        int copied = 0;
        int j = 0;
        while (j < s.Length - 1)
        {
            int k = s[j..^1].IndexOfAny(PeriodComma);
            if (k < 0)
            {
                break;
            }

            j += k;
            if (!char.IsAsciiDigit(s[j + 1]))
            {
                s[copied..j].CopyTo(d[o..]);
                o += j - copied;
                d[o++] = ' ';
                d[o++] = s[j];
                d[o++] = ' ';
                d[o++] = s[j + 1];
                copied = j + 2;
                j += 2;
            }
            else
            {
                j++;
            }
        }

        s[copied..].CopyTo(d[o..]);
        return o + (s.Length - copied);
    }

    // Pass 4: ([0-9])(-) -> "\1 \2 ". A dash never starts a match, so matches cannot overlap.
    private static int SplitDashAfterDigit(ReadOnlySpan<char> s, Span<char> d)
    {
        int o = 0;
        int copied = 0;
        int j = 1;
        while (j < s.Length)
        {
            int k = s[j..].IndexOf('-');
            if (k < 0)
            {
                break;
            }

            j += k;
            if (char.IsAsciiDigit(s[j - 1]))
            {
                s[copied..j].CopyTo(d[o..]);
                o += j - copied;
                d[o++] = ' ';
                d[o++] = '-';
                d[o++] = ' ';
                copied = j + 1;
            }

            j++;
        }

        s[copied..].CopyTo(d[o..]);
        return o + (s.Length - copied);
    }
}
