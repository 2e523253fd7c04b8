using LlmTrack.Model;
using Microsoft.Data.Sqlite;

namespace LlmTrack.Stores.Sqlite.Traces;

/// <summary>
/// SQL for trace search on MLflow's tables (<c>trace_info</c> aliased <c>t</c>, <c>trace_tags</c>,
/// <c>trace_request_metadata</c>, <c>spans</c>, <c>assessments</c>, <c>entity_associations</c>), as MLflow's
/// SqlAlchemyStore filters and orders them.
/// </summary>
internal static class TraceSearchSql
{
    /// <summary>The source and destination types of a trace-to-run link in <c>entity_associations</c>.</summary>
    public const string TraceEntity = "trace";

    /// <summary>The destination type of a run in <c>entity_associations</c>.</summary>
    public const string RunEntity = "run";

    /// <summary>The SQL condition of one clause (parameters added to <paramref name="command"/>).</summary>
    public static string Condition(SqliteCommand command, TraceFilterClause clause, ref int index)
    {
        switch (clause.Entity)
        {
            case TraceFilterEntity.Tag:
                return KeyValueExists(command, "trace_tags", clause.Key, clause, ref index);
            case TraceFilterEntity.Metadata:
                return KeyValueExists(command, "trace_request_metadata", clause.Key, clause, ref index);
            case TraceFilterEntity.Span:
                var column = clause.Key.ToLowerInvariant() switch
                {
                    "name" => "s.name",
                    "type" => "s.type",
                    _ => throw TraceFilter.Invalid($"Invalid span attribute '{clause.Key}'. Valid attributes are ['name', 'type']"),
                };
                return $"EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.request_id AND {Compare(command, column, clause, false, ref index)})";
            case TraceFilterEntity.Feedback or TraceFilterEntity.Expectation:
                return AssessmentExists(command, clause, ref index);
            default:
                return AttributeCondition(command, clause, ref index);
        }
    }

    /// <summary>The ORDER BY expression of one <c>order_by</c> item (<c>timestamp_ms DESC</c>, <c>attributes.status</c>, …).</summary>
    public static string Order(string orderBy)
    {
        var parts = orderBy.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is 0 or > 2 || (parts.Length == 2 && parts[1].ToUpperInvariant() is not ("ASC" or "DESC")))
        {
            throw TraceFilter.Invalid($"Invalid order_by clause '{orderBy}'. Could not be parsed.");
        }

        var key = parts[0];
        var dot = key.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0 && key[..dot].ToLowerInvariant() is "attribute" or "attributes" or "trace")
        {
            key = key[(dot + 1)..];
        }

        var column = key.ToLowerInvariant() switch
        {
            "timestamp_ms" or "timestamp" or "request_time" => "t.timestamp_ms",
            "execution_time_ms" or "execution_time" or "execution_duration" => "t.execution_time_ms",
            "status" or "state" => "t.status",
            "request_id" or "trace_id" => "t.request_id",
            _ => throw TraceFilter.Invalid($"Invalid order_by entity '{parts[0]}'. Valid attributes are ['timestamp_ms', 'execution_time_ms', 'status', 'request_id']"),
        };
        var descending = parts.Length == 2 && parts[1].Equals("DESC", StringComparison.OrdinalIgnoreCase);
        return column + (descending ? " DESC" : " ASC");
    }

    private static string AttributeCondition(SqliteCommand command, TraceFilterClause clause, ref int index)
    {
        switch (clause.Key.ToLowerInvariant())
        {
            case "status" or "state":
                return Compare(command, "t.status", clause, false, ref index);
            case "timestamp_ms" or "timestamp" or "request_time":
                return Compare(command, "t.timestamp_ms", clause, true, ref index);
            case "execution_time_ms" or "execution_time" or "execution_duration":
                return Compare(command, "t.execution_time_ms", clause, true, ref index);
            case "request_id" or "trace_id":
                return Compare(command, "t.request_id", clause, false, ref index);
            case "client_request_id":
                return Compare(command, "t.client_request_id", clause, false, ref index);
            case "name":
                return KeyValueExists(command, "trace_tags", MlflowTags.TraceName, clause, ref index);
            case "run_id":
                if (clause.Comparator != "=")
                {
                    throw TraceFilter.Invalid($"Invalid comparator '{clause.Comparator}' for run_id. Only '=' is supported.");
                }

                var run = SqliteSearchSql.AddParameter(command, clause.Values[0], ref index);
                var key = SqliteSearchSql.AddParameter(command, MlflowTags.TraceSourceRun, ref index);
                return $"(EXISTS (SELECT 1 FROM trace_request_metadata m WHERE m.request_id = t.request_id AND m.\"key\" = {key} AND m.value = {run}) " +
                    $"OR EXISTS (SELECT 1 FROM entity_associations e WHERE e.source_type = '{TraceEntity}' AND e.source_id = t.request_id AND e.destination_type = '{RunEntity}' AND e.destination_id = {run}))";
            default:
                throw TraceFilter.Invalid($"Invalid attribute key '{clause.Key}' specified. Valid keys are ['status', 'timestamp_ms', 'execution_time_ms', 'request_id', 'client_request_id', 'name', 'run_id']");
        }
    }

    private static string KeyValueExists(SqliteCommand command, string table, string key, TraceFilterClause clause, ref int index)
    {
        var name = SqliteSearchSql.AddParameter(command, key, ref index);
        return $"EXISTS (SELECT 1 FROM {table} k WHERE k.request_id = t.request_id AND k.\"key\" = {name} AND {Compare(command, "k.value", clause, false, ref index)})";
    }

    /// <summary>
    /// A feedback or expectation with the name and a value equal to the given one: assessment values are stored as
    /// Python's <c>json.dumps</c> text, so <c>'0.3'</c> matches the number 0.3 and <c>'yes'</c> the string "yes".
    /// </summary>
    private static string AssessmentExists(SqliteCommand command, TraceFilterClause clause, ref int index)
    {
        if (clause.Comparator is not ("=" or "!="))
        {
            throw TraceFilter.Invalid($"Invalid comparator '{clause.Comparator}' for assessment filters. Only '=' and '!=' are supported.");
        }

        var type = clause.Entity == TraceFilterEntity.Feedback ? "feedback" : "expectation";
        var name = SqliteSearchSql.AddParameter(command, clause.Key, ref index);
        var raw = SqliteSearchSql.AddParameter(command, clause.Values[0], ref index);
        var quoted = SqliteSearchSql.AddParameter(command, LlmTrack.Metrics.Text.PythonJson.QuoteString(clause.Values[0]), ref index);
        var match = $"(a.value = {raw} OR a.value = {quoted})";
        return $"EXISTS (SELECT 1 FROM assessments a WHERE a.trace_id = t.request_id AND a.assessment_type = '{type}' AND a.name = {name} AND a.valid = 1 AND {(clause.Comparator == "=" ? match : "NOT " + match)})";
    }

    private static string Compare(SqliteCommand command, string column, TraceFilterClause clause, bool numeric, ref int index)
    {
        if (numeric && clause.IsQuoted && clause.Comparator is not ("IN" or "NOT IN"))
        {
            numeric = double.TryParse(clause.Values[0], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);
        }

        if (numeric && !double.TryParse(clause.Values[0], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            throw TraceFilter.Invalid($"Invalid numeric value '{clause.Values[0]}' for '{clause.Key}'.");
        }

        var searchClause = new SearchClause(SearchEntity.Attribute, clause.Key, clause.Comparator, clause.Values, clause.IsQuoted);
        return SqliteSearchSql.Comparison(command, column, searchClause, numeric, ref index);
    }
}
