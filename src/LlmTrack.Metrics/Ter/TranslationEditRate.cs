namespace LlmTrack.Metrics.Ter;

/// <summary>
/// The number of TER edits between one tokenized hypothesis and one tokenized reference (words
/// interned to integers), as sacreBLEU's <c>lib_ter.translation_edit_rate</c> computes it: greedy
/// block shifts, each the best by (edit-distance gain, longest block, earliest hypothesis start,
/// earliest target), until none improves or the candidate budget is spent; then the beam edit
/// distance of the shifted hypothesis. Every shift costs one edit.
/// </summary>
internal static class TranslationEditRate
{
    /// <summary>Longest block of words moved by one shift.</summary>
    public const int MaxShiftSize = 10;

    /// <summary>Largest distance between the block's hypothesis and reference positions.</summary>
    public const int MaxShiftDistance = 50;

    /// <summary>Shift candidates evaluated per hypothesis/reference pair before the search stops.</summary>
    public const int MaxShiftCandidates = 1000;

    /// <summary>Number of edits (shifts + insertions + deletions + substitutions).</summary>
    /// <param name="hypothesis">Hypothesis word ids.</param>
    /// <param name="reference">Reference word ids.</param>
    public static int CountEdits(int[] hypothesis, int[] reference)
    {
        if (reference.Length == 0)
        {
            // Special case: every hypothesis word is an edit; the reference length is 0.
            return hypothesis.Length;
        }

        var search = new ShiftSearch(hypothesis, reference);
        return search.Run();
    }

    private sealed class ShiftSearch
    {
        private readonly int[] _reference;
        private readonly int _n;
        private readonly int _m;
        private readonly BeamEditDistance _editDistance;
        private readonly int[] _alignment;
        private readonly bool[] _hypothesisError;
        private readonly bool[] _referenceError;
        private int[] _current;
        private int[] _best;
        private readonly int[] _candidate;
        private int _checkedCandidates;

        public ShiftSearch(int[] hypothesis, int[] reference)
        {
            _reference = reference;
            _n = hypothesis.Length;
            _m = reference.Length;
            _editDistance = new BeamEditDistance(reference, _n);
            _alignment = new int[_m];
            _hypothesisError = new bool[_n];
            _referenceError = new bool[_m];
            _current = (int[])hypothesis.Clone();
            _best = new int[_n];
            _candidate = new int[_n];
        }

        public int Run()
        {
            var shifts = 0;
            while (true)
            {
                var (delta, editDistance, found) = FindBestShift();

                // sacreBLEU checks the budget first: a shift found in the round that exhausted
                // the budget is not applied.
                if (_checkedCandidates >= MaxShiftCandidates || !found || delta <= 0)
                {
                    return shifts + editDistance;
                }

                shifts++;
                (_current, _best) = (_best, _current);
            }
        }

        // One round of sacreBLEU's _shift. Returns the best gain, the edit distance of the current
        // hypothesis (before shifting) and whether any candidate was evaluated.
        private (int Delta, int EditDistance, bool Found) FindBestShift()
        {
            var words = _current;
            var preScore = _editDistance.ComputeWithAlignment(words, _alignment, _hypothesisError, _referenceError);

            var found = false;
            int bestDelta = 0, bestLength = 0, bestStart = 0, bestTarget = 0;

            for (var startH = 0; startH < _n; startH++)
            {
                for (var startR = 0; startR < _m; startR++)
                {
                    if (Math.Abs(startR - startH) > MaxShiftDistance)
                    {
                        continue;
                    }

                    // Matching blocks words[startH..] == reference[startR..] of length 1..MaxShiftSize.
                    var length = 0;
                    while (words[startH + length] == _reference[startR + length] && length < MaxShiftSize)
                    {
                        length++;
                        if (TryCandidatesForBlock(words, preScore, startH, startR, length,
                                ref found, ref bestDelta, ref bestLength, ref bestStart, ref bestTarget)
                            && _checkedCandidates >= MaxShiftCandidates)
                        {
                            return (found ? bestDelta : 0, preScore, found);
                        }

                        if (startH + length == _n || startR + length == _m)
                        {
                            break;
                        }
                    }
                }
            }

            return (found ? bestDelta : 0, preScore, found);
        }

        // Evaluates the target positions of one matching block. Returns false when the block is
        // filtered out (sacreBLEU then skips the candidate-budget check too).
        private bool TryCandidatesForBlock(int[] words, int preScore, int startH, int startR, int length,
            ref bool found, ref int bestDelta, ref int bestLength, ref int bestStart, ref int bestTarget)
        {
            // Only shift if the hypothesis block has an error...
            if (!AnyTrue(_hypothesisError, startH, length))
            {
                return false;
            }

            // ...and the reference block is not already matched.
            if (!AnyTrue(_referenceError, startR, length))
            {
                return false;
            }

            // Don't shift within the block itself.
            var aligned = _alignment[startR];
            if (startH <= aligned && aligned < startH + length)
            {
                return false;
            }

            var previousTarget = -1;
            for (var offset = -1; offset < length; offset++)
            {
                int target;
                if (startR + offset == -1)
                {
                    target = 0;
                }
                else if (startR + offset < _m)
                {
                    // Insert before the word after the aligned hypothesis position.
                    target = _alignment[startR + offset] + 1;
                }
                else
                {
                    break;
                }

                if (target == previousTarget)
                {
                    continue;
                }

                previousTarget = target;
                PerformShift(words, startH, length, target, _candidate);
                var cost = _editDistance.ComputeFromSharedPrefix(_candidate, Math.Min(startH, target));
                var delta = preScore - cost;
                _checkedCandidates++;

                if (!found || IsBetter(delta, length, startH, target, bestDelta, bestLength, bestStart, bestTarget))
                {
                    found = true;
                    bestDelta = delta;
                    bestLength = length;
                    bestStart = startH;
                    bestTarget = target;
                    Array.Copy(_candidate, _best, _n);
                }
            }

            return true;
        }

        // sacreBLEU's tuple order (delta, length, -start, -target), larger wins, ties keep the first.
        private static bool IsBetter(int delta, int length, int start, int target,
            int bestDelta, int bestLength, int bestStart, int bestTarget)
        {
            if (delta != bestDelta)
            {
                return delta > bestDelta;
            }

            if (length != bestLength)
            {
                return length > bestLength;
            }

            if (start != bestStart)
            {
                return start < bestStart;
            }

            return target < bestTarget;
        }

        private static bool AnyTrue(bool[] flags, int start, int length)
        {
            var end = Math.Min(flags.Length, start + length);
            for (var k = start; k < end; k++)
            {
                if (flags[k])
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// sacreBLEU's <c>_perform_shift</c>: moves <c>words[start..start+length)</c> so that it is
    /// inserted before <paramref name="target"/>, with Python's slice clamping in the third case.
    /// </summary>
    internal static void PerformShift(int[] words, int start, int length, int target, int[] destination)
    {
        var n = words.Length;
        var span = words.AsSpan();
        var output = destination.AsSpan();
        var position = 0;

        if (target < start)
        {
            // words[:target] + words[start:start+length] + words[target:start] + words[start+length:]
            Copy(span[..target], output, ref position);
            Copy(span.Slice(start, length), output, ref position);
            Copy(span[target..start], output, ref position);
            Copy(span[(start + length)..], output, ref position);
        }
        else if (target > start + length)
        {
            // words[:start] + words[start+length:target] + words[start:start+length] + words[target:]
            Copy(span[..start], output, ref position);
            Copy(span[(start + length)..target], output, ref position);
            Copy(span.Slice(start, length), output, ref position);
            Copy(span[target..], output, ref position);
        }
        else
        {
            // words[:start] + words[start+length:length+target] + words[start:start+length] + words[length+target:]
            var middleEnd = Math.Min(n, length + target);
            Copy(span[..start], output, ref position);
            Copy(span[(start + length)..middleEnd], output, ref position);
            Copy(span.Slice(start, length), output, ref position);
            Copy(span[middleEnd..], output, ref position);
        }
    }

    private static void Copy(ReadOnlySpan<int> part, Span<int> output, ref int position)
    {
        part.CopyTo(output[position..]);
        position += part.Length;
    }
}
