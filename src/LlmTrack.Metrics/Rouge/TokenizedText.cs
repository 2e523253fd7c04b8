namespace LlmTrack.Metrics.Rouge;

/// <summary>A text turned into token ids, whole and as rougeLsum sentences.</summary>
/// <param name="Tokens">The ids of the whole text's tokens (for ROUGE-N and ROUGE-L).</param>
/// <param name="SentenceTokens">The ids of the sentences' tokens, concatenated (for ROUGE-Lsum).</param>
/// <param name="SentenceEnds">The exclusive end in <paramref name="SentenceTokens"/> of each sentence that has tokens.</param>
internal sealed record TokenizedText(int[] Tokens, int[] SentenceTokens, int[] SentenceEnds)
{
    /// <summary>The tokens of sentence <paramref name="index"/>.</summary>
    public ReadOnlySpan<int> Sentence(int index)
    {
        var start = index == 0 ? 0 : SentenceEnds[index - 1];
        return SentenceTokens.AsSpan(start, SentenceEnds[index] - start);
    }
}
