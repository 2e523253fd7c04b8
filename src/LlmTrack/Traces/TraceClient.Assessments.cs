using System.Text.Json.Nodes;

namespace LlmTrack;

public sealed partial class TraceClient
{
    /// <summary>
    /// Logs feedback on a trace: a scorer's or judge's value (number, boolean, string, list or object; a C# literal
    /// converts to <see cref="JsonNode"/> implicitly) with its rationale. The source defaults to MLflow's
    /// <c>CODE</c>/<c>default</c>.
    /// </summary>
    /// <param name="traceId">The trace.</param>
    /// <param name="name">The feedback's name, e.g. <c>relevance</c>.</param>
    /// <param name="value">The value.</param>
    /// <param name="rationale">Why, if known.</param>
    /// <param name="source">Who or what gave it; <see cref="AssessmentSource.DefaultFeedback"/> when <see langword="null"/>.</param>
    /// <param name="metadata">String metadata, if any.</param>
    /// <param name="spanId">The span it is about (16 hex digits), or <see langword="null"/> for the whole trace.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The created assessment, with its id.</returns>
    public Task<Assessment> LogFeedbackAsync(string traceId, string name, JsonNode? value, string? rationale = null, AssessmentSource? source = null, IReadOnlyDictionary<string, string>? metadata = null, string? spanId = null, CancellationToken cancellationToken = default) =>
        CreateAsync(NewAssessment(traceId, name, source ?? AssessmentSource.DefaultFeedback, metadata, spanId) with { Feedback = new Feedback(value), Rationale = rationale }, cancellationToken);

    /// <summary>Logs feedback that failed: a scorer or judge raised <paramref name="error"/> instead of giving a value.</summary>
    /// <param name="traceId">The trace.</param>
    /// <param name="name">The feedback's name.</param>
    /// <param name="error">What went wrong.</param>
    /// <param name="source">Who or what failed; <see cref="AssessmentSource.DefaultFeedback"/> when <see langword="null"/>.</param>
    /// <param name="metadata">String metadata, if any.</param>
    /// <param name="spanId">The span it is about, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The created assessment.</returns>
    public Task<Assessment> LogFeedbackErrorAsync(string traceId, string name, AssessmentError error, AssessmentSource? source = null, IReadOnlyDictionary<string, string>? metadata = null, string? spanId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        return CreateAsync(NewAssessment(traceId, name, source ?? AssessmentSource.DefaultFeedback, metadata, spanId) with { Feedback = new Feedback(null, error) }, cancellationToken);
    }

    /// <summary>
    /// Logs an expectation (ground truth) on a trace. Lists and objects are sent as MLflow's serialized JSON value,
    /// as the Python client does. The source defaults to <c>HUMAN</c>/<c>default</c>.
    /// </summary>
    /// <param name="traceId">The trace.</param>
    /// <param name="name">The expectation's name, e.g. <c>expected_answer</c>.</param>
    /// <param name="value">The expected value.</param>
    /// <param name="source">Who gave it; <see cref="AssessmentSource.DefaultExpectation"/> when <see langword="null"/>.</param>
    /// <param name="metadata">String metadata, if any.</param>
    /// <param name="spanId">The span it is about, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The created assessment.</returns>
    public Task<Assessment> LogExpectationAsync(string traceId, string name, JsonNode? value, AssessmentSource? source = null, IReadOnlyDictionary<string, string>? metadata = null, string? spanId = null, CancellationToken cancellationToken = default) =>
        CreateAsync(NewAssessment(traceId, name, source ?? AssessmentSource.DefaultExpectation, metadata, spanId) with { Expectation = new Expectation(value) }, cancellationToken);

    /// <summary>
    /// Replaces a feedback with a new one of the same name (MLflow's <c>override_feedback</c>): the new assessment
    /// names the old one in <c>overrides</c>, and the old one then reads <see cref="Assessment.Valid"/> = <see langword="false"/>.
    /// </summary>
    /// <param name="traceId">The trace.</param>
    /// <param name="assessmentId">The feedback to override.</param>
    /// <param name="value">The new value.</param>
    /// <param name="rationale">Why, if known.</param>
    /// <param name="source">Who or what overrides it; <see cref="AssessmentSource.DefaultFeedback"/> when <see langword="null"/>.</param>
    /// <param name="metadata">String metadata, if any.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new assessment.</returns>
    public async Task<Assessment> OverrideFeedbackAsync(string traceId, string assessmentId, JsonNode? value, string? rationale = null, AssessmentSource? source = null, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        var old = await GetAssessmentAsync(traceId, assessmentId, cancellationToken).ConfigureAwait(false);
        if (old.Feedback is null)
        {
            throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"The assessment '{assessmentId}' of trace '{traceId}' is an expectation; only feedback can be overridden.");
        }

        var replacement = NewAssessment(traceId, old.Name, source ?? AssessmentSource.DefaultFeedback, metadata, old.SpanId) with
        {
            Feedback = new Feedback(value),
            Rationale = rationale,
            Overrides = old.AssessmentId,
        };
        return await CreateAsync(replacement, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one assessment.</summary>
    /// <param name="traceId">The trace.</param>
    /// <param name="assessmentId">The assessment (<c>a-…</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The assessment.</returns>
    public Task<Assessment> GetAssessmentAsync(string traceId, string assessmentId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(traceId);
        ArgumentException.ThrowIfNullOrEmpty(assessmentId);
        return Store.GetAssessmentAsync(traceId, assessmentId, cancellationToken);
    }

    /// <summary>
    /// Updates an assessment in place (MLflow's <c>update_assessment</c>): its name, value (feedback or expectation),
    /// and, when set, rationale and metadata. Read it with <see cref="GetAssessmentAsync"/> and change it with
    /// <c>with { … }</c>.
    /// </summary>
    /// <param name="assessment">The assessment with its id, trace id and new fields.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated assessment as stored.</returns>
    public Task<Assessment> UpdateAssessmentAsync(Assessment assessment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        ArgumentException.ThrowIfNullOrEmpty(assessment.AssessmentId, nameof(assessment));
        ArgumentException.ThrowIfNullOrEmpty(assessment.TraceId, nameof(assessment));
        var mask = new List<string> { "assessmentName" };
        if (assessment.Expectation is not null)
        {
            mask.Add("expectation");
        }

        if (assessment.Feedback is not null)
        {
            mask.Add("feedback");
        }

        if (assessment.Rationale is not null)
        {
            mask.Add("rationale");
        }

        if (assessment.Metadata.Count > 0)
        {
            mask.Add("metadata");
        }

        return Store.UpdateAssessmentAsync(assessment, mask, cancellationToken);
    }

    /// <summary>Deletes an assessment.</summary>
    /// <param name="traceId">The trace.</param>
    /// <param name="assessmentId">The assessment.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when it is deleted.</returns>
    public Task DeleteAssessmentAsync(string traceId, string assessmentId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(traceId);
        ArgumentException.ThrowIfNullOrEmpty(assessmentId);
        return Store.DeleteAssessmentAsync(traceId, assessmentId, cancellationToken);
    }

    /// <summary>The assessments of a trace (from its info), overridden ones included.</summary>
    /// <param name="traceId">The trace.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Its assessments.</returns>
    public async Task<IReadOnlyList<Assessment>> ListAssessmentsAsync(string traceId, CancellationToken cancellationToken = default) =>
        (await GetInfoAsync(traceId, cancellationToken).ConfigureAwait(false)).Assessments;

    private Assessment NewAssessment(string traceId, string name, AssessmentSource source, IReadOnlyDictionary<string, string>? metadata, string? spanId)
    {
        ArgumentException.ThrowIfNullOrEmpty(traceId);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var now = DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds());
        return new Assessment
        {
            Name = name,
            TraceId = traceId,
            SpanId = spanId,
            Source = source,
            CreateTime = now,
            LastUpdateTime = now,
            Metadata = metadata ?? new Dictionary<string, string>(),
        };
    }

    private Task<Assessment> CreateAsync(Assessment assessment, CancellationToken cancellationToken) => Store.CreateAssessmentAsync(assessment, cancellationToken);
}
