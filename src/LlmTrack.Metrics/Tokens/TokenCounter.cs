using Microsoft.ML.Tokenizers;

namespace LlmTrack.Metrics.Tokens;

/// <summary>
/// Counts tokens as OpenAI models see them, with Microsoft.ML.Tokenizers' <see cref="TiktokenTokenizer"/> and the
/// bundled o200k_base and cl100k_base vocabularies. Instances are cached per encoding, created once and thread-safe.
/// </summary>
/// <example><code>var n = TokenCounter.ForModel("gpt-4o").CountTokens("hello world"); // 2</code></example>
public sealed class TokenCounter
{
    private static readonly Lazy<TokenCounter> O200k = new(() => new TokenCounter(TiktokenEncoding.O200kBase), LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<TokenCounter> Cl100k = new(() => new TokenCounter(TiktokenEncoding.Cl100kBase), LazyThreadSafetyMode.ExecutionAndPublication);

    // Longest prefixes first so that "gpt-4o" is not taken for "gpt-4".
    private static readonly (string Prefix, TiktokenEncoding Encoding)[] ModelFamilies =
    [
        ("gpt-4o", TiktokenEncoding.O200kBase),
        ("chatgpt-4o", TiktokenEncoding.O200kBase),
        ("gpt-4.1", TiktokenEncoding.O200kBase),
        ("gpt-4.5", TiktokenEncoding.O200kBase),
        ("gpt-5", TiktokenEncoding.O200kBase),
        ("o1", TiktokenEncoding.O200kBase),
        ("o3", TiktokenEncoding.O200kBase),
        ("o4", TiktokenEncoding.O200kBase),
        ("gpt-4", TiktokenEncoding.Cl100kBase),
        ("gpt-3.5-turbo", TiktokenEncoding.Cl100kBase),
        ("gpt-35-turbo", TiktokenEncoding.Cl100kBase),
        ("text-embedding-3-small", TiktokenEncoding.Cl100kBase),
        ("text-embedding-3-large", TiktokenEncoding.Cl100kBase),
        ("text-embedding-ada-002", TiktokenEncoding.Cl100kBase),
    ];

    private readonly TiktokenTokenizer _tokenizer;

    private TokenCounter(TiktokenEncoding encoding)
    {
        Encoding = encoding;
        _tokenizer = TiktokenTokenizer.CreateForEncoding(EncodingNameOf(encoding));
    }

    /// <summary>The encoding this counter uses.</summary>
    public TiktokenEncoding Encoding { get; }

    /// <summary>The tiktoken name of the encoding, e.g. <c>o200k_base</c>.</summary>
    public string EncodingName => EncodingNameOf(Encoding);

    /// <summary>The shared counter of an encoding.</summary>
    /// <param name="encoding">The encoding.</param>
    /// <returns>The cached counter.</returns>
    public static TokenCounter ForEncoding(TiktokenEncoding encoding) => encoding switch
    {
        TiktokenEncoding.O200kBase => O200k.Value,
        TiktokenEncoding.Cl100kBase => Cl100k.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "Unknown tiktoken encoding."),
    };

    /// <summary>
    /// The shared counter for an OpenAI model: gpt-4o, gpt-4.1, gpt-4.5, gpt-5, o1, o3 and o4 (and their dated or
    /// -mini variants) use o200k_base; gpt-4, gpt-3.5-turbo and the text-embedding-3 / ada-002 models use cl100k_base.
    /// </summary>
    /// <param name="model">The model name, e.g. <c>gpt-4o-mini</c>.</param>
    /// <returns>The cached counter.</returns>
    /// <exception cref="ArgumentException">The model is not known; use <see cref="ForEncoding"/> instead.</exception>
    public static TokenCounter ForModel(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return TryGetEncodingForModel(model, out var encoding)
            ? ForEncoding(encoding)
            : throw new ArgumentException(
                $"No tiktoken encoding is known for model '{model}'. Known families: {string.Join(", ", ModelFamilies.Select(f => f.Prefix))}. Use TokenCounter.ForEncoding to choose one explicitly.",
                nameof(model));
    }

    /// <summary>Finds the encoding of a model name (exact family name or family name followed by '-').</summary>
    /// <param name="model">The model name.</param>
    /// <param name="encoding">The encoding when found.</param>
    /// <returns>Whether the model is known.</returns>
    public static bool TryGetEncodingForModel(string model, out TiktokenEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(model);
        var name = model.Trim();
        foreach (var (prefix, enc) in ModelFamilies)
        {
            if (name.Equals(prefix, StringComparison.OrdinalIgnoreCase)
                || (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && name.Length > prefix.Length && name[prefix.Length] == '-'))
            {
                encoding = enc;
                return true;
            }
        }

        encoding = default;
        return false;
    }

    /// <summary>The number of tokens of a text. Special-token text such as <c>&lt;|endoftext|&gt;</c> counts as one token.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The token count.</returns>
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _tokenizer.CountTokens(text);
    }

    /// <summary>The number of tokens of a text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The token count.</returns>
    public int CountTokens(ReadOnlySpan<char> text) => _tokenizer.CountTokens(text);

    /// <summary>The token ids of a text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The ids in order.</returns>
    public IReadOnlyList<int> EncodeToIds(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _tokenizer.EncodeToIds(text);
    }

    /// <summary>Counts the prompt and completion tokens of one model call.</summary>
    /// <param name="prompt">The prompt text.</param>
    /// <param name="completion">The completion text.</param>
    /// <returns>The usage.</returns>
    public TokenUsage CountUsage(string prompt, string completion) => new(CountTokens(prompt), CountTokens(completion));

    private static string EncodingNameOf(TiktokenEncoding encoding) => encoding switch
    {
        TiktokenEncoding.O200kBase => "o200k_base",
        TiktokenEncoding.Cl100kBase => "cl100k_base",
        _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "Unknown tiktoken encoding."),
    };
}
