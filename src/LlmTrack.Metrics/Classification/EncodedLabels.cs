using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LlmTrack.Metrics.Validation;

namespace LlmTrack.Metrics.Classification;

/// <summary>True and predicted labels mapped once to dense class ids in sorted label order.</summary>
internal sealed class EncodedLabels<TLabel>
    where TLabel : notnull
{
    private readonly ClassIndex<TLabel> _index;

    public EncodedLabels(TLabel[] classes, int[] trueIds, int[] predIds, IEqualityComparer<TLabel> equality)
    {
        Classes = classes;
        TrueIds = trueIds;
        PredIds = predIds;
        Equality = equality;
        _index = new ClassIndex<TLabel>(classes, equality);
    }

    /// <summary>The sorted union of the labels present in y_true and y_pred (scikit-learn's <c>unique_labels</c>).</summary>
    public TLabel[] Classes { get; }

    public int[] TrueIds { get; }

    public int[] PredIds { get; }

    public IEqualityComparer<TLabel> Equality { get; }

    public int Count => TrueIds.Length;

    /// <summary>The class id of a label, or -1 when it does not occur.</summary>
    public int IdOf(TLabel label) => _index.IdOf(label);

    /// <summary>Per-class true-positive, predicted and true counts.</summary>
    public (long[] TruePositives, long[] Predicted, long[] Actual) CountPerClass()
    {
        var k = Classes.Length;
        var tp = new long[k];
        var pred = new long[k];
        var actual = new long[k];
        for (var i = 0; i < TrueIds.Length; i++)
        {
            LabelEncoder.Tally(TrueIds[i], PredIds[i], tp, pred, actual);
        }

        return (tp, pred, actual);
    }

    /// <summary>Per-class counts of a resample: the items at <paramref name="sample"/> (indices may repeat).</summary>
    public (long[] TruePositives, long[] Predicted, long[] Actual) CountPerClass(ReadOnlySpan<int> sample)
    {
        var k = Classes.Length;
        var tp = new long[k];
        var pred = new long[k];
        var actual = new long[k];
        foreach (var i in sample)
        {
            LabelEncoder.Tally(TrueIds[i], PredIds[i], tp, pred, actual);
        }

        return (tp, pred, actual);
    }
}

/// <summary>Maps labels to dense ids in scikit-learn's label order without per-item allocations.</summary>
internal static class LabelEncoder
{
    private const int MaxDirectRange = 1 << 24;

    public static EncodedLabels<TLabel> Encode<TLabel>(
        ReadOnlySpan<TLabel> yTrue,
        ReadOnlySpan<TLabel> yPred,
        IComparer<TLabel>? comparer,
        IEqualityComparer<TLabel>? equality) where TLabel : notnull
    {
        PairedInputs.RequireSameNonEmptyLabels(yTrue.Length, yPred.Length);
        var eq = equality ?? EqualityComparer<TLabel>.Default;
        if (typeof(TLabel) == typeof(int) && comparer is null && equality is null)
        {
            var encoded = TryEncodeDenseInts(AsInts(yTrue), AsInts(yPred));
            if (encoded is not null)
            {
                return new EncodedLabels<TLabel>((TLabel[])(object)encoded.Value.Classes, encoded.Value.TrueIds, encoded.Value.PredIds, eq);
            }
        }

        return EncodeGeneric(yTrue, yPred, comparer ?? DefaultComparer<TLabel>(), eq);
    }

    public static IComparer<TLabel> DefaultComparer<TLabel>() where TLabel : notnull =>
        typeof(TLabel) == typeof(string) ? (IComparer<TLabel>)(object)CodePointStringComparer.Instance : Comparer<TLabel>.Default;

    /// <summary>Counts one item: its true class as actual, its predicted class as predicted, and a true positive when they agree.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Tally(int trueId, int predId, long[] truePositives, long[] predicted, long[] actual)
    {
        actual[trueId]++;
        predicted[predId]++;
        if (trueId == predId)
        {
            truePositives[trueId]++;
        }
    }

    /// <summary>Reinterprets labels known to be <see cref="int"/> as ints, without copying.</summary>
    public static ReadOnlySpan<int> AsInts<TLabel>(ReadOnlySpan<TLabel> span) where TLabel : notnull =>
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<TLabel, int>(ref MemoryMarshal.GetReference(span)), span.Length);

    private static (int[] Classes, int[] TrueIds, int[] PredIds)? TryEncodeDenseInts(ReadOnlySpan<int> yTrue, ReadOnlySpan<int> yPred)
    {
        int min = int.MaxValue, max = int.MinValue;
        foreach (var v in yTrue)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        foreach (var v in yPred)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        var range = (long)max - min + 1;
        if (range > MaxDirectRange || range > Math.Max(4096L, 4L * yTrue.Length))
        {
            return null;
        }

        var table = new int[range];
        foreach (var v in yTrue)
        {
            table[v - min] = 1;
        }

        foreach (var v in yPred)
        {
            table[v - min] = 1;
        }

        var classes = new List<int>();
        for (var i = 0; i < table.Length; i++)
        {
            if (table[i] != 0)
            {
                table[i] = classes.Count;
                classes.Add(i + min);
            }
        }

        var trueIds = new int[yTrue.Length];
        var predIds = new int[yPred.Length];
        for (var i = 0; i < trueIds.Length; i++)
        {
            trueIds[i] = table[yTrue[i] - min];
            predIds[i] = table[yPred[i] - min];
        }

        return (classes.ToArray(), trueIds, predIds);
    }

    private static EncodedLabels<TLabel> EncodeGeneric<TLabel>(
        ReadOnlySpan<TLabel> yTrue,
        ReadOnlySpan<TLabel> yPred,
        IComparer<TLabel> comparer,
        IEqualityComparer<TLabel> equality) where TLabel : notnull
    {
        var ids = new Dictionary<TLabel, int>(equality);
        var seen = new List<TLabel>();
        var trueIds = new int[yTrue.Length];
        var predIds = new int[yPred.Length];
        Assign(yTrue, trueIds, ids, seen, "yTrue");
        Assign(yPred, predIds, ids, seen, "yPred");

        var (classes, order) = SortFirstSeen(seen, comparer);
        var rank = new int[classes.Length];
        for (var i = 0; i < order.Length; i++)
        {
            rank[order[i]] = i;
        }

        for (var i = 0; i < trueIds.Length; i++)
        {
            trueIds[i] = rank[trueIds[i]];
            predIds[i] = rank[predIds[i]];
        }

        return new EncodedLabels<TLabel>(classes, trueIds, predIds, equality);
    }

    /// <summary>
    /// The first-seen id of a label: its existing id, or the next one (appending it to <paramref name="seen"/>).
    /// A null label is rejected as <c>{name}[{index}]</c>.
    /// </summary>
    public static int FirstSeenId<TLabel>(TLabel label, int index, string name, Dictionary<TLabel, int> ids, List<TLabel> seen)
        where TLabel : notnull
    {
        if (label is null)
        {
            throw new ArgumentException($"{name}[{index}] is null; labels must not be null.", name);
        }

        ref var id = ref CollectionsMarshal.GetValueRefOrAddDefault(ids, label, out var exists);
        if (!exists)
        {
            id = seen.Count;
            seen.Add(label);
        }

        return id;
    }

    /// <summary>The labels in sorted order, and for each sorted position the label's first-seen id.</summary>
    public static (TLabel[] Classes, int[] FirstSeenIds) SortFirstSeen<TLabel>(List<TLabel> seen, IComparer<TLabel> comparer)
        where TLabel : notnull
    {
        var classes = seen.ToArray();
        var order = new int[classes.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(classes, order, comparer);
        return (classes, order);
    }

    private static void Assign<TLabel>(ReadOnlySpan<TLabel> labels, int[] target, Dictionary<TLabel, int> ids, List<TLabel> seen, string parameterName) where TLabel : notnull
    {
        for (var i = 0; i < labels.Length; i++)
        {
            target[i] = FirstSeenId(labels[i], i, parameterName, ids, seen);
        }
    }
}
