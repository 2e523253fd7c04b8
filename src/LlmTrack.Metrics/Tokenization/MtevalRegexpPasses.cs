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
/// scanning code points.
/// </summary>
internal static class MtevalRegexpPasses
{
    /// <summary>Whether <paramref name="c"/> is in the class of pass 1.</summary>
    public static bool IsSeparatedSymbol(char c) =>
        c switch
        {
            >= '{' and <= '~' => true,
            >= '[' and <= '`' => true,
            >= ' ' and <= '&' => true,
            >= '(' and <= '+' => true,
            >= ':' and <= '@' => true,
            '/' => true,
            _ => false,
        };

    /// <summary>Pass 1; <paramref name="destination"/> needs 3 × source length (+6 when padding).</summary>
    public static int SeparateSymbols(ReadOnlySpan<char> source, Span<char> destination, bool pad)
    {
        int o = 0;
        if (pad)
        {
            // " {line} ": the padding spaces are themselves in the class.
            destination[o++] = ' ';
            destination[o++] = ' ';
            destination[o++] = ' ';
        }

        foreach (char c in source)
        {
            if (IsSeparatedSymbol(c))
            {
                destination[o++] = ' ';
                destination[o++] = c;
                destination[o++] = ' ';
            }
            else
            {
                destination[o++] = c;
            }
        }

        if (pad)
        {
            destination[o++] = ' ';
            destination[o++] = ' ';
            destination[o++] = ' ';
        }

        return o;
    }

    /// <summary>Passes 2 to 4 applied in order from <paramref name="a"/> (length <paramref name="length"/>) using <paramref name="b"/> as scratch; returns the final text.</summary>
    public static ReadOnlySpan<char> PeriodCommaDash(char[] a, char[] b, int length)
    {
        // Pass 2: ([^0-9])([\.,]) -> "\1 \2 "
        int o = 0;
        int i = 0;
        while (i < length)
        {
            char c = a[i];
            if (i + 1 < length && !char.IsAsciiDigit(c) && a[i + 1] is '.' or ',')
            {
                b[o++] = c;
                b[o++] = ' ';
                b[o++] = a[i + 1];
                b[o++] = ' ';
                i += 2;
            }
            else
            {
                b[o++] = c;
                i++;
            }
        }

        // Pass 3: ([\.,])([^0-9]) -> " \1 \2"
        length = o;
        o = 0;
        i = 0;
        while (i < length)
        {
            char c = b[i];
            if (c is '.' or ',' && i + 1 < length && !char.IsAsciiDigit(b[i + 1]))
            {
                a[o++] = ' ';
                a[o++] = c;
                a[o++] = ' ';
                a[o++] = b[i + 1];
                i += 2;
            }
            else
            {
                a[o++] = c;
                i++;
            }
        }

        // Pass 4: ([0-9])(-) -> "\1 \2 "
        length = o;
        o = 0;
        i = 0;
        while (i < length)
        {
            char c = a[i];
            if (char.IsAsciiDigit(c) && i + 1 < length && a[i + 1] == '-')
            {
                b[o++] = c;
                b[o++] = ' ';
                b[o++] = '-';
                b[o++] = ' ';
                i += 2;
            }
            else
            {
                b[o++] = c;
                i++;
            }
        }

        return b.AsSpan(0, o);
    }
}
