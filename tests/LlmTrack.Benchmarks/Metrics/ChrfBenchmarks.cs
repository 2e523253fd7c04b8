using BenchmarkDotNet.Attributes;
using LlmTrack.Metrics;
using LlmTrack.Metrics.Chrf;

namespace LlmTrack.Benchmarks.Metrics;

/// <summary>
/// Corpus chrF2 and chrF2++ over 20,000 segments (FLORES eng→por repeated). sacreBLEU 2.6.0
/// takes about 5–7 s on this size; the target is at least 20× faster.
/// </summary>
[MemoryDiagnoser]
public class ChrfBenchmarks
{
    private string[] _hypotheses = [];
    private string[][] _references = [];
    private SampleScorer _scorer = null!;
    private int[] _sample = [];

    [Params(0, 2)]
    public int WordOrder { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (string[] hyps, string[] refs) = TranslationCorpus.Load();
        _hypotheses = hyps;
        _references = [refs];
        _scorer = ChrfScorer.Prepare(_hypotheses, _references, new ChrfOptions { WordOrder = WordOrder }).CreateSampleScorer();
        var random = new Random(12345);
        _sample = new int[hyps.Length];
        for (int i = 0; i < _sample.Length; i++)
        {
            _sample[i] = random.Next(hyps.Length);
        }
    }

    /// <summary>Extract character (and word) n-grams and score the whole corpus (sacreBLEU's corpus_chrf).</summary>
    [Benchmark]
    public double CorpusChrf() =>
        ChrfScorer.CorpusScore(_hypotheses, _references, new ChrfOptions { WordOrder = WordOrder }).Score;

    /// <summary>One bootstrap resample (20,000 indices) scored from the per-segment statistics.</summary>
    [Benchmark]
    public double BootstrapResample() => _scorer(_sample);
}
