namespace LlmTrack.Metrics.Bootstrap;

/// <summary>A bootstrap confidence interval of a corpus metric.</summary>
/// <param name="Estimate">The metric on the full corpus.</param>
/// <param name="Lower">Lower bound of the percentile interval.</param>
/// <param name="Upper">Upper bound of the percentile interval.</param>
/// <param name="Mean">Mean of the resampled scores.</param>
/// <param name="StandardDeviation">Standard deviation (population, ddof = 0) of the resampled scores.</param>
/// <param name="ConfidenceLevel">The interval's confidence level.</param>
/// <param name="Resamples">Number of resamples.</param>
/// <param name="Seed">The seed used.</param>
public sealed record BootstrapConfidenceInterval(
    double Estimate,
    double Lower,
    double Upper,
    double Mean,
    double StandardDeviation,
    double ConfidenceLevel,
    int Resamples,
    long Seed)
{
    /// <summary>Half the interval width, which sacreBLEU prints as "mean ± ci".</summary>
    public double HalfWidth => 0.5 * (Upper - Lower);
}

/// <summary>
/// Result of a paired bootstrap test of a system against a baseline, as sacreBLEU's <c>--paired-bs</c>: both systems'
/// scores, each one's bootstrap mean and 95% interval, and the p-value of the difference.
/// </summary>
/// <param name="Baseline">The baseline's full-corpus score and bootstrap interval.</param>
/// <param name="System">The system's full-corpus score and bootstrap interval.</param>
/// <param name="PValue">(number of resamples whose centred |difference| exceeds the observed |difference| + 1) / (resamples + 1).</param>
public sealed record PairedBootstrapResult(BootstrapConfidenceInterval Baseline, BootstrapConfidenceInterval System, double PValue)
{
    /// <summary>System score minus baseline score on the full corpus.</summary>
    public double Difference => System.Estimate - Baseline.Estimate;

    /// <summary>Whether the difference is significant at <paramref name="alpha"/> (p-value below it).</summary>
    /// <param name="alpha">The significance level, e.g. 0.05.</param>
    /// <returns>Whether p &lt; alpha.</returns>
    public bool IsSignificant(double alpha = 0.05) => PValue < alpha;
}
