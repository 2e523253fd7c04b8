using LlmTrack.Metrics.Text;

namespace LlmTrack.Metrics.Tokenization;

/// <summary>
/// sacreBLEU's <c>zh</c> tokenizer: strips the line, surrounds every "Chinese" character with
/// spaces and applies the <see cref="MtevalRegexpPasses"/> (without 13a's padding or unescaping).
/// </summary>
/// <remarks>
/// The ranges are sacreBLEU's, including two quirks of its Python source: the entries written
/// <c>'\u20000'</c>–<c>'\u2a6d6'</c> and <c>'\u2f800'</c>–<c>'\u2fa1d'</c> are two-character strings, so
/// for a single character they select U+2001–U+2A6D and U+2F81–U+2FA1; and no supplementary-plane
/// character is ever in a range.
/// </remarks>
internal sealed class TokenizerZh : SegmentTokenizer
{
    private static readonly (int Start, int End)[] Ranges =
    [
        (0x3400, 0x4db5),
        (0x4e00, 0x9fa5),
        (0x9fa6, 0x9fbb),
        (0xf900, 0xfa2d),
        (0xfa30, 0xfa6a),
        (0xfa70, 0xfad9),
        (0x2001, 0x2a6d),
        (0x2f81, 0x2fa1),
        (0xff00, 0xffef),
        (0x2e80, 0x2eff),
        (0x3000, 0x303f),
        (0x31c0, 0x31ef),
        (0x2f00, 0x2fdf),
        (0x2ff0, 0x2fff),
        (0x3100, 0x312f),
        (0x31a0, 0x31bf),
        (0xfe10, 0xfe1f),
        (0xfe30, 0xfe4f),
        (0x2600, 0x26ff),
        (0x2700, 0x27bf),
        (0x3200, 0x32ff),
        (0x3300, 0x33ff),
    ];

    /// <inheritdoc/>
    public override string Name => "zh";

    /// <summary>Whether sacreBLEU's zh tokenizer treats the UTF-16 code unit <paramref name="c"/> as Chinese.</summary>
    public static bool IsChinese(char c)
    {
        if (c < 0x2001 || char.IsSurrogate(c))
        {
            return false;
        }

        foreach ((int start, int end) in Ranges)
        {
            if (c >= start && c <= end)
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc/>
    public override void Tokenize(ReadOnlySpan<char> line, TokenList tokens)
    {
        line = PythonText.Strip(line);
        int capacity = ((line.Length * 3) + 6) * 8;
        char[] a = First(capacity);
        char[] b = Second(capacity);

        // Separate Chinese characters and apply pass 1 in one scan (both surround single characters
        // with spaces; a Chinese character is never in pass 1's ASCII class; spaces need no tripling,
        // see MtevalRegexpPasses).
        int o = 0;
        foreach (char c in line)
        {
            if (IsChinese(c) || (c != ' ' && MtevalRegexpPasses.IsSeparatedSymbol(c)))
            {
                a[o++] = ' ';
                a[o++] = c;
                a[o++] = ' ';
            }
            else
            {
                a[o++] = c;
            }
        }

        tokens.SetFromWhitespaceSplit(MtevalRegexpPasses.PeriodCommaDash(a, b, o));
    }
}
