namespace LlmTrack.Metrics.Classification;

/// <summary>
/// Classification metrics equal to scikit-learn 1.2: accuracy, balanced accuracy, precision, recall, F1 and F-beta
/// (binary, micro, macro, weighted and per class), confusion matrix, Matthews correlation and Cohen's kappa.
/// Labels may be any non-null type; they are sorted like NumPy sorts them (see <see cref="ClassificationOptions{TLabel}.Comparer"/>).
/// </summary>
/// <remarks>
/// Labels are mapped to dense integer ids once and counted in arrays, so large inputs are scored without per-item
/// allocations. Mismatched lengths and empty inputs throw <see cref="ArgumentException"/>.
/// </remarks>
public static partial class ClassificationMetrics
{
    /// <summary>Fraction of samples whose prediction equals the true label (<c>accuracy_score</c>).</summary>
    /// <typeparam name="TLabel">The label type.</typeparam>
    /// <param name="yTrue">True labels.</param>
    /// <param name="yPred">Predicted labels, same length as <paramref name="yTrue"/>.</param>
    /// <param name="equality">Label equality; <see langword="null"/> for the default.</param>
    /// <returns>The accuracy in [0, 1].</returns>
    public static double Accuracy<TLabel>(ReadOnlySpan<TLabel> yTrue, ReadOnlySpan<TLabel> yPred, IEqualityComparer<TLabel>? equality = null) where TLabel : notnull =>
        (double)CorrectCount(yTrue, yPred, equality) / yTrue.Length;

    /// <summary>Number of samples whose prediction equals the true label (<c>accuracy_score(normalize=False)</c>).</summary>
    /// <typeparam name="TLabel">The label type.</typeparam>
    /// <param name="yTrue">True labels.</param>
    /// <param name="yPred">Predicted labels, same length as <paramref name="yTrue"/>.</param>
    /// <param name="equality">Label equality; <see langword="null"/> for the default.</param>
    /// <returns>The count of correct predictions.</returns>
    public static long CorrectCount<TLabel>(ReadOnlySpan<TLabel> yTrue, ReadOnlySpan<TLabel> yPred, IEqualityComparer<TLabel>? equality = null) where TLabel : notnull
    {
        Validation.PairedInputs.RequireSameNonEmptyLabels(yTrue.Length, yPred.Length);
        long correct = 0;
        if (equality is null)
        {
            for (var i = 0; i < yTrue.Length; i++)
            {
                if (EqualityComparer<TLabel>.Default.Equals(yTrue[i], yPred[i]))
                {
                    correct++;
                }
            }
        }
        else
        {
            for (var i = 0; i < yTrue.Length; i++)
            {
                if (equality.Equals(yTrue[i], yPred[i]))
                {
                    correct++;
                }
            }
        }

        return correct;
    }

    /// <summary>
    /// Mean recall over the classes that occur in <paramref name="yTrue"/> (<c>balanced_accuracy_score</c>). Classes that
    /// occur only in <paramref name="yPred"/> are dropped with scikit-learn's warning <c>y_pred contains classes not in y_true</c>.
    /// </summary>
    /// <typeparam name="TLabel">The label type.</typeparam>
    /// <param name="yTrue">True labels.</param>
    /// <param name="yPred">Predicted labels, same length as <paramref name="yTrue"/>.</param>
    /// <param name="adjusted">Rescale so that chance scores 0 and perfect scores 1.</param>
    /// <param name="comparer">Label order; <see langword="null"/> for NumPy's order.</param>
    /// <param name="equality">Label equality; <see langword="null"/> for the default.</param>
    /// <returns>The score and any warning.</returns>
    public static ClassificationScore BalancedAccuracy<TLabel>(
        ReadOnlySpan<TLabel> yTrue,
        ReadOnlySpan<TLabel> yPred,
        bool adjusted = false,
        IComparer<TLabel>? comparer = null,
        IEqualityComparer<TLabel>? equality = null) where TLabel : notnull
    {
        var counts = LabelCounter.Count(yTrue, yPred, comparer, equality);
        var (tp, actual) = (counts.TruePositives, counts.Actual);
        var perClass = new List<double>(tp.Length);
        var warnings = new List<string>();
        for (var i = 0; i < tp.Length; i++)
        {
            if (actual[i] == 0)
            {
                if (warnings.Count == 0)
                {
                    warnings.Add("UserWarning: y_pred contains classes not in y_true");
                }

                continue;
            }

            perClass.Add((double)tp[i] / actual[i]);
        }

        var score = Numerics.NumpySummation.Mean(perClass.ToArray());
        if (adjusted)
        {
            var chance = 1.0 / perClass.Count;
            score -= chance;
            score /= 1 - chance;
        }

        return new ClassificationScore(score, warnings);
    }

    /// <summary>Precision tp / (tp + fp), averaged as <paramref name="average"/> says (<c>precision_score</c>).</summary>
    /// <typeparam name="TLabel">The label type.</typeparam>
    /// <param name="yTrue">True labels.</param>
    /// <param name="yPred">Predicted labels, same length as <paramref name="yTrue"/>.</param>
    /// <param name="average">How classes are combined.</param>
    /// <param name="options">Labels, positive label, zero-division mode and comparers.</param>
    /// <returns>The score and the warnings scikit-learn would emit.</returns>
    public static ClassificationScore Precision<TLabel>(ReadOnlySpan<TLabel> yTrue, ReadOnlySpan<TLabel> yPred, AverageKind average, ClassificationOptions<TLabel>? options = null) where TLabel : notnull
    {
        var r = Averaged(yTrue, yPred, average, 1.0, WarnFor.Precision, options);
        return new ClassificationScore(r.Precision[0], r.Warnings);
    }

    /// <summary>Recall tp / (tp + fn), averaged as <paramref name="average"/> says (<c>recall_score</c>).</summary>
    /// <typeparam name="TLabel">The label type.</typeparam>
    /// <param name="yTrue">True labels.</param>
    /// <param name="yPred">Predicted labels, same length as <paramref name="yTrue"/>.</param>
    /// <param name="average">How classes are combined.</param>
    /// <param name="options">Labels, positive label, zero-division mode and comparers.</param>
    /// <returns>The score and the warnings scikit-learn would emit.</returns>
    public static ClassificationScore Recall<TLabel>(ReadOnlySpan<TLabel> yTrue, ReadOnlySpan<TLabel> yPred, AverageKind average, ClassificationOptions<TLabel>? options = null) where TLabel : notnull
    {
        var r = Averaged(yTrue, yPred, average, 1.0, WarnFor.Recall, options);
        return new ClassificationScore(r.Recall[0], r.Warnings);
    }

    /// <summary>F1 score 2PR / (P + R) computed from precision and recall as scikit-learn 1.2 does (<c>f1_score</c>).</summary>
    /// <typeparam name="TLabel">The label type.</typeparam>
    /// <param name="yTrue">True labels.</param>
    /// <param name="yPred">Predicted labels, same length as <paramref name="yTrue"/>.</param>
    /// <param name="average">How classes are combined.</param>
    /// <param name="options">Labels, positive label, zero-division mode and comparers.</param>
    /// <returns>The score and the warnings scikit-learn would emit.</returns>
    public static ClassificationScore F1Score<TLabel>(ReadOnlySpan<TLabel> yTrue, ReadOnlySpan<TLabel> yPred, AverageKind average, ClassificationOptions<TLabel>? options = null) where TLabel : notnull =>
        FBetaScore(yTrue, yPred, 1.0, average, options);

    /// <summary>F-beta score (1 + β²)PR / (β²P + R) (<c>fbeta_score</c>); β = +∞ gives recall.</summary>
    /// <typeparam name="TLabel">The label type.</typeparam>
    /// <param name="yTrue">True labels.</param>
    /// <param name="yPred">Predicted labels, same length as <paramref name="yTrue"/>.</param>
    /// <param name="beta">Weight of recall, at least 0.</param>
    /// <param name="average">How classes are combined.</param>
    /// <param name="options">Labels, positive label, zero-division mode and comparers.</param>
    /// <returns>The score and the warnings scikit-learn would emit.</returns>
    public static ClassificationScore FBetaScore<TLabel>(ReadOnlySpan<TLabel> yTrue, ReadOnlySpan<TLabel> yPred, double beta, AverageKind average, ClassificationOptions<TLabel>? options = null) where TLabel : notnull
    {
        var r = Averaged(yTrue, yPred, average, beta, WarnFor.FScore, options);
        return new ClassificationScore(r.FScore[0], r.Warnings);
    }

    /// <summary>Precision of each class (<c>precision_score(average=None)</c>).</summary>
    /// <typeparam name="TLabel">The label type.</typeparam>
    /// <param name="yTrue">True labels.</param>
    /// <param name="yPred">Predicted labels, same length as <paramref name="yTrue"/>.</param>
    /// <param name="options">Labels, zero-division mode and comparers.</param>
    /// <returns>The per-class scores.</returns>
    public static PerClassScores<TLabel> PrecisionPerClass<TLabel>(ReadOnlySpan<TLabel> yTrue, ReadOnlySpan<TLabel> yPred, ClassificationOptions<TLabel>? options = null) where TLabel : notnull
    {
        var (labels, r) = PerClass(yTrue, yPred, 1.0, WarnFor.Precision, options);
        return new PerClassScores<TLabel>(labels, r.Precision, r.Warnings);
    }

    /// <summary>Recall of each class (<c>recall_score(average=None)</c>).</summary>
    /// <typeparam name="TLabel">The label type.</typeparam>
    /// <param name="yTrue">True labels.</param>
    /// <param name="yPred">Predicted labels, same length as <paramref name="yTrue"/>.</param>
    /// <param name="options">Labels, zero-division mode and comparers.</param>
    /// <returns>The per-class scores.</returns>
    public static PerClassScores<TLabel> RecallPerClass<TLabel>(ReadOnlySpan<TLabel> yTrue, ReadOnlySpan<TLabel> yPred, ClassificationOptions<TLabel>? options = null) where TLabel : notnull
    {
        var (labels, r) = PerClass(yTrue, yPred, 1.0, WarnFor.Recall, options);
        return new PerClassScores<TLabel>(labels, r.Recall, r.Warnings);
    }

    /// <summary>F1 score of each class (<c>f1_score(average=None)</c>).</summary>
    /// <typeparam name="TLabel">The label type.</typeparam>
    /// <param name="yTrue">True labels.</param>
    /// <param name="yPred">Predicted labels, same length as <paramref name="yTrue"/>.</param>
    /// <param name="options">Labels, zero-division mode and comparers.</param>
    /// <returns>The per-class scores.</returns>
    public static PerClassScores<TLabel> F1ScorePerClass<TLabel>(ReadOnlySpan<TLabel> yTrue, ReadOnlySpan<TLabel> yPred, ClassificationOptions<TLabel>? options = null) where TLabel : notnull =>
        FBetaScorePerClass(yTrue, yPred, 1.0, options);

    /// <summary>F-beta score of each class (<c>fbeta_score(average=None)</c>).</summary>
    /// <typeparam name="TLabel">The label type.</typeparam>
    /// <param name="yTrue">True labels.</param>
    /// <param name="yPred">Predicted labels, same length as <paramref name="yTrue"/>.</param>
    /// <param name="beta">Weight of recall, at least 0.</param>
    /// <param name="options">Labels, zero-division mode and comparers.</param>
    /// <returns>The per-class scores.</returns>
    public static PerClassScores<TLabel> FBetaScorePerClass<TLabel>(ReadOnlySpan<TLabel> yTrue, ReadOnlySpan<TLabel> yPred, double beta, ClassificationOptions<TLabel>? options = null) where TLabel : notnull
    {
        var (labels, r) = PerClass(yTrue, yPred, beta, WarnFor.FScore, options);
        return new PerClassScores<TLabel>(labels, r.FScore, r.Warnings);
    }

    /// <summary>
    /// Per-class precision, recall, F-beta and support (<c>precision_recall_fscore_support(average=None)</c>, with its
    /// warnings) plus micro, macro and weighted averages and accuracy.
    /// </summary>
    /// <typeparam name="TLabel">The label type.</typeparam>
    /// <param name="yTrue">True labels.</param>
    /// <param name="yPred">Predicted labels, same length as <paramref name="yTrue"/>.</param>
    /// <param name="beta">Weight of recall in the F-score; 1 for F1.</param>
    /// <param name="options">Labels, zero-division mode and comparers.</param>
    /// <returns>The report.</returns>
    public static ClassificationReport<TLabel> Report<TLabel>(ReadOnlySpan<TLabel> yTrue, ReadOnlySpan<TLabel> yPred, double beta = 1.0, ClassificationOptions<TLabel>? options = null) where TLabel : notnull
    {
        var counts = LabelCounter.Count(yTrue, yPred, options?.Comparer, options?.EqualityComparer);
        var zeroDivision = options?.ZeroDivision ?? ZeroDivision.Warn;
        var (labels, tp, pred, actual) = SelectCounts(counts, options?.Labels);
        var perClass = PrfCalculator.Compute(tp, pred, actual, null, beta, zeroDivision, WarnFor.All);
        AveragedScores Avg(AverageKind a)
        {
            var r = PrfCalculator.Compute(tp, pred, actual, a, beta, zeroDivision, WarnFor.None);
            return new AveragedScores(r.Precision[0], r.Recall[0], r.FScore[0]);
        }

        var correct = counts.TruePositives.Sum();

        return new ClassificationReport<TLabel>
        {
            Labels = labels,
            Precision = perClass.Precision,
            Recall = perClass.Recall,
            FScore = perClass.FScore,
            Support = perClass.Support!,
            Micro = Avg(AverageKind.Micro),
            Macro = Avg(AverageKind.Macro),
            Weighted = Avg(AverageKind.Weighted),
            Accuracy = (double)correct / yTrue.Length,
            Beta = beta,
            Warnings = perClass.Warnings,
        };
    }

    private static (TLabel[] Labels, PrfResult Result) PerClass<TLabel>(
        ReadOnlySpan<TLabel> yTrue, ReadOnlySpan<TLabel> yPred, double beta, WarnFor warnFor, ClassificationOptions<TLabel>? options) where TLabel : notnull
    {
        var counts = LabelCounter.Count(yTrue, yPred, options?.Comparer, options?.EqualityComparer);
        var (labels, tp, pred, actual) = SelectCounts(counts, options?.Labels);
        return (labels, PrfCalculator.Compute(tp, pred, actual, null, beta, options?.ZeroDivision ?? ZeroDivision.Warn, warnFor));
    }

    private static PrfResult Averaged<TLabel>(
        ReadOnlySpan<TLabel> yTrue, ReadOnlySpan<TLabel> yPred, AverageKind average, double beta, WarnFor warnFor, ClassificationOptions<TLabel>? options) where TLabel : notnull
    {
        var counts = LabelCounter.Count(yTrue, yPred, options?.Comparer, options?.EqualityComparer);
        IReadOnlyList<TLabel>? labels = options?.Labels;
        if (average == AverageKind.Binary)
        {
            labels = [BinaryPositiveLabel(counts, average, options)];
        }
        else if (!Enum.IsDefined(average))
        {
            throw new ArgumentOutOfRangeException(nameof(average), average, "average must be Binary, Micro, Macro or Weighted.");
        }

        var (_, tp, pred, actual) = SelectCounts(counts, labels);
        return PrfCalculator.Compute(tp, pred, actual, average, beta, options?.ZeroDivision ?? ZeroDivision.Warn, warnFor);
    }
}
