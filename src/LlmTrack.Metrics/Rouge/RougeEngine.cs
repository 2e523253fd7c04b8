namespace LlmTrack.Metrics.Rouge;

/// <summary>
/// Tokenizes texts into ids and computes the ROUGE scores of rouge-score 0.1.2's
/// <c>rouge_scorer.py</c> on them. One engine serves one scoring call and reuses its buffers
/// (not thread-safe).
/// </summary>
internal sealed class RougeEngine
{
    private readonly Func<string, IEnumerable<string>>? _tokenizer;
    private readonly bool _needWholeText;
    private readonly bool _needSentences;
    private readonly TokenVocabulary _vocabulary;
    private readonly LcsWorkspace _lcsWorkspace = new();
    private readonly Dictionary<long, int> _gramIds = [];
    private readonly List<int> _tokenBuffer = [];
    private readonly List<int> _endBuffer = [];
    private int[] _counts = [];
    private int[] _referenceCounts = [];
    private int[] _gramsA = [];
    private int[] _gramsB = [];
    private bool[] _marks = [];

    public RougeEngine(IReadOnlyList<RougeType> types, bool useStemmer, Func<string, IEnumerable<string>>? tokenizer)
    {
        _tokenizer = tokenizer;
        _vocabulary = new TokenVocabulary(useStemmer && tokenizer is null);
        foreach (var type in types)
        {
            if (type.Variant == RougeVariant.SummaryLevelLcs)
            {
                _needSentences = true;
            }
            else
            {
                _needWholeText = true;
            }
        }
    }

    /// <summary>Tokenizes a text as rouge-score does for every requested type.</summary>
    public TokenizedText Tokenize(string text)
    {
        if (_tokenizer is null)
        {
            // The default tokenizer never joins characters across '\n', so the sentences' tokens
            // are the whole text's tokens cut at line breaks; lines without tokens drop out.
            _tokenBuffer.Clear();
            _endBuffer.Clear();
            var sink = new IdSink(_vocabulary, _tokenBuffer, _endBuffer);
            RougeTokenizer.Tokenize(text.AsSpan(), ref sink);
            sink.LineBreak();
            var tokens = _tokenBuffer.ToArray();
            return new TokenizedText(tokens, tokens, _endBuffer.ToArray());
        }

        var whole = _needWholeText ? IdsOf(RunTokenizer(text)) : [];
        if (!_needSentences)
        {
            return new TokenizedText(whole, [], []);
        }

        _tokenBuffer.Clear();
        _endBuffer.Clear();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            foreach (var token in RunTokenizer(line))
            {
                _tokenBuffer.Add(IdOfCustomToken(token));
            }

            if (_tokenBuffer.Count > (_endBuffer.Count == 0 ? 0 : _endBuffer[^1]))
            {
                _endBuffer.Add(_tokenBuffer.Count);
            }
        }

        return new TokenizedText(whole, _tokenBuffer.ToArray(), _endBuffer.ToArray());
    }

    /// <summary>The score of one type for a reference (target) and a prediction.</summary>
    public RougeScore Score(RougeType type, TokenizedText reference, TokenizedText prediction) => type.Variant switch
    {
        RougeVariant.NGram => NGramScore(reference.Tokens, prediction.Tokens, type.N),
        RougeVariant.LongestCommonSubsequence => LcsScore(reference.Tokens, prediction.Tokens),
        RougeVariant.SummaryLevelLcs => SummaryLevelLcsScore(reference, prediction),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown ROUGE variant."),
    };

    private static RougeScore FromCounts(int matches, int predictionCount, int referenceCount) =>
        RougeScore.FromPrecisionRecall((double)matches / predictionCount, (double)matches / referenceCount);

    private static int[] Grow(int[] buffer, int length) =>
        buffer.Length >= length ? buffer : new int[Math.Max(length, buffer.Length * 2)];

    private int[] IdsOf(IEnumerable<string> tokens)
    {
        var ids = new List<int>();
        foreach (var token in tokens)
        {
            ids.Add(IdOfCustomToken(token));
        }

        return [.. ids];
    }

    private IEnumerable<string> RunTokenizer(string text) =>
        _tokenizer!(text) ?? throw new InvalidOperationException("The custom tokenizer returned null instead of a token sequence.");

    private int IdOfCustomToken(string? token) =>
        token is null
            ? throw new InvalidOperationException("The custom tokenizer returned a null token.")
            : _vocabulary.IdOf(token);

    /// <summary>rouge-score's <c>_score_ngrams</c>: clipped n-gram matches over n-gram counts (at least 1).</summary>
    private RougeScore NGramScore(int[] reference, int[] prediction, int n)
    {
        var referenceCount = Math.Max(reference.Length - n + 1, 0);
        var predictionCount = Math.Max(prediction.Length - n + 1, 0);
        var matches = 0;
        if (referenceCount > 0 && predictionCount > 0)
        {
            ReadOnlySpan<int> referenceGrams;
            ReadOnlySpan<int> predictionGrams;
            int idRange;
            if (n == 1)
            {
                referenceGrams = reference;
                predictionGrams = prediction;
                idRange = _vocabulary.Count;
            }
            else
            {
                idRange = AssignGramIds(reference, prediction, n);
                referenceGrams = _gramsA.AsSpan(0, referenceCount);
                predictionGrams = _gramsB.AsSpan(0, predictionCount);
            }

            _counts = Grow(_counts, idRange);
            var counts = _counts;
            foreach (var gram in predictionGrams)
            {
                counts[gram]++;
            }

            // Each reference n-gram takes one unused equal prediction n-gram: sum of min(counts).
            foreach (var gram in referenceGrams)
            {
                if (counts[gram] > 0)
                {
                    matches++;
                    counts[gram]--;
                }
            }

            foreach (var gram in predictionGrams)
            {
                counts[gram] = 0;
            }
        }

        return FromCounts(matches, Math.Max(predictionCount, 1), Math.Max(referenceCount, 1));
    }

    /// <summary>
    /// Gives every n-gram of both sequences a dense id (equal n-grams, equal ids) in
    /// <see cref="_gramsA"/> and <see cref="_gramsB"/>, building order k from order k-1 ids.
    /// </summary>
    /// <returns>The number of distinct n-gram ids.</returns>
    private int AssignGramIds(int[] a, int[] b, int n)
    {
        _gramsA = Grow(_gramsA, a.Length);
        _gramsB = Grow(_gramsB, b.Length);
        a.CopyTo(_gramsA, 0);
        b.CopyTo(_gramsB, 0);
        for (var order = 2; order <= n; order++)
        {
            _gramIds.Clear();
            Extend(_gramsA, a, order);
            Extend(_gramsB, b, order);
        }

        return _gramIds.Count;

        void Extend(int[] grams, int[] tokens, int order)
        {
            var count = tokens.Length - order + 1;
            for (var i = 0; i < count; i++)
            {
                var key = ((long)grams[i] << 32) | (uint)tokens[i + order - 1];
                if (!_gramIds.TryGetValue(key, out var id))
                {
                    id = _gramIds.Count;
                    _gramIds.Add(key, id);
                }

                grams[i] = id;
            }
        }
    }

    /// <summary>rouge-score's <c>_score_lcs</c>.</summary>
    private RougeScore LcsScore(int[] reference, int[] prediction)
    {
        if (reference.Length == 0 || prediction.Length == 0)
        {
            return RougeScore.Zero;
        }

        var lcs = LongestCommonSubsequence.Length(reference, prediction, _lcsWorkspace);
        return FromCounts(lcs, prediction.Length, reference.Length);
    }

    /// <summary>
    /// rouge-score's <c>_summary_level_lcs</c>: for each reference sentence the union of the
    /// backtracked LCS positions against every prediction sentence, each union token counted as a
    /// hit while both texts still have an unused occurrence of it.
    /// </summary>
    private RougeScore SummaryLevelLcsScore(TokenizedText reference, TokenizedText prediction)
    {
        var m = reference.SentenceTokens.Length;
        var n = prediction.SentenceTokens.Length;
        if (m == 0 || n == 0)
        {
            return RougeScore.Zero;
        }

        int hits;
        if (reference.SentenceEnds.Length == 1 && prediction.SentenceEnds.Length == 1)
        {
            // One sentence each: every token of the LCS is a hit, so hits is the LCS length.
            hits = LongestCommonSubsequence.Length(reference.SentenceTokens, prediction.SentenceTokens, _lcsWorkspace);
        }
        else
        {
            hits = UnionLcsHits(reference, prediction);
        }

        return FromCounts(hits, n, m);
    }

    private int UnionLcsHits(TokenizedText reference, TokenizedText prediction)
    {
        var range = _vocabulary.Count;
        _counts = Grow(_counts, range);
        _referenceCounts = Grow(_referenceCounts, range);
        var predictionCounts = _counts;
        var referenceCounts = _referenceCounts;
        foreach (var token in prediction.SentenceTokens)
        {
            predictionCounts[token]++;
        }

        foreach (var token in reference.SentenceTokens)
        {
            referenceCounts[token]++;
        }

        var hits = 0;
        for (var r = 0; r < reference.SentenceEnds.Length; r++)
        {
            var sentence = reference.Sentence(r);
            if (_marks.Length < sentence.Length)
            {
                _marks = new bool[Math.Max(sentence.Length, _marks.Length * 2)];
            }

            var marks = _marks.AsSpan(0, sentence.Length);
            marks.Clear();
            for (var c = 0; c < prediction.SentenceEnds.Length; c++)
            {
                LongestCommonSubsequence.MarkBacktrackedLcs(sentence, prediction.Sentence(c), marks, _lcsWorkspace);
            }

            for (var i = 0; i < sentence.Length; i++)
            {
                var token = sentence[i];
                if (marks[i] && predictionCounts[token] > 0 && referenceCounts[token] > 0)
                {
                    hits++;
                    predictionCounts[token]--;
                    referenceCounts[token]--;
                }
            }
        }

        foreach (var token in prediction.SentenceTokens)
        {
            predictionCounts[token] = 0;
        }

        foreach (var token in reference.SentenceTokens)
        {
            referenceCounts[token] = 0;
        }

        return hits;
    }

    private readonly struct IdSink(TokenVocabulary vocabulary, List<int> tokens, List<int> ends) : ITokenSink
    {
        public void Add(ReadOnlySpan<char> token) => tokens.Add(vocabulary.IdOfRawToken(token));

        public void LineBreak()
        {
            if (tokens.Count > (ends.Count == 0 ? 0 : ends[^1]))
            {
                ends.Add(tokens.Count);
            }
        }
    }
}
