namespace LlmTrack.Metrics.Classification;

/// <summary>How per-class precision, recall and F-scores are combined into one number (scikit-learn's <c>average</c>).</summary>
public enum AverageKind
{
    /// <summary>Scores of the positive class only (<c>average='binary'</c>); needs at most two classes.</summary>
    Binary,

    /// <summary>Global counts of true positives, false negatives and false positives (<c>average='micro'</c>).</summary>
    Micro,

    /// <summary>Unweighted mean of the per-class scores (<c>average='macro'</c>).</summary>
    Macro,

    /// <summary>Mean of the per-class scores weighted by support, the number of true instances (<c>average='weighted'</c>).</summary>
    Weighted,
}
