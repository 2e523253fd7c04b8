namespace LlmTrack.Metrics.Tokenization;

/// <summary>
/// sacreBLEU's default <c>13a</c> tokenizer (mteval-v13a.pl): removes <c>&lt;skipped&gt;</c>,
/// joins <c>-\n</c>, turns newlines into spaces, unescapes <c>&amp;quot; &amp;amp; &amp;lt; &amp;gt;</c>
/// (in that order), pads with spaces and applies the <see cref="MtevalRegexpPasses"/>.
/// </summary>
internal sealed class Tokenizer13a : SegmentTokenizer
{
    /// <inheritdoc/>
    public override string Name => "13a";

    /// <inheritdoc/>
    public override void Tokenize(ReadOnlySpan<char> line, TokenList tokens)
    {
        if (line.IndexOfAny('<', '\n', '&') >= 0)
        {
            string text = line.ToString()
                .Replace("<skipped>", string.Empty, StringComparison.Ordinal)
                .Replace("-\n", string.Empty, StringComparison.Ordinal)
                .Replace("\n", " ", StringComparison.Ordinal);
            if (text.Contains('&', StringComparison.Ordinal))
            {
                text = text
                    .Replace("&quot;", "\"", StringComparison.Ordinal)
                    .Replace("&amp;", "&", StringComparison.Ordinal)
                    .Replace("&lt;", "<", StringComparison.Ordinal)
                    .Replace("&gt;", ">", StringComparison.Ordinal);
            }

            line = text;
        }

        int capacity = (line.Length * 3) + 6;
        char[] a = First(capacity * 8);
        char[] b = Second(capacity * 8);
        int length = MtevalRegexpPasses.SeparateSymbols(line, a, pad: true);
        tokens.SetFromWhitespaceSplit(MtevalRegexpPasses.PeriodCommaDash(a, b, length));
    }
}
