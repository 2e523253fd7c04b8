namespace LlmTrack.Metrics.Tokenization;

/// <summary>Facts about the sacreBLEU release this library reproduces.</summary>
internal static class SacreBleuReference
{
    /// <summary>The sacreBLEU version printed in signatures; scores equal that release's.</summary>
    public const string Version = "2.6.0";
}
