using LlmTrack.Metrics.Classification;
using LlmTrack.Metrics.QuestionAnswering;
using LlmTrack.Metrics.Validation;

namespace LlmTrack.Metrics.Bootstrap;

/// <summary>
/// Ready <see cref="SampleScorer"/>s for the corpus metrics of this library. Each precomputes per-segment statistics once
/// and scores a sample from them, so a resample costs O(sample size) and never re-reads text.
/// </summary>
public static class MetricSampleScorers
{
    /// <summary>Accuracy of the sampled segments (fraction of correct predictions).</summary>
    /// <typeparam name="TLabel">The label type.</typeparam>
    /// <param name="yTrue">True labels.</param>
    /// <param name="yPred">Predicted labels, same length.</param>
    /// <returns>The scorer.</returns>
    public static SampleScorer Accuracy<TLabel>(ReadOnlySpan<TLabel> yTrue, ReadOnlySpan<TLabel> yPred)
        where TLabel : notnull
    {
        PairedInputs.RequireSameNonEmptyLabels(yTrue.Length, yPred.Length);
        var correct = new bool[yTrue.Length];
        for (var i = 0; i < correct.Length; i++)
        {
            correct[i] = EqualityComparer<TLabel>.Default.Equals(yTrue[i], yPred[i]);
        }

        return indices =>
        {
            var count = 0;
            foreach (var i in indices)
            {
                if (correct[i])
                {
                    count++;
                }
            }

            return (double)count / indices.Length;
        };
    }

    /// <summary>Macro F1 of the sampled segments, as <see cref="ClassificationMetrics.F1Score{TLabel}"/> would compute it on them.</summary>
    /// <typeparam name="TLabel">The label type.</typeparam>
    /// <param name="yTrue">True labels.</param>
    /// <param name="yPred">Predicted labels, same length.</param>
    /// <param name="options">Labels, zero-division mode and comparers.</param>
    /// <returns>The scorer.</returns>
    public static SampleScorer MacroF1<TLabel>(ReadOnlySpan<TLabel> yTrue, ReadOnlySpan<TLabel> yPred, ClassificationOptions<TLabel>? options = null)
        where TLabel : notnull => FBetaScore(yTrue, yPred, 1.0, AverageKind.Macro, options);

    /// <summary>
    /// F-beta score of the sampled segments with any averaging. Without explicit labels a sample is scored over the
    /// classes present in it, exactly as scikit-learn would score the resampled corpus.
    /// </summary>
    /// <typeparam name="TLabel">The label type.</typeparam>
    /// <param name="yTrue">True labels.</param>
    /// <param name="yPred">Predicted labels, same length.</param>
    /// <param name="beta">Weight of recall; 1 for F1.</param>
    /// <param name="average">How classes are combined.</param>
    /// <param name="options">Labels, positive label, zero-division mode and comparers.</param>
    /// <returns>The scorer.</returns>
    public static SampleScorer FBetaScore<TLabel>(
        ReadOnlySpan<TLabel> yTrue, ReadOnlySpan<TLabel> yPred, double beta, AverageKind average, ClassificationOptions<TLabel>? options = null)
        where TLabel : notnull
    {
        // Validates average, labels and the positive label once on the full corpus.
        _ = ClassificationMetrics.FBetaScore(yTrue, yPred, beta, average, options);
        var encoded = LabelEncoder.Encode(yTrue, yPred, options?.Comparer, options?.EqualityComparer);
        var zeroDivision = options?.ZeroDivision ?? ZeroDivision.Warn;
        int[]? selected = null;
        if (average == AverageKind.Binary)
        {
            selected = [encoded.IdOf(options is { HasPositiveLabel: true } ? options.PositiveLabel! : ClassificationMetrics.DefaultPositiveLabel<TLabel>())];
        }
        else if (options?.Labels is { } labels)
        {
            selected = labels.Select(encoded.IdOf).ToArray();
        }

        var k = encoded.Classes.Length;
        return indices =>
        {
            var (tp, pred, actual) = encoded.CountPerClass(indices);
            var ids = selected ?? Enumerable.Range(0, k).Where(c => actual[c] + pred[c] > 0).ToArray();
            var sTp = new long[ids.Length];
            var sPred = new long[ids.Length];
            var sActual = new long[ids.Length];
            for (var j = 0; j < ids.Length; j++)
            {
                if (ids[j] >= 0)
                {
                    sTp[j] = tp[ids[j]];
                    sPred[j] = pred[ids[j]];
                    sActual[j] = actual[ids[j]];
                }
            }

            return PrfCalculator.Compute(sTp, sPred, sActual, average, beta, zeroDivision, WarnFor.None).FScore[0];
        };
    }

    /// <summary>SQuAD exact match in percent (100 × mean of the per-question exact matches) of the sampled questions.</summary>
    /// <param name="scores">Per-question scores, e.g. <see cref="SquadV1Result.Examples"/>.</param>
    /// <returns>The scorer.</returns>
    public static SampleScorer SquadExactMatch(IReadOnlyList<SquadExampleScore> scores)
    {
        var values = PerQuestion(scores, s => s.ExactMatch);
        return indices => MeanPercent(values, indices);
    }

    /// <summary>SQuAD F1 in percent (100 × mean of the per-question F1) of the sampled questions.</summary>
    /// <param name="scores">Per-question scores, e.g. <see cref="SquadV1Result.Examples"/>.</param>
    /// <returns>The scorer.</returns>
    public static SampleScorer SquadF1(IReadOnlyList<SquadExampleScore> scores)
    {
        var values = PerQuestion(scores, s => s.F1);
        return indices => MeanPercent(values, indices);
    }

    /// <summary>Corpus perplexity exp(Σ NLL / Σ tokens) of the sampled sequences.</summary>
    /// <param name="logProbsPerSequence">For each sequence, the natural-log probabilities of its tokens.</param>
    /// <returns>The scorer.</returns>
    public static SampleScorer CorpusPerplexity(IReadOnlyList<IReadOnlyList<double>> logProbsPerSequence)
    {
        ArgumentNullException.ThrowIfNull(logProbsPerSequence);
        var nll = new double[logProbsPerSequence.Count];
        var tokens = new long[logProbsPerSequence.Count];
        for (var s = 0; s < nll.Length; s++)
        {
            var single = Perplexity.PerplexityMetrics.Evaluate([logProbsPerSequence[s] ?? throw new ArgumentException($"Sequence {s} is null.", nameof(logProbsPerSequence))]);
            nll[s] = single.TotalNegativeLogLikelihood;
            tokens[s] = single.TotalTokens;
        }

        if (nll.Length == 0)
        {
            throw new ArgumentException("The corpus must contain at least one sequence.", nameof(logProbsPerSequence));
        }

        return indices =>
        {
            double sum = 0;
            long count = 0;
            foreach (var i in indices)
            {
                sum += nll[i];
                count += tokens[i];
            }

            return Math.Exp(sum / count);
        };
    }

    private static double[] PerQuestion(IReadOnlyList<SquadExampleScore> scores, Func<SquadExampleScore, double> select)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Count == 0)
        {
            throw new ArgumentException("The corpus must contain at least one question.", nameof(scores));
        }

        return scores.Select(select).ToArray();
    }

    private static double MeanPercent(double[] values, ReadOnlySpan<int> indices)
    {
        double sum = 0;
        foreach (var i in indices)
        {
            sum += values[i];
        }

        return 100.0 * sum / indices.Length;
    }
}
