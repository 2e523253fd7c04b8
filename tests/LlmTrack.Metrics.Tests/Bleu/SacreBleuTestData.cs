using System.Text.Json;

namespace LlmTrack.Metrics.Tests.Bleu;

/// <summary>Loads the sacreBLEU reference vectors and FLORES files copied into TestData/sacrebleu.</summary>
internal static class SacreBleuTestData
{
    private static readonly Lazy<JsonDocument> CorpusSmallDocument = new(() => Load("corpus_small.json"));
    private static readonly Lazy<JsonDocument> CorpusExpectedDocument = new(() => Load("sacrebleu_corpus_small_expected.json"));
    private static readonly Lazy<JsonDocument> SentenceExpectedDocument = new(() => Load("sacrebleu_sentence_level_small.json"));

    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "sacrebleu", name);

    public static JsonElement CorpusSmall => CorpusSmallDocument.Value.RootElement;

    public static JsonElement CorpusExpected => CorpusExpectedDocument.Value.RootElement.GetProperty("corpora").GetProperty("corpus_small");

    public static JsonElement SentenceExpected => SentenceExpectedDocument.Value.RootElement;

    public static string[] Hypotheses => CorpusSmall.GetProperty("hypotheses").EnumerateArray().Select(e => e.GetString()!).ToArray();

    public static string[][] References => CorpusSmall.GetProperty("references").EnumerateArray()
        .Select(stream => stream.EnumerateArray().Select(e => e.GetString()!).ToArray()).ToArray();

    /// <summary>The lines of a FLORES file (split on \n only; the files end with a newline).</summary>
    public static string[] Lines(string name)
    {
        string text = File.ReadAllText(PathOf(name));
        string[] lines = text.Split('\n');
        return text.EndsWith('\n') ? lines[..^1] : lines;
    }

    public static void AssertClose(double expected, double actual, double relative = 1e-12)
    {
        double tolerance = relative * Math.Max(Math.Abs(expected), 1e-300);
        Assert.True(Math.Abs(expected - actual) <= tolerance || expected == actual, $"expected {expected:R}, actual {actual:R}");
    }

    public static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    private static JsonDocument Load(string name) => JsonDocument.Parse(File.ReadAllText(PathOf(name)));
}
