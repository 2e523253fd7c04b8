namespace LlmTrack.Metrics.Rouge;

/// <summary>
/// rouge-score's default tokenizer (<c>rouge_score/tokenize.py</c>, 0.1.2): lowercase the text,
/// replace every run of characters outside <c>[a-z0-9]</c> by a space, split on whitespace, stem
/// tokens longer than 3 characters with the Porter stemmer when asked, and drop empty tokens.
/// </summary>
/// <remarks>
/// Python's <c>str.lower()</c> is reproduced for the only non-ASCII characters whose lower case
/// contains an ASCII letter: U+212A KELVIN SIGN becomes <c>k</c> and U+0130 LATIN CAPITAL LETTER I
/// WITH DOT ABOVE becomes <c>i</c> followed by a combining dot (which then separates tokens).
/// Every other non-ASCII character separates tokens, so text in other scripts yields no tokens,
/// exactly as in rouge-score.
/// </remarks>
internal static class RougeTokenizer
{
    /// <summary>Tokenizes <paramref name="text"/> and hands each token to <paramref name="sink"/>.</summary>
    /// <typeparam name="TSink">The receiver of tokens.</typeparam>
    /// <param name="text">The text.</param>
    /// <param name="sink">Receives each token (as lower-case ASCII characters, before stemming).</param>
    public static void Tokenize<TSink>(ReadOnlySpan<char> text, ref TSink sink)
        where TSink : struct, ITokenSink
    {
        Span<char> stackBuffer = stackalloc char[128];
        char[]? rented = null;
        var buffer = stackBuffer;
        var length = 0;
        try
        {
            foreach (var c in text)
            {
                if (c == '\n')
                {
                    if (length > 0)
                    {
                        sink.Add(buffer[..length]);
                        length = 0;
                    }

                    sink.LineBreak();
                    continue;
                }

                var mapped = Map(c, out var separatesAfter);
                if (mapped != '\0')
                {
                    if (length == buffer.Length)
                    {
                        var larger = System.Buffers.ArrayPool<char>.Shared.Rent(buffer.Length * 2);
                        buffer[..length].CopyTo(larger);
                        if (rented is not null)
                        {
                            System.Buffers.ArrayPool<char>.Shared.Return(rented);
                        }

                        rented = larger;
                        buffer = larger;
                    }

                    buffer[length++] = mapped;
                }

                if ((mapped == '\0' || separatesAfter) && length > 0)
                {
                    sink.Add(buffer[..length]);
                    length = 0;
                }
            }

            if (length > 0)
            {
                sink.Add(buffer[..length]);
            }
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Tokenizes <paramref name="text"/> into strings, as rouge-score's <c>tokenize</c> returns them.</summary>
    /// <param name="text">The text.</param>
    /// <param name="useStemmer">Whether tokens longer than 3 characters are Porter-stemmed.</param>
    /// <returns>The tokens.</returns>
    public static List<string> Tokenize(string text, bool useStemmer)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sink = new ListSink(new List<string>(), useStemmer);
        Tokenize(text.AsSpan(), ref sink);
        return sink.Tokens;
    }

    /// <summary>
    /// Maps one character to its lower-case ASCII letter or digit, or <c>'\0'</c> when it separates
    /// tokens. <paramref name="separatesAfter"/> is set when the character's lower case is an ASCII
    /// letter followed by a non-alphanumeric character (U+0130).
    /// </summary>
    private static char Map(char c, out bool separatesAfter)
    {
        separatesAfter = false;
        if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9'))
        {
            return c;
        }

        if (c is >= 'A' and <= 'Z')
        {
            return (char)(c + ('a' - 'A'));
        }

        if (c == '\u212A')
        {
            return 'k';
        }

        if (c == '\u0130')
        {
            separatesAfter = true;
            return 'i';
        }

        return '\0';
    }

    private struct ListSink(List<string> tokens, bool useStemmer) : ITokenSink
    {
        public readonly List<string> Tokens => tokens;

        public readonly void Add(ReadOnlySpan<char> token)
        {
            var text = token.ToString();
            tokens.Add(useStemmer && text.Length > 3 ? PorterStemmer.Stem(text) : text);
        }

        public readonly void LineBreak()
        {
        }
    }
}

/// <summary>Receives tokens from <see cref="RougeTokenizer"/>.</summary>
internal interface ITokenSink
{
    /// <summary>Receives one raw (unstemmed) token.</summary>
    /// <param name="token">The token's characters; only valid during the call.</param>
    void Add(ReadOnlySpan<char> token);

    /// <summary>Called at each <c>'\n'</c> (which also separates tokens), for rougeLsum's sentences.</summary>
    void LineBreak();
}
