using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmTrack.Metrics.Text;

namespace LlmTrack.Rest.Traces;

/// <summary>
/// Maps assessments to and from MLflow's v3 JSON in the Python client's shape: feedback values as they are,
/// expectation lists and objects as <c>serialized_value</c> (<c>JSON_FORMAT</c>, Python's <c>json.dumps</c> text).
/// </summary>
internal static class AssessmentWireMapping
{
    private const string JsonFormat = "JSON_FORMAT";

    /// <summary>Reads an assessment.</summary>
    public static Assessment ToAssessment(AssessmentWire wire) => new()
    {
        AssessmentId = wire.AssessmentId ?? "",
        Name = wire.AssessmentName ?? "",
        TraceId = wire.TraceId ?? "",
        SpanId = string.IsNullOrEmpty(wire.SpanId) ? null : wire.SpanId,
        Source = new AssessmentSource(ParseSourceType(wire.Source?.SourceType), wire.Source?.SourceId ?? ""),
        CreateTime = TraceWireMapping.ParseTime(wire.CreateTime),
        LastUpdateTime = TraceWireMapping.ParseTime(wire.LastUpdateTime),
        Feedback = wire.Feedback is { } f ? new Feedback(f.Value, f.Error is { } e ? new AssessmentError(e.ErrorCode, e.ErrorMessage, e.StackTrace) : null) : null,
        Expectation = wire.Expectation is { } x ? new Expectation(x.SerializedValue?.Value is { } text ? JsonNode.Parse(text) : x.Value) : null,
        Rationale = wire.Rationale,
        Metadata = wire.Metadata ?? [],
        Overrides = wire.Overrides,
        Valid = wire.Valid ?? true,
        RunId = wire.RunId,
    };

    /// <summary>The create request's assessment, as the Python client sends it.</summary>
    public static AssessmentWire ToCreateWire(Assessment assessment) => new()
    {
        AssessmentName = assessment.Name,
        TraceId = assessment.TraceId,
        SpanId = assessment.SpanId,
        Source = new AssessmentSourceWire { SourceType = FormatSourceType(assessment.Source.Type), SourceId = assessment.Source.Id },
        CreateTime = TraceWireMapping.FormatTime(assessment.CreateTime),
        LastUpdateTime = TraceWireMapping.FormatTime(assessment.LastUpdateTime),
        Feedback = ToFeedbackWire(assessment.Feedback),
        Expectation = ToExpectationWire(assessment.Expectation),
        Rationale = assessment.Rationale,
        Metadata = assessment.Metadata.Count == 0 ? null : new Dictionary<string, string>(assessment.Metadata),
        Overrides = assessment.Overrides,
        // The Python client sends "valid" with feedback only.
        Valid = assessment.Feedback is not null ? assessment.Valid : null,
        RunId = assessment.RunId,
    };

    /// <summary>The update request's assessment: ids, name and the value, as the Python client sends it.</summary>
    public static AssessmentWire ToUpdateWire(Assessment assessment) => new()
    {
        AssessmentId = assessment.AssessmentId,
        AssessmentName = assessment.Name,
        TraceId = assessment.TraceId,
        Feedback = ToFeedbackWire(assessment.Feedback),
        Expectation = ToExpectationWire(assessment.Expectation),
        Rationale = assessment.Rationale,
        Metadata = assessment.Metadata.Count == 0 ? null : new Dictionary<string, string>(assessment.Metadata),
    };

    /// <summary>Python's <c>json.dumps</c> text of a JSON value.</summary>
    public static string ToPythonJson(JsonNode? value)
    {
        using var document = JsonDocument.Parse(value?.ToJsonString() ?? "null");
        var sb = new StringBuilder();
        PythonJson.WriteElement(sb, document.RootElement);
        return sb.ToString();
    }

    /// <summary>MLflow's name of a source type.</summary>
    public static string FormatSourceType(AssessmentSourceType type) => type switch
    {
        AssessmentSourceType.Human => "HUMAN",
        AssessmentSourceType.LlmJudge => "LLM_JUDGE",
        AssessmentSourceType.Code => "CODE",
        _ => "SOURCE_TYPE_UNSPECIFIED",
    };

    /// <summary>Reads MLflow's name of a source type.</summary>
    public static AssessmentSourceType ParseSourceType(string? type) => type switch
    {
        "HUMAN" => AssessmentSourceType.Human,
        "LLM_JUDGE" => AssessmentSourceType.LlmJudge,
        "CODE" => AssessmentSourceType.Code,
        _ => AssessmentSourceType.Unspecified,
    };

    private static FeedbackWire? ToFeedbackWire(Feedback? feedback) => feedback is null ? null : new FeedbackWire
    {
        Value = feedback.Value?.DeepClone(),
        Error = feedback.Error is { } e ? new AssessmentErrorWire { ErrorCode = e.Code, ErrorMessage = e.Message, StackTrace = e.StackTrace } : null,
    };

    private static ExpectationWire? ToExpectationWire(Expectation? expectation) => expectation switch
    {
        null => null,
        { Value: JsonArray or JsonObject } => new ExpectationWire { SerializedValue = new SerializedValueWire { SerializationFormat = JsonFormat, Value = ToPythonJson(expectation.Value) } },
        _ => new ExpectationWire { Value = expectation.Value?.DeepClone() },
    };
}
