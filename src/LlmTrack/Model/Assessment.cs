using System.Text.Json.Nodes;

namespace LlmTrack;

/// <summary>Who or what produced an assessment (MLflow's <c>source_type</c>).</summary>
public enum AssessmentSourceType
{
    /// <summary>Not given (<c>SOURCE_TYPE_UNSPECIFIED</c>).</summary>
    Unspecified,

    /// <summary>A person (<c>HUMAN</c>).</summary>
    Human,

    /// <summary>A language model acting as a judge (<c>LLM_JUDGE</c>).</summary>
    LlmJudge,

    /// <summary>Code, such as a scorer function (<c>CODE</c>).</summary>
    Code,
}

/// <summary>The source of an assessment: its kind and an id (a user name, a judge's model, a scorer's name).</summary>
/// <param name="Type">The kind of source.</param>
/// <param name="Id">The source's id; the Python client's default is <c>default</c>.</param>
public sealed record AssessmentSource(AssessmentSourceType Type, string Id = "default")
{
    /// <summary>MLflow's default source of feedback: code, id <c>default</c>.</summary>
    public static AssessmentSource DefaultFeedback { get; } = new(AssessmentSourceType.Code);

    /// <summary>MLflow's default source of expectations: a human, id <c>default</c>.</summary>
    public static AssessmentSource DefaultExpectation { get; } = new(AssessmentSourceType.Human);
}

/// <summary>Why a feedback has no value (a scorer or judge failed).</summary>
/// <param name="Code">An error code, e.g. <c>SCORER_ERROR</c> or an exception type name.</param>
/// <param name="Message">The error's message.</param>
/// <param name="StackTrace">A stack trace, if any.</param>
public sealed record AssessmentError(string? Code, string? Message, string? StackTrace = null);

/// <summary>The value of a feedback assessment, or the error that prevented one.</summary>
/// <param name="Value">The value (number, boolean, string, array or object), <see langword="null"/> on error.</param>
/// <param name="Error">The error, if the feedback failed.</param>
public sealed record Feedback(JsonNode? Value, AssessmentError? Error = null);

/// <summary>The value of an expectation (ground truth).</summary>
/// <param name="Value">The expected value; lists and objects travel as MLflow's serialized JSON value.</param>
public sealed record Expectation(JsonNode? Value);

/// <summary>
/// An assessment on a trace (or one of its spans): either <see cref="Feedback"/> (a scorer's or judge's verdict,
/// with rationale) or an <see cref="Expectation"/> (ground truth).
/// </summary>
public sealed record Assessment
{
    /// <summary>The assessment's id (<c>a-</c> and 32 hex digits); empty before it is created.</summary>
    public string AssessmentId { get; init; } = "";

    /// <summary>The assessment's name (e.g. <c>relevance</c>, <c>expected_answer</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The trace it belongs to.</summary>
    public required string TraceId { get; init; }

    /// <summary>The span it is about (16 hex digits), or <see langword="null"/> for the whole trace.</summary>
    public string? SpanId { get; init; }

    /// <summary>Who or what produced it.</summary>
    public AssessmentSource Source { get; init; } = new(AssessmentSourceType.Unspecified, "");

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreateTime { get; init; }

    /// <summary>When it was last changed.</summary>
    public DateTimeOffset LastUpdateTime { get; init; }

    /// <summary>The feedback, when this is a feedback assessment.</summary>
    public Feedback? Feedback { get; init; }

    /// <summary>The expectation, when this is an expectation.</summary>
    public Expectation? Expectation { get; init; }

    /// <summary>Why the source gave this value, if it said.</summary>
    public string? Rationale { get; init; }

    /// <summary>Free-form string metadata.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>The id of the assessment this one overrides, if any.</summary>
    public string? Overrides { get; init; }

    /// <summary>Whether it is current; <see langword="false"/> once another assessment overrides it.</summary>
    public bool Valid { get; init; } = true;

    /// <summary>The run that produced it (e.g. an evaluation run), if recorded.</summary>
    public string? RunId { get; init; }

    /// <summary>The value: the feedback's or the expectation's.</summary>
    public JsonNode? Value => Feedback is not null ? Feedback.Value : Expectation?.Value;
}
