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
    private int[] _referenceRuns = new int[256];
    private int[] _hypothesisRuns = new int[256];
    private int[] _inHypothesis = new int[1024];
    private int[] _inReference = new int[1024];
    private int[] _unigramKey = new int[1024];
    private int[] _unigramCount = new int[1024];
    private int[] _unigramMax = new int[1024];
    private int[] _unigramMaxStamp = new int[1024];
    private int[] _hypothesisCount = new int[1024];
    private int[] _hypothesisCountStamp = new int[1024];
    private int _stamp;
    private int _referenceKey;

    public BleuStatisticsExtractor(BleuOptions options)
    {
        _tokenizer = SegmentTokenizers.Create(BleuOptions.TokenizerName(options.Tokenizer));
        _lowercase = options.Lowercase;
    }

    /// <summary>Writes sys_len, ref_len, correct[1..4], total[1..4] of one segment into <paramref name="stats"/>.</summary>
    /// <remarks>
    /// Unigrams are counted in arrays indexed by token id. An n-gram of a higher order can only match if all its
    /// tokens occur on the other side, so reference n-grams with a token absent from the hypothesis are not stored
    /// and hypothesis n-grams with a token absent from every reference are not looked up; the counts are those of
    /// counting everything.
    /// </remarks>
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

        int stamp = NextStamp();
        ReadOnlySpan<int> hyp = _hypothesisIds.AsSpan(0, hypothesisLength);
        foreach (int id in hyp)
        {
            _inHypothesis[id] = stamp;
        }

        stats.Clear();
        stats[0] = hypothesisLength;
        stats[1] = ClosestReferenceLength(hypothesisLength, _referenceLengths.AsSpan(0, references.Length));

        // References: unigram counts (maximum over references) in arrays; for each position the run of tokens that
        // also occur in the hypothesis, which bounds the orders worth storing.
        EnsureRuns(referenceTotal, hypothesisLength);
        int entries = 0;
        int offset = 0;
        for (int k = 0; k < references.Length; k++)
        {
            ReadOnlySpan<int> ids = _referenceIds.AsSpan(offset, _referenceLengths[k]);
            Span<int> runs = _referenceRuns.AsSpan(offset, ids.Length);
            int referenceKey = ++_referenceKey;
            int run = 0;
            for (int p = ids.Length - 1; p >= 0; p--)
            {
                int id = ids[p];
                _inReference[id] = stamp;
                if (_inHypothesis[id] != stamp)
                {
                    run = 0;
                    runs[p] = 0;
                    continue;
                }

                runs[p] = ++run;
                entries += Math.Min(run, BleuComputation.MaxOrder) - 1;
                if (_unigramKey[id] != referenceKey)
                {
                    _unigramKey[id] = referenceKey;
                    _unigramCount[id] = 0;
                }

                int count = ++_unigramCount[id];
                if (_unigramMaxStamp[id] != stamp)
                {
                    _unigramMaxStamp[id] = stamp;
                    _unigramMax[id] = 0;
                }

                if (count > _unigramMax[id])
                {
                    _unigramMax[id] = count;
                }
            }

            offset += _referenceLengths[k];
        }

        // The hypothesis: unigram matches clipped by the reference counts, and the runs of tokens found in a reference.
        int correct1 = 0;
        Span<int> hypothesisRuns = _hypothesisRuns.AsSpan(0, hyp.Length);
        {
            int run = 0;
            for (int p = hyp.Length - 1; p >= 0; p--)
            {
                int id = hyp[p];
                if (_inReference[id] != stamp)
                {
                    run = 0;
                    hypothesisRuns[p] = 0;
                    continue;
                }

                hypothesisRuns[p] = ++run;
                entries += Math.Min(run, BleuComputation.MaxOrder) - 1;
                if (_hypothesisCountStamp[id] != stamp)
                {
                    _hypothesisCountStamp[id] = stamp;
                    _hypothesisCount[id] = 0;
                }

                int max = _unigramMaxStamp[id] == stamp ? _unigramMax[id] : 0;
                if (++_hypothesisCount[id] <= max)
                {
                    correct1++;
                }
            }
        }

        // Orders 2 to 4 in the table, sized for exactly the n-grams that can match.
        _table.Reset(entries);
        offset = 0;
        for (int k = 0; k < references.Length; k++)
        {
            ReadOnlySpan<int> ids = _referenceIds.AsSpan(offset, _referenceLengths[k]);
            ReadOnlySpan<int> runs = _referenceRuns.AsSpan(offset, ids.Length);
            for (int p = 0; p + 1 < ids.Length; p++)
            {
                int run = Math.Min(runs[p], BleuComputation.MaxOrder);
                for (int n = 2; n <= run; n++)
                {
                    Pack(ids, p, n, out ulong low, out ulong high);
                    _table.AddReference(low, high, k);
                }
            }

            offset += _referenceLengths[k];
        }

        Span<int> correct = stackalloc int[BleuComputation.MaxOrder + 1];
        correct.Clear();
        correct[1] = correct1;
        for (int p = 0; p + 1 < hyp.Length; p++)
        {
            int run = Math.Min(hypothesisRuns[p], BleuComputation.MaxOrder);
            for (int n = 2; n <= run; n++)
            {
                Pack(hyp, p, n, out ulong low, out ulong high);
                if (_table.AddHypothesis(low, high))
                {
                    correct[n]++;
                }
            }
        }

        for (int n = 1; n <= BleuComputation.MaxOrder; n++)
        {
            stats[1 + n] = correct[n];
            stats[1 + BleuComputation.MaxOrder + n] = Math.Max(0, hypothesisLength - n + 1);
        }
    }

    // A new per-segment stamp for the id-indexed arrays, sized for every id the interner has handed out.
    private int NextStamp()
    {
        int size = _interner.Count + 1;
        if (_inHypothesis.Length < size)
        {
            int length = Math.Max(size, _inHypothesis.Length * 2);
            Array.Resize(ref _inHypothesis, length);
            Array.Resize(ref _inReference, length);
            Array.Resize(ref _unigramKey, length);
            Array.Resize(ref _unigramCount, length);
            Array.Resize(ref _unigramMax, length);
            Array.Resize(ref _unigramMaxStamp, length);
            Array.Resize(ref _hypothesisCount, length);
            Array.Resize(ref _hypothesisCountStamp, length);
        }

        if (_stamp == int.MaxValue || _referenceKey > int.MaxValue - 1024)
        {
            Array.Clear(_inHypothesis);
            Array.Clear(_inReference);
            Array.Clear(_unigramKey);
            Array.Clear(_unigramMaxStamp);
            Array.Clear(_hypothesisCountStamp);
            _stamp = 0;
            _referenceKey = 0;
        }

        return ++_stamp;
    }

    private void EnsureRuns(int referenceTotal, int hypothesisLength)
    {
        if (_referenceRuns.Length < referenceTotal)
        {
            _referenceRuns = new int[Math.Max(referenceTotal, _referenceRuns.Length * 2)];
        }

        if (_hypothesisRuns.Length < hypothesisLength)
        {
            _hypothesisRuns = new int[Math.Max(hypothesisLength, _hypothesisRuns.Length * 2)];
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
