namespace LlmTrack.Metrics.Tests;

public class SmokeTests
{
    [Fact]
    public void VersionIsSet() => Assert.False(string.IsNullOrEmpty(LlmTrack.Metrics.MetricsAssembly.Version));
}
