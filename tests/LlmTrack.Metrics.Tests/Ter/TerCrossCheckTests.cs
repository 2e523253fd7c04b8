using System.Text.Json;
using LlmTrack.Metrics.Ter;

namespace LlmTrack.Metrics.Tests.Ter;

/// <summary>Generated cross-check data (see TestData/ter/PROVENANCE.md).</summary>
public class TerCrossCheckTests
{
    [Fact]
    public void EditCountsMatchSacreBleuAlgorithm()
    {
        using var doc = TerTestData.Load("ter_edit_cases.json");
        var vocabulary = new Dictionary<string, int>();
        int[] Ids(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(w => vocabulary.TryGetValue(w, out var id) ? id : vocabulary[w] = vocabulary.Count)
            .ToArray();

        var failures = new List<string>();
        var index = 0;
        foreach (var c in doc.RootElement.EnumerateArray())
        {
            var hypothesis = Ids(c.GetProperty("hyp").GetString()!);
            var reference = Ids(c.GetProperty("ref").GetString()!);
            var edits = TranslationEditRate.CountEdits(hypothesis, reference);
            if (edits != c.GetProperty("edits").GetInt32() || reference.Length != c.GetProperty("ref_length").GetInt32())
            {
                failures.Add($"case {index}: expected {c.GetProperty("edits").GetInt32()}, got {edits}");
            }

            index++;
        }

        Assert.Equal(200, index);
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void PublicApiAgreesWithEditCases()
    {
        using var doc = TerTestData.Load("ter_edit_cases.json");
        var cases = doc.RootElement.EnumerateArray()
            .Where(c => c.GetProperty("ref").GetString()!.Length > 0)
            .Take(60)
            .ToArray();
        var hyps = cases.Select(c => c.GetProperty("hyp").GetString()!).ToArray();
        var refs = cases.Select(c => c.GetProperty("ref").GetString()!).ToArray();

        var stats = new TerScorer().ComputeStatistics(hyps, [refs]);

        for (var i = 0; i < cases.Length; i++)
        {
            Assert.Equal(cases[i].GetProperty("edits").GetInt32(), stats.Segments[i].NumEdits);
            Assert.Equal(cases[i].GetProperty("ref_length").GetInt32(), stats.Segments[i].RefLength);
        }
    }

    [Fact]
    public void TokenizerMatchesPython()
    {
        using var doc = TerTestData.Load("tercom_tokenizer_cases.json");
        var failures = new List<string>();
        foreach (var c in doc.RootElement.EnumerateArray())
        {
            var input = c.GetProperty("s").GetString()!;
            foreach (var variant in c.GetProperty("o").EnumerateObject())
            {
                var key = variant.Name;
                var tokenizer = new TercomTokenizer(new TerOptions
                {
                    Normalized = key[0] == '1',
                    NoPunctuation = key[1] == '1',
                    AsianSupport = key[2] == '1',
                    CaseSensitive = key[3] == '1',
                });
                var hypothesis = tokenizer.Preprocess(input);
                var reference = tokenizer.Preprocess(tokenizer.Preprocess(input));
                if (hypothesis != variant.Value[0].GetString() || reference != variant.Value[1].GetString())
                {
                    failures.Add($"{key} {JsonSerializer.Serialize(input)}: got {JsonSerializer.Serialize(hypothesis)} / {JsonSerializer.Serialize(reference)}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(20)));
    }
}
