namespace LlmTrack.Metrics.Ter;

/// <summary>
/// Options of the TER metric, named after sacreBLEU's <c>TER(normalized, no_punct, asian_support,
/// case_sensitive)</c> arguments. All default to <see langword="false"/>, as in sacreBLEU.
/// </summary>
public sealed record TerOptions
{
    /// <summary>The sacreBLEU defaults: lowercased, not normalized, punctuation kept.</summary>
    public static TerOptions Default { get; } = new();

    /// <summary>
    /// Tercom normalization (<c>normalized</c>): joins lines, unescapes XML entities and splits
    /// punctuation from words. With <see cref="AsianSupport"/> it also splits CJK text into characters.
    /// </summary>
    public bool Normalized { get; init; }

    /// <summary>Removes the punctuation characters <c>. , ? : ; ! " ( )</c> (<c>no_punct</c>).</summary>
    public bool NoPunctuation { get; init; }

    /// <summary>
    /// Special treatment of Asian (CJK) text (<c>asian_support</c>); only has an effect together with
    /// <see cref="Normalized"/> and/or <see cref="NoPunctuation"/>.
    /// </summary>
    public bool AsianSupport { get; init; }

    /// <summary>Keeps case; by default text is lowercased (<c>case_sensitive</c>).</summary>
    public bool CaseSensitive { get; init; }
}
