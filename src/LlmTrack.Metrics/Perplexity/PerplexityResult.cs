namespace LlmTrack.Metrics.Perplexity;

/// <summary>Token-level perplexities of a corpus of sequences.</summary>
/// <param name="Perplexities">Per-sequence perplexity exp(-mean log-prob), as Hugging Face <c>evaluate</c>'s <c>perplexities</c>.</param>
/// <param name="MeanPerplexity">Mean of the per-sequence perplexities (<c>evaluate</c>'s <c>mean_perplexity</c>, NumPy mean).</param>
/// <param name="CorpusPerplexity">exp(total negative log-likelihood / total tokens) over all tokens of the corpus.</param>
/// <param name="TotalTokens">Number of scored tokens.</param>
/// <param name="TotalNegativeLogLikelihood">Sum of the negative log-probabilities of all tokens (nats).</param>
public sealed record PerplexityResult(
    IReadOnlyList<double> Perplexities,
    double MeanPerplexity,
    double CorpusPerplexity,
    long TotalTokens,
    double TotalNegativeLogLikelihood);

/// <summary>lm-evaluation-harness's perplexity aggregates of a corpus of documents.</summary>
/// <param name="WordPerplexity"><c>word_perplexity</c>: exp(-Σ log-likelihood / Σ words).</param>
/// <param name="BytePerplexity"><c>byte_perplexity</c>: exp(-Σ log-likelihood / Σ UTF-8 bytes).</param>
/// <param name="BitsPerByte"><c>bits_per_byte</c>: -(Σ log-likelihood / Σ UTF-8 bytes) / ln 2.</param>
/// <param name="DocumentPerplexity"><c>perplexity</c> of loglikelihood tasks: exp(-mean per-document log-likelihood).</param>
/// <param name="TotalLogLikelihood">Σ of the document log-likelihoods (nats).</param>
/// <param name="Words">Σ of the word counts as lm-eval counts them.</param>
/// <param name="Bytes">Σ of the UTF-8 byte counts.</param>
public sealed record LmEvalPerplexityResult(
    double WordPerplexity,
    double BytePerplexity,
    double BitsPerByte,
    double DocumentPerplexity,
    double TotalLogLikelihood,
    long Words,
    long Bytes);
