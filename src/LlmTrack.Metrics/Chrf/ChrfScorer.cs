using LlmTrack.Metrics.Tokenization;

namespace LlmTrack.Metrics.Chrf;

/// <summary>
/// chrF (Popović, 2015) and chrF++ (Popović, 2017) equal to sacreBLEU 2.x: corpus and sentence
/// level, character and word n-gram orders, β, lowercasing, whitespace handling, ε smoothing and
/// several (or a variable number of) references per segment (the best-scoring one counts).
/// </summary>
public static class ChrfScorer
{
    /// <summary>Computes the per-segment statistics of a corpus once; see <see cref="ChrfCorpus"/>.</summary>
    /// <param name="hypotheses">One hypothesis per segment; empty strings are legal segments.</param>
    /// <param name="references">Reference streams, <c>references[k][i]</c> is the k-th reference of
    /// segment i; a null entry means fewer references for that segment (<c>nrefs:var</c>); an empty
    /// string is an empty reference (no n-grams) and counts in <c>nrefs</c>, as in sacreBLEU 2.6.0.</param>
    /// <param name="options">The options; null for chrF2.</param>
    /// <returns>The prepared corpus.</returns>
    /// <exception cref="ArgumentException">Empty corpus, a stream whose length differs from the
    /// number of hypotheses, a null hypothesis or a segment whose references are all null.</exception>
    public static ChrfCorpus Prepare(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string?>> references, ChrfOptions? options = null)
    {
        options ??= new ChrfOptions();
        options.Validate();
        return Prepare(CorpusInput.Create(hypotheses, references), options);
    }

    /// <summary>Corpus chrF (sacreBLEU's <c>corpus_chrf</c> / <c>CHRF.corpus_score</c>).</summary>
    /// <param name="hypotheses">One hypothesis per segment.</param>
    /// <param name="references">Reference streams, <c>references[k][i]</c>.</param>
    /// <param name="options">The options; null for chrF2.</param>
    /// <returns>The corpus score.</returns>
    public static ChrfResult CorpusScore(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string?>> references, ChrfOptions? options = null) =>
        Prepare(hypotheses, references, options).Corpus();

    /// <summary>Sentence chrF (sacreBLEU's <c>sentence_chrf</c>).</summary>
    /// <param name="hypothesis">The hypothesis.</param>
    /// <param name="references">Its references; at least one (an empty string is an empty reference).</param>
    /// <param name="options">The options; null for chrF2.</param>
    /// <returns>The sentence score.</returns>
    public static ChrfResult SentenceScore(string hypothesis, IReadOnlyList<string> references, ChrfOptions? options = null)
    {
        options ??= new ChrfOptions();
        options.Validate();
        return Prepare(CorpusInput.CreateSentence(hypothesis, references), options).Corpus();
    }

    private static ChrfCorpus Prepare(CorpusInput input, ChrfOptions options)
    {
        var extractor = new ChrfStatisticsExtractor(options);
        int width = extractor.Width;
        var stats = new int[input.Count * width];
        for (int i = 0; i < input.Count; i++)
        {
            extractor.Extract(input.Hypotheses[i], input.ReferencesOf(i), stats.AsSpan(i * width, width));
        }

        return new ChrfCorpus(stats, width, input.Count, options, ChrfComputation.Signature(options, input.ReferenceCountLabel));
    }
}
