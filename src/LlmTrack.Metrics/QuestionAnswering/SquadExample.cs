namespace LlmTrack.Metrics.QuestionAnswering;

/// <summary>One question: the model's answer and the gold answers.</summary>
/// <param name="Prediction">The predicted answer; "" means "no answer" in SQuAD v2.0.</param>
/// <param name="GoldAnswers">The gold answers; an empty list marks an unanswerable question (SQuAD v2.0).</param>
/// <param name="NoAnswerProbability">SQuAD v2.0 only: the model's probability that the question has no answer; above
/// the threshold the prediction counts as "no answer". 0 by default, as the v2.0 script assumes without a file.</param>
public sealed record SquadExample(string Prediction, IReadOnlyList<string> GoldAnswers, double NoAnswerProbability = 0.0);

/// <summary>Scores of one question: the maximum over its gold answers.</summary>
/// <param name="ExactMatch">1 when the normalized prediction equals a normalized gold answer, else 0.</param>
/// <param name="F1">Token-level F1 in [0, 1].</param>
public readonly record struct SquadExampleScore(double ExactMatch, double F1);

/// <summary>SQuAD v1.1 corpus result, in percent as the official script prints it.</summary>
/// <param name="ExactMatch">100 × mean exact match.</param>
/// <param name="F1">100 × mean F1.</param>
/// <param name="Total">Number of questions.</param>
/// <param name="Examples">Per-question scores (in [0, 1]) in input order.</param>
public sealed record SquadV1Result(double ExactMatch, double F1, int Total, IReadOnlyList<SquadExampleScore> Examples);

/// <summary>Exact, F1 and count of a subset, in percent as the SQuAD v2.0 script reports them.</summary>
/// <param name="Exact">100 × mean exact match.</param>
/// <param name="F1">100 × mean F1.</param>
/// <param name="Total">Number of questions in the subset.</param>
public sealed record SquadV2Subset(double Exact, double F1, int Total);

/// <summary>
/// SQuAD v2.0 corpus result as the official script reports it: <c>exact</c>, <c>f1</c>, <c>total</c>, and the
/// <c>HasAns_*</c> and <c>NoAns_*</c> breakdowns (present only when the corpus has such questions).
/// </summary>
/// <param name="Exact">100 × mean exact match after the no-answer threshold.</param>
/// <param name="F1">100 × mean F1 after the no-answer threshold.</param>
/// <param name="Total">Number of questions.</param>
/// <param name="HasAnswer">Questions with gold answers (<c>HasAns_exact</c>, <c>HasAns_f1</c>, <c>HasAns_total</c>), or <see langword="null"/>.</param>
/// <param name="NoAnswer">Unanswerable questions (<c>NoAns_exact</c>, <c>NoAns_f1</c>, <c>NoAns_total</c>), or <see langword="null"/>.</param>
/// <param name="RawExamples">Per-question scores before the threshold, in input order.</param>
/// <param name="Examples">Per-question scores after the threshold, in input order.</param>
/// <param name="BestThresholds">The script's <c>best_exact</c>, <c>best_exact_thresh</c>, <c>best_f1</c> and
/// <c>best_f1_thresh</c>, which it reports when no-answer probabilities are given.</param>
public sealed record SquadV2Result(
    double Exact,
    double F1,
    int Total,
    SquadV2Subset? HasAnswer,
    SquadV2Subset? NoAnswer,
    IReadOnlyList<SquadExampleScore> RawExamples,
    IReadOnlyList<SquadExampleScore> Examples,
    SquadV2BestThresholds BestThresholds);

/// <summary>The best achievable scores over no-answer thresholds (SQuAD v2.0 script's <c>find_best_thresh</c>), in percent.</summary>
/// <param name="BestExact">Best exact match over thresholds.</param>
/// <param name="BestExactThreshold">The no-answer probability threshold achieving it.</param>
/// <param name="BestF1">Best F1 over thresholds.</param>
/// <param name="BestF1Threshold">The no-answer probability threshold achieving it.</param>
public sealed record SquadV2BestThresholds(double BestExact, double BestExactThreshold, double BestF1, double BestF1Threshold);
