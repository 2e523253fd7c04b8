using System.Numerics;
using System.Runtime.InteropServices;
using LlmTrack.Metrics.Validation;

namespace LlmTrack.Metrics.Classification;

/// <summary>Per-class counts (true positives, predicted, actual) over the sorted union of the labels present.</summary>
internal sealed class LabelCounts<TLabel>
    where TLabel : notnull
{
    private readonly ClassIndex<TLabel> _index;

    public LabelCounts(TLabel[] classes, long[] truePositives, long[] predicted, long[] actual, IEqualityComparer<TLabel> equality)
    {
        Classes = classes;
        TruePositives = truePositives;
        Predicted = predicted;
        Actual = actual;
        Equality = equality;
        _index = new ClassIndex<TLabel>(classes, equality);
    }

    public TLabel[] Classes { get; }

    public long[] TruePositives { get; }

    public long[] Predicted { get; }

    public long[] Actual { get; }

    public IEqualityComparer<TLabel> Equality { get; }

    /// <summary>The class id of a label, or -1 when it does not occur.</summary>
    public int IdOf(TLabel label) => _index.IdOf(label);
}

/// <summary>Counts per class in one pass without per-item storage: dense ranges of ints directly, other labels through a dictionary.</summary>
internal static class LabelCounter
{
    private const int MaxDirectRange = 1 << 22;

    public static LabelCounts<TLabel> Count<TLabel>(
        ReadOnlySpan<TLabel> yTrue,
        ReadOnlySpan<TLabel> yPred,
        IComparer<TLabel>? comparer,
        IEqualityComparer<TLabel>? equality)
        where TLabel : notnull
    {
        PairedInputs.RequireSameNonEmptyLabels(yTrue.Length, yPred.Length);
        var eq = equality ?? EqualityComparer<TLabel>.Default;
        if (typeof(TLabel) == typeof(int) && comparer is null && equality is null)
        {
            var counts = TryCountDenseInts(LabelEncoder.AsInts(yTrue), LabelEncoder.AsInts(yPred));
            if (counts is not null)
            {
                var (classes, tp, pred, actual) = counts.Value;
                return new LabelCounts<TLabel>((TLabel[])(object)classes, tp, pred, actual, eq);
            }
        }

        return CountGeneric(yTrue, yPred, comparer ?? LabelEncoder.DefaultComparer<TLabel>(), eq);
    }

    private static (int Min, int Max) MinMax(ReadOnlySpan<int> values, int min, int max)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<int>.Count * 2)
        {
            var vmin = new Vector<int>(min);
            var vmax = new Vector<int>(max);
            var vectors = MemoryMarshal.Cast<int, Vector<int>>(values);
            foreach (var v in vectors)
            {
                vmin = Vector.Min(vmin, v);
                vmax = Vector.Max(vmax, v);
            }

            for (var j = 0; j < Vector<int>.Count; j++)
            {
                min = Math.Min(min, vmin[j]);
                max = Math.Max(max, vmax[j]);
            }

            i = vectors.Length * Vector<int>.Count;
        }

        for (; i < values.Length; i++)
        {
            min = Math.Min(min, values[i]);
            max = Math.Max(max, values[i]);
        }

        return (min, max);
    }

    private static (int[] Classes, long[] Tp, long[] Pred, long[] Actual)? TryCountDenseInts(ReadOnlySpan<int> yTrue, ReadOnlySpan<int> yPred)
    {
        var (min, max) = MinMax(yTrue, int.MaxValue, int.MinValue);
        (min, max) = MinMax(yPred, min, max);
        var range = (long)max - min + 1;
        if (range > MaxDirectRange || range > Math.Max(4096L, 4L * yTrue.Length))
        {
            return null;
        }

        var tp = new int[range];
        var pred = new int[range];
        var actual = new int[range];
        for (var i = 0; i < yTrue.Length; i++)
        {
            var t = yTrue[i] - min;
            var p = yPred[i] - min;
            actual[t]++;
            pred[p]++;
            if (t == p)
            {
                tp[t]++;
            }
        }

        var present = 0;
        for (var v = 0; v < range; v++)
        {
            if (actual[v] + pred[v] > 0)
            {
                present++;
            }
        }

        var classes = new int[present];
        var cTp = new long[present];
        var cPred = new long[present];
        var cActual = new long[present];
        var k = 0;
        for (var v = 0; v < range; v++)
        {
            if (actual[v] + pred[v] > 0)
            {
                classes[k] = v + min;
                cTp[k] = tp[v];
                cPred[k] = pred[v];
                cActual[k] = actual[v];
                k++;
            }
        }

        return (classes, cTp, cPred, cActual);
    }

    private static LabelCounts<TLabel> CountGeneric<TLabel>(
        ReadOnlySpan<TLabel> yTrue, ReadOnlySpan<TLabel> yPred, IComparer<TLabel> comparer, IEqualityComparer<TLabel> equality)
        where TLabel : notnull
    {
        var ids = new Dictionary<TLabel, int>(equality);
        var seen = new List<TLabel>();
        var tp = new long[16];
        var pred = new long[16];
        var actual = new long[16];
        for (var i = 0; i < yTrue.Length; i++)
        {
            var t = IdOf(yTrue[i], i, "yTrue", ids, seen, ref tp, ref pred, ref actual);
            var p = IdOf(yPred[i], i, "yPred", ids, seen, ref tp, ref pred, ref actual);
            LabelEncoder.Tally(t, p, tp, pred, actual);
        }

        var (classes, order) = LabelEncoder.SortFirstSeen(seen, comparer);
        var k = classes.Length;
        var sTp = new long[k];
        var sPred = new long[k];
        var sActual = new long[k];
        for (var i = 0; i < k; i++)
        {
            sTp[i] = tp[order[i]];
            sPred[i] = pred[order[i]];
            sActual[i] = actual[order[i]];
        }

        return new LabelCounts<TLabel>(classes, sTp, sPred, sActual, equality);
    }

    private static int IdOf<TLabel>(
        TLabel label, int index, string name, Dictionary<TLabel, int> ids, List<TLabel> seen, ref long[] tp, ref long[] pred, ref long[] actual)
        where TLabel : notnull
    {
        var id = LabelEncoder.FirstSeenId(label, index, name, ids, seen);
        if (id == tp.Length)
        {
            Array.Resize(ref tp, tp.Length * 2);
            Array.Resize(ref pred, pred.Length * 2);
            Array.Resize(ref actual, actual.Length * 2);
        }

        return id;
    }
}
