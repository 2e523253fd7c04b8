using System.Text.Json.Nodes;
using LlmTrack.Model;

namespace LlmTrack.Evaluation.Tracing;

/// <summary>
/// The assessments of one evaluated example, as <c>mlflow.genai.evaluate</c> logs them on its trace: each scorer's
/// result as feedback (source <c>CODE</c>/&lt;scorer&gt;, or the judge's source; errors as feedback errors) and the
/// expected output as the expectation <c>expected_response</c> (source <c>HUMAN</c>/&lt;user&gt;), all with metadata
/// <c>mlflow.assessment.sourceRunId</c>. The trace and span ids are filled in when the trace is built.
/// </summary>
internal sealed class ExampleAssessments
{
    /// <summary>The expectation's name (the key <c>mlflow.genai.evaluate</c>'s data uses for a reference answer).</summary>
    public const string ExpectationName = "expected_response";

    private readonly Dictionary<string, string> _metadata;
    private readonly AssessmentSource _expectationSource;
    private readonly List<Assessment> _items = [];

    /// <summary>Starts the assessments of one example of the run <paramref name="runId"/>.</summary>
    /// <param name="runId">The evaluation run.</param>
    /// <param name="user">The user for the expectation's source (<c>mlflow.user</c>), or <see langword="null"/>.</param>
    public ExampleAssessments(string runId, string? user)
    {
        _metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [MlflowTags.AssessmentSourceRunId] = runId };
        _expectationSource = new AssessmentSource(AssessmentSourceType.Human, string.IsNullOrEmpty(user) ? "default" : user);
    }

    /// <summary>The assessments so far (trace id empty until the trace is built).</summary>
    public IReadOnlyList<Assessment> Items => _items;

    /// <summary>Adds a synchronous scorer's value as numeric feedback from <c>CODE</c>/&lt;scorer&gt;.</summary>
    /// <param name="name">The scorer's name.</param>
    /// <param name="value">Its score.</param>
    public void AddScore(string name, double value) =>
        _items.Add(New(name, new AssessmentSource(AssessmentSourceType.Code, name), null) with { Feedback = new Feedback(JsonValue.Create(value)) });

    /// <summary>Adds an asynchronous scorer's feedback (its source already filled in).</summary>
    /// <param name="name">The scorer's name.</param>
    /// <param name="feedback">Its feedback.</param>
    public void AddFeedback(string name, ScorerFeedback feedback)
    {
        var metadata = _metadata;
        if (feedback.Metadata is { Count: > 0 } extra)
        {
            metadata = new Dictionary<string, string>(extra, StringComparer.Ordinal) { [MlflowTags.AssessmentSourceRunId] = _metadata[MlflowTags.AssessmentSourceRunId] };
        }

        _items.Add(New(name, feedback.Source ?? new AssessmentSource(AssessmentSourceType.Code, name), metadata) with
        {
            Feedback = new Feedback(feedback.Error is null ? feedback.Value?.DeepClone() : null, feedback.Error),
            Rationale = feedback.Rationale,
        });
    }

    /// <summary>Adds the expected output: one reference as a string, several as a list (sent as serialized JSON).</summary>
    /// <param name="references">The reference texts.</param>
    public void AddExpectation(IReadOnlyList<string> references)
    {
        JsonNode value = references.Count == 1 ? JsonValue.Create(references[0]) : new JsonArray([.. references.Select(r => (JsonNode?)JsonValue.Create(r))]);
        _items.Add(New(ExpectationName, _expectationSource, null) with { Expectation = new Expectation(value) });
    }

    private Assessment New(string name, AssessmentSource source, Dictionary<string, string>? metadata) => new()
    {
        Name = name,
        TraceId = string.Empty,
        Source = source,
        Metadata = metadata ?? _metadata,
    };
}
