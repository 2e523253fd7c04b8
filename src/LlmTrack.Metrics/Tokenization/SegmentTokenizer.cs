namespace LlmTrack.Metrics.Tokenization;

/// <summary>
/// A sacreBLEU word tokenizer: turns one line into tokens (the words of sacreBLEU's
/// space-joined tokenizer output). Instances keep scratch buffers and are not thread-safe;
/// create one per thread.
/// </summary>
internal abstract class SegmentTokenizer
{
    private char[] _first = new char[512];
    private char[] _second = new char[512];

    /// <summary>The name sacreBLEU prints in signatures (<c>tok:</c>).</summary>
    public abstract string Name { get; }

    /// <summary>Tokenizes <paramref name="line"/> (what sacreBLEU's tokenizer receives) into <paramref name="tokens"/>.</summary>
    public abstract void Tokenize(ReadOnlySpan<char> line, TokenList tokens);

    /// <summary>sacreBLEU's tokenizer output: the tokens joined by single spaces.</summary>
    public string TokenizeToString(string line)
    {
        var tokens = new TokenList();
        Tokenize(line, tokens);
        return tokens.Join();
    }

    /// <summary>The first scratch buffer, at least <paramref name="length"/> long.</summary>
    protected char[] First(int length)
    {
        if (_first.Length < length)
        {
            _first = new char[Math.Max(length, _first.Length * 2)];
        }

        return _first;
    }

    /// <summary>The second scratch buffer, at least <paramref name="length"/> long.</summary>
    protected char[] Second(int length)
    {
        if (_second.Length < length)
        {
            _second = new char[Math.Max(length, _second.Length * 2)];
        }

        return _second;
    }
}

/// <summary>The sacreBLEU tokenizer names and their implementations.</summary>
internal static class SegmentTokenizers
{
    /// <summary>Creates a fresh tokenizer by sacreBLEU name: none, 13a, intl, char or zh.</summary>
    public static SegmentTokenizer Create(string name) => name switch
    {
        "none" => new TokenizerNone(),
        "13a" => new Tokenizer13a(),
        "intl" => new TokenizerIntl(),
        "char" => new TokenizerChar(),
        "zh" => new TokenizerZh(),
        _ => throw new ArgumentException($"Unknown tokenizer '{name}'.", nameof(name)),
    };
}

/// <summary>sacreBLEU's <c>none</c> tokenizer: the line is split on whitespace only.</summary>
internal sealed class TokenizerNone : SegmentTokenizer
{
    /// <inheritdoc/>
    public override string Name => "none";

    /// <inheritdoc/>
    public override void Tokenize(ReadOnlySpan<char> line, TokenList tokens) => tokens.SetFromWhitespaceSplit(line);
}

/// <summary>sacreBLEU's <c>char</c> tokenizer: every non-whitespace code point is a token.</summary>
internal sealed class TokenizerChar : SegmentTokenizer
{
    /// <inheritdoc/>
    public override string Name => "char";

    /// <inheritdoc/>
    public override void Tokenize(ReadOnlySpan<char> line, TokenList tokens) => tokens.SetFromCodePoints(line);
}
