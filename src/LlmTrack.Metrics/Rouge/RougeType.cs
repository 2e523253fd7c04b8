using System.Globalization;

namespace LlmTrack.Metrics.Rouge;

/// <summary>Which family a <see cref="RougeType"/> belongs to.</summary>
public enum RougeVariant
{
    /// <summary>ROUGE-N: clipped n-gram overlap (rouge-score's <c>rouge1</c>, <c>rouge2</c>, ...).</summary>
    NGram,

    /// <summary>ROUGE-L: longest common subsequence over the whole text (<c>rougeL</c>).</summary>
    LongestCommonSubsequence,

    /// <summary>
    /// ROUGE-Lsum: summary-level LCS, the union LCS of each reference sentence against all
    /// prediction sentences, sentences being the text's non-empty lines (<c>rougeLsum</c>).
    /// </summary>
    SummaryLevelLcs,
}

/// <summary>A ROUGE variant to compute, named as in rouge-score (<c>rouge1</c>, <c>rougeL</c>, <c>rougeLsum</c>).</summary>
public sealed record RougeType
{
    private RougeType(RougeVariant variant, int n, string name)
    {
        Variant = variant;
        N = n;
        Name = name;
    }

    /// <summary>Unigram overlap, <c>rouge1</c>.</summary>
    public static RougeType Rouge1 { get; } = NGram(1);

    /// <summary>Bigram overlap, <c>rouge2</c>.</summary>
    public static RougeType Rouge2 { get; } = NGram(2);

    /// <summary>Longest common subsequence over the whole text, <c>rougeL</c>.</summary>
    public static RougeType RougeL { get; } = new(RougeVariant.LongestCommonSubsequence, 0, "rougeL");

    /// <summary>Summary-level LCS over newline-separated sentences, <c>rougeLsum</c>.</summary>
    public static RougeType RougeLsum { get; } = new(RougeVariant.SummaryLevelLcs, 0, "rougeLsum");

    /// <summary>The four types rouge-score and Hugging Face <c>evaluate</c> report by default.</summary>
    public static IReadOnlyList<RougeType> Default { get; } = [Rouge1, Rouge2, RougeL, RougeLsum];

    /// <summary>The family of this type.</summary>
    public RougeVariant Variant { get; }

    /// <summary>The n-gram order for <see cref="RougeVariant.NGram"/>; 0 for the LCS variants.</summary>
    public int N { get; }

    /// <summary>rouge-score's name for the type, e.g. <c>rouge2</c> or <c>rougeLsum</c>.</summary>
    public string Name { get; }

    /// <summary>ROUGE-N for n-grams of order <paramref name="n"/>.</summary>
    /// <param name="n">The n-gram order, at least 1.</param>
    /// <returns>The type named <c>rouge{n}</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is less than 1.</exception>
    public static RougeType NGram(int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        return new RougeType(RougeVariant.NGram, n, "rouge" + n.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Parses a rouge-score type name: <c>rougeL</c>, <c>rougeLsum</c> or <c>rouge</c> followed by
    /// a positive integer (rouge-score itself accepts only one digit, 1 to 9). Names are case-sensitive.
    /// </summary>
    /// <param name="name">The name.</param>
    /// <returns>The type.</returns>
    /// <exception cref="ArgumentException">The name is not a ROUGE type.</exception>
    public static RougeType Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryParse(name, out var type)
            ? type
            : throw new ArgumentException($"Invalid rouge type: '{name}'. Expected rougeL, rougeLsum or rouge<N> with N >= 1.", nameof(name));
    }

    /// <summary>Parses a rouge-score type name, see <see cref="Parse"/>.</summary>
    /// <param name="name">The name.</param>
    /// <param name="type">The type, when the name is valid.</param>
    /// <returns>Whether the name is valid.</returns>
    public static bool TryParse(string? name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RougeType? type)
    {
        type = null;
        if (name is null)
        {
            return false;
        }

        if (name == "rougeL")
        {
            type = RougeL;
            return true;
        }

        if (name == "rougeLsum")
        {
            type = RougeLsum;
            return true;
        }

        if (!name.StartsWith("rouge", StringComparison.Ordinal) || name.Length == 5)
        {
            return false;
        }

        var digits = name.AsSpan(5);
        if (digits[0] == '0')
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
        {
            return false;
        }

        type = NGram(n);
        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
