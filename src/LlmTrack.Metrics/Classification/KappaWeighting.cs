namespace LlmTrack.Metrics.Classification;

/// <summary>Disagreement weights of Cohen's kappa (scikit-learn's <c>weights</c>).</summary>
public enum KappaWeighting
{
    /// <summary>Unweighted kappa: every disagreement weighs 1.</summary>
    None,

    /// <summary>Weight |i - j| by the distance of the label positions.</summary>
    Linear,

    /// <summary>Weight (i - j)² by the squared distance of the label positions.</summary>
    Quadratic,
}
