using System.Globalization;
using LlmTrack.Metrics.Numerics;

namespace LlmTrack.Metrics.Classification;

/// <summary>Which metrics a caller asked for; decides which warnings are emitted (scikit-learn's <c>warn_for</c>).</summary>
[Flags]
internal enum WarnFor
{
    None = 0,
    Precision = 1,
    Recall = 2,
    FScore = 4,
    All = Precision | Recall | FScore,
}

/// <summary>Results of <see cref="PrfCalculator"/>: per-class arrays, or one-element arrays for averages.</summary>
internal sealed record PrfResult(double[] Precision, double[] Recall, double[] FScore, long[]? Support, List<string> Warnings);

/// <summary>scikit-learn 1.2's <c>precision_recall_fscore_support</c> on per-class counts.</summary>
internal static class PrfCalculator
{
    public static PrfResult Compute(
        long[] tpSum,
        long[] predSum,
        long[] trueSum,
        AverageKind? average,
        double beta,
        ZeroDivision zeroDivision,
        WarnFor warnFor)
    {
        if (double.IsNaN(beta) || beta < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "beta should be >=0 in the F-beta score.");
        }

        var warnings = new List<string>();
        if (average == AverageKind.Micro)
        {
            tpSum = [tpSum.Sum()];
            predSum = [predSum.Sum()];
            trueSum = [trueSum.Sum()];
        }

        var beta2 = beta * beta;
        var precision = Divide(tpSum, predSum, "precision", WarnFor.Precision, "predicted", warnFor, zeroDivision, warnings);
        var recall = Divide(tpSum, trueSum, "recall", WarnFor.Recall, "true", warnFor, zeroDivision, warnings);

        if (zeroDivision == ZeroDivision.Warn && warnFor == WarnFor.FScore)
        {
            for (var i = 0; i < trueSum.Length; i++)
            {
                if (trueSum[i] == 0 && predSum[i] == 0)
                {
                    AddWarning(warnings, Message("true nor predicted", "F-score is", trueSum.Length));
                    break;
                }
            }
        }

        var fScore = new double[precision.Length];
        for (var i = 0; i < fScore.Length; i++)
        {
            if (double.IsPositiveInfinity(beta))
            {
                fScore[i] = recall[i];
                continue;
            }

            var denom = (beta2 * precision[i]) + recall[i];
            if (denom == 0.0)
            {
                denom = 1;
            }

            fScore[i] = (1 + beta2) * precision[i] * recall[i] / denom;
        }

        if (average is null)
        {
            return new PrfResult(precision, recall, fScore, trueSum, warnings);
        }

        if (average == AverageKind.Weighted)
        {
            long weightSum = trueSum.Sum();
            if (weightSum == 0)
            {
                var value = zeroDivision switch
                {
                    ZeroDivision.One => 1.0,
                    ZeroDivision.NaN => double.NaN,
                    _ => 0.0,
                };
                return predSum.Sum() == 0
                    ? new PrfResult([value], [value], [value], null, warnings)
                    : new PrfResult([0.0], [value], [0.0], null, warnings);
            }

            return new PrfResult(
                [WeightedAverage(precision, trueSum)],
                [WeightedAverage(recall, trueSum)],
                [WeightedAverage(fScore, trueSum)],
                null,
                warnings);
        }

        return new PrfResult(
            [NumpySummation.Mean(precision)],
            [NumpySummation.Mean(recall)],
            [NumpySummation.Mean(fScore)],
            null,
            warnings);
    }

    // np.average(values, weights) = sum(values * weights) / sum(weights), NumPy summation order.
    private static double WeightedAverage(double[] values, long[] weights)
    {
        var products = new double[values.Length];
        var scale = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            products[i] = values[i] * weights[i];
            scale[i] = weights[i];
        }

        return NumpySummation.Sum(products) / NumpySummation.Sum(scale);
    }

    private static double[] Divide(
        long[] numerator,
        long[] denominator,
        string metric,
        WarnFor metricFlag,
        string modifier,
        WarnFor warnFor,
        ZeroDivision zeroDivision,
        List<string> warnings)
    {
        var result = new double[numerator.Length];
        var anyZero = false;
        var replacement = zeroDivision switch
        {
            ZeroDivision.One => 1.0,
            ZeroDivision.NaN => double.NaN,
            _ => 0.0,
        };
        for (var i = 0; i < result.Length; i++)
        {
            if (denominator[i] == 0)
            {
                anyZero = true;
                result[i] = replacement;
            }
            else
            {
                result[i] = (double)numerator[i] / denominator[i];
            }
        }

        if (!anyZero || zeroDivision != ZeroDivision.Warn || (warnFor & metricFlag) == 0)
        {
            return result;
        }

        var title = CultureInfo.InvariantCulture.TextInfo.ToTitleCase(metric);
        var start = (warnFor & WarnFor.FScore) != 0 ? $"{title} and F-score are" : $"{title} is";
        AddWarning(warnings, Message(modifier, start, result.Length));
        return result;
    }

    private static string Message(string modifier, string start, int resultSize)
    {
        var where = resultSize == 1 ? "due to" : "in labels with";
        return $"UndefinedMetricWarning: {start} ill-defined and being set to 0.0 {where} no {modifier} samples. Use `zero_division` parameter to control this behavior.";
    }

    private static void AddWarning(List<string> warnings, string message)
    {
        if (!warnings.Contains(message))
        {
            warnings.Add(message);
        }
    }
}
