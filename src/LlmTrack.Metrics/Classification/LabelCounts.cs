using System.Numerics;
using System.Runtime.CompilerServices;
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

        if (typeof(TLabel) == typeof(string) && equality is null)
        {
            return CountStrings(yTrue, yPred, comparer ?? LabelEncoder.DefaultComparer<TLabel>(), eq);
        }

        return CountGeneric(yTrue, yPred, comparer ?? LabelEncoder.DefaultComparer<TLabel>(), eq);
    }

    // Strings under ordinal equality: the same first-seen ids as CountGeneric, through StringLabelTable. Large
    // inputs are counted in chunks on several threads; merging the chunks' first-seen lists in chunk order gives
    // the global first-seen order, and the first null label of the lowest chunk is the first one overall.
    private const int ParallelThreshold = 1 << 18;

    private static LabelCounts<TLabel> CountStrings<TLabel>(
        ReadOnlySpan<TLabel> yTrue, ReadOnlySpan<TLabel> yPred, IComparer<TLabel> comparer, IEqualityComparer<TLabel> equality)
        where TLabel : notnull
    {
        ReadOnlySpan<string> trueLabels = AsStrings(yTrue);
        ReadOnlySpan<string> predLabels = AsStrings(yPred);
        int chunks = yTrue.Length >= ParallelThreshold ? Math.Clamp(Environment.ProcessorCount, 1, 8) : 1;
        var partial = new StringChunkCounts[chunks];
        if (chunks == 1)
        {
            partial[0] = StringChunkCounts.Count(trueLabels, predLabels, 0, trueLabels.Length);
        }
        else
        {
            CountInParallel(trueLabels, predLabels, partial);
        }

        foreach (var chunk in partial)
        {
            if (chunk.Error is not null)
            {
                throw chunk.Error;
            }
        }

        var table = new StringLabelTable();
        var tp = new List<long>();
        var pred = new List<long>();
        var actual = new List<long>();
        foreach (var chunk in partial)
        {
            for (int local = 0; local < chunk.Table.Seen.Count; local++)
            {
                int id = table.IdOf(chunk.Table.Seen[local], 0, "yTrue");
                if (id == tp.Count)
                {
                    tp.Add(0);
                    pred.Add(0);
                    actual.Add(0);
                }

                tp[id] += chunk.TruePositives[local];
                pred[id] += chunk.Predicted[local];
                actual[id] += chunk.Actual[local];
            }
        }

        var seen = (List<TLabel>)(object)table.Seen;
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

    private static ReadOnlySpan<string> AsStrings<TLabel>(ReadOnlySpan<TLabel> labels)
        where TLabel : notnull =>
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<TLabel, string>(ref MemoryMarshal.GetReference(labels)), labels.Length);

    // The spans' memory is pinned for the duration of the loop, so the workers can see it through its
    // address (a span cannot be captured); the caller keeps the arrays, and so the labels, alive.
#pragma warning disable CS8500 // The address of a managed type: the element type is string, pinned below.
    private static unsafe void CountInParallel(ReadOnlySpan<string> trueLabels, ReadOnlySpan<string> predLabels, StringChunkCounts[] partial)
    {
        int length = trueLabels.Length;
        int size = (length + partial.Length - 1) / partial.Length;
        fixed (string* truePointer = trueLabels)
        fixed (string* predPointer = predLabels)
        {
            nint trueAddress = (nint)truePointer;
            nint predAddress = (nint)predPointer;
            Parallel.For(0, partial.Length, c =>
            {
                var yTrue = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AsRef<string>((void*)trueAddress), length);
                var yPred = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AsRef<string>((void*)predAddress), length);
                int from = Math.Min(length, c * size);
                partial[c] = StringChunkCounts.Count(yTrue, yPred, from, Math.Min(length, from + size));
            });
        }
    }
#pragma warning restore CS8500

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

/// <summary>The per-class counts of one chunk of string labels, by the chunk's first-seen ids.</summary>
internal sealed class StringChunkCounts
{
    private StringChunkCounts(StringLabelTable table, int[] truePositives, int[] predicted, int[] actual, ArgumentException? error)
    {
        Table = table;
        TruePositives = truePositives;
        Predicted = predicted;
        Actual = actual;
        Error = error;
    }

    public StringLabelTable Table { get; }

    public int[] TruePositives { get; }

    public int[] Predicted { get; }

    public int[] Actual { get; }

    /// <summary>The first null label of the chunk, if any.</summary>
    public ArgumentException? Error { get; }

    public static StringChunkCounts Count(ReadOnlySpan<string> trueLabels, ReadOnlySpan<string> predLabels, int from, int to)
    {
        var table = new StringLabelTable();
        var tp = new int[16];
        var pred = new int[16];
        var actual = new int[16];
        try
        {
            for (var i = from; i < to; i++)
            {
                string trueLabel = trueLabels[i];
                string predLabel = predLabels[i];
                var t = table.IdOf(trueLabel, i, "yTrue");

                // Most predictions equal their true label: one comparison instead of a second lookup.
                var p = predLabel is not null && (ReferenceEquals(predLabel, trueLabel) || string.Equals(predLabel, trueLabel, StringComparison.Ordinal))
                    ? t
                    : table.IdOf(predLabel!, i, "yPred");
                if (table.Seen.Count > tp.Length)
                {
                    Array.Resize(ref tp, tp.Length * 2);
                    Array.Resize(ref pred, pred.Length * 2);
                    Array.Resize(ref actual, actual.Length * 2);
                }

                actual[t]++;
                pred[p]++;
                if (t == p)
                {
                    tp[t]++;
                }
            }
        }
        catch (ArgumentException e)
        {
            return new StringChunkCounts(table, tp, pred, actual, e);
        }

        return new StringChunkCounts(table, tp, pred, actual, null);
    }
}
