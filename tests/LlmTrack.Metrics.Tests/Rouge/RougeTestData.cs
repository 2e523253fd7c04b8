using System.Text.Json;
using LlmTrack.Metrics.Rouge;

namespace LlmTrack.Metrics.Tests.Rouge;

internal static class RougeTestData
{
    public static string PathOf(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "TestData", "rouge", .. parts]);

    public static JsonDocument Load(string file) => JsonDocument.Parse(File.ReadAllText(PathOf(file)));

    public static void AssertClose(double expected, double actual, string what)
    {
        if (expected == 0)
        {
            Assert.True(actual == 0, $"{what}: expected 0, got {actual:R}");
            return;
        }

        var relative = Math.Abs(actual - expected) / Math.Abs(expected);
        Assert.True(relative <= 1e-12, $"{what}: expected {expected:R}, got {actual:R}");
    }

    public static void AssertScore(JsonElement expected, RougeScore actual, string what)
    {
        AssertClose(expected.GetProperty("precision").GetDouble(), actual.Precision, what + " precision");
        AssertClose(expected.GetProperty("recall").GetDouble(), actual.Recall, what + " recall");
        AssertClose(expected.GetProperty("fmeasure").GetDouble(), actual.FMeasure, what + " fmeasure");
    }
}
