namespace LlmTrack.Metrics.Ter;

/// <summary>
/// sacreBLEU's beam-restricted word-level Levenshtein distance between a hypothesis and one fixed
/// reference. Only a band of cells around the length-ratio "pseudo-diagonal" is computed per row
/// (<see cref="BeamWidth"/> cells either side, widened for extreme length ratios; the last row is
/// computed in full); other cells stay at infinity. Ties prefer match/substitution, then deletion,
/// then insertion, which fixes the trace that drives the shift search.
/// </summary>
/// <remarks>
/// sacreBLEU caches matrix rows per hypothesis prefix. All hypotheses compared in one TER
/// computation have the same length, so a row depends only on the prefix; here the rows of the
/// current hypothesis are kept and a shifted candidate recomputes only the rows after the prefix it
/// shares, giving the same numbers.
/// </remarks>
internal sealed class BeamEditDistance
{
    /// <summary>Beam half-width (Tercom-inspired limit).</summary>
    public const int BeamWidth = 25;

    // Stand-in for sacreBLEU's int(1e16): only compared with itself plus small offsets.
    private const int Infinity = 1 << 30;

    private const byte OpMatch = 0;
    private const byte OpSubstitute = 1;
    private const byte OpInsert = 2;
    private const byte OpDelete = 3;
    private const byte OpUndefined = 4;

    private readonly int[] _reference;
    private readonly int _m;
    private readonly int _n;
    private readonly int _width;
    private readonly int[] _rowStart;
    private readonly int[] _rowEnd;
    private readonly int[] _costs;
    private readonly byte[] _ops;
    private readonly int[] _rowA;
    private readonly int[] _rowB;

    /// <summary>Prepares the distance for hypotheses of <paramref name="hypothesisLength"/> words.</summary>
    public BeamEditDistance(int[] reference, int hypothesisLength)
    {
        _reference = reference;
        _m = reference.Length;
        _n = hypothesisLength;
        _width = _m + 1;

        var lengthRatio = _n > 0 ? (double)_m / _n : 1.0;
        var beam = BeamWidth < lengthRatio / 2 ? (int)Math.Ceiling((lengthRatio / 2) + BeamWidth) : BeamWidth;

        _rowStart = new int[_n + 1];
        _rowEnd = new int[_n + 1];
        _rowStart[0] = 0;
        _rowEnd[0] = _width;
        for (var i = 1; i <= _n; i++)
        {
            var pseudoDiagonal = (int)Math.Floor(i * lengthRatio);
            _rowStart[i] = Math.Max(0, pseudoDiagonal - beam);
            _rowEnd[i] = i == _n ? _width : Math.Min(_width, pseudoDiagonal + beam);
        }

        _costs = new int[(_n + 1) * _width];
        _ops = new byte[(_n + 1) * _width];
        _rowA = new int[_width];
        _rowB = new int[_width];

        // First row: j insertions of reference words.
        for (var j = 0; j < _width; j++)
        {
            _costs[j] = j;
            _ops[j] = OpInsert;
        }
    }

    /// <summary>
    /// Fills the full matrix for <paramref name="hypothesis"/> and derives the alignment used by the
    /// shift search: for every reference position the hypothesis position it is aligned to (-1 before
    /// the first word), and which hypothesis/reference words are not exact matches.
    /// </summary>
    /// <returns>The edit distance.</returns>
    public int ComputeWithAlignment(int[] hypothesis, int[] alignment, bool[] hypothesisError, bool[] referenceError)
    {
        for (var i = 1; i <= _n; i++)
        {
            var row = i * _width;
            Array.Fill(_costs, Infinity, row, _width);
            Array.Fill(_ops, OpUndefined, row, _width);
            var previous = row - _width;
            var word = hypothesis[i - 1];
            for (var j = _rowStart[i]; j < _rowEnd[i]; j++)
            {
                if (j == 0)
                {
                    _costs[row] = _costs[previous] + 1;
                    _ops[row] = OpDelete;
                    continue;
                }

                var best = Infinity;
                var op = OpUndefined;
                var diagonal = _costs[previous + j - 1] + (word == _reference[j - 1] ? 0 : 1);
                if (best > diagonal)
                {
                    best = diagonal;
                    op = word == _reference[j - 1] ? OpMatch : OpSubstitute;
                }

                var up = _costs[previous + j] + 1;
                if (best > up)
                {
                    best = up;
                    op = OpDelete;
                }

                var left = _costs[row + j - 1] + 1;
                if (best > left)
                {
                    best = left;
                    op = OpInsert;
                }

                _costs[row + j] = best;
                _ops[row + j] = op;
            }
        }

        TraceAlignment(alignment, hypothesisError, referenceError);
        return _costs[(_n * _width) + _m];
    }

    /// <summary>
    /// The edit distance of <paramref name="hypothesis"/>, whose first <paramref name="sharedPrefix"/>
    /// words equal those of the hypothesis last passed to <see cref="ComputeWithAlignment"/>.
    /// </summary>
    public int ComputeFromSharedPrefix(int[] hypothesis, int sharedPrefix)
    {
        if (sharedPrefix >= _n)
        {
            return _costs[(_n * _width) + _m];
        }

        ReadOnlySpan<int> previous = _costs.AsSpan(sharedPrefix * _width, _width);
        ReadOnlySpan<int> reference = _reference;
        var current = _rowA;
        for (var i = sharedPrefix + 1; i <= _n; i++)
        {
            var rowStart = _rowStart[i];
            var rowEnd = _rowEnd[i];

            // Cells outside the beam are infinite. The next row reads this one from
            // rowStart[i + 1] - 1 >= rowStart - 1 up to its own end, so only the cell left of this
            // band and the cells past its end need resetting.
            if (rowStart > 0)
            {
                current[rowStart - 1] = Infinity;
            }

            if (i < _n && _rowEnd[i + 1] > rowEnd)
            {
                current.AsSpan(rowEnd, _rowEnd[i + 1] - rowEnd).Fill(Infinity);
            }

            var word = hypothesis[i - 1];
            var j = rowStart;
            int left;
            if (j == 0)
            {
                left = previous[0] + 1;
                current[0] = left;
                j = 1;
            }
            else
            {
                left = Infinity;
            }

            // Each cell is min(infinity, diagonal, up + 1, left + 1): sacreBLEU starts a cell at
            // infinity and replaces it only by strictly smaller costs.
            for (; j < rowEnd; j++)
            {
                var cost = previous[j - 1] + (word == reference[j - 1] ? 0 : 1);
                var up = previous[j] + 1;
                if (up < cost)
                {
                    cost = up;
                }

                if (left + 1 < cost)
                {
                    cost = left + 1;
                }

                if (cost > Infinity)
                {
                    cost = Infinity;
                }

                current[j] = cost;
                left = cost;
            }

            previous = current;
            current = ReferenceEquals(current, _rowA) ? _rowB : _rowA;
        }

        return previous[_m];
    }

    // Walks the trace back from the last cell. In sacreBLEU the trace is then flipped
    // (insertions <-> deletions) to describe rewriting the reference into the hypothesis; the
    // alignment below is what trace_to_alignment yields for that flipped trace.
    private void TraceAlignment(int[] alignment, bool[] hypothesisError, bool[] referenceError)
    {
        var i = _n;
        var j = _m;
        while (i > 0 || j > 0)
        {
            var op = _ops[(i * _width) + j];
            switch (op)
            {
                case OpMatch:
                case OpSubstitute:
                    i--;
                    j--;
                    hypothesisError[i] = op == OpSubstitute;
                    referenceError[j] = op == OpSubstitute;
                    alignment[j] = i;
                    break;
                case OpInsert:
                    // Consumes a reference word only: aligned to the preceding hypothesis word.
                    j--;
                    referenceError[j] = true;
                    alignment[j] = i - 1;
                    break;
                case OpDelete:
                    // Consumes a hypothesis word only.
                    i--;
                    hypothesisError[i] = true;
                    break;
                default:
                    throw new InvalidOperationException("TER edit-distance trace reached a cell outside the beam.");
            }
        }
    }
}
