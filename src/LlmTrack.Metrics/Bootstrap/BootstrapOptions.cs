namespace LlmTrack.Metrics.Bootstrap;

/// <summary>Options of bootstrap resampling.</summary>
public sealed class BootstrapOptions
{
    /// <summary>The default seed, the same as sacreBLEU's default <c>SACREBLEU_SEED</c>.</summary>
    public const long DefaultSeed = 12345;

    /// <summary>Number of bootstrap resamples; 1000 by default (sacreBLEU's default for paired bootstrap).</summary>
    public int Resamples { get; init; } = 1000;

    /// <summary>Seed of the random generator (xoshiro256** seeded by SplitMix64); the same seed gives the same resamples everywhere.</summary>
    public long Seed { get; init; } = DefaultSeed;

    /// <summary>Confidence level of the percentile interval, in (0, 1); 0.95 by default.</summary>
    public double ConfidenceLevel { get; init; } = 0.95;

    internal void Validate()
    {
        if (Resamples < 1)
        {
            throw new ArgumentException($"Resamples must be at least 1, but is {Resamples}.", nameof(Resamples));
        }

        if (!(ConfidenceLevel > 0 && ConfidenceLevel < 1))
        {
            throw new ArgumentException($"ConfidenceLevel must be in (0, 1), but is {ConfidenceLevel}.", nameof(ConfidenceLevel));
        }
    }
}
