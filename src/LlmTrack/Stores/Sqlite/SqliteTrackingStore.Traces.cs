using System.Globalization;
using LlmTrack.Rest.Traces;
using LlmTrack.Stores.Sqlite.Traces;
using Microsoft.Data.Sqlite;

namespace LlmTrack.Stores.Sqlite;

/// <summary>
/// The trace read side of the local store on MLflow's <c>trace_info</c>, <c>trace_tags</c>,
/// <c>trace_request_metadata</c>, <c>spans</c> and <c>entity_associations</c> tables: search with MLflow's trace
/// filter grammar and offset page tokens, reads with spans, tags and deletion.
/// </summary>
internal sealed partial class SqliteTrackingStore : ITraceStore
{
    private const string TraceInfoColumns = "t.request_id, t.experiment_id, t.timestamp_ms, t.execution_time_ms, t.status, t.client_request_id, t.request_preview, t.response_preview";

    /// <inheritdoc />
    public Task<Page<TraceInfo>> SearchTracesAsync(TraceSearch search, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(search);
        var clauses = TraceFilter.Parse(search.Filter);
        var orders = (search.OrderBy ?? []).Select(TraceSearchSql.Order).ToList();
        var offset = SearchFilter.ParsePageToken(search.PageToken);
        if (search.MaxResults is < 1 or > SearchMaxResultsThreshold)
        {
            throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"Invalid value {search.MaxResults} for parameter 'max_results' supplied. It must be at most {SearchMaxResultsThreshold}.");
        }

        if (search.ExperimentIds.Count == 0)
        {
            return Task.FromResult(new Page<TraceInfo>([], null));
        }

        return ExecuteAsync(write: false, transaction =>
        {
            using var command = Command(transaction, "");
            var index = 0;
            var experiments = search.ExperimentIds.Select(id => SqliteSearchSql.AddParameter(command, ParseExperimentId(id), ref index)).ToList();
            var conditions = new List<string> { $"t.experiment_id IN ({string.Join(", ", experiments)})" };
            foreach (var clause in clauses)
            {
                conditions.Add(TraceSearchSql.Condition(command, clause, ref index));
            }

            orders.Add(orders.Any(o => o.StartsWith("t.timestamp_ms", StringComparison.Ordinal)) ? "t.request_id ASC" : "t.timestamp_ms DESC, t.request_id ASC");
            command.CommandText = $"SELECT {TraceInfoColumns} FROM trace_info t WHERE {string.Join(" AND ", conditions)} " +
                $"ORDER BY {string.Join(", ", orders)} LIMIT {search.MaxResults + 1} OFFSET {offset}";
            var infos = ReadTraceInfos(transaction, command);
            var next = infos.Count > search.MaxResults ? SearchFilter.CreatePageToken(offset + search.MaxResults) : null;
            return new Page<TraceInfo>(infos.Take(search.MaxResults).ToList(), next);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<TraceInfo> GetTraceInfoAsync(string traceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(traceId);
        return ExecuteAsync(write: false, transaction => RequireTraceInfo(transaction, traceId), cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Trace>> GetTracesAsync(IReadOnlyList<string> traceIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(traceIds);
        return ExecuteAsync<IReadOnlyList<Trace>>(write: false, transaction =>
        {
            var traces = new List<Trace>();
            foreach (var traceId in traceIds.Distinct(StringComparer.Ordinal))
            {
                if (FindTraceInfo(transaction, traceId) is { } info)
                {
                    traces.Add(new Trace(info, ReadSpans(transaction, traceId)));
                }
            }

            return traces;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task SetTraceTagAsync(string traceId, string key, string value, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(traceId);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        return ExecuteAsync(write: true, transaction =>
        {
            RequireTrace(transaction, traceId);
            using var command = Command(transaction, "INSERT INTO trace_tags (\"key\", value, request_id) VALUES ($key, $value, $id) ON CONFLICT (\"key\", request_id) DO UPDATE SET value = excluded.value");
            command.Parameters.AddWithValue("$key", key);
            command.Parameters.AddWithValue("$value", value);
            command.Parameters.AddWithValue("$id", traceId);
            command.ExecuteNonQuery();
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task DeleteTraceTagAsync(string traceId, string key, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(traceId);
        ArgumentException.ThrowIfNullOrEmpty(key);
        return ExecuteAsync(write: true, transaction =>
        {
            RequireTrace(transaction, traceId);
            using var command = Command(transaction, "DELETE FROM trace_tags WHERE \"key\" = $key AND request_id = $id");
            command.Parameters.AddWithValue("$key", key);
            command.Parameters.AddWithValue("$id", traceId);
            if (command.ExecuteNonQuery() == 0)
            {
                throw new MlflowException(MlflowErrorCode.ResourceDoesNotExist, $"No trace tag with key '{key}' for trace with ID '{traceId}'");
            }
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<int> DeleteTracesAsync(string experimentId, IReadOnlyList<string>? traceIds, long? maxTimestampMillis, int? maxTraces, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(experimentId);
        if ((traceIds is null || traceIds.Count == 0) == (maxTimestampMillis is null))
        {
            throw new MlflowException(MlflowErrorCode.InvalidParameterValue, "Exactly one of `max_timestamp_millis` and `trace_ids` must be specified.");
        }

        return ExecuteAsync(write: true, transaction =>
        {
            using var select = Command(transaction, "");
            select.Parameters.AddWithValue("$experiment", ParseExperimentId(experimentId));
            if (maxTimestampMillis is { } max)
            {
                select.CommandText = "SELECT request_id FROM trace_info WHERE experiment_id = $experiment AND timestamp_ms <= $max ORDER BY timestamp_ms ASC, request_id ASC LIMIT $limit";
                select.Parameters.AddWithValue("$max", max);
                select.Parameters.AddWithValue("$limit", maxTraces is > 0 ? maxTraces.Value : -1);
            }
            else
            {
                var index = 0;
                var names = traceIds!.Select(id => SqliteSearchSql.AddParameter(select, id, ref index));
                select.CommandText = $"SELECT request_id FROM trace_info WHERE experiment_id = $experiment AND request_id IN ({string.Join(", ", names)})";
            }

            var ids = new List<string>();
            using (var reader = select.ExecuteReader())
            {
                while (reader.Read())
                {
                    ids.Add(reader.GetString(0));
                }
            }

            foreach (var id in ids)
            {
                DeleteTraceRows(transaction, id);
            }

            return ids.Count;
        }, cancellationToken);
    }

    private void DeleteTraceRows(SqliteTransaction transaction, string traceId)
    {
        string[] deletes =
        [
            "DELETE FROM trace_tags WHERE request_id = $id",
            "DELETE FROM trace_request_metadata WHERE request_id = $id",
            "DELETE FROM assessments WHERE trace_id = $id",
            "DELETE FROM spans WHERE trace_id = $id",
            $"DELETE FROM entity_associations WHERE (source_type = '{TraceSearchSql.TraceEntity}' AND source_id = $id) OR (destination_type = '{TraceSearchSql.TraceEntity}' AND destination_id = $id)",
            "DELETE FROM trace_info WHERE request_id = $id",
        ];
        foreach (var sql in deletes)
        {
            using var command = Command(transaction, sql);
            command.Parameters.AddWithValue("$id", traceId);
            command.ExecuteNonQuery();
        }
    }

    private void RequireTrace(SqliteTransaction transaction, string traceId)
    {
        using var command = Command(transaction, "SELECT 1 FROM trace_info WHERE request_id = $id");
        command.Parameters.AddWithValue("$id", traceId);
        if (command.ExecuteScalar() is null)
        {
            throw TraceNotFound(traceId);
        }
    }

    private static MlflowException TraceNotFound(string traceId) =>
        new(MlflowErrorCode.ResourceDoesNotExist, $"Trace with ID {traceId} not found.");

    private TraceInfo RequireTraceInfo(SqliteTransaction transaction, string traceId) =>
        FindTraceInfo(transaction, traceId) ?? throw TraceNotFound(traceId);

    private TraceInfo? FindTraceInfo(SqliteTransaction transaction, string traceId)
    {
        using var command = Command(transaction, $"SELECT {TraceInfoColumns} FROM trace_info t WHERE t.request_id = $id");
        command.Parameters.AddWithValue("$id", traceId);
        return ReadTraceInfos(transaction, command).FirstOrDefault();
    }

    private List<TraceInfo> ReadTraceInfos(SqliteTransaction transaction, SqliteCommand command)
    {
        var infos = new List<TraceInfo>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
                infos.Add(new TraceInfo
                {
                    TraceId = reader.GetString(0),
                    ExperimentId = reader.GetInt64(1).ToString(CultureInfo.InvariantCulture),
                    RequestTime = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                    ExecutionDuration = reader.IsDBNull(3) ? null : TimeSpan.FromMilliseconds(reader.GetInt64(3)),
                    State = TraceWireMapping.ParseState(reader.GetString(4)),
                    ClientRequestId = Text(5),
                    RequestPreview = Text(6),
                    ResponsePreview = Text(7),
                });
            }
        }

        return infos.Select(info => info with
        {
            Tags = ReadTraceKeyValues(transaction, "trace_tags", info.TraceId),
            Metadata = ReadTraceKeyValues(transaction, "trace_request_metadata", info.TraceId),
            Assessments = ReadAssessments(transaction, info.TraceId),
        }).ToList();
    }

    private Dictionary<string, string> ReadTraceKeyValues(SqliteTransaction transaction, string table, string traceId)
    {
        using var command = Command(transaction, $"SELECT \"key\", value FROM {table} WHERE request_id = $id ORDER BY \"key\"");
        command.Parameters.AddWithValue("$id", traceId);
        using var reader = command.ExecuteReader();
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            result[reader.GetString(0)] = reader.IsDBNull(1) ? "" : reader.GetString(1);
        }

        return result;
    }

    private List<Span> ReadSpans(SqliteTransaction transaction, string traceId)
    {
        using var command = Command(transaction, "SELECT trace_id, span_id, parent_span_id, name, status, start_time_unix_nano, end_time_unix_nano, content FROM spans WHERE trace_id = $id ORDER BY start_time_unix_nano, span_id");
        command.Parameters.AddWithValue("$id", traceId);
        using var reader = command.ExecuteReader();
        var spans = new List<Span>();
        while (reader.Read())
        {
            spans.Add(SpanRow.Read(
                reader.GetString(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4),
                reader.GetInt64(5),
                reader.IsDBNull(6) ? null : reader.GetInt64(6),
                reader.GetString(7)));
        }

        return spans;
    }
}
