using System.Text.Json;
using LlmTrack.Metrics.Tests.Bleu;
using LlmTrack.Metrics.Text;
using LlmTrack.Metrics.Tokenization;

namespace LlmTrack.Metrics.Tests.Tokenization;

/// <summary>
/// The hand-written tokenizer scanners against the output of sacreBLEU's regular expressions run by
/// Python's re/regex engines (TestData/sacrebleu/tokenizer_vectors.json: FLORES and corpus_small lines,
/// edge cases and 1,500 random strings over the characters the rules treat specially).
/// </summary>
public class TokenizerVectorTests
{
    private static readonly Lazy<JsonElement[]> Cases = new(() =>
        JsonDocument.Parse(File.ReadAllText(SacreBleuTestData.PathOf("tokenizer_vectors.json")))
            .RootElement.GetProperty("cases").EnumerateArray().ToArray());

    [Theory]
    [InlineData("13a")]
    [InlineData("intl")]
    [InlineData("zh")]
    [InlineData("char")]
    [InlineData("none")]
    public void TokenizerEqualsSacreBleu(string name)
    {
        SegmentTokenizer tokenizer = SegmentTokenizers.Create(name);
        Assert.Equal(name, tokenizer.Name);
        var failures = new List<string>();
        foreach (JsonElement testCase in Cases.Value)
        {
            string line = testCase.GetProperty("line").GetString()!;
            string expected = testCase.GetProperty(name).GetString()!;
            string actual = tokenizer.TokenizeToString(PythonText.RStrip(line));
            if (expected != actual)
            {
                failures.Add($"{JsonSerializer.Serialize(line)}: expected {JsonSerializer.Serialize(expected)}, got {JsonSerializer.Serialize(actual)}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} mismatches:\n" + string.Join('\n', failures.Take(20)));
        Assert.True(Cases.Value.Length > 1900);
    }

    [Theory]
    [InlineData("13a", "Hello, world! It's 3.14.", "Hello , world ! It's 3.14 .")]
    [InlineData("13a", "a&amp;lt;b", "a < b")]
    [InlineData("intl", "Price: 5,000.50 $ (approx.)", "Price : 5,000.50 $ ( approx . )")]
    [InlineData("zh", "我喜欢猫。", "我 喜 欢 猫 。")]
    [InlineData("char", "ab c😀", "a b c 😀")]
    public void KnownOutputs(string name, string line, string expected) =>
        Assert.Equal(expected, SegmentTokenizers.Create(name).TokenizeToString(line));
}
