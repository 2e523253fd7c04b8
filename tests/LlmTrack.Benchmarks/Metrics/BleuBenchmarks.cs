using BenchmarkDotNet.Attributes;
using LlmTrack.Metrics;
using LlmTrack.Metrics.Bleu;

namespace LlmTrack.Benchmarks.Metrics;

/// <summary>
/// Corpus BLEU over 20,000 segments (FLORES eng→por repeated). sacreBLEU 2.6.0 takes about 2 s
/// for corpus BLEU (13a) on this size; the target is at least 20× faster.
/// </summary>
[MemoryDiagnoser]
public class BleuBenchmarks
{
    private string[] _hypotheses = [];
    private string[][] _references = [];
    private SampleScorer _scorer = null!;
    private int[] _sample = [];

    [Params(BleuTokenizer.Mteval13a, BleuTokenizer.International, BleuTokenizer.Chinese, BleuTokenizer.Character)]
    public BleuTokenizer Tokenizer { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (string[] hyps, string[] refs) = TranslationCorpus.Load();
        _hypotheses = hyps;
        _references = [refs];
        _scorer = BleuScorer.Prepare(_hypotheses, _references, new BleuOptions { Tokenizer = Tokenizer }).CreateSampleScorer();
        var random = new Random(12345);
        _sample = new int[hyps.Length];
        for (int i = 0; i < _sample.Length; i++)
        {
            _sample[i] = random.Next(hyps.Length);
        }
    }

    /// <summary>Tokenize, count n-grams and score the whole corpus (sacreBLEU's corpus_bleu).</summary>
    [Benchmark]
    public double CorpusBleu() =>
        BleuScorer.CorpusScore(_hypotheses, _references, new BleuOptions { Tokenizer = Tokenizer }).Score;

    /// <summary>One bootstrap resample (20,000 indices) scored from the per-segment statistics.</summary>
    [Benchmark]
    public double BootstrapResample() => _scorer(_sample);
}
