namespace LlmTrack.Metrics.Rouge;

/// <summary>
/// Gives each distinct (stemmed) token an integer id so that the scores compare integers instead
/// of strings, and caches stems. One vocabulary serves a whole scoring call (not thread-safe).
/// </summary>
internal sealed class TokenVocabulary
{
    private readonly bool _useStemmer;
    private readonly Dictionary<string, int> _idOfToken = new(StringComparer.Ordinal);

    // Raw token -> id of its stem (only when stemming: the stem cache).
    private readonly Dictionary<string, int> _idOfRawToken = new(StringComparer.Ordinal);
#if NET9_0_OR_GREATER
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _tokenLookup;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _rawLookup;
#endif

    public TokenVocabulary(bool useStemmer)
    {
        _useStemmer = useStemmer;
#if NET9_0_OR_GREATER
        _tokenLookup = _idOfToken.GetAlternateLookup<ReadOnlySpan<char>>();
        _rawLookup = _idOfRawToken.GetAlternateLookup<ReadOnlySpan<char>>();
#endif
    }

    /// <summary>The number of distinct ids handed out; ids are 0 to Count - 1.</summary>
    public int Count => _idOfToken.Count;

    /// <summary>The id of a token produced by the default tokenizer, stemming it when configured.</summary>
    public int IdOfRawToken(ReadOnlySpan<char> raw)
    {
        if (!_useStemmer || raw.Length <= 3)
        {
            return IdOf(raw);
        }

#if NET9_0_OR_GREATER
        if (_rawLookup.TryGetValue(raw, out var cached))
        {
            return cached;
        }
#endif
        var rawText = raw.ToString();
#if !NET9_0_OR_GREATER
        if (_idOfRawToken.TryGetValue(rawText, out var cached))
        {
            return cached;
        }
#endif
        var id = IdOf(PorterStemmer.Stem(rawText));
        _idOfRawToken.Add(rawText, id);
        return id;
    }

    /// <summary>The id of a final token (no stemming applied).</summary>
    public int IdOf(ReadOnlySpan<char> token)
    {
#if NET9_0_OR_GREATER
        if (_tokenLookup.TryGetValue(token, out var id))
        {
            return id;
        }

        id = _idOfToken.Count;
        _tokenLookup.TryAdd(token, id);
        return id;
#else
        var text = token.ToString();
        if (_idOfToken.TryGetValue(text, out var id))
        {
            return id;
        }

        id = _idOfToken.Count;
        _idOfToken.Add(text, id);
        return id;
#endif
    }
}
