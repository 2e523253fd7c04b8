using System.Globalization;
using LlmTrack.Metrics.Numerics;

namespace LlmTrack.Metrics.Classification;

/// <content>Confusion matrix, Matthews correlation, Cohen's kappa and label selection.</content>
public static partial class ClassificationMetrics
{
    /// <summary>
    /// The confusion matrix (<c>confusion_matrix</c>): rows are true labels, columns predicted labels, both in the order of
    /// <paramref name="labels"/> or, when it is <see langword="null"/>, of the sorted union of the labels present.
    /// Samples whose true or predicted label is not in <paramref name="labels"/> are left out.
    /// </summary>
    /// <typeparam name="TLabel">The label type.</typeparam>
    /// <param name="yTrue">True labels.</param>
    /// <param name="yPred">Predicted labels, same length as <paramref name="yTrue"/>.</param>
    /// <param name="labels">The labels to index the matrix with; at least one must occur in <paramref name="yTrue"/>.</param>
    /// <param name="comparer">Label order; <see langword="null"/> for NumPy's order.</param>
    /// <param name="equality">Label equality; <see langword="null"/> for the default.</param>
    /// <returns>The matrix.</returns>
    public static ConfusionMatrix<TLabel> ConfusionMatrix<TLabel>(
        ReadOnlySpan<TLabel> yTrue,
        ReadOnlySpan<TLabel> yPred,
        IReadOnlyList<TLabel>? labels = null,
        IComparer<TLabel>? comparer = null,
        IEqualityComparer<TLabel>? equality = null) where TLabel : notnull
    {
        var encoded = LabelEncoder.Encode(yTrue, yPred, comparer, equality);
        return BuildConfusion(encoded, labels);
    }

    /// <summary>Matthews correlation coefficient, multiclass form (<c>matthews_corrcoef</c>); 0 when undefined.</summary>
    /// <typeparam name="TLabel">The label type.</typeparam>
    /// <param name="yTrue">True labels.</param>
    /// <param name="yPred">Predicted labels, same length as <paramref name="yTrue"/>.</param>
    /// <param name="equality">Label equality; <see langword="null"/> for the default.</param>
    /// <returns>The coefficient in [-1, 1].</returns>
    public static double MatthewsCorrelation<TLabel>(ReadOnlySpan<TLabel> yTrue, ReadOnlySpan<TLabel> yPred, IEqualityComparer<TLabel>? equality = null) where TLabel : notnull
    {
        var counts = LabelCounter.Count(yTrue, yPred, null, equality);
        var (tp, pred, actual) = (counts.TruePositives, counts.Predicted, counts.Actual);
        double nCorrect = 0, nSamples = 0, dotTp = 0, dotPp = 0, dotTt = 0;
        for (var i = 0; i < tp.Length; i++)
        {
            nCorrect += tp[i];
            nSamples += pred[i];
            dotTp += (double)actual[i] * pred[i];
            dotPp += (double)pred[i] * pred[i];
            dotTt += (double)actual[i] * actual[i];
        }

        var covYtYp = (nCorrect * nSamples) - dotTp;
        var covYpYp = (nSamples * nSamples) - dotPp;
        var covYtYt = (nSamples * nSamples) - dotTt;
        if (covYpYp * covYtYt == 0)
        {
            return 0.0;
        }

        return covYtYp / Math.Sqrt(covYtYt * covYpYp);
    }

    /// <summary>
    /// Cohen's kappa between two annotators (<c>cohen_kappa_score</c>): 1 - Σ w·observed / Σ w·expected. NaN when the
    /// expected disagreement is zero (e.g. a single label), as scikit-learn returns.
    /// </summary>
    /// <typeparam name="TLabel">The label type.</typeparam>
    /// <param name="y1">Labels of the first annotator.</param>
    /// <param name="y2">Labels of the second annotator, same length as <paramref name="y1"/>.</param>
    /// <param name="weights">Disagreement weights.</param>
    /// <param name="labels">Labels to index the confusion matrix with; <see langword="null"/> for all, sorted.</param>
    /// <param name="comparer">Label order; <see langword="null"/> for NumPy's order.</param>
    /// <param name="equality">Label equality; <see langword="null"/> for the default.</param>
    /// <returns>The kappa statistic.</returns>
    public static double CohenKappa<TLabel>(
        ReadOnlySpan<TLabel> y1,
        ReadOnlySpan<TLabel> y2,
        KappaWeighting weights = KappaWeighting.None,
        IReadOnlyList<TLabel>? labels = null,
        IComparer<TLabel>? comparer = null,
        IEqualityComparer<TLabel>? equality = null) where TLabel : notnull
    {
        if (!Enum.IsDefined(weights))
        {
            throw new ArgumentOutOfRangeException(nameof(weights), weights, "weights must be None, Linear or Quadratic.");
        }

        var confusion = BuildConfusion(LabelEncoder.Encode(y1, y2, comparer, equality), labels).Flat;
        var n = (int)Math.Sqrt(confusion.Length);
        var sum0 = new long[n];
        var sum1 = new long[n];
        long total = 0;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var c = confusion[(i * n) + j];
                sum0[j] += c;
                sum1[i] += c;
                total += c;
            }
        }

        long observed = 0;
        var expected = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                long w = weights switch
                {
                    KappaWeighting.None => i == j ? 0 : 1,
                    KappaWeighting.Linear => Math.Abs(i - j),
                    _ => (long)(i - j) * (i - j),
                };
                observed += w * confusion[(i * n) + j];
                expected[(i * n) + j] = w * ((double)(sum0[i] * sum1[j]) / total);
            }
        }

        var k = observed / NumpySummation.Sum(expected);
        return 1 - k;
    }

    private static ConfusionMatrix<TLabel> BuildConfusion<TLabel>(EncodedLabels<TLabel> encoded, IReadOnlyList<TLabel>? labels) where TLabel : notnull
    {
        TLabel[] outLabels;
        int[] position;
        if (labels is null)
        {
            outLabels = encoded.Classes;
            position = new int[outLabels.Length];
            for (var i = 0; i < position.Length; i++)
            {
                position[i] = i;
            }
        }
        else
        {
            if (labels.Count == 0)
            {
                throw new ArgumentException("'labels' should contain at least one label.", nameof(labels));
            }

            outLabels = CheckDistinct(labels, encoded.Equality);
            position = new int[encoded.Classes.Length];
            Array.Fill(position, -1);
            var (_, _, actual) = encoded.CountPerClass();
            var anyInTrue = false;
            for (var i = 0; i < outLabels.Length; i++)
            {
                var id = encoded.IdOf(outLabels[i]);
                if (id >= 0)
                {
                    position[id] = i;
                    anyInTrue |= actual[id] > 0;
                }
            }

            if (!anyInTrue)
            {
                throw new ArgumentException("At least one label specified must be in y_true.", nameof(labels));
            }
        }

        var size = outLabels.Length;
        if ((long)size * size > 1L << 28)
        {
            throw new ArgumentException($"A confusion matrix of {size} classes has too many cells; pass fewer labels.", nameof(labels));
        }

        var counts = new long[size * size];
        var t = encoded.TrueIds;
        var p = encoded.PredIds;
        for (var i = 0; i < t.Length; i++)
        {
            var row = position[t[i]];
            var col = position[p[i]];
            if (row >= 0 && col >= 0)
            {
                counts[(row * size) + col]++;
            }
        }

        return new ConfusionMatrix<TLabel>(outLabels, counts);
    }

    private static TLabel[] CheckDistinct<TLabel>(IReadOnlyList<TLabel> labels, IEqualityComparer<TLabel> equality) where TLabel : notnull
    {
        var result = new TLabel[labels.Count];
        var seen = new HashSet<TLabel>(equality);
        for (var i = 0; i < result.Length; i++)
        {
            var label = labels[i];
            if (label is null)
            {
                throw new ArgumentException($"labels[{i}] is null; labels must not be null.", nameof(labels));
            }

            if (!seen.Add(label))
            {
                throw new ArgumentException($"labels[{i}] ({label}) occurs more than once; labels must be distinct.", nameof(labels));
            }

            result[i] = label;
        }

        return result;
    }

    private static (TLabel[] Labels, long[] Tp, long[] Pred, long[] Actual) SelectCounts<TLabel>(LabelCounts<TLabel> counts, IReadOnlyList<TLabel>? labels) where TLabel : notnull
    {
        var (tp, pred, actual) = (counts.TruePositives, counts.Predicted, counts.Actual);
        if (labels is null)
        {
            return (counts.Classes, tp, pred, actual);
        }

        var selected = CheckDistinct(labels, counts.Equality);
        var k = selected.Length;
        var sTp = new long[k];
        var sPred = new long[k];
        var sActual = new long[k];
        for (var i = 0; i < k; i++)
        {
            var id = counts.IdOf(selected[i]);
            if (id >= 0)
            {
                sTp[i] = tp[id];
                sPred[i] = pred[id];
                sActual[i] = actual[id];
            }
        }

        return (selected, sTp, sPred, sActual);
    }

    private static TLabel BinaryPositiveLabel<TLabel>(LabelCounts<TLabel> counts, AverageKind average, ClassificationOptions<TLabel>? options) where TLabel : notnull
    {
        var present = counts.Classes;
        if (present.Length > 2)
        {
            throw new ArgumentException(
                "Target is multiclass but average='binary'. Please choose another average setting, one of [None, 'micro', 'macro', 'weighted'].",
                nameof(average));
        }

        TLabel positive;
        if (options is not null && options.HasPositiveLabel)
        {
            positive = options.PositiveLabel ?? throw new ArgumentException("PositiveLabel must not be null.", nameof(options));
        }
        else
        {
            positive = DefaultPositiveLabel<TLabel>();
        }

        if (counts.IdOf(positive) < 0 && present.Length >= 2)
        {
            var list = string.Join(", ", present.Select(l => Convert.ToString(l, CultureInfo.InvariantCulture)));
            throw new ArgumentException(
                $"pos_label={Convert.ToString(positive, CultureInfo.InvariantCulture)} is not a valid label. It should be one of [{list}]",
                nameof(options));
        }

        return positive;
    }

    internal static TLabel DefaultPositiveLabel<TLabel>() where TLabel : notnull
    {
        object? one = Type.GetTypeCode(typeof(TLabel)) switch
        {
            TypeCode.Int32 when !typeof(TLabel).IsEnum => 1,
            TypeCode.Int64 when !typeof(TLabel).IsEnum => 1L,
            TypeCode.Int16 when !typeof(TLabel).IsEnum => (short)1,
            TypeCode.Byte when !typeof(TLabel).IsEnum => (byte)1,
            TypeCode.SByte when !typeof(TLabel).IsEnum => (sbyte)1,
            TypeCode.UInt16 when !typeof(TLabel).IsEnum => (ushort)1,
            TypeCode.UInt32 when !typeof(TLabel).IsEnum => 1u,
            TypeCode.UInt64 when !typeof(TLabel).IsEnum => 1ul,
            TypeCode.Boolean => true,
            _ => null,
        };
        return one is TLabel label
            ? label
            : throw new ArgumentException(
                $"AverageKind.Binary needs ClassificationOptions.PositiveLabel for label type {typeof(TLabel).Name} (only integer labels default to 1, and bool to true).",
                nameof(ClassificationOptions<TLabel>.PositiveLabel));
    }
}
