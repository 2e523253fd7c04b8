namespace LlmTrack.Metrics.QuestionAnswering;

/// <summary>
/// Exact match and token F1 of the official SQuAD v1.1 and v2.0 evaluation scripts, per answer, per question (maximum
/// over gold answers) and per corpus (percent).
/// </summary>
public static class SquadMetrics
{
    /// <summary>v1.1 <c>exact_match_score</c>: normalized prediction equals normalized gold answer.</summary>
    /// <param name="prediction">The predicted answer.</param>
    /// <param name="goldAnswer">One gold answer.</param>
    /// <returns>Whether they match.</returns>
    public static bool ExactMatch(string prediction, string goldAnswer) =>
        string.Equals(SquadText.NormalizeAnswer(prediction), SquadText.NormalizeAnswer(goldAnswer), StringComparison.Ordinal);

    /// <summary>v1.1 <c>f1_score</c>: token F1 of the normalized answers; 0 when they share no token (even if both are empty).</summary>
    /// <param name="prediction">The predicted answer.</param>
    /// <param name="goldAnswer">One gold answer.</param>
    /// <returns>F1 in [0, 1].</returns>
    public static double F1(string prediction, string goldAnswer) =>
        TokenF1(SquadText.Tokens(prediction), SquadText.Tokens(goldAnswer), emptyAgreementScoresOne: false);

    /// <summary>v2.0 <c>compute_f1</c>: like <see cref="F1"/>, but when either side has no token the score is 1 if both are empty, else 0.</summary>
    /// <param name="prediction">The predicted answer.</param>
    /// <param name="goldAnswer">One gold answer.</param>
    /// <returns>F1 in [0, 1].</returns>
    public static double F1V2(string prediction, string goldAnswer) =>
        TokenF1(SquadText.Tokens(prediction), SquadText.Tokens(goldAnswer), emptyAgreementScoresOne: true);

    /// <summary>Scores one question as the v1.1 script does: the maximum exact match and F1 over the gold answers.</summary>
    /// <param name="prediction">The predicted answer.</param>
    /// <param name="goldAnswers">At least one gold answer.</param>
    /// <returns>The question's scores.</returns>
    public static SquadExampleScore ScoreV1(string prediction, IReadOnlyList<string> goldAnswers)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(goldAnswers);
        if (goldAnswers.Count == 0)
        {
            throw new ArgumentException("SQuAD v1.1 needs at least one gold answer per question (use SQuAD v2.0 for unanswerable questions).", nameof(goldAnswers));
        }

        var predTokens = SquadText.Tokens(prediction);
        var normalizedPrediction = string.Join(' ', predTokens);
        double em = 0, f1 = 0;
        foreach (var gold in goldAnswers)
        {
            var goldTokens = SquadText.Tokens(gold);
            em = Math.Max(em, string.Equals(normalizedPrediction, string.Join(' ', goldTokens), StringComparison.Ordinal) ? 1 : 0);
            f1 = Math.Max(f1, TokenF1(predTokens, goldTokens, emptyAgreementScoresOne: false));
        }

        return new SquadExampleScore(em, f1);
    }

    /// <summary>
    /// Scores one question as the v2.0 script does (<c>get_raw_scores</c>): gold answers that normalize to "" are dropped,
    /// and if none remain the only gold answer is "" (so the empty prediction scores 1).
    /// </summary>
    /// <param name="prediction">The predicted answer; "" for no answer.</param>
    /// <param name="goldAnswers">The gold answers; empty for an unanswerable question.</param>
    /// <returns>The question's raw scores.</returns>
    public static SquadExampleScore ScoreV2(string prediction, IReadOnlyList<string> goldAnswers)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(goldAnswers);
        var predTokens = SquadText.Tokens(prediction);
        var normalizedPrediction = string.Join(' ', predTokens);
        var golds = new List<IReadOnlyList<string>>();
        foreach (var gold in goldAnswers)
        {
            ArgumentNullException.ThrowIfNull(gold, nameof(goldAnswers));
            var tokens = SquadText.Tokens(gold);
            if (tokens.Count > 0)
            {
                golds.Add(tokens);
            }
        }

        if (golds.Count == 0)
        {
            golds.Add([]);
        }

        double em = 0, f1 = 0;
        foreach (var goldTokens in golds)
        {
            em = Math.Max(em, string.Equals(normalizedPrediction, string.Join(' ', goldTokens), StringComparison.Ordinal) ? 1 : 0);
            f1 = Math.Max(f1, TokenF1(predTokens, goldTokens, emptyAgreementScoresOne: true));
        }

        return new SquadExampleScore(em, f1);
    }

    /// <summary>The SQuAD v1.1 corpus evaluation (<c>evaluate</c>): 100 × mean EM and F1 over questions.</summary>
    /// <param name="examples">The questions; not empty.</param>
    /// <returns>Corpus and per-question scores.</returns>
    public static SquadV1Result EvaluateV1(IReadOnlyList<SquadExample> examples)
    {
        CheckCorpus(examples);
        var scores = new SquadExampleScore[examples.Count];
        double em = 0, f1 = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var e = examples[i] ?? throw new ArgumentException($"examples[{i}] is null.", nameof(examples));
            scores[i] = ScoreV1(e.Prediction, e.GoldAnswers);
            em += scores[i].ExactMatch;
            f1 += scores[i].F1;
        }

        return new SquadV1Result(100.0 * em / scores.Length, 100.0 * f1 / scores.Length, scores.Length, scores);
    }

    /// <summary>
    /// The SQuAD v2.0 corpus evaluation: raw scores, the no-answer threshold (a question whose
    /// <see cref="SquadExample.NoAnswerProbability"/> exceeds <paramref name="noAnswerThreshold"/> scores 1 if it is
    /// unanswerable, else 0), and the totals with the HasAns/NoAns breakdown.
    /// </summary>
    /// <param name="examples">The questions; not empty.</param>
    /// <param name="noAnswerThreshold">The script's <c>--na-prob-thresh</c>; 1.0 by default.</param>
    /// <returns>Corpus and per-question scores.</returns>
    public static SquadV2Result EvaluateV2(IReadOnlyList<SquadExample> examples, double noAnswerThreshold = 1.0)
    {
        CheckCorpus(examples);
        var raw = new SquadExampleScore[examples.Count];
        var thresholded = new SquadExampleScore[examples.Count];
        var hasAnswer = new bool[examples.Count];
        for (var i = 0; i < raw.Length; i++)
        {
            var e = examples[i] ?? throw new ArgumentException($"examples[{i}] is null.", nameof(examples));
            if (double.IsNaN(e.NoAnswerProbability))
            {
                throw new ArgumentException($"examples[{i}].NoAnswerProbability is NaN.", nameof(examples));
            }

            raw[i] = ScoreV2(e.Prediction, e.GoldAnswers);
            hasAnswer[i] = e.GoldAnswers.Count > 0;
            thresholded[i] = e.NoAnswerProbability > noAnswerThreshold
                ? new SquadExampleScore(hasAnswer[i] ? 0.0 : 1.0, hasAnswer[i] ? 0.0 : 1.0)
                : raw[i];
        }

        var all = Subset(thresholded, hasAnswer, null)!;
        return new SquadV2Result(
            all.Exact,
            all.F1,
            all.Total,
            Subset(thresholded, hasAnswer, true),
            Subset(thresholded, hasAnswer, false),
            raw,
            thresholded,
            BestThresholds(examples, raw, hasAnswer));
    }

    // find_best_thresh: walk questions by ascending no-answer probability (stable), starting from the score of
    // answering nothing, and keep the best running score and the probability where it was reached.
    private static SquadV2BestThresholds BestThresholds(IReadOnlyList<SquadExample> examples, SquadExampleScore[] raw, bool[] hasAnswer)
    {
        var order = Enumerable.Range(0, examples.Count).OrderBy(i => examples[i].NoAnswerProbability).ToArray();
        var noAnswerCount = hasAnswer.Count(h => !h);
        (double Best, double Threshold) Find(Func<SquadExampleScore, double> select)
        {
            double current = noAnswerCount;
            var best = current;
            var threshold = 0.0;
            foreach (var i in order)
            {
                double diff = hasAnswer[i] ? select(raw[i]) : examples[i].Prediction.Length > 0 ? -1 : 0;
                current += diff;
                if (current > best)
                {
                    best = current;
                    threshold = examples[i].NoAnswerProbability;
                }
            }

            return (100.0 * best / raw.Length, threshold);
        }

        var exact = Find(s => s.ExactMatch);
        var f1 = Find(s => s.F1);
        return new SquadV2BestThresholds(exact.Best, exact.Threshold, f1.Best, f1.Threshold);
    }

    private static SquadV2Subset? Subset(SquadExampleScore[] scores, bool[] hasAnswer, bool? which)
    {
        double em = 0, f1 = 0;
        var total = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (which is null || hasAnswer[i] == which)
            {
                em += scores[i].ExactMatch;
                f1 += scores[i].F1;
                total++;
            }
        }

        return total == 0 ? null : new SquadV2Subset(100.0 * em / total, 100.0 * f1 / total, total);
    }

    private static void CheckCorpus(IReadOnlyList<SquadExample> examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        if (examples.Count == 0)
        {
            throw new ArgumentException("The corpus must contain at least one question.", nameof(examples));
        }
    }

    internal static double TokenF1(IReadOnlyList<string> predTokens, IReadOnlyList<string> goldTokens, bool emptyAgreementScoresOne)
    {
        if (emptyAgreementScoresOne && (predTokens.Count == 0 || goldTokens.Count == 0))
        {
            return predTokens.Count == goldTokens.Count ? 1 : 0;
        }

        var goldCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in goldTokens)
        {
            goldCounts[t] = goldCounts.GetValueOrDefault(t) + 1;
        }

        var numSame = 0;
        foreach (var t in predTokens)
        {
            if (goldCounts.TryGetValue(t, out var c) && c > 0)
            {
                goldCounts[t] = c - 1;
                numSame++;
            }
        }

        if (numSame == 0)
        {
            return 0;
        }

        var precision = 1.0 * numSame / predTokens.Count;
        var recall = 1.0 * numSame / goldTokens.Count;
        return 2 * precision * recall / (precision + recall);
    }
}
