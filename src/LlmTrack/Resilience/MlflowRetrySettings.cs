namespace LlmTrack.Resilience;

/// <summary>
/// Retry and timeout settings with MLflow's Python-client defaults filled in (7 retries, back-off
/// factor 2 s, jitter 1 s, 120 s per attempt) plus a 10-minute limit for one request with retries.
/// </summary>
internal sealed record MlflowRetrySettings
{
    /// <summary>The longest single back-off wait (urllib3's <c>DEFAULT_BACKOFF_MAX</c>).</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(120);

    /// <summary>Retries after the first attempt.</summary>
    public int MaxRetries { get; init; } = 7;

    /// <summary>Back-off factor in seconds.</summary>
    public double BackoffFactor { get; init; } = 2.0;

    /// <summary>Largest random jitter added to a back-off, in seconds.</summary>
    public double BackoffJitter { get; init; } = 1.0;

    /// <summary>Time limit of one attempt.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Time limit of one request including its retries and waits.</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Fills the unset values of <paramref name="options"/> with the defaults and clamps them to workable ranges.</summary>
    public static MlflowRetrySettings From(HttpRetryOptions? options)
    {
        var defaults = new MlflowRetrySettings();
        if (options is null)
        {
            return defaults;
        }

        return new MlflowRetrySettings
        {
            MaxRetries = Math.Clamp(options.MaxRetries ?? defaults.MaxRetries, 0, 100),
            BackoffFactor = Finite(options.BackoffFactor) is { } f ? Math.Clamp(f, 0, 3600) : defaults.BackoffFactor,
            BackoffJitter = Finite(options.BackoffJitter) is { } j ? Math.Clamp(j, 0, 3600) : defaults.BackoffJitter,
            AttemptTimeout = ClampTimeout(options.AttemptTimeout ?? defaults.AttemptTimeout),
            TotalTimeout = ClampTimeout(options.TotalTimeout ?? defaults.TotalTimeout),
        };
    }

    // Polly's timeout strategy accepts 10 ms to 24 h.
    private static TimeSpan ClampTimeout(TimeSpan value)
    {
        var min = TimeSpan.FromMilliseconds(10);
        var max = TimeSpan.FromHours(24);
        return value < min ? min : value > max ? max : value;
    }

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;
}
