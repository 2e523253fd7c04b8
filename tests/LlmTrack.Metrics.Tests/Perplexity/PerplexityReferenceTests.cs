using System.Text.Json;
using LlmTrack.Metrics.Perplexity;

namespace LlmTrack.Metrics.Tests.Perplexity;

public class PerplexityReferenceTests
{
    private static readonly JsonElement Data = ReferenceData.Load("perplexity_vectors.json");

    private static JsonElement[] Sequences => Data.GetProperty("sequences").EnumerateArray().ToArray();

    private static double[] LogProbs(JsonElement s) => s.GetProperty("logprobs").EnumerateArray().Select(x => x.GetDouble()).ToArray();

    [Fact]
    public void PerSequencePerplexityMatchesEvaluate()
    {
        var sequences = Sequences;
        var result = PerplexityMetrics.Evaluate(sequences.Select(s => (IReadOnlyList<double>)LogProbs(s)).ToArray());
        for (var i = 0; i < sequences.Length; i++)
        {
            var expected = sequences[i].GetProperty("perplexity").GetDouble();
            ReferenceData.AssertClose(expected, result.Perplexities[i], sequences[i].GetProperty("id").GetString()!);
            ReferenceData.AssertClose(expected, PerplexityMetrics.SequencePerplexity(LogProbs(sequences[i])), "single");
        }

        var tokens = sequences.Sum(s => s.GetProperty("num_tokens").GetInt32());
        Assert.Equal(tokens, result.TotalTokens);
        var totalLogProb = 0.0;
        foreach (var s in sequences)
        {
            foreach (var lp in LogProbs(s))
            {
                totalLogProb += lp;
            }
        }

        ReferenceData.AssertClose(Math.Exp(-totalLogProb / tokens), result.CorpusPerplexity, "corpus");
        var perplexities = sequences.Select(s => s.GetProperty("perplexity").GetDouble()).ToArray();
        ReferenceData.AssertClose(perplexities.Sum() / perplexities.Length, result.MeanPerplexity, "mean");
    }

    [Fact]
    public void WordAndByteCountsMatchLmEval()
    {
        foreach (var s in Sequences)
        {
            var text = s.GetProperty("text").GetString()!;
            Assert.Equal(s.GetProperty("words_lm_eval").GetInt32(), PerplexityMetrics.CountWords(text));
            Assert.Equal(s.GetProperty("bytes_lm_eval").GetInt32(), PerplexityMetrics.CountBytes(text));
        }

        foreach (var probe in Data.GetProperty("count_words_bytes_probe").EnumerateObject())
        {
            Assert.Equal(probe.Value.GetProperty("words_lm_eval").GetInt32(), PerplexityMetrics.CountWords(probe.Name));
            Assert.Equal(probe.Value.GetProperty("bytes_lm_eval").GetInt32(), PerplexityMetrics.CountBytes(probe.Name));
        }
    }

    [Fact]
    public void LmEvalAggregatesFollowTheirFormulas()
    {
        var sequences = Sequences;
        var texts = sequences.Select(s => s.GetProperty("text").GetString()!).ToArray();
        var result = PerplexityMetrics.EvaluateLmEval(texts, sequences.Select(s => (IReadOnlyList<double>)LogProbs(s)).ToArray());
        var lls = sequences.Select(s => s.GetProperty("sum_logprob").GetDouble()).ToArray();
        var sumLl = 0.0;
        foreach (var ll in lls)
        {
            sumLl += ll;
        }

        long words = sequences.Sum(s => s.GetProperty("words_lm_eval").GetInt64());
        long bytes = sequences.Sum(s => s.GetProperty("bytes_lm_eval").GetInt64());
        Assert.Equal(words, result.Words);
        Assert.Equal(bytes, result.Bytes);
        ReferenceData.AssertClose(sumLl, result.TotalLogLikelihood, "sum");
        ReferenceData.AssertClose(Math.Exp(-(sumLl / words)), result.WordPerplexity, "word_perplexity");
        ReferenceData.AssertClose(Math.Exp(-(sumLl / bytes)), result.BytePerplexity, "byte_perplexity");
        ReferenceData.AssertClose(-(sumLl / bytes) / Math.Log(2), result.BitsPerByte, "bits_per_byte");
        ReferenceData.AssertClose(Math.Exp(-(sumLl / lls.Length)), result.DocumentPerplexity, "perplexity");
    }

    [Fact]
    public void InvalidInputNamesTheSequenceAndToken()
    {
        var positive = Assert.Throws<ArgumentException>(() => PerplexityMetrics.Evaluate([[-1.0], [-0.5, 0.25]]));
        Assert.Contains("Sequence 1, token 1", positive.Message, StringComparison.Ordinal);
        var nan = Assert.Throws<ArgumentException>(() => PerplexityMetrics.Evaluate([[-1.0, double.NaN]]));
        Assert.Contains("Sequence 0, token 1", nan.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => PerplexityMetrics.Evaluate([[double.NegativeInfinity]]));
        var empty = Assert.Throws<ArgumentException>(() => PerplexityMetrics.Evaluate([[-1.0], []]));
        Assert.Contains("Sequence 1 is empty", empty.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => PerplexityMetrics.Evaluate([]));
        Assert.Throws<ArgumentException>(() => PerplexityMetrics.SequencePerplexity([]));
        var mismatch = Assert.Throws<ArgumentException>(() => PerplexityMetrics.EvaluateLmEval(["a", "b"], [-1.0]));
        Assert.Equal("documentLogLikelihoods", mismatch.ParamName);
        Assert.Contains("texts has 2 and documentLogLikelihoods has 1", mismatch.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => PerplexityMetrics.CountBytes("\ud800x"));
    }

    [Fact]
    public void CertainTokensHavePerplexityOne()
    {
        Assert.Equal(1.0, PerplexityMetrics.SequencePerplexity([0.0, -0.0]));
        Assert.Equal(2.0, PerplexityMetrics.SequencePerplexity([Math.Log(0.5), Math.Log(0.5)]), 15);
    }
}
