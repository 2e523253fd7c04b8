namespace LlmTrack;

/// <summary>
/// How <see cref="Tracker.EnableTracing"/> turns an application's <see cref="System.Diagnostics.ActivitySource"/> spans
/// into MLflow traces: which sources to listen to, the sampling ratio, batching, the memory bound and content capture.
/// </summary>
public sealed class TracingOptions
{
    /// <summary>The ActivitySource name of LlmTrack's own spans (per-example evaluation traces, the chat predictor).</summary>
    public const string LlmTrackSourceName = "LlmTrack";

    /// <summary>
    /// The names of the ActivitySources to listen to (OpenTelemetry's <c>AddSource</c>, <c>*</c> wildcards allowed).
    /// Default: LlmTrack's own and Microsoft.Extensions.AI's <c>UseOpenTelemetry()</c> sources.
    /// </summary>
    public IList<string> ActivitySources { get; } = [LlmTrackSourceName, LlmTrackSourceName + ".*", "Experimental.Microsoft.Extensions.AI", "Microsoft.Extensions.AI"];

    /// <summary>The experiment of traces made outside a linked run (default: the tracker's default experiment).</summary>
    public string? ExperimentName { get; set; }

    /// <summary>The share of traces kept, 0–1 (by trace id, so a trace is kept or dropped whole). Default 1.</summary>
    public double SamplingRatio { get; set; } = 1.0;

    /// <summary>
    /// Whether prompts and completions (<c>gen_ai.input.messages</c>, <c>gen_ai.output.messages</c>,
    /// <c>gen_ai.system_instructions</c>) are exported. Off by default, as in Microsoft.Extensions.AI; turning it on
    /// here does not make a chat client record them: that also needs its <c>EnableSensitiveData</c>.
    /// </summary>
    public bool CaptureContent { get; set; }

    /// <summary>At most this many finished spans wait for export; more are dropped and counted. Default 2048.</summary>
    public int MaxQueueSize { get; set; } = 2048;

    /// <summary>At most this many spans per export. Default 512.</summary>
    public int MaxExportBatchSize { get; set; } = 512;

    /// <summary>How long finished spans wait before an export. Default 1 s.</summary>
    public TimeSpan ScheduledDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a flush or shutdown waits for the export. Default 30 s.</summary>
    public TimeSpan ExportTimeout { get; set; } = TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        if (SamplingRatio is < 0 or > 1 || double.IsNaN(SamplingRatio))
        {
            throw new ArgumentOutOfRangeException(nameof(SamplingRatio), SamplingRatio, "The sampling ratio must lie in [0, 1].");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueueSize, 1, nameof(MaxQueueSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxExportBatchSize, 1, nameof(MaxExportBatchSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxExportBatchSize, MaxQueueSize, nameof(MaxExportBatchSize));
        if (ActivitySources.Count == 0)
        {
            throw new ArgumentException("Name at least one ActivitySource to listen to.", nameof(ActivitySources));
        }
    }
}
