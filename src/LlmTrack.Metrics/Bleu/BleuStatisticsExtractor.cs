using LlmTrack.Metrics.Text;
using LlmTrack.Metrics.Tokenization;

namespace LlmTrack.Metrics.Bleu;

/// <summary>
/// Computes sacreBLEU's per-segment BLEU statistics: tokens are interned to integer ids and
/// n-grams of ids are counted in a per-segment hash table, so no string is allocated per token.
/// Not thread-safe.
/// </summary>
internal sealed class BleuStatisticsExtractor
{
    private readonly SegmentTokenizer _tokenizer;
    private readonly bool _lowercase;
    private readonly TokenList _tokens = new();
    private readonly TokenInterner _interner = new();
    private readonly NgramMatchTable _table = new();
    private int[] _hypothesisIds = new int[256];
    private int[] _referenceIds = new int[256];
    private int[] _referenceLengths = new int[4];

    public BleuStatisticsExtractor(BleuOptions options)
    {
        _tokenizer = SegmentTokenizers.Create(BleuOptions.TokenizerName(options.Tokenizer));
        _lowercase = options.Lowercase;
    }

    /// <summary>Writes sys_len, ref_len, correct[1..4], total[1..4] of one segment into <paramref name="stats"/>.</summary>
    public void Extract(string hypothesis, ReadOnlySpan<string> references, Span<int> stats)
    {
        int hypothesisLength = Tokenize(hypothesis, ref _hypothesisIds, 0);

        if (_referenceLengths.Length < references.Length)
        {
            _referenceLengths = new int[references.Length];
        }

        int referenceTotal = 0;
        for (int k = 0; k < references.Length; k++)
        {
            int length = Tokenize(references[k], ref _referenceIds, referenceTotal);
            _referenceLengths[k] = length;
            referenceTotal += length;
        }

        _table.Reset(BleuComputation.MaxOrder * (referenceTotal + hypothesisLength));
        int offset = 0;
        for (int k = 0; k < references.Length; k++)
        {
            ReadOnlySpan<int> ids = _referenceIds.AsSpan(offset, _referenceLengths[k]);
            for (int n = 1; n <= BleuComputation.MaxOrder; n++)
            {
                for (int p = 0; p + n <= ids.Length; p++)
                {
                    Pack(ids, p, n, out ulong low, out ulong high);
                    _table.AddReference(low, high, k);
                }
            }

            offset += _referenceLengths[k];
        }

        stats.Clear();
        stats[0] = hypothesisLength;
        stats[1] = ClosestReferenceLength(hypothesisLength, _referenceLengths.AsSpan(0, references.Length));
        ReadOnlySpan<int> hyp = _hypothesisIds.AsSpan(0, hypothesisLength);
        for (int n = 1; n <= BleuComputation.MaxOrder; n++)
        {
            int correct = 0;
            int total = 0;
            for (int p = 0; p + n <= hyp.Length; p++)
            {
                Pack(hyp, p, n, out ulong low, out ulong high);
                total++;
                if (_table.AddHypothesis(low, high))
                {
                    correct++;
                }
            }

            stats[1 + n] = correct;
            stats[1 + BleuComputation.MaxOrder + n] = total;
        }
    }

    private static int ClosestReferenceLength(int hypothesisLength, ReadOnlySpan<int> referenceLengths)
    {
        int closestDiff = -1;
        int closestLength = -1;
        foreach (int length in referenceLengths)
        {
            int diff = Math.Abs(hypothesisLength - length);
            if (closestDiff == -1 || diff < closestDiff)
            {
                closestDiff = diff;
                closestLength = length;
            }
            else if (diff == closestDiff && length < closestLength)
            {
                closestLength = length;
            }
        }

        return closestLength;
    }

    private static void Pack(ReadOnlySpan<int> ids, int p, int n, out ulong low, out ulong high)
    {
        low = (uint)ids[p];
        high = 0;
        if (n > 1)
        {
            low |= (ulong)(uint)ids[p + 1] << 32;
            if (n > 2)
            {
                high = (uint)ids[p + 2];
                if (n > 3)
                {
                    high |= (ulong)(uint)ids[p + 3] << 32;
                }
            }
        }
    }

    // sacreBLEU's _preprocess_segment: lowercase, rstrip, tokenize; then the tokens become ids.
    private int Tokenize(string text, ref int[] ids, int offset)
    {
        if (_lowercase)
        {
            text = PythonText.Lower(text);
        }

        _tokenizer.Tokenize(PythonText.RStrip(text.AsSpan()), _tokens);
        int count = _tokens.Count;
        if (ids.Length < offset + count)
        {
            Array.Resize(ref ids, Math.Max(ids.Length * 2, offset + count));
        }

        for (int i = 0; i < count; i++)
        {
            ids[offset + i] = _interner.GetOrAdd(_tokens[i]);
        }

        return count;
    }
}
