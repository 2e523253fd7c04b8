using BenchmarkDotNet.Attributes;
using LlmTrack.Metrics.Ter;

namespace LlmTrack.Benchmarks.Metrics;

/// <summary>Corpus TER on generated segments (block moves, substitutions, insertions, deletions).</summary>
[MemoryDiagnoser]
public class TerBenchmarks
{
    private string[] _hypotheses = [];
    private string[][] _references = [];
    private TerScorer _default = new();
    private TerScorer _normalized = new(new TerOptions { Normalized = true, AsianSupport = true });

    /// <summary>Number of segments in the corpus.</summary>
    [Params(3000)]
    public int Segments { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1234);
        _hypotheses = new string[Segments];
        var references = new string[Segments];
        for (var i = 0; i < Segments; i++)
        {
            var length = 5 + random.Next(40);
            var words = Enumerable.Range(0, length).Select(_ => Word(random)).ToList();
            references[i] = string.Join(' ', words) + ".";
            for (var edit = random.Next(6); edit > 0 && words.Count > 3; edit--)
            {
                switch (random.Next(4))
                {
                    case 0:
                        var start = random.Next(words.Count - 2);
                        var count = 1 + random.Next(Math.Min(5, words.Count - start - 1));
                        var block = words.GetRange(start, count);
                        words.RemoveRange(start, count);
                        words.InsertRange(random.Next(words.Count + 1), block);
                        break;
                    case 1:
                        words[random.Next(words.Count)] = Word(random);
                        break;
                    case 2:
                        words.Insert(random.Next(words.Count + 1), Word(random));
                        break;
                    default:
                        words.RemoveAt(random.Next(words.Count));
                        break;
                }
            }

            _hypotheses[i] = string.Join(' ', words) + ".";
        }

        _references = [references];
        _default = new TerScorer();
        _normalized = new TerScorer(new TerOptions { Normalized = true, AsianSupport = true });
    }

    [Benchmark(Baseline = true)]
    public double CorpusTerDefault() => _default.CorpusScore(_hypotheses, _references).Score;

    [Benchmark]
    public double CorpusTerNormalizedAsian() => _normalized.CorpusScore(_hypotheses, _references).Score;

    [Benchmark]
    public double BootstrapSamplesFromStatistics()
    {
        var stats = _default.ComputeStatistics(_hypotheses, _references);
        var scorer = stats.CreateSampleScorer();
        var random = new Random(7);
        var indices = new int[Segments];
        var total = 0.0;
        for (var sample = 0; sample < 100; sample++)
        {
            for (var k = 0; k < indices.Length; k++)
            {
                indices[k] = random.Next(Segments);
            }

            total += scorer(indices);
        }

        return total;
    }

    private static string Word(Random random) => "w" + random.Next(400).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
