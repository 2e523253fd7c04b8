using System.Text.Json;

namespace LlmTrack.Metrics.Tests;

internal static class ReferenceData
{
    public static JsonElement Load(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "ReferenceVectors", fileName);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }

    public static double ToDouble(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            var s => throw new FormatException(s),
        },
        JsonValueKind.True => 1.0,
        JsonValueKind.False => 0.0,
        _ => e.GetDouble(),
    };

    public static void AssertClose(double expected, double actual, string context, double relative = 1e-12)
    {
        if (double.IsNaN(expected))
        {
            Assert.True(double.IsNaN(actual), $"{context}: expected NaN, got {actual:R}");
            return;
        }

        var tolerance = relative * Math.Max(Math.Abs(expected), 1e-300);
        Assert.True(Math.Abs(expected - actual) <= tolerance || expected == actual, $"{context}: expected {expected:R}, got {actual:R}");
    }
}
