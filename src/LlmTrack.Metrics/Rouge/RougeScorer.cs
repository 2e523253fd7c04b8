using LlmTrack.Metrics.Validation;

namespace LlmTrack.Metrics.Rouge;

/// <summary>
/// ROUGE scores equal to Google's rouge-score 0.1.2 (<c>rouge_score.rouge_scorer.RougeScorer</c>):
/// ROUGE-N, ROUGE-L and ROUGE-Lsum precision, recall and F-measure with its default tokenizer and
/// optional NLTK Porter stemming, <c>score_multi</c> for several references, and corpus means
/// with a <see cref="SampleScorer"/> for bootstrap confidence intervals.
/// </summary>
/// <remarks>
/// <para>
/// Tokenization is rouge-score's: lower case, every character outside <c>[a-z0-9]</c> separates
/// tokens (so text in non-Latin scripts yields no tokens and scores 0, as in rouge-score), and with
/// <c>useStemmer</c> tokens longer than 3 characters are stemmed by NLTK's Porter stemmer.
/// ROUGE-Lsum splits the texts into sentences at <c>'\n'</c> (rouge-score's
/// <c>split_summaries=False</c>); insert newlines between sentences first if you want per-sentence
/// Lsum on running text. Without newlines ROUGE-Lsum equals ROUGE-L.
/// </para>
/// <para>
/// Empty texts are legal and score 0. The scorer is immutable and thread-safe; each call uses
/// its own buffers.
/// </para>
/// </remarks>
public sealed class RougeScorer
{
    private readonly RougeType[] _types;
    private readonly Func<string, IEnumerable<string>>? _tokenizer;

    /// <summary>Creates a scorer for <paramref name="rougeTypes"/>.</summary>
    /// <param name="rougeTypes">The types to compute (duplicates are ignored); see <see cref="RougeType.Default"/>.</param>
    /// <param name="useStemmer">Whether tokens longer than 3 characters are Porter-stemmed (rouge-score's <c>use_stemmer</c>).</param>
    /// <param name="tokenizer">
    /// A replacement tokenizer (rouge-score's <c>tokenizer</c> argument): it receives the whole text
    /// (for ROUGE-N/L) or one line (for ROUGE-Lsum) and returns its tokens as they are to be compared.
    /// When given, <paramref name="useStemmer"/> is ignored, as in rouge-score.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="rougeTypes"/> is empty or holds null.</exception>
    public RougeScorer(IEnumerable<RougeType> rougeTypes, bool useStemmer = false, Func<string, IEnumerable<string>>? tokenizer = null)
    {
        ArgumentNullException.ThrowIfNull(rougeTypes);
        var types = new List<RougeType>();
        foreach (var type in rougeTypes)
        {
            if (type is null)
            {
                throw new ArgumentException("ROUGE types must not contain null.", nameof(rougeTypes));
            }

            if (!types.Contains(type))
            {
                types.Add(type);
            }
        }

        if (types.Count == 0)
        {
            throw new ArgumentException("At least one ROUGE type is required.", nameof(rougeTypes));
        }

        _types = [.. types];
        UseStemmer = useStemmer;
        _tokenizer = tokenizer;
    }

    /// <summary>Creates a scorer for the rouge-score type names, e.g. <c>"rouge1", "rougeL"</c>.</summary>
    /// <param name="rougeTypeNames">Names as accepted by <see cref="RougeType.Parse"/>.</param>
    /// <param name="useStemmer">Whether tokens longer than 3 characters are Porter-stemmed.</param>
    /// <exception cref="ArgumentException">A name is invalid or the list is empty.</exception>
    public RougeScorer(IEnumerable<string> rougeTypeNames, bool useStemmer = false)
        : this(ParseAll(rougeTypeNames), useStemmer)
    {
    }

    /// <summary>The types this scorer computes, in order.</summary>
    public IReadOnlyList<RougeType> RougeTypes => _types;

    /// <summary>Whether the default tokenizer stems tokens.</summary>
    public bool UseStemmer { get; }

    /// <summary>
    /// Scores one prediction against one reference, as rouge-score's <c>score(target, prediction)</c>
    /// (note the order: the reference comes first).
    /// </summary>
    /// <param name="reference">The reference (rouge-score's target).</param>
    /// <param name="prediction">The predicted text.</param>
    /// <returns>The score of each type.</returns>
    public IReadOnlyDictionary<RougeType, RougeScore> Score(string reference, string prediction)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(prediction);
        var engine = CreateEngine();
        var referenceTokens = engine.Tokenize(reference);
        var predictionTokens = engine.Tokenize(prediction);
        var result = new Dictionary<RougeType, RougeScore>(_types.Length);
        foreach (var type in _types)
        {
            result[type] = engine.Score(type, referenceTokens, predictionTokens);
        }

        return result;
    }

    /// <summary>
    /// Scores one prediction against several references as rouge-score's <c>score_multi</c>: for
    /// each type independently, the score of the reference with the highest F-measure (the first
    /// one on ties).
    /// </summary>
    /// <param name="references">The references, at least one.</param>
    /// <param name="prediction">The predicted text.</param>
    /// <returns>The score of each type.</returns>
    /// <exception cref="ArgumentException"><paramref name="references"/> is empty.</exception>
    public IReadOnlyDictionary<RougeType, RougeScore> ScoreMulti(IReadOnlyList<string> references, string prediction)
    {
        ArgumentNullException.ThrowIfNull(references);
        ArgumentNullException.ThrowIfNull(prediction);
        if (references.Count == 0)
        {
            throw new ArgumentException("At least one reference is required.", nameof(references));
        }

        var engine = CreateEngine();
        var predictionTokens = engine.Tokenize(prediction);
        var best = new RougeScore[_types.Length];
        ScoreAgainstReferences(engine, references, predictionTokens, best, nameof(references));
        var result = new Dictionary<RougeType, RougeScore>(_types.Length);
        for (var t = 0; t < _types.Length; t++)
        {
            result[_types[t]] = best[t];
        }

        return result;
    }

    /// <summary>Scores a corpus with one reference per prediction.</summary>
    /// <param name="predictions">The predictions.</param>
    /// <param name="references">The reference of each prediction, same count.</param>
    /// <returns>Per-segment scores, their means and sample scorers.</returns>
    /// <exception cref="ArgumentException">The lists are empty or their counts differ.</exception>
    public RougeCorpusResult CorpusScore(IReadOnlyList<string> predictions, IReadOnlyList<string> references)
    {
        ArgumentNullException.ThrowIfNull(references);
        var wrapped = new IReadOnlyList<string>[references.Count];
        for (var i = 0; i < wrapped.Length; i++)
        {
            wrapped[i] = [references[i] ?? throw new ArgumentException($"Reference {i} is null.", nameof(references))];
        }

        return CorpusScore(predictions, wrapped);
    }

    /// <summary>
    /// Scores a corpus where each prediction has one or more references (Hugging Face
    /// <c>evaluate</c>'s layout: <c>references[i]</c> are the references of <c>predictions[i]</c>).
    /// Each segment's score per type is <see cref="ScoreMulti"/>'s; corpus values are plain means
    /// over segments (what <c>evaluate</c> gives with <c>use_aggregator=False</c>, then averaged).
    /// </summary>
    /// <param name="predictions">The predictions.</param>
    /// <param name="references">The references of each prediction, same count, each with at least one text.</param>
    /// <returns>Per-segment scores, their means and sample scorers.</returns>
    /// <exception cref="ArgumentException">The lists are empty, their counts differ, or a segment has no reference.</exception>
    public RougeCorpusResult CorpusScore(IReadOnlyList<string> predictions, IReadOnlyList<IReadOnlyList<string>> references)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(references);
        if (predictions.Count == 0)
        {
            throw new ArgumentException("At least one prediction is required.", nameof(predictions));
        }

        PairedInputs.RequireSameLength(predictions.Count, references.Count, nameof(predictions), nameof(references), "items");

        var engine = CreateEngine();
        var segments = predictions.Count;
        var scores = new RougeScore[_types.Length][];
        for (var t = 0; t < scores.Length; t++)
        {
            scores[t] = new RougeScore[segments];
        }

        var best = new RougeScore[_types.Length];
        for (var i = 0; i < segments; i++)
        {
            var prediction = predictions[i] ?? throw new ArgumentException($"Prediction {i} is null.", nameof(predictions));
            var segmentReferences = references[i] ?? throw new ArgumentException($"References of segment {i} are null.", nameof(references));
            if (segmentReferences.Count == 0)
            {
                throw new ArgumentException($"Segment {i} has no reference.", nameof(references));
            }

            ScoreAgainstReferences(engine, segmentReferences, engine.Tokenize(prediction), best, nameof(references));
            for (var t = 0; t < _types.Length; t++)
            {
                scores[t][i] = best[t];
            }
        }

        return new RougeCorpusResult(_types, scores);
    }

    private static RougeType[] ParseAll(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return [.. names.Select(RougeType.Parse)];
    }

    private RougeEngine CreateEngine() => new(_types, UseStemmer, _tokenizer);

    /// <summary>Fills <paramref name="best"/> with, per type, the first score of maximal F-measure.</summary>
    private void ScoreAgainstReferences(RougeEngine engine, IReadOnlyList<string> references, TokenizedText prediction, RougeScore[] best, string parameterName)
    {
        for (var r = 0; r < references.Count; r++)
        {
            var reference = references[r] ?? throw new ArgumentException($"Reference {r} is null.", parameterName);
            var referenceTokens = engine.Tokenize(reference);
            for (var t = 0; t < _types.Length; t++)
            {
                var score = engine.Score(_types[t], referenceTokens, prediction);
                if (r == 0 || score.FMeasure > best[t].FMeasure)
                {
                    best[t] = score;
                }
            }
        }
    }
}
