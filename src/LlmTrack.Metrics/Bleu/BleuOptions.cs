namespace LlmTrack.Metrics.Bleu;

/// <summary>The word tokenizers of sacreBLEU's BLEU (the <c>tok:</c> field of the signature).</summary>
public enum BleuTokenizer
{
    /// <summary><c>13a</c>: mteval-v13a.pl tokenization, sacreBLEU's default.</summary>
    Mteval13a,

    /// <summary><c>none</c>: split on whitespace only.</summary>
    None,

    /// <summary><c>intl</c>: mteval-v14 international tokenization on Unicode punctuation and symbols.</summary>
    International,

    /// <summary><c>char</c>: every non-whitespace character is a token.</summary>
    Character,

    /// <summary><c>zh</c>: Chinese characters are separated, the rest tokenized like 13a.</summary>
    Chinese,
}

/// <summary>The smoothing methods of sacreBLEU's BLEU (Chen &amp; Cherry, 2014).</summary>
public enum BleuSmoothing
{
    /// <summary><c>exp</c>: NIST geometric smoothing (mteval-v13a), sacreBLEU's default.</summary>
    Exponential,

    /// <summary><c>floor</c>: zero precisions become <c>value / total</c> (default value 0.1).</summary>
    Floor,

    /// <summary><c>add-k</c>: adds <c>k</c> to matches and totals of orders 2 and up (default k = 1).</summary>
    AddK,

    /// <summary><c>none</c>: no smoothing.</summary>
    None,
}

/// <summary>Options of BLEU, with sacreBLEU's defaults.</summary>
public sealed record BleuOptions
{
    /// <summary>The tokenizer (default <see cref="BleuTokenizer.Mteval13a"/>).</summary>
    public BleuTokenizer Tokenizer { get; init; } = BleuTokenizer.Mteval13a;

    /// <summary>The smoothing method (default <see cref="BleuSmoothing.Exponential"/>).</summary>
    public BleuSmoothing Smoothing { get; init; } = BleuSmoothing.Exponential;

    /// <summary>The value of <see cref="BleuSmoothing.Floor"/> or <see cref="BleuSmoothing.AddK"/>; null for the default (0.1 or 1). Ignored by the other methods.</summary>
    public double? SmoothValue { get; init; }

    /// <summary>Lowercase hypotheses and references first (Python's <c>str.lower()</c>).</summary>
    public bool Lowercase { get; init; }

    /// <summary>Average only over the n-gram orders the hypothesis has (sacreBLEU's <c>effective_order</c>); recommended for sentence-level BLEU.</summary>
    public bool EffectiveOrder { get; init; }

    /// <summary>The sacreBLEU name of a tokenizer: none, 13a, intl, char or zh.</summary>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <returns>The name used in signatures and on sacreBLEU's command line.</returns>
    public static string TokenizerName(BleuTokenizer tokenizer) => tokenizer switch
    {
        BleuTokenizer.Mteval13a => "13a",
        BleuTokenizer.None => "none",
        BleuTokenizer.International => "intl",
        BleuTokenizer.Character => "char",
        BleuTokenizer.Chinese => "zh",
        _ => throw new ArgumentOutOfRangeException(nameof(tokenizer), tokenizer, "Unknown tokenizer."),
    };

    /// <summary>The tokenizer with a sacreBLEU name (none, 13a, intl, char, zh).</summary>
    /// <param name="name">The sacreBLEU name.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="ArgumentException">The name is not one of these.</exception>
    public static BleuTokenizer ParseTokenizer(string name) => name switch
    {
        "13a" => BleuTokenizer.Mteval13a,
        "none" => BleuTokenizer.None,
        "intl" => BleuTokenizer.International,
        "char" => BleuTokenizer.Character,
        "zh" => BleuTokenizer.Chinese,
        _ => throw new ArgumentException($"Unknown or unsupported sacreBLEU tokenizer '{name}'.", nameof(name)),
    };

    /// <summary>The sacreBLEU name of a smoothing method: exp, floor, add-k or none.</summary>
    /// <param name="smoothing">The method.</param>
    /// <returns>The name used in signatures.</returns>
    public static string SmoothingName(BleuSmoothing smoothing) => smoothing switch
    {
        BleuSmoothing.Exponential => "exp",
        BleuSmoothing.Floor => "floor",
        BleuSmoothing.AddK => "add-k",
        BleuSmoothing.None => "none",
        _ => throw new ArgumentOutOfRangeException(nameof(smoothing), smoothing, "Unknown smoothing method."),
    };

    /// <summary>The smoothing method with a sacreBLEU name (exp, floor, add-k, none).</summary>
    /// <param name="name">The sacreBLEU name.</param>
    /// <returns>The method.</returns>
    /// <exception cref="ArgumentException">The name is not one of these.</exception>
    public static BleuSmoothing ParseSmoothing(string name) => name switch
    {
        "exp" => BleuSmoothing.Exponential,
        "floor" => BleuSmoothing.Floor,
        "add-k" => BleuSmoothing.AddK,
        "none" => BleuSmoothing.None,
        _ => throw new ArgumentException($"Unknown sacreBLEU smoothing method '{name}'.", nameof(name)),
    };

    /// <summary>The smoothing value in effect: <see cref="SmoothValue"/> or the method's default (0.1 for floor, 1 for add-k, 0 otherwise).</summary>
    internal double EffectiveSmoothValue => SmoothValue ?? Smoothing switch
    {
        BleuSmoothing.Floor => 0.1,
        BleuSmoothing.AddK => 1.0,
        _ => 0.0,
    };
}
