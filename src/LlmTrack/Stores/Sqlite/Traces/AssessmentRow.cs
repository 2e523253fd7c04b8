using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmTrack.Metrics.Text;
using LlmTrack.Rest.Traces;
using Microsoft.Data.Sqlite;

namespace LlmTrack.Stores.Sqlite.Traces;

/// <summary>
/// One row of MLflow's <c>assessments</c> table as its SqlAlchemyStore writes it: <c>assessment_type</c>
/// <c>feedback</c> or <c>expectation</c>, <c>value</c> and <c>error</c> as Python <c>json.dumps</c> text (feedback
/// numbers are doubles, as they are after MLflow's protobuf round trip), times in epoch milliseconds,
/// <c>assessment_metadata</c> JSON or NULL.
/// </summary>
internal static class AssessmentRow
{
    /// <summary>The columns, in the order <see cref="Read"/> expects.</summary>
    public const string Columns = "assessment_id, trace_id, name, assessment_type, value, error, created_timestamp, last_updated_timestamp, " +
        "source_type, source_id, run_id, span_id, rationale, overrides, valid, assessment_metadata";

    /// <summary>Reads a row selected with <see cref="Columns"/>.</summary>
    public static Assessment Read(SqliteDataReader reader)
    {
        string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
        var value = JsonNode.Parse(reader.GetString(4));
        var isFeedback = reader.GetString(3) == "feedback";
        return new Assessment
        {
            AssessmentId = reader.GetString(0),
            TraceId = reader.GetString(1),
            Name = reader.GetString(2),
            Feedback = isFeedback ? new Feedback(value, ReadError(Text(5))) : null,
            Expectation = isFeedback ? null : new Expectation(value),
            CreateTime = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
            LastUpdateTime = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
            Source = new AssessmentSource(AssessmentWireMapping.ParseSourceType(reader.GetString(8)), Text(9) ?? ""),
            RunId = Text(10),
            SpanId = Text(11),
            Rationale = Text(12),
            Overrides = Text(13),
            Valid = reader.GetBoolean(14),
            Metadata = ReadMetadata(Text(15)),
        };
    }

    /// <summary>The <c>assessment_type</c> of an assessment; neither feedback nor expectation is MLflow's error.</summary>
    public static string TypeOf(Assessment assessment) =>
        assessment.Feedback is not null ? "feedback"
        : assessment.Expectation is not null ? "expectation"
        : throw new MlflowException(MlflowErrorCode.InvalidParameterValue, "Unknown assessment type: None");

    /// <summary>The <c>value</c> column: Python's <c>json.dumps</c> of the value, feedback numbers as floats.</summary>
    public static string ValueText(Assessment assessment)
    {
        var value = assessment.Value;
        if (assessment.Feedback is not null && value is JsonValue number && number.GetValueKind() == JsonValueKind.Number)
        {
            return PythonJson.FormatFloat(double.Parse(number.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture));
        }

        return AssessmentWireMapping.ToPythonJson(value);
    }

    /// <summary>The <c>error</c> column: <c>json.dumps</c> of MLflow's <c>AssessmentError.to_dictionary()</c>, or NULL.</summary>
    public static string? ErrorText(Assessment assessment)
    {
        if (assessment.Feedback?.Error is not { } error)
        {
            return null;
        }

        var sb = new StringBuilder("{\"error_code\": ");
        AppendNullable(sb, error.Code);
        sb.Append(", \"error_message\": ");
        AppendNullable(sb, error.Message);
        sb.Append(", \"stack_trace\": ");
        AppendNullable(sb, error.StackTrace);
        return sb.Append('}').ToString();
    }

    /// <summary>The <c>assessment_metadata</c> column: <c>json.dumps</c> of the metadata, or NULL when there is none.</summary>
    public static string? MetadataText(IReadOnlyDictionary<string, string> metadata)
    {
        if (metadata.Count == 0)
        {
            return null;
        }

        var sb = new StringBuilder("{");
        foreach (var (key, value) in metadata)
        {
            if (sb.Length > 1)
            {
                sb.Append(", ");
            }

            PythonJson.WriteString(sb, key);
            sb.Append(": ");
            PythonJson.WriteString(sb, value);
        }

        return sb.Append('}').ToString();
    }

    private static void AppendNullable(StringBuilder sb, string? value)
    {
        if (value is null)
        {
            sb.Append("null");
        }
        else
        {
            PythonJson.WriteString(sb, value);
        }
    }

    private static AssessmentError? ReadError(string? text)
    {
        if (string.IsNullOrEmpty(text) || JsonNode.Parse(text) is not JsonObject error)
        {
            return null;
        }

        string? Field(string name) => error[name] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
        return new AssessmentError(Field("error_code"), Field("error_message"), Field("stack_trace"));
    }

    private static Dictionary<string, string> ReadMetadata(string? text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(text) && JsonNode.Parse(text) is JsonObject metadata)
        {
            foreach (var (key, value) in metadata)
            {
                result[key] = value is JsonValue v && v.TryGetValue(out string? s) ? s : value?.ToJsonString() ?? "";
            }
        }

        return result;
    }
}
