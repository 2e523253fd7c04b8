namespace LlmTrack.Metrics;

/// <summary>Facts about the metrics library.</summary>
public static class MetricsAssembly
{
    /// <summary>The library's version, as used in metric signatures.</summary>
    public static string Version => typeof(MetricsAssembly).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
