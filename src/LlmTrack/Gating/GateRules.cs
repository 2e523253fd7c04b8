using System.Globalization;

namespace LlmTrack;

/// <summary>How a <see cref="GateRequirement"/> compares a metric with its threshold.</summary>
public enum GateComparator
{
    /// <summary><c>&gt;=</c>.</summary>
    GreaterOrEqual,

    /// <summary><c>&gt;</c>.</summary>
    Greater,

    /// <summary><c>&lt;=</c>.</summary>
    LessOrEqual,

    /// <summary><c>&lt;</c>.</summary>
    Less,

    /// <summary><c>==</c>.</summary>
    Equal,
}

/// <summary>A rule "the candidate's metric must satisfy a threshold", e.g. <c>accuracy&gt;=0.85</c>.</summary>
/// <param name="Metric">The metric key.</param>
/// <param name="Comparator">The comparison.</param>
/// <param name="Threshold">The threshold.</param>
public sealed record GateRequirement(string Metric, GateComparator Comparator, double Threshold)
{
    private static readonly (string Symbol, GateComparator Comparator)[] s_symbols =
    [
        (">=", GateComparator.GreaterOrEqual), ("<=", GateComparator.LessOrEqual), ("==", GateComparator.Equal),
        (">", GateComparator.Greater), ("<", GateComparator.Less),
    ];

    /// <summary>Parses <c>metric OP number</c> with OP one of <c>&gt;= &gt; &lt;= &lt; ==</c> (spaces allowed).</summary>
    /// <param name="text">The rule, e.g. <c>accuracy&gt;=0.85</c>.</param>
    /// <returns>The rule.</returns>
    /// <exception cref="FormatException">When the text is not such a rule.</exception>
    public static GateRequirement Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var (symbol, comparator) in s_symbols)
        {
            var at = text.IndexOf(symbol, StringComparison.Ordinal);
            if (at > 0)
            {
                var metric = text[..at].Trim();
                var number = text[(at + symbol.Length)..].Trim();
                if (metric.Length > 0 && metric.AsSpan().IndexOfAny("<>=!") < 0 && double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var threshold) && double.IsFinite(threshold))
                {
                    return new GateRequirement(metric, comparator, threshold);
                }

                break;
            }
        }

        throw new FormatException($"Invalid requirement '{text}': expected METRIC OP NUMBER with OP one of >=, >, <=, <, == (e.g. accuracy>=0.85).");
    }

    /// <summary>Whether <paramref name="value"/> satisfies the rule.</summary>
    /// <param name="value">The candidate's value.</param>
    /// <returns>Whether it passes.</returns>
    public bool IsSatisfiedBy(double value) => Comparator switch
    {
        GateComparator.GreaterOrEqual => value >= Threshold,
        GateComparator.Greater => value > Threshold,
        GateComparator.LessOrEqual => value <= Threshold,
        GateComparator.Less => value < Threshold,
        _ => value == Threshold,
    };

    /// <summary>The rule as written, e.g. <c>accuracy &gt;= 0.85</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Metric} {s_symbols.First(s => s.Comparator == Comparator).Symbol} {Threshold}");
}

/// <summary>
/// A rule "the candidate's metric may not fall more than an amount below the baseline's", e.g. <c>f1_macro=0.01</c>
/// (absolute: at most 0.01 lower) or <c>f1_macro=2%</c> (relative: at most 2 % of the baseline's value lower). A drop is
/// baseline minus candidate, so the rule suits metrics where higher is better.
/// </summary>
/// <param name="Metric">The metric key.</param>
/// <param name="Amount">The largest allowed drop (absolute, or a fraction of the baseline when <paramref name="IsRelative"/>).</param>
/// <param name="IsRelative">Whether <paramref name="Amount"/> is a fraction of the baseline's value.</param>
public sealed record GateMaxDrop(string Metric, double Amount, bool IsRelative)
{
    /// <summary>Parses <c>metric=amount</c> or <c>metric=percent%</c>.</summary>
    /// <param name="text">The rule, e.g. <c>f1_macro=0.01</c> or <c>f1_macro=2%</c>.</param>
    /// <returns>The rule.</returns>
    /// <exception cref="FormatException">When the text is not such a rule.</exception>
    public static GateMaxDrop Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = text.LastIndexOf('=');
        if (at > 0)
        {
            var metric = text[..at].Trim();
            var amount = text[(at + 1)..].Trim();
            var relative = amount.EndsWith('%');
            if (relative)
            {
                amount = amount[..^1].TrimEnd();
            }

            if (metric.Length > 0 && double.TryParse(amount, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value >= 0)
            {
                return new GateMaxDrop(metric, relative ? value / 100 : value, relative);
            }
        }

        throw new FormatException($"Invalid max drop '{text}': expected METRIC=AMOUNT or METRIC=PERCENT% with a non-negative number (e.g. f1_macro=0.01 or f1_macro=2%).");
    }

    /// <summary>The largest allowed drop from <paramref name="baseline"/>.</summary>
    /// <param name="baseline">The baseline's value.</param>
    /// <returns>The allowed drop in the metric's units.</returns>
    public double AllowedDrop(double baseline) => IsRelative ? Amount * Math.Abs(baseline) : Amount;

    /// <summary>The rule as written, e.g. <c>f1_macro max drop 0.01</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => IsRelative
        ? string.Create(CultureInfo.InvariantCulture, $"{Metric} max drop {Amount * 100}%")
        : string.Create(CultureInfo.InvariantCulture, $"{Metric} max drop {Amount}");
}
