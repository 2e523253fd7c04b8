namespace LlmTrack.Metrics.Rouge;

/// <summary>Precision, recall and F-measure of one ROUGE type, as rouge-score's <c>Score</c> tuple.</summary>
/// <param name="Precision">Matches divided by the prediction's count (n-grams or tokens).</param>
/// <param name="Recall">Matches divided by the reference's count.</param>
/// <param name="FMeasure">The harmonic mean <c>2·P·R/(P+R)</c>, or 0 when <c>P+R</c> is 0.</param>
public readonly record struct RougeScore(double Precision, double Recall, double FMeasure)
{
    /// <summary>The score of rouge-score when nothing matches or an input has no tokens.</summary>
    public static RougeScore Zero => default;

    /// <summary>Builds a score from precision and recall with rouge-score's F-measure formula.</summary>
    /// <param name="precision">The precision.</param>
    /// <param name="recall">The recall.</param>
    /// <returns>The score.</returns>
    public static RougeScore FromPrecisionRecall(double precision, double recall) =>
        new(precision, recall, precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0);

    /// <summary>The value of one measure.</summary>
    /// <param name="measure">Which measure.</param>
    /// <returns>Its value.</returns>
    public double Get(RougeMeasure measure) => measure switch
    {
        RougeMeasure.Precision => Precision,
        RougeMeasure.Recall => Recall,
        RougeMeasure.FMeasure => FMeasure,
        _ => throw new ArgumentOutOfRangeException(nameof(measure), measure, "Unknown ROUGE measure."),
    };
}

/// <summary>One of the three numbers in a <see cref="RougeScore"/>.</summary>
public enum RougeMeasure
{
    /// <summary><see cref="RougeScore.Precision"/>.</summary>
    Precision,

    /// <summary><see cref="RougeScore.Recall"/>.</summary>
    Recall,

    /// <summary><see cref="RougeScore.FMeasure"/>.</summary>
    FMeasure,
}
