using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmTrack.Evaluation;

/// <summary>
/// What an <see cref="AsyncExampleScorer{TExample, TPrediction}"/> says about one example: a value (number, boolean or
/// string, as in <c>mlflow.genai</c>'s <c>Feedback</c>), an optional rationale, or the error that prevented a value.
/// It becomes a feedback assessment on the example's trace and counts in the scorer's <c>&lt;name&gt;/mean</c>.
/// </summary>
public sealed record ScorerFeedback
{
    /// <summary>The value (a number, boolean or string; any JSON), <see langword="null"/> when <see cref="Error"/> is set.</summary>
    public JsonNode? Value { get; init; }

    /// <summary>Why the scorer gave this value (a judge's explanation), if known.</summary>
    public string? Rationale { get; init; }

    /// <summary>The error that prevented a value; such feedback is left out of the mean.</summary>
    public AssessmentError? Error { get; init; }

    /// <summary>Who gave it; <see langword="null"/> uses the scorer's <see cref="AsyncExampleScorer{TExample, TPrediction}.Source"/>.</summary>
    public AssessmentSource? Source { get; init; }

    /// <summary>Extra string metadata for the assessment (e.g. a judge's interpretation), if any.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>
    /// The value as a number for the mean: a number itself, a boolean as 1/0, the strings <c>yes</c>/<c>no</c> as 1/0
    /// (as <c>mlflow.genai.evaluate</c> aggregates them); <see langword="null"/> for errors and other values.
    /// </summary>
    public double? Score => Error is not null || Value is not JsonValue value ? null : value.GetValueKind() switch
    {
        JsonValueKind.Number => value.GetValue<double>(),
        JsonValueKind.True => 1,
        JsonValueKind.False => 0,
        JsonValueKind.String => value.GetValue<string>().ToUpperInvariant() switch { "YES" => 1, "NO" => 0, _ => null },
        _ => null,
    };

    /// <summary>A numeric feedback.</summary>
    /// <param name="value">The score.</param>
    /// <param name="rationale">Why, if known.</param>
    /// <returns>The feedback.</returns>
    public static ScorerFeedback Of(double value, string? rationale = null) => new() { Value = JsonValue.Create(value), Rationale = rationale };

    /// <summary>A pass/fail feedback.</summary>
    /// <param name="value">The verdict.</param>
    /// <param name="rationale">Why, if known.</param>
    /// <returns>The feedback.</returns>
    public static ScorerFeedback Of(bool value, string? rationale = null) => new() { Value = JsonValue.Create(value), Rationale = rationale };

    /// <summary>A categorical feedback (e.g. <c>yes</c>/<c>no</c>, which count as 1/0 in the mean).</summary>
    /// <param name="value">The category.</param>
    /// <param name="rationale">Why, if known.</param>
    /// <returns>The feedback.</returns>
    public static ScorerFeedback Of(string value, string? rationale = null) => new() { Value = JsonValue.Create(value), Rationale = rationale };

    /// <summary>A feedback that failed (left out of the mean), e.g. a judge that could not be reached.</summary>
    /// <param name="code">The error code; MLflow's evaluation uses <c>SCORER_ERROR</c>.</param>
    /// <param name="message">What went wrong.</param>
    /// <param name="stackTrace">A stack trace, if any.</param>
    /// <returns>The feedback.</returns>
    public static ScorerFeedback Failed(string code, string message, string? stackTrace = null) => new() { Error = new AssessmentError(code, message, stackTrace) };
}

/// <summary>
/// An asynchronous per-example scorer, such as an LLM judge: it may call a model, runs within the evaluation's
/// concurrency bound and cancellation, and gives a <see cref="ScorerFeedback"/>. A scorer that throws is recorded as
/// feedback with error <c>SCORER_ERROR</c> and left out of its mean; it never fails the evaluation. Its results are the
/// table column <see cref="Name"/>, the metric <c>&lt;name&gt;/mean</c>, and feedback on each example's trace.
/// </summary>
/// <typeparam name="TExample">The example type.</typeparam>
/// <typeparam name="TPrediction">The prediction type.</typeparam>
/// <param name="Name">The feedback's name (table column, assessment name, metric <c>&lt;name&gt;/mean</c>).</param>
/// <param name="Score">Scores one example and its prediction.</param>
public sealed record AsyncExampleScorer<TExample, TPrediction>(string Name, Func<TExample, TPrediction, CancellationToken, ValueTask<ScorerFeedback>> Score)
{
    /// <summary>
    /// The source of its feedback (unless a feedback names its own): by default <c>CODE</c>/<see cref="Name"/>; for an
    /// LLM judge, <c>new AssessmentSource(AssessmentSourceType.LlmJudge, "&lt;judge model&gt;")</c>.
    /// </summary>
    public AssessmentSource? Source { get; init; }
}
