using Microsoft.Data.Sqlite;

namespace LlmTrack.Tests.Sqlite;

/// <summary>
/// Writes traces into an MLflow database the way MLflow 3.6's SqlAlchemyStore does (start_trace + log_spans):
/// a <c>trace_info</c> row (state in <c>status</c>), tags, metadata and <c>spans</c> rows whose <c>content</c> is
/// <c>json.dumps(Span.to_dict())</c> — base64 ids, JSON-serialized attribute values, OTel status names.
/// </summary>
internal static class TraceRowSeeder
{
    public static void Trace(SqliteConnection connection, string traceId, long experimentId, long timestampMs, string status = "OK",
        IReadOnlyDictionary<string, string>? tags = null, IReadOnlyDictionary<string, string>? metadata = null, long executionMs = 120)
    {
        Run(connection, "INSERT INTO trace_info (request_id, experiment_id, timestamp_ms, execution_time_ms, status, client_request_id, request_preview, response_preview) " +
            "VALUES ($id, $exp, $ts, $ms, $status, NULL, '{\"q\": \"hi\"}', '\"hello\"')",
            ("$id", traceId), ("$exp", experimentId), ("$ts", timestampMs), ("$ms", executionMs), ("$status", status));
        foreach (var (key, value) in tags ?? new Dictionary<string, string>())
        {
            Run(connection, "INSERT INTO trace_tags (\"key\", value, request_id) VALUES ($k, $v, $id)", ("$k", key), ("$v", value), ("$id", traceId));
        }

        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            Run(connection, "INSERT INTO trace_request_metadata (\"key\", value, request_id) VALUES ($k, $v, $id)", ("$k", key), ("$v", value), ("$id", traceId));
        }
    }

    /// <summary>A span; <paramref name="spanId"/> and <paramref name="parentSpanId"/> are 16 hex digits.</summary>
    public static void Span(SqliteConnection connection, string traceId, long experimentId, string spanId, string? parentSpanId, string name, string spanType, long start, long end, string status = "OK")
    {
        var otelTrace = traceId[3..];
        var content = "{\"trace_id\": \"" + Base64(otelTrace) + "\", \"span_id\": \"" + Base64(spanId) + "\", \"trace_state\": \"\", " +
            "\"parent_span_id\": \"" + (parentSpanId is null ? "" : Base64(parentSpanId)) + "\", \"name\": \"" + name + "\", " +
            "\"start_time_unix_nano\": " + start + ", \"end_time_unix_nano\": " + end + ", " +
            "\"attributes\": {\"mlflow.traceRequestId\": \"\\\"" + traceId + "\\\"\", \"mlflow.spanType\": \"\\\"" + spanType + "\\\"\", " +
            "\"mlflow.spanInputs\": \"{\\\"q\\\": \\\"hi\\\"}\", \"mlflow.chat.tokenUsage\": \"{\\\"input_tokens\\\": 3, \\\"output_tokens\\\": 4, \\\"total_tokens\\\": 7}\"}, " +
            "\"status\": {\"message\": \"" + (status == "ERROR" ? "boom" : "") + "\", \"code\": \"STATUS_CODE_" + status + "\"}, " +
            "\"events\": [" + (status == "ERROR" ? "{\"name\": \"exception\", \"time_unix_nano\": " + end + ", \"attributes\": {\"exception.message\": \"boom\"}}" : "") + "]}";
        Run(connection, "INSERT INTO spans (trace_id, experiment_id, span_id, parent_span_id, name, type, status, start_time_unix_nano, end_time_unix_nano, content) " +
            "VALUES ($trace, $exp, $span, $parent, $name, $type, $status, $start, $end, $content)",
            ("$trace", traceId), ("$exp", experimentId), ("$span", spanId), ("$parent", (object?)parentSpanId ?? DBNull.Value), ("$name", name),
            ("$type", spanType), ("$status", status), ("$start", start), ("$end", end), ("$content", content));
    }

    private static string Base64(string hex) => Convert.ToBase64String(Convert.FromHexString(hex));

    private static void Run(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }
}
