using LlmTrack.Metrics.Text;
using LlmTrack.Metrics.Tokenization;

namespace LlmTrack.Metrics.Ter;

/// <summary>
/// Translation Edit Rate (Snover et al., 2006) exactly as sacreBLEU 2.x computes it: Tercom
/// tokenization, greedy block shifts and beam-restricted edit distance; with several references the
/// fewest edits count and the reference lengths are averaged; corpus TER = 100 × total edits / total
/// average reference length. Instances are immutable and thread-safe.
/// </summary>
public sealed class TerScorer
{
    /// <summary>The sacreBLEU version whose TER this reproduces, as printed in signatures.</summary>
    public const string SacreBleuVersion = SacreBleuReference.Version;

    private readonly TercomTokenizer _tokenizer;

    /// <summary>Creates the metric.</summary>
    /// <param name="options">Tokenization options; <see langword="null"/> for sacreBLEU's defaults.</param>
    public TerScorer(TerOptions? options = null)
    {
        Options = options ?? TerOptions.Default;
        _tokenizer = new TercomTokenizer(Options);
    }

    /// <summary>The options in use.</summary>
    public TerOptions Options { get; }

    /// <summary>
    /// Corpus-level TER (sacreBLEU's <c>TER.corpus_score</c>).
    /// </summary>
    /// <param name="hypotheses">One hypothesis per segment.</param>
    /// <param name="references">
    /// Reference streams in sacreBLEU's layout: <c>references[k][i]</c> is the k-th reference of
    /// segment i. A <see langword="null"/> reference is absent (variable reference counts); an empty
    /// string is an empty reference of length 0, counted in <c>nrefs</c> (sacreBLEU 2.6.0): against it
    /// every hypothesis word is an edit, and a corpus whose references are all empty scores 100
    /// (0 when the hypotheses are empty too).
    /// </param>
    /// <exception cref="ArgumentException">
    /// The corpus is empty, a stream's length differs from the number of hypotheses, a hypothesis is
    /// null, or every reference of a segment is null.
    /// </exception>
    public TerScore CorpusScore(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string?>> references) =>
        ComputeStatistics(hypotheses, references).ToScore();

    /// <summary>
    /// Sentence-level TER of one hypothesis against its references (sacreBLEU's <c>TER.sentence_score</c>).
    /// </summary>
    /// <param name="hypothesis">The hypothesis.</param>
    /// <param name="references">Its references; null ones are ignored, an empty one is an empty reference.</param>
    /// <exception cref="ArgumentException">There is no non-null reference.</exception>
    public TerScore SentenceScore(string hypothesis, IReadOnlyList<string?> references) =>
        ComputeStatistics(CorpusInput.CreateSentence(hypothesis, references)).ToScore();

    /// <summary>
    /// Per-segment statistics of a corpus, for the corpus score, sentence scores and resampling.
    /// </summary>
    /// <param name="hypotheses">One hypothesis per segment.</param>
    /// <param name="references">Reference streams, <c>references[k][i]</c> (see <see cref="CorpusScore"/>).</param>
    /// <exception cref="ArgumentException">See <see cref="CorpusScore"/>.</exception>
    public TerCorpusStatistics ComputeStatistics(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string?>> references) =>
        ComputeStatistics(CorpusInput.Create(hypotheses, references));

    /// <summary>sacreBLEU's signature for these options and <paramref name="nrefs"/> (a count or "var").</summary>
    internal string FormatSignature(string nrefs) =>
        $"nrefs:{nrefs}|case:{(Options.CaseSensitive ? "mixed" : "lc")}|tok:{TercomTokenizer.SignatureName}" +
        $"|norm:{YesNo(Options.Normalized)}|punct:{YesNo(!Options.NoPunctuation)}|asian:{YesNo(Options.AsianSupport)}" +
        $"|version:{SacreBleuVersion}";

    private TerCorpusStatistics ComputeStatistics(CorpusInput input)
    {
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        var segments = new TerSegmentStatistics[input.Count];
        var referenceWords = new List<int[]>();
        for (var i = 0; i < segments.Length; i++)
        {
            // sacreBLEU preprocesses each reference twice (once when caching references, once more
            // when extracting reference words).
            referenceWords.Clear();
            foreach (var reference in input.ReferencesOf(i))
            {
                referenceWords.Add(Intern(_tokenizer.Preprocess(_tokenizer.Preprocess(reference)), vocabulary));
            }

            var hypothesisWords = Intern(_tokenizer.Preprocess(input.Hypotheses[i]), vocabulary);
            segments[i] = ScoreSegment(hypothesisWords, referenceWords);
        }

        return new TerCorpusStatistics(segments, FormatSignature(input.ReferenceCountLabel));
    }

    internal static TerScore ScoreFromTotals(long edits, double refLength, string signature)
    {
        double ratio;
        if (refLength > 0)
        {
            ratio = edits / refLength;
        }
        else
        {
            ratio = edits > 0 ? 1.0 : 0.0;
        }

        return new TerScore(100 * ratio, edits, refLength, signature);
    }

    private static TerSegmentStatistics ScoreSegment(int[] hypothesisWords, List<int[]> referenceWords)
    {
        var bestEdits = int.MaxValue;
        var totalLength = 0;
        foreach (var words in referenceWords)
        {
            var edits = TranslationEditRate.CountEdits(hypothesisWords, words);
            totalLength += words.Length;
            if (edits < bestEdits)
            {
                bestEdits = edits;
            }
        }

        return new TerSegmentStatistics(bestEdits, (double)totalLength / referenceWords.Count);
    }

    private static int[] Intern(string tokenized, Dictionary<string, int> vocabulary)
    {
        var words = PythonText.Split(tokenized);
        var ids = new int[words.Count];
        for (var w = 0; w < words.Count; w++)
        {
            if (!vocabulary.TryGetValue(words[w], out var id))
            {
                id = vocabulary.Count;
                vocabulary.Add(words[w], id);
            }

            ids[w] = id;
        }

        return ids;
    }

    private static string YesNo(bool value) => value ? "yes" : "no";
}
