using System.Text.Json;

namespace LlmTrack.Metrics.Tests.Ter;

internal static class TerTestData
{
    private static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "TestData", "ter");

    public static JsonDocument Load(string fileName) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, fileName)));

    public static (string[] Hypotheses, string[][] References) LoadCorpusSmall()
    {
        using var doc = Load("corpus_small.json");
        var hyps = doc.RootElement.GetProperty("hypotheses").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var refs = doc.RootElement.GetProperty("references").EnumerateArray()
            .Select(stream => stream.EnumerateArray().Select(e => e.GetString()!).ToArray())
            .ToArray();
        return (hyps, refs);
    }

    public static void AssertClose(double expected, double actual, double relative = 1e-12)
    {
        var tolerance = Math.Max(Math.Abs(expected), Math.Abs(actual)) * relative;
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"Expected {expected:R}, got {actual:R}");
    }
}
