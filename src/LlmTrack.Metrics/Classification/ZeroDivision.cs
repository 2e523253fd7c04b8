namespace LlmTrack.Metrics.Classification;

/// <summary>The value used when a ratio has a zero denominator (scikit-learn's <c>zero_division</c>).</summary>
public enum ZeroDivision
{
    /// <summary>Use 0 and record scikit-learn's <c>UndefinedMetricWarning</c> text in the result's warnings (the default).</summary>
    Warn,

    /// <summary>Use 0 without a warning.</summary>
    Zero,

    /// <summary>Use 1 without a warning.</summary>
    One,

    /// <summary>Use NaN without a warning; NaN propagates into F-scores and averages.</summary>
    NaN,
}
