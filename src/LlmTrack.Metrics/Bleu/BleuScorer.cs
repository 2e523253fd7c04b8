using LlmTrack.Metrics.Tokenization;

namespace LlmTrack.Metrics.Bleu;

/// <summary>
/// BLEU (Papineni et al., 2002) equal to sacreBLEU 2.x: corpus and sentence level, the 13a, intl,
/// char, zh and none tokenizers, exp/floor/add-k/none smoothing, lowercasing, effective order and
/// several (or a variable number of) references per segment.
/// </summary>
public static class BleuScorer
{
    // Corpora from this many segments on are tokenized and counted on several threads.
    private const int ParallelThreshold = 2048;

    // Segments per parallel work item: small enough to balance two busy cores, large enough to amortize scheduling.
    private const int BlockSize = 256;

    /// <summary>
    /// Tokenizes a corpus once and computes its per-segment statistics, from which the corpus
    /// score, scores of any subset and resampled scores are computed cheaply.
    /// </summary>
    /// <param name="hypotheses">One hypothesis per segment; empty strings are legal segments.</param>
    /// <param name="references">Reference streams in sacreBLEU's layout: <c>references[k][i]</c> is
    /// the k-th reference of segment i. A null entry means the segment has fewer references (the
    /// signature then says <c>nrefs:var</c>); an empty string is an empty reference (length 0, no
    /// n-grams) and counts in <c>nrefs</c>, as in sacreBLEU 2.6.0. Every segment needs at least one
    /// non-null reference.</param>
    /// <param name="options">The options; null for sacreBLEU's corpus defaults.</param>
    /// <returns>The prepared corpus.</returns>
    /// <exception cref="ArgumentException">Empty corpus, a stream whose length differs from the
    /// number of hypotheses, a null hypothesis or a segment whose references are all null.</exception>
    public static BleuCorpus Prepare(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string?>> references, BleuOptions? options = null)
    {
        options ??= new BleuOptions();
        CorpusInput input = CorpusInput.Create(hypotheses, references);
        return Prepare(input, options);
    }

    /// <summary>Corpus BLEU (sacreBLEU's <c>corpus_bleu</c> / <c>BLEU.corpus_score</c>).</summary>
    /// <param name="hypotheses">One hypothesis per segment.</param>
    /// <param name="references">Reference streams, <c>references[k][i]</c>; see <see cref="Prepare(IReadOnlyList{string}, IReadOnlyList{IReadOnlyList{string}}, BleuOptions?)"/>.</param>
    /// <param name="options">The options; null for the defaults (13a, exp smoothing, no effective order).</param>
    /// <returns>The corpus score.</returns>
    public static BleuResult CorpusScore(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string?>> references, BleuOptions? options = null) =>
        Prepare(hypotheses, references, options).Corpus();

    /// <summary>
    /// Sentence BLEU (sacreBLEU's <c>sentence_bleu</c>): one hypothesis against its references.
    /// </summary>
    /// <param name="hypothesis">The hypothesis.</param>
    /// <param name="references">Its references; at least one (an empty string is an empty reference).</param>
    /// <param name="options">The options; null for sacreBLEU's sentence defaults, which differ from
    /// the corpus defaults by <see cref="BleuOptions.EffectiveOrder"/> = true.</param>
    /// <returns>The sentence score.</returns>
    public static BleuResult SentenceScore(string hypothesis, IReadOnlyList<string> references, BleuOptions? options = null)
    {
        options ??= new BleuOptions { EffectiveOrder = true };
        return Prepare(CorpusInput.CreateSentence(hypothesis, references), options).Corpus();
    }

    private static void ExtractRange(BleuStatisticsExtractor extractor, CorpusInput input, int[] stats, int from, int to)
    {
        for (int i = from; i < to; i++)
        {
            extractor.Extract(input.Hypotheses[i], input.ReferencesOf(i), stats.AsSpan(i * BleuComputation.Width, BleuComputation.Width));
        }
    }

    private static BleuCorpus Prepare(CorpusInput input, BleuOptions options)
    {
        var stats = new int[input.Count * BleuComputation.Width];

        // Segment statistics do not depend on one another: large corpora are counted in blocks of segments on
        // several threads, one extractor (tokenizer, interner, tables) per thread; the statistics are the same integers.
        if (input.Count < ParallelThreshold || Environment.ProcessorCount == 1)
        {
            var extractor = new BleuStatisticsExtractor(options);
            ExtractRange(extractor, input, stats, 0, input.Count);
        }
        else
        {
            // One extractor per worker; the workers take blocks of segments in turn, so a busy core delays nothing.
            int blocks = (input.Count + BlockSize - 1) / BlockSize;
            int workers = Math.Min(Math.Min(Environment.ProcessorCount, 8), blocks);
            int next = -1;
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, _ =>
            {
                var extractor = new BleuStatisticsExtractor(options);
                int block;
                while ((block = Interlocked.Increment(ref next)) < blocks)
                {
                    ExtractRange(extractor, input, stats, block * BlockSize, Math.Min(input.Count, (block + 1) * BlockSize));
                }
            });
        }

        return new BleuCorpus(stats, input.Count, options, BleuComputation.Signature(options, input.ReferenceCountLabel));
    }
}
