using System.Text;
using LlmTrack.Metrics.Numerics;
using LlmTrack.Metrics.Validation;

namespace LlmTrack.Metrics.Perplexity;

/// <summary>
/// Perplexity from per-token natural-log probabilities: per sequence and mean as Hugging Face <c>evaluate</c>, corpus
/// perplexity, and lm-evaluation-harness's word perplexity, byte perplexity and bits per byte.
/// </summary>
/// <remarks>
/// Log-probabilities must be finite and at most 0; sequences must not be empty. Violations throw
/// <see cref="ArgumentException"/> naming the sequence and token index. Sums run left to right.
/// </remarks>
public static class PerplexityMetrics
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Perplexity of one sequence: exp(-(1/N) Σ log p).</summary>
    /// <param name="logProbs">Natural-log probabilities of the N predicted tokens.</param>
    /// <returns>The perplexity, at least 1.</returns>
    public static double SequencePerplexity(ReadOnlySpan<double> logProbs)
    {
        var nll = -SumChecked(logProbs, 0, nameof(logProbs));
        return Math.Exp(nll / logProbs.Length);
    }

    /// <summary>Per-sequence, mean and corpus perplexity of a corpus.</summary>
    /// <param name="logProbsPerSequence">For each sequence, the natural-log probabilities of its tokens.</param>
    /// <returns>The perplexities.</returns>
    public static PerplexityResult Evaluate(IReadOnlyList<IReadOnlyList<double>> logProbsPerSequence)
    {
        CheckCorpus(logProbsPerSequence, nameof(logProbsPerSequence));
        var perplexities = new double[logProbsPerSequence.Count];
        double totalLogProb = 0;
        long tokens = 0;
        for (var s = 0; s < perplexities.Length; s++)
        {
            var sequence = Sequence(logProbsPerSequence, s, nameof(logProbsPerSequence));
            double sum = 0;
            for (var t = 0; t < sequence.Count; t++)
            {
                var lp = CheckToken(sequence[t], s, t, nameof(logProbsPerSequence));
                sum += lp;
                totalLogProb += lp;
            }

            tokens += sequence.Count;
            perplexities[s] = Math.Exp(-sum / sequence.Count);
        }

        var totalNll = -totalLogProb;
        return new PerplexityResult(perplexities, NumpySummation.Mean(perplexities), Math.Exp(totalNll / tokens), tokens, totalNll);
    }

    /// <summary>
    /// lm-evaluation-harness's aggregates from documents and the per-token log-probabilities of each (the document's
    /// log-likelihood is their sum, as its rolling loglikelihood request returns).
    /// </summary>
    /// <param name="texts">The documents' texts, for the word and byte counts.</param>
    /// <param name="logProbsPerDocument">For each document, the natural-log probabilities of its tokens.</param>
    /// <returns>The aggregates.</returns>
    public static LmEvalPerplexityResult EvaluateLmEval(IReadOnlyList<string> texts, IReadOnlyList<IReadOnlyList<double>> logProbsPerDocument)
    {
        CheckCorpus(logProbsPerDocument, nameof(logProbsPerDocument));
        var logLikelihoods = new double[logProbsPerDocument.Count];
        for (var d = 0; d < logLikelihoods.Length; d++)
        {
            var sequence = Sequence(logProbsPerDocument, d, nameof(logProbsPerDocument));
            double sum = 0;
            for (var t = 0; t < sequence.Count; t++)
            {
                sum += CheckToken(sequence[t], d, t, nameof(logProbsPerDocument));
            }

            logLikelihoods[d] = sum;
        }

        return EvaluateLmEval(texts, logLikelihoods);
    }

    /// <summary>lm-evaluation-harness's aggregates from documents and their total log-likelihoods.</summary>
    /// <param name="texts">The documents' texts, for the word and byte counts.</param>
    /// <param name="documentLogLikelihoods">The natural-log likelihood of each document (finite, at most 0).</param>
    /// <returns>The aggregates.</returns>
    public static LmEvalPerplexityResult EvaluateLmEval(IReadOnlyList<string> texts, IReadOnlyList<double> documentLogLikelihoods)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(documentLogLikelihoods);
        if (texts.Count == 0)
        {
            throw new ArgumentException("The corpus must contain at least one document.", nameof(texts));
        }

        PairedInputs.RequireSameLength(texts.Count, documentLogLikelihoods.Count, nameof(texts), nameof(documentLogLikelihoods), "items");

        double sumLl = 0;
        long words = 0, bytes = 0;
        for (var d = 0; d < texts.Count; d++)
        {
            var ll = documentLogLikelihoods[d];
            if (!double.IsFinite(ll) || ll > 0)
            {
                throw new ArgumentException($"documentLogLikelihoods[{d}] is {ll}; a log-likelihood must be finite and at most 0.", nameof(documentLogLikelihoods));
            }

            var text = texts[d] ?? throw new ArgumentException($"texts[{d}] is null.", nameof(texts));
            sumLl += ll;
            words += CountWords(text);
            bytes += CountBytes(text, d);
        }

        var perWord = sumLl / words;
        var perByte = sumLl / bytes;
        return new LmEvalPerplexityResult(
            Math.Exp(-perWord),
            Math.Exp(-perByte),
            -perByte / Math.Log(2),
            Math.Exp(-(sumLl / texts.Count)),
            sumLl,
            words,
            bytes);
    }

    /// <summary>
    /// lm-eval's <c>count_words</c>: <c>len(re.split(r"\s+", doc))</c>, i.e. the number of whitespace runs plus one
    /// (leading and trailing whitespace count, and "" counts as one word).
    /// </summary>
    /// <param name="text">The document.</param>
    /// <returns>The word count.</returns>
    public static int CountWords(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var count = 1;
        var inRun = false;
        foreach (var c in text)
        {
            var space = Text.PythonText.IsWhitespace(c);
            if (space && !inRun)
            {
                count++;
            }

            inRun = space;
        }

        return count;
    }

    /// <summary>lm-eval's <c>count_bytes</c>: the length of the UTF-8 encoding.</summary>
    /// <param name="text">The document; must be valid UTF-16 (no lone surrogates).</param>
    /// <returns>The byte count.</returns>
    public static int CountBytes(string text) => CountBytes(text, 0);

    private static int CountBytes(string text, int index)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            return StrictUtf8.GetByteCount(text);
        }
        catch (EncoderFallbackException ex)
        {
            throw new ArgumentException($"texts[{index}] contains a lone surrogate and has no UTF-8 encoding.", nameof(text), ex);
        }
    }

    private static void CheckCorpus(IReadOnlyList<IReadOnlyList<double>> corpus, string name)
    {
        ArgumentNullException.ThrowIfNull(corpus, name);
        if (corpus.Count == 0)
        {
            throw new ArgumentException("The corpus must contain at least one sequence.", name);
        }
    }

    private static IReadOnlyList<double> Sequence(IReadOnlyList<IReadOnlyList<double>> corpus, int index, string name)
    {
        var sequence = corpus[index] ?? throw new ArgumentException($"Sequence {index} is null.", name);
        if (sequence.Count == 0)
        {
            throw new ArgumentException($"Sequence {index} is empty; every sequence needs at least one token.", name);
        }

        return sequence;
    }

    private static double CheckToken(double logProb, int sequence, int token, string name)
    {
        if (double.IsNaN(logProb) || double.IsInfinity(logProb))
        {
            throw new ArgumentException($"Sequence {sequence}, token {token}: log-probability {logProb} is not finite.", name);
        }

        if (logProb > 0)
        {
            throw new ArgumentException($"Sequence {sequence}, token {token}: log-probability {logProb} is positive; natural-log probabilities are at most 0.", name);
        }

        return logProb;
    }

    private static double SumChecked(ReadOnlySpan<double> logProbs, int sequence, string name)
    {
        if (logProbs.Length == 0)
        {
            throw new ArgumentException($"Sequence {sequence} is empty; every sequence needs at least one token.", name);
        }

        double sum = 0;
        for (var t = 0; t < logProbs.Length; t++)
        {
            sum += CheckToken(logProbs[t], sequence, t, name);
        }

        return sum;
    }
}
