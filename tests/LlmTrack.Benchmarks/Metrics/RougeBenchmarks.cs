using BenchmarkDotNet.Attributes;
using LlmTrack.Metrics.Rouge;

namespace LlmTrack.Benchmarks.Metrics;

/// <summary>
/// ROUGE throughput: one short pair, a 1,000-segment corpus (with and without stemming, two
/// references per segment) and one long multi-sentence document for ROUGE-L / ROUGE-Lsum.
/// </summary>
[MemoryDiagnoser]
public class RougeBenchmarks
{
    private static readonly string[] Vocabulary =
    [
        "the", "model", "models", "generated", "generating", "summary", "summaries", "of", "a", "long",
        "document", "documents", "about", "running", "runs", "evaluation", "metrics", "quickly", "and",
        "with", "references", "reference", "score", "scores", "scored", "tokens", "sentence", "sentences",
    ];

    private RougeScorer _plain = null!;
    private RougeScorer _stemmed = null!;
    private RougeScorer _lcsOnly = null!;
    private string[] _predictions = null!;
    private IReadOnlyList<string>[] _references = null!;
    private string _longPrediction = null!;
    private string _longReference = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _plain = new RougeScorer(RougeType.Default);
        _stemmed = new RougeScorer(RougeType.Default, useStemmer: true);
        _lcsOnly = new RougeScorer([RougeType.RougeL, RougeType.RougeLsum]);
        _predictions = [.. Enumerable.Range(0, 1000).Select(_ => Text(random, 1, 30))];
        _references = [.. Enumerable.Range(0, 1000).Select(_ => (IReadOnlyList<string>)[Text(random, 1, 30), Text(random, 1, 30)])];
        _longPrediction = Text(random, 40, 25);
        _longReference = Text(random, 40, 25);
    }

    [Benchmark]
    public double ShortPair() => _plain.Score(_references[0][0], _predictions[0])[RougeType.RougeL].FMeasure;

    [Benchmark]
    public double Corpus1000() => _plain.CorpusScore(_predictions, _references).Mean(RougeType.Rouge1).FMeasure;

    [Benchmark]
    public double Corpus1000Stemmed() => _stemmed.CorpusScore(_predictions, _references).Mean(RougeType.Rouge1).FMeasure;

    [Benchmark]
    public double LongDocumentLcs() => _lcsOnly.Score(_longReference, _longPrediction)[RougeType.RougeLsum].FMeasure;

    private static string Text(Random random, int sentences, int wordsPerSentence)
    {
        var lines = new string[sentences];
        for (var s = 0; s < sentences; s++)
        {
            var words = new string[random.Next(1, wordsPerSentence + 1)];
            for (var w = 0; w < words.Length; w++)
            {
                words[w] = Vocabulary[random.Next(Vocabulary.Length)];
            }

            lines[s] = string.Join(' ', words) + ".";
        }

        return string.Join('\n', lines);
    }
}
