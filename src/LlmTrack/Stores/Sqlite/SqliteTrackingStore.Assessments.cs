using LlmTrack.Rest.Traces;
using LlmTrack.Stores.Sqlite.Traces;
using Microsoft.Data.Sqlite;

namespace LlmTrack.Stores.Sqlite;

/// <summary>
/// Assessments of the local store in MLflow's <c>assessments</c> table: create (an override marks the overridden
/// assessment <c>valid = false</c>), read, update by field mask and delete (which makes an overridden assessment
/// valid again), as MLflow's SqlAlchemyStore does.
/// </summary>
internal sealed partial class SqliteTrackingStore
{
    /// <inheritdoc />
    public Task<Assessment> CreateAssessmentAsync(Assessment assessment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        var type = AssessmentRow.TypeOf(assessment);
        return ExecuteAsync(write: true, transaction =>
        {
            RequireTrace(transaction, assessment.TraceId);
            if (assessment.Overrides is { } overridden)
            {
                RequireAssessment(transaction, assessment.TraceId, overridden);
                SetAssessmentValid(transaction, overridden, false);
            }

            var now = NowMilliseconds();
            var id = "a-" + Guid.NewGuid().ToString("N");
            using var command = Command(transaction, $"INSERT INTO assessments ({AssessmentRow.Columns}) VALUES " +
                "($id, $trace, $name, $type, $value, $error, $created, $updated, $sourceType, $sourceId, $run, $span, $rationale, $overrides, $valid, $metadata)");
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$trace", assessment.TraceId);
            command.Parameters.AddWithValue("$name", assessment.Name);
            command.Parameters.AddWithValue("$type", type);
            command.Parameters.AddWithValue("$value", AssessmentRow.ValueText(assessment));
            command.Parameters.AddWithValue("$error", (object?)AssessmentRow.ErrorText(assessment) ?? DBNull.Value);
            command.Parameters.AddWithValue("$created", Millis(assessment.CreateTime, now));
            command.Parameters.AddWithValue("$updated", Millis(assessment.LastUpdateTime, now));
            command.Parameters.AddWithValue("$sourceType", AssessmentWireMapping.FormatSourceType(assessment.Source.Type));
            command.Parameters.AddWithValue("$sourceId", string.IsNullOrEmpty(assessment.Source.Id) ? DBNull.Value : assessment.Source.Id);
            command.Parameters.AddWithValue("$run", (object?)assessment.RunId ?? DBNull.Value);
            command.Parameters.AddWithValue("$span", (object?)assessment.SpanId ?? DBNull.Value);
            command.Parameters.AddWithValue("$rationale", (object?)assessment.Rationale ?? DBNull.Value);
            command.Parameters.AddWithValue("$overrides", (object?)assessment.Overrides ?? DBNull.Value);
            // MLflow's SqlAssessments.from_mlflow_entity always writes valid = True.
            command.Parameters.AddWithValue("$valid", true);
            command.Parameters.AddWithValue("$metadata", (object?)AssessmentRow.MetadataText(assessment.Metadata) ?? DBNull.Value);
            command.ExecuteNonQuery();
            return RequireAssessment(transaction, assessment.TraceId, id);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<Assessment> GetAssessmentAsync(string traceId, string assessmentId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(traceId);
        ArgumentException.ThrowIfNullOrEmpty(assessmentId);
        return ExecuteAsync(write: false, transaction =>
        {
            RequireTrace(transaction, traceId);
            return RequireAssessment(transaction, traceId, assessmentId);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<Assessment> UpdateAssessmentAsync(Assessment assessment, IReadOnlyList<string> updateMask, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        ArgumentNullException.ThrowIfNull(updateMask);
        return ExecuteAsync(write: true, transaction =>
        {
            RequireTrace(transaction, assessment.TraceId);
            var existing = RequireAssessment(transaction, assessment.TraceId, assessment.AssessmentId);
            var fields = updateMask.Count > 0 ? updateMask.ToHashSet(StringComparer.Ordinal)
                : ["assessmentName", "feedback", "expectation", "rationale", "metadata"];
            var updated = existing;
            if (fields.Contains("assessmentName") && !string.IsNullOrEmpty(assessment.Name))
            {
                updated = updated with { Name = assessment.Name };
            }

            if ((fields.Contains("feedback") && assessment.Feedback is not null) || (fields.Contains("expectation") && assessment.Expectation is not null))
            {
                if ((existing.Feedback is not null) != (assessment.Feedback is not null))
                {
                    throw new MlflowException(MlflowErrorCode.InvalidParameterValue, "Cannot change the type of an assessment between feedback and expectation.");
                }

                updated = updated with { Feedback = assessment.Feedback, Expectation = assessment.Expectation };
            }

            if (fields.Contains("rationale") && assessment.Rationale is not null)
            {
                updated = updated with { Rationale = assessment.Rationale };
            }

            if (fields.Contains("metadata") && assessment.Metadata.Count > 0)
            {
                var merged = new Dictionary<string, string>(existing.Metadata, StringComparer.Ordinal);
                foreach (var (key, value) in assessment.Metadata)
                {
                    merged[key] = value;
                }

                updated = updated with { Metadata = merged };
            }

            using var command = Command(transaction, "UPDATE assessments SET name = $name, value = $value, error = $error, rationale = $rationale, " +
                "assessment_metadata = $metadata, last_updated_timestamp = $now WHERE assessment_id = $id");
            command.Parameters.AddWithValue("$name", updated.Name);
            command.Parameters.AddWithValue("$value", AssessmentRow.ValueText(updated));
            command.Parameters.AddWithValue("$error", (object?)AssessmentRow.ErrorText(updated) ?? DBNull.Value);
            command.Parameters.AddWithValue("$rationale", (object?)updated.Rationale ?? DBNull.Value);
            command.Parameters.AddWithValue("$metadata", (object?)AssessmentRow.MetadataText(updated.Metadata) ?? DBNull.Value);
            command.Parameters.AddWithValue("$now", NowMilliseconds());
            command.Parameters.AddWithValue("$id", existing.AssessmentId);
            command.ExecuteNonQuery();
            return RequireAssessment(transaction, existing.TraceId, existing.AssessmentId);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task DeleteAssessmentAsync(string traceId, string assessmentId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(traceId);
        ArgumentException.ThrowIfNullOrEmpty(assessmentId);
        return ExecuteAsync(write: true, transaction =>
        {
            RequireTrace(transaction, traceId);
            var existing = RequireAssessment(transaction, traceId, assessmentId);
            using var command = Command(transaction, "DELETE FROM assessments WHERE assessment_id = $id");
            command.Parameters.AddWithValue("$id", assessmentId);
            command.ExecuteNonQuery();
            if (existing.Overrides is { } overridden)
            {
                SetAssessmentValid(transaction, overridden, true);
            }
        }, cancellationToken);
    }

    private List<Assessment> ReadAssessments(SqliteTransaction transaction, string traceId)
    {
        using var command = Command(transaction, $"SELECT {AssessmentRow.Columns} FROM assessments WHERE trace_id = $trace ORDER BY created_timestamp, assessment_id");
        command.Parameters.AddWithValue("$trace", traceId);
        using var reader = command.ExecuteReader();
        var result = new List<Assessment>();
        while (reader.Read())
        {
            result.Add(AssessmentRow.Read(reader));
        }

        return result;
    }

    private Assessment RequireAssessment(SqliteTransaction transaction, string traceId, string assessmentId)
    {
        using var command = Command(transaction, $"SELECT {AssessmentRow.Columns} FROM assessments WHERE trace_id = $trace AND assessment_id = $id");
        command.Parameters.AddWithValue("$trace", traceId);
        command.Parameters.AddWithValue("$id", assessmentId);
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? AssessmentRow.Read(reader)
            : throw new MlflowException(MlflowErrorCode.ResourceDoesNotExist, $"Assessment with ID '{assessmentId}' not found for trace '{traceId}'");
    }

    private void SetAssessmentValid(SqliteTransaction transaction, string assessmentId, bool valid)
    {
        using var command = Command(transaction, "UPDATE assessments SET valid = $valid WHERE assessment_id = $id");
        command.Parameters.AddWithValue("$valid", valid);
        command.Parameters.AddWithValue("$id", assessmentId);
        command.ExecuteNonQuery();
    }

    private static long Millis(DateTimeOffset time, long fallback) =>
        time <= DateTimeOffset.UnixEpoch ? fallback : time.ToUnixTimeMilliseconds();
}
