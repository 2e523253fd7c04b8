using System.Numerics;

namespace LlmTrack.Metrics.Rouge;

/// <summary>Longest-common-subsequence computations over token ids.</summary>
internal static class LongestCommonSubsequence
{
    /// <summary>
    /// The LCS length with the bit-parallel algorithm of Hyyrö (2004): O(n·⌈m/64⌉) time and
    /// O(σ·⌈m/64⌉) memory where m is the shorter length and σ its number of distinct tokens.
    /// </summary>
    /// <param name="a">One sequence.</param>
    /// <param name="b">The other sequence.</param>
    /// <param name="workspace">Reusable buffers; a new one when null.</param>
    /// <returns>The length of a longest common subsequence.</returns>
    public static int Length(ReadOnlySpan<int> a, ReadOnlySpan<int> b, LcsWorkspace? workspace = null)
    {
        if (a.Length > b.Length)
        {
            var swap = a;
            a = b;
            b = swap;
        }

        if (a.Length == 0)
        {
            return 0;
        }

        workspace ??= new LcsWorkspace();
        var words = (a.Length + 63) >> 6;

        // Match masks: one bit vector per distinct token of the shorter sequence. Token ids are
        // non-negative, so a slot table indexed by id (reset after use) maps tokens to masks.
        var slotOfToken = workspace.SlotTable(MaxId(a) + 1);
        var distinct = 0;
        var slots = workspace.GetRow(0, a.Length);
        for (var i = 0; i < a.Length; i++)
        {
            ref var slot = ref slotOfToken[a[i]];
            if (slot < 0)
            {
                slot = distinct++;
            }

            slots[i] = slot;
        }

        try
        {
            return Scan(a, b, slots, distinct, words, slotOfToken, workspace);
        }
        finally
        {
            foreach (var token in a)
            {
                slotOfToken[token] = -1;
            }
        }
    }

    private static int MaxId(ReadOnlySpan<int> tokens)
    {
        var max = 0;
        foreach (var token in tokens)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(token, nameof(tokens));
            max = Math.Max(max, token);
        }

        return max;
    }

    private static int Scan(ReadOnlySpan<int> a, ReadOnlySpan<int> b, Span<int> slots, int distinct, int words, int[] slotOfToken, LcsWorkspace workspace)
    {
        var masks = workspace.GetBits(distinct * words);
        for (var i = 0; i < a.Length; i++)
        {
            masks[(slots[i] * words) + (i >> 6)] |= 1UL << (i & 63);
        }

        // V starts as all ones; each zero bit of V after the scan is one LCS position.
        var v = workspace.GetVector(words);
        v.Fill(ulong.MaxValue);
        foreach (var token in b)
        {
            var slot = (uint)token < (uint)slotOfToken.Length ? slotOfToken[token] : -1;
            if (slot < 0)
            {
                continue; // V + (V & 0) | (V & ~0) == V
            }

            var mask = masks.Slice(slot * words, words);
            ulong carry = 0;
            for (var w = 0; w < words; w++)
            {
                var vw = v[w];
                var u = vw & mask[w];
                var sum = vw + u;
                var carryOut = sum < vw ? 1UL : 0UL;
                var withCarry = sum + carry;
                carryOut |= withCarry < sum ? 1UL : 0UL;
                v[w] = withCarry | (vw & ~mask[w]);
                carry = carryOut;
            }
        }

        var ones = 0;
        foreach (var vw in v)
        {
            ones += BitOperations.PopCount(vw);
        }

        return (words * 64) - ones;
    }

    /// <summary>
    /// The LCS length with the textbook dynamic programme in O(n·m) time and O(min(n, m)) memory.
    /// Kept as the reference the bit-parallel <see cref="Length"/> is tested against.
    /// </summary>
    /// <param name="a">One sequence.</param>
    /// <param name="b">The other sequence.</param>
    /// <returns>The length of a longest common subsequence.</returns>
    public static int LengthByDynamicProgramming(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        if (a.Length < b.Length)
        {
            var swap = a;
            a = b;
            b = swap;
        }

        // Row over the shorter sequence b; row[j] holds table[i][j].
        var row = new int[b.Length + 1];
        foreach (var x in a)
        {
            var diagonal = 0; // table[i-1][j-1]
            for (var j = 1; j <= b.Length; j++)
            {
                var up = row[j];
                row[j] = x == b[j - 1] ? diagonal + 1 : Math.Max(up, row[j - 1]);
                diagonal = up;
            }
        }

        return row[b.Length];
    }

    /// <summary>
    /// Marks in <paramref name="marks"/> the positions of <paramref name="reference"/> that belong to
    /// the one LCS that rouge-score's <c>_lcs_table</c> + <c>_backtrack_norec</c> read out: walking
    /// back from the end, a match goes diagonally, otherwise left when
    /// <c>table[i][j-1] &gt; table[i-1][j]</c> and up on ties. Only one bit per cell is kept (the
    /// direction of the non-matching cells), so memory is n·m/8 bytes.
    /// </summary>
    /// <param name="reference">The reference sentence's tokens (rows).</param>
    /// <param name="candidate">The candidate sentence's tokens (columns).</param>
    /// <param name="marks">One flag per reference position; set, never cleared, here.</param>
    /// <param name="workspace">Reusable buffers.</param>
    public static void MarkBacktrackedLcs(ReadOnlySpan<int> reference, ReadOnlySpan<int> candidate, Span<bool> marks, LcsWorkspace workspace)
    {
        var rows = reference.Length;
        var cols = candidate.Length;
        if (rows == 0 || cols == 0)
        {
            return;
        }

        var cells = (long)rows * cols;
        var bits = workspace.GetBits(checked((int)((cells + 63) >> 6)));
        var previous = workspace.GetRow(0, cols + 1);
        var current = workspace.GetRow(1, cols + 1);
        previous.Clear();
        current[0] = 0;
        for (var i = 1; i <= rows; i++)
        {
            var token = reference[i - 1];
            var rowBase = (long)(i - 1) * cols;
            for (var j = 1; j <= cols; j++)
            {
                if (token == candidate[j - 1])
                {
                    current[j] = previous[j - 1] + 1;
                    continue;
                }

                var left = current[j - 1];
                var up = previous[j];
                if (left > up)
                {
                    current[j] = left;
                    var bit = rowBase + j - 1;
                    bits[(int)(bit >> 6)] |= 1UL << (int)(bit & 63);
                }
                else
                {
                    current[j] = up;
                }
            }

            var swap = previous;
            previous = current;
            current = swap;
        }

        var r = rows;
        var c = cols;
        while (r > 0 && c > 0)
        {
            if (reference[r - 1] == candidate[c - 1])
            {
                marks[r - 1] = true;
                r--;
                c--;
                continue;
            }

            var bit = ((long)(r - 1) * cols) + c - 1;
            if ((bits[(int)(bit >> 6)] & (1UL << (int)(bit & 63))) != 0)
            {
                c--;
            }
            else
            {
                r--;
            }
        }
    }
}

/// <summary>Buffers reused across LCS backtracking calls (not thread-safe).</summary>
internal sealed class LcsWorkspace
{
    private ulong[] _bits = [];
    private ulong[] _vector = [];
    private int[] _slots = [];
    private int[] _row0 = [];
    private int[] _row1 = [];

    /// <summary>A cleared bit buffer of at least <paramref name="words"/> words.</summary>
    public Span<ulong> GetBits(int words)
    {
        if (_bits.Length < words)
        {
            _bits = new ulong[Math.Max(words, _bits.Length * 2)];
            return _bits.AsSpan(0, words);
        }

        var span = _bits.AsSpan(0, words);
        span.Clear();
        return span;
    }

    /// <summary>A bit vector of <paramref name="words"/> words (contents unspecified).</summary>
    public Span<ulong> GetVector(int words)
    {
        if (_vector.Length < words)
        {
            _vector = new ulong[Math.Max(words, _vector.Length * 2)];
        }

        return _vector.AsSpan(0, words);
    }

    /// <summary>
    /// A table of at least <paramref name="length"/> entries, all -1; callers set entries and
    /// must reset them to -1 before the next use.
    /// </summary>
    public int[] SlotTable(int length)
    {
        if (_slots.Length < length)
        {
            var larger = new int[Math.Max(length, _slots.Length * 2)];
            Array.Fill(larger, -1);
            _slots = larger;
        }

        return _slots;
    }

    /// <summary>One of two integer rows of length <paramref name="length"/> (contents unspecified).</summary>
    public Span<int> GetRow(int which, int length)
    {
        ref var row = ref which == 0 ? ref _row0 : ref _row1;
        if (row.Length < length)
        {
            row = new int[Math.Max(length, row.Length * 2)];
        }

        return row.AsSpan(0, length);
    }
}
