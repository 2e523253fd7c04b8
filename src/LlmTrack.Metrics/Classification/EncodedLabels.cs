using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LlmTrack.Metrics.Classification;

/// <summary>True and predicted labels mapped once to dense class ids in sorted label order.</summary>
internal sealed class EncodedLabels<TLabel>
    where TLabel : notnull
{
    private Dictionary<TLabel, int>? _index;

    public EncodedLabels(TLabel[] classes, int[] trueIds, int[] predIds, IEqualityComparer<TLabel> equality)
    {
        Classes = classes;
        TrueIds = trueIds;
        PredIds = predIds;
        Equality = equality;
    }

    /// <summary>The sorted union of the labels present in y_true and y_pred (scikit-learn's <c>unique_labels</c>).</summary>
    public TLabel[] Classes { get; }

    public int[] TrueIds { get; }

    public int[] PredIds { get; }

    public IEqualityComparer<TLabel> Equality { get; }

    public int Count => TrueIds.Length;

    /// <summary>The class id of a label, or -1 when it does not occur.</summary>
    public int IdOf(TLabel label)
    {
        if (label is null)
        {
            return -1;
        }

        if (_index is null)
        {
            var index = new Dictionary<TLabel, int>(Classes.Length, Equality);
            for (var i = 0; i < Classes.Length; i++)
            {
                index[Classes[i]] = i;
            }

            _index = index;
        }

        return _index.TryGetValue(label, out var id) ? id : -1;
    }

    /// <summary>Per-class true-positive, predicted and true counts.</summary>
    public (long[] TruePositives, long[] Predicted, long[] Actual) CountPerClass()
    {
        var k = Classes.Length;
        var tp = new long[k];
        var pred = new long[k];
        var actual = new long[k];
        var t = TrueIds;
        var p = PredIds;
        for (var i = 0; i < t.Length; i++)
        {
            var ti = t[i];
            var pi = p[i];
            actual[ti]++;
            pred[pi]++;
            if (ti == pi)
            {
                tp[ti]++;
            }
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
        ValidateLengths(yTrue.Length, yPred.Length);
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

    public static void ValidateLengths(int trueLength, int predLength, string trueName = "yTrue", string predName = "yPred")
    {
        if (trueLength != predLength)
        {
            throw new ArgumentException(
                $"{trueName} and {predName} must have the same length, but {trueName} has {trueLength} and {predName} has {predLength} labels.",
                predName);
        }

        if (trueLength == 0)
        {
            throw new ArgumentException($"{trueName} and {predName} must not be empty.", trueName);
        }
    }

    private static ReadOnlySpan<int> AsInts<TLabel>(ReadOnlySpan<TLabel> span) where TLabel : notnull =>
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

        var classes = seen.ToArray();
        var order = new int[classes.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(classes, order, comparer);
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

    private static void Assign<TLabel>(ReadOnlySpan<TLabel> labels, int[] target, Dictionary<TLabel, int> ids, List<TLabel> seen, string parameterName) where TLabel : notnull
    {
        for (var i = 0; i < labels.Length; i++)
        {
            var label = labels[i];
            if (label is null)
            {
                throw new ArgumentException($"{parameterName}[{i}] is null; labels must not be null.", parameterName);
            }

            ref var id = ref CollectionsMarshal.GetValueRefOrAddDefault(ids, label, out var exists);
            if (!exists)
            {
                id = seen.Count;
                seen.Add(label);
            }

            target[i] = id;
        }
    }
}
