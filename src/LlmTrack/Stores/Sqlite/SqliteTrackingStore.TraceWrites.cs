using LlmTrack.Model;
using System.Globalization;
using LlmTrack.Model.Tracing;
using LlmTrack.Stores.Sqlite.TraceWrites;
using Microsoft.Data.Sqlite;

namespace LlmTrack.Stores.Sqlite;

/// <summary>
/// The trace write side of the local store, with the rows MLflow 3.6's SqlAlchemyStore writes when its server receives
/// the same spans over OTLP (<c>log_spans</c>), the v3 start-trace call (<c>start_trace</c>) and link-to-run
/// (<c>link_traces_to_run</c>): <c>trace_info</c>, <c>trace_tags</c>, <c>trace_request_metadata</c>, <c>spans</c> and
/// <c>entity_associations</c>. Every call is one transaction, so nothing is ever half stored; a re-sent span replaces
/// its row and the trace's token usage is the sum over its stored spans, so a re-send does not count twice.
/// </summary>
internal sealed partial class SqliteTrackingStore : ITraceSink
{
    /// <summary>MLflow's limit of trace ids in one link-to-run call.</summary>
    internal const int MaxTracesToLink = 100;

    private const string InProgress = "IN_PROGRESS";
    private const string ArtifactLocationTag = "mlflow.artifactLocation";
    private const string SpansLocationTag = "mlflow.trace.spansLocation";
    private const string TrackingStoreLocation = "TRACKING_STORE";

    /// <inheritdoc />
    public async Task LogSpansAsync(string experimentId, IReadOnlyList<SpanRecord> spans, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(experimentId);
        ArgumentNullException.ThrowIfNull(spans);
        if (spans.Count == 0)
        {
            return;
        }

        await ExecuteAsync(write: true, transaction =>
        {
            foreach (var trace in spans.GroupBy(s => s.TraceId, StringComparer.Ordinal))
            {
                LogTraceSpans(transaction, experimentId, trace.Key, [.. trace]);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task StartTraceAsync(TraceInfoRecord trace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trace);
        await ExecuteAsync(write: true, transaction =>
        {
            var experiment = GetExperiment(transaction, trace.ExperimentId);
            CheckExperimentActive(experiment);
            using (var upsert = Command(
                transaction,
                "INSERT INTO trace_info (request_id, experiment_id, timestamp_ms, execution_time_ms, status, client_request_id, request_preview, response_preview) " +
                "VALUES ($id, $experiment, $time, $duration, $status, NULL, $request, $response) " +
                "ON CONFLICT (request_id) DO UPDATE SET experiment_id = excluded.experiment_id, timestamp_ms = excluded.timestamp_ms, " +
                "execution_time_ms = excluded.execution_time_ms, status = excluded.status, client_request_id = excluded.client_request_id, " +
                "request_preview = COALESCE(excluded.request_preview, trace_info.request_preview), " +
                "response_preview = COALESCE(excluded.response_preview, trace_info.response_preview)"))
            {
                upsert.Parameters.AddWithValue("$id", trace.TraceId);
                upsert.Parameters.AddWithValue("$experiment", long.Parse(experiment.ExperimentId, CultureInfo.InvariantCulture));
                upsert.Parameters.AddWithValue("$time", trace.RequestTimeMs);
                upsert.Parameters.AddWithValue("$duration", trace.ExecutionDurationNanos / 1_000_000);
                upsert.Parameters.AddWithValue("$status", trace.State);
                upsert.Parameters.AddWithValue("$request", (object?)trace.RequestPreview ?? DBNull.Value);
                upsert.Parameters.AddWithValue("$response", (object?)trace.ResponsePreview ?? DBNull.Value);
                upsert.ExecuteNonQuery();
            }

            foreach (var (key, value) in trace.Tags)
            {
                UpsertTraceRow(transaction, "trace_tags", trace.TraceId, key, value);
            }

            UpsertTraceRow(transaction, "trace_tags", trace.TraceId, ArtifactLocationTag, TraceArtifactLocation(experiment.ArtifactLocation, trace.TraceId));
            foreach (var (key, value) in trace.Metadata)
            {
                UpsertTraceRow(transaction, "trace_request_metadata", trace.TraceId, key, value);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task LinkTracesToRunAsync(IReadOnlyList<string> traceIds, string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(traceIds);
        ArgumentException.ThrowIfNullOrEmpty(runId);
        if (traceIds.Count == 0)
        {
            return;
        }

        if (traceIds.Count > MaxTracesToLink)
        {
            throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"Cannot link more than {MaxTracesToLink} traces to a run in a single request. Provided {traceIds.Count} traces.");
        }

        await ExecuteAsync(write: true, transaction =>
        {
            var now = NowMilliseconds();
            using var insert = Command(
                transaction,
                "INSERT INTO entity_associations (association_id, source_type, source_id, destination_type, destination_id, created_time) " +
                "VALUES ($association, 'trace', $trace, 'run', $run, $now) " +
                "ON CONFLICT (source_type, source_id, destination_type, destination_id) DO NOTHING");
            var association = insert.Parameters.Add("$association", SqliteType.Text);
            var trace = insert.Parameters.Add("$trace", SqliteType.Text);
            insert.Parameters.AddWithValue("$run", runId);
            insert.Parameters.AddWithValue("$now", now);
            foreach (var traceId in traceIds.Distinct(StringComparer.Ordinal))
            {
                association.Value = Guid.NewGuid().ToString("N");
                trace.Value = traceId;
                insert.ExecuteNonQuery();
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>log_spans</c> for the spans of one trace.</summary>
    private void LogTraceSpans(SqliteTransaction transaction, string experimentId, string otlpTraceId, IReadOnlyList<SpanRecord> spans)
    {
        var traceId = TraceIds.ToMlflow(otlpTraceId);
        var minStartMs = spans.Min(s => s.StartTimeUnixNano) / 1_000_000;
        var maxEndMs = spans.Max(s => s.EndTimeUnixNano) / 1_000_000;
        var root = spans.FirstOrDefault(s => s.IsRoot);
        var rootState = root is null ? null : root.IsError ? "ERROR" : "OK";

        long experiment;
        using (var find = Command(transaction, "SELECT experiment_id FROM trace_info WHERE request_id = $id"))
        {
            find.Parameters.AddWithValue("$id", traceId);
            var existing = find.ExecuteScalar();
            if (existing is null)
            {
                var info = GetExperiment(transaction, experimentId);
                experiment = long.Parse(info.ExperimentId, CultureInfo.InvariantCulture);
                using var insert = Command(
                    transaction,
                    "INSERT INTO trace_info (request_id, experiment_id, timestamp_ms, execution_time_ms, status, client_request_id) " +
                    "VALUES ($id, $experiment, $start, $duration, $status, NULL)");
                insert.Parameters.AddWithValue("$id", traceId);
                insert.Parameters.AddWithValue("$experiment", experiment);
                insert.Parameters.AddWithValue("$start", minStartMs);
                insert.Parameters.AddWithValue("$duration", maxEndMs - minStartMs);
                insert.Parameters.AddWithValue("$status", rootState ?? InProgress);
                insert.ExecuteNonQuery();
                UpsertTraceRow(transaction, "trace_tags", traceId, ArtifactLocationTag, TraceArtifactLocation(info.ArtifactLocation, traceId));
            }
            else
            {
                experiment = Convert.ToInt64(existing, CultureInfo.InvariantCulture);
            }
        }

        using (var update = Command(
            transaction,
            "UPDATE trace_info SET " +
            "execution_time_ms = MAX(COALESCE(timestamp_ms + execution_time_ms, $end), $end) - MIN(timestamp_ms, $start), " +
            "timestamp_ms = MIN(timestamp_ms, $start), " +
            "status = CASE WHEN $root IS NOT NULL AND status IN ('IN_PROGRESS', 'STATE_UNSPECIFIED') THEN $root ELSE status END, " +
            "request_preview = COALESCE(request_preview, $request), response_preview = COALESCE(response_preview, $response) " +
            "WHERE request_id = $id"))
        {
            update.Parameters.AddWithValue("$id", traceId);
            update.Parameters.AddWithValue("$start", minStartMs);
            update.Parameters.AddWithValue("$end", maxEndMs);
            update.Parameters.AddWithValue("$root", (object?)rootState ?? DBNull.Value);
            update.Parameters.AddWithValue("$request", (object?)Preview(root, MlflowTags.SpanInputs) ?? DBNull.Value);
            update.Parameters.AddWithValue("$response", (object?)Preview(root, MlflowTags.SpanOutputs) ?? DBNull.Value);
            update.ExecuteNonQuery();
        }

        UpsertSpans(transaction, traceId, experiment, spans);
        UpdateTokenUsage(transaction, traceId);
        UpsertTraceRow(transaction, "trace_tags", traceId, SpansLocationTag, TrackingStoreLocation);
    }

    private void UpsertSpans(SqliteTransaction transaction, string traceId, long experiment, IReadOnlyList<SpanRecord> spans)
    {
        using var upsert = Command(
            transaction,
            "INSERT INTO spans (trace_id, experiment_id, span_id, parent_span_id, name, type, status, start_time_unix_nano, end_time_unix_nano, content) " +
            "VALUES ($trace, $experiment, $span, $parent, $name, $type, $status, $start, $end, $content) " +
            "ON CONFLICT (trace_id, span_id) DO UPDATE SET experiment_id = excluded.experiment_id, parent_span_id = excluded.parent_span_id, " +
            "name = excluded.name, type = excluded.type, status = excluded.status, start_time_unix_nano = excluded.start_time_unix_nano, " +
            "end_time_unix_nano = excluded.end_time_unix_nano, content = excluded.content");
        upsert.Parameters.AddWithValue("$trace", traceId);
        upsert.Parameters.AddWithValue("$experiment", experiment);
        var span = upsert.Parameters.Add("$span", SqliteType.Text);
        var parent = upsert.Parameters.Add("$parent", SqliteType.Text);
        var name = upsert.Parameters.Add("$name", SqliteType.Text);
        var type = upsert.Parameters.Add("$type", SqliteType.Text);
        var status = upsert.Parameters.Add("$status", SqliteType.Text);
        var start = upsert.Parameters.Add("$start", SqliteType.Integer);
        var end = upsert.Parameters.Add("$end", SqliteType.Integer);
        var content = upsert.Parameters.Add("$content", SqliteType.Text);
        foreach (var record in spans)
        {
            var attributes = SpanContentJson.Translate(record);
            span.Value = record.SpanId;
            parent.Value = (object?)record.ParentSpanId ?? DBNull.Value;
            name.Value = record.Name;
            type.Value = attributes.LastOrDefault(a => a.Key == MlflowTags.SpanType).Value is string spanType ? spanType : DBNull.Value;
            status.Value = record.IsError ? "ERROR" : "OK";
            start.Value = record.StartTimeUnixNano;
            end.Value = record.EndTimeUnixNano;
            content.Value = SpanContentJson.Write(record, attributes);
            upsert.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// Sets <c>mlflow.trace.tokenUsage</c> to the sum of the stored spans' <c>mlflow.chat.tokenUsage</c> (MLflow adds each
    /// batch's usage to the running total; summing the stored rows gives the same total without counting a re-sent
    /// span twice). Nothing is written while no span has token usage.
    /// </summary>
    private void UpdateTokenUsage(SqliteTransaction transaction, string traceId)
    {
        using var sum = Command(
            transaction,
            "SELECT COUNT(u), SUM(json_extract(u, '$.input_tokens')), SUM(json_extract(u, '$.output_tokens')), SUM(json_extract(u, '$.total_tokens')) " +
            "FROM (SELECT json_extract(content, '$.attributes.\"mlflow.chat.tokenUsage\"') AS u FROM spans WHERE trace_id = $id) WHERE u IS NOT NULL");
        sum.Parameters.AddWithValue("$id", traceId);
        using var reader = sum.ExecuteReader();
        if (!reader.Read() || reader.GetInt64(0) == 0)
        {
            return;
        }

        var parts = new List<string>(3);
        string[] keys = ["input_tokens", "output_tokens", "total_tokens"];
        for (var i = 0; i < keys.Length; i++)
        {
            if (!reader.IsDBNull(i + 1))
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"\"{keys[i]}\": {reader.GetInt64(i + 1)}"));
            }
        }

        reader.Close();
        UpsertTraceRow(transaction, "trace_request_metadata", traceId, MlflowTags.TraceTokenUsage, "{" + string.Join(", ", parts) + "}");
    }

    private void UpsertTraceRow(SqliteTransaction transaction, string table, string traceId, string key, string value)
    {
        using var command = Command(
            transaction,
            $"INSERT INTO \"{table}\" (\"key\", value, request_id) VALUES ($key, $value, $id) ON CONFLICT (\"key\", request_id) DO UPDATE SET value = excluded.value");
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value);
        command.Parameters.AddWithValue("$id", traceId);
        command.ExecuteNonQuery();
    }

    /// <summary><c>&lt;experiment artifact location&gt;/traces/&lt;trace id&gt;/artifacts</c>, as MLflow tags every trace.</summary>
    private string TraceArtifactLocation(string? experimentLocation, string traceId) =>
        JoinUri(experimentLocation ?? DefaultArtifactRoot, "traces", traceId, "artifacts");

    /// <summary>The JSON text of the root's inputs or outputs, truncated to MLflow's 1000 characters; null when absent.</summary>
    private static string? Preview(SpanRecord? root, string key)
    {
        if (root?.Attribute(key) is not { } value)
        {
            return null;
        }

        var json = SpanContentJson.ValueJson(value);
        return json.Length <= 1000 ? json : json[..997] + "...";
    }
}
