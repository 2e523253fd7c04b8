namespace LlmTrack.Metrics.Chrf;

/// <summary>Options of chrF/chrF++, with sacreBLEU's defaults (chrF2: 6 character orders, no word n-grams, β = 2).</summary>
public sealed record ChrfOptions
{
    /// <summary>Character n-gram order, 1–6 (default 6).</summary>
    public int CharOrder { get; init; } = 6;

    /// <summary>Word n-gram order, 0–3 (default 0; 2 gives chrF++).</summary>
    public int WordOrder { get; init; }

    /// <summary>β: recall is β times as important as precision (default 2).</summary>
    public int Beta { get; init; } = 2;

    /// <summary>Lowercase hypotheses and references first (Python's <c>str.lower()</c>).</summary>
    public bool Lowercase { get; init; }

    /// <summary>Keep whitespace inside character n-grams (sacreBLEU's <c>whitespace</c>; default removes it).</summary>
    public bool Whitespace { get; init; }

    /// <summary>
    /// Average per-order F-scores with ε for empty orders, as chrF++.py, NLTK and Moses do
    /// (sacreBLEU's <c>eps_smoothing</c>; signature <c>eff:no</c>). The default (false) averages
    /// precision and recall over the orders that occur (signature <c>eff:yes</c>).
    /// </summary>
    public bool EpsSmoothing { get; init; }

    /// <summary>chrF++: <see cref="WordOrder"/> = 2.</summary>
    public static ChrfOptions ChrfPlusPlus { get; } = new() { WordOrder = 2 };

    internal void Validate()
    {
        if (CharOrder is < 1 or > 6)
        {
            throw new ArgumentOutOfRangeException(nameof(CharOrder), CharOrder, "The character order must be between 1 and 6.");
        }

        if (WordOrder is < 0 or > 3)
        {
            throw new ArgumentOutOfRangeException(nameof(WordOrder), WordOrder, "The word order must be between 0 and 3.");
        }

        if (Beta < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Beta), Beta, "β must not be negative.");
        }
    }
}
