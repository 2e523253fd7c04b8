namespace LlmTrack;

/// <summary>How <see cref="TrackerComparisonExtensions.CompareRunsAsync"/> compares runs.</summary>
public sealed record CompareOptions
{
    /// <summary>The significance level of the paired tests (default 0.05).</summary>
    public double Alpha { get; init; } = 0.05;

    /// <summary>Bootstrap resamples per paired test (default 1000, sacreBLEU's).</summary>
    public int BootstrapSamples { get; init; } = PairedBootstrap.DefaultSamples;

    /// <summary>The seed of the paired tests (default 12345, sacreBLEU's).</summary>
    public int Seed { get; init; } = PairedBootstrap.DefaultSeed;

    /// <summary>Whether to read the runs' per-example tables and run paired tests (default true).</summary>
    public bool PairedTests { get; init; } = true;

    /// <summary>
    /// Extra metric → per-example column mappings (the metric key without its prefix). Built in: a column named like the
    /// metric (<c>f1</c>, <c>exact_match</c>, <c>bleu</c>, custom scorers…), <c>accuracy</c> → <c>correct</c>,
    /// <c>latency_mean_ms</c> → <c>latency_ms</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string>? ScoreColumns { get; init; }
}
