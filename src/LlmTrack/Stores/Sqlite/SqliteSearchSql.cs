using System.Globalization;
using LlmTrack.Model;
using Microsoft.Data.Sqlite;

namespace LlmTrack.Stores.Sqlite;

/// <summary>
/// MLflow's search filters and orderings (parsed by <see cref="SearchFilter"/>) as SQLite SQL with parameters, for runs
/// and experiments, with the semantics and error messages of MLflow's SQL store.
/// </summary>
internal static class SqliteSearchSql
{
    /// <summary>SQL for one filter clause on runs (alias <c>r</c>): metrics, params, tags and attributes, as MLflow's SQL store reads them.</summary>
    public static string RunCondition(SqliteCommand command, SearchClause clause, ref int index)
    {
        if (clause.Comparator is "IN" or "NOT IN" && !(clause.Entity == SearchEntity.Attribute && clause.Key == "run_id"))
        {
            throw new MlflowException(MlflowErrorCode.InvalidParameterValue, "Only the 'run_id' attribute supports comparison with a list of quoted string values.");
        }

        switch (clause.Entity)
        {
            case SearchEntity.Metric:
                if (clause.Comparator is "LIKE" or "ILIKE")
                {
                    throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"Invalid comparator '{clause.Comparator}' not one of '{{'!=', '>=', '<=', '>', '<', '='}}'");
                }

                if (clause.IsQuoted)
                {
                    throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"Expected numeric value type for metric. Found '{string.Join(", ", clause.Values)}'");
                }

                var metricKey = AddParameter(command, clause.Key, ref index);
                return $"EXISTS (SELECT 1 FROM latest_metrics m WHERE m.run_uuid = r.run_uuid AND m.\"key\" = {metricKey} AND {Comparison(command, "m.value", clause, true, ref index)})";
            case SearchEntity.Param or SearchEntity.Tag:
                if (!clause.IsQuoted)
                {
                    throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"Parameter value is either not quoted or unidentified quote types used for string value {clause.Values[0]}. Use either single or double quotes.");
                }

                var table = clause.Entity == SearchEntity.Param ? "params" : "tags";
                var key = AddParameter(command, clause.Key, ref index);
                return $"EXISTS (SELECT 1 FROM {table} x WHERE x.run_uuid = r.run_uuid AND x.\"key\" = {key} AND {Comparison(command, "x.value", clause, false, ref index)})";
            default:
                var attribute = RunAttribute(clause.Key);
                if (attribute.Numeric == clause.IsQuoted)
                {
                    throw new MlflowException(
                        MlflowErrorCode.InvalidParameterValue,
                        attribute.Numeric
                            ? $"Expected numeric value type for attribute '{clause.Key}'. Found {clause.Values[0]}"
                            : $"Parameter value is either not quoted or unidentified quote types used for string value {clause.Values[0]}. Use either single or double quotes.");
                }

                if (attribute.Column == "run_name")
                {
                    // Like MLflow: attributes.run_name filters on the mlflow.runName tag.
                    var nameKey = AddParameter(command, MlflowTags.RunName, ref index);
                    return $"EXISTS (SELECT 1 FROM tags x WHERE x.run_uuid = r.run_uuid AND x.\"key\" = {nameKey} AND {Comparison(command, "x.value", clause, false, ref index)})";
                }

                return Comparison(command, "r." + attribute.Column, clause, attribute.Numeric, ref index);
        }
    }

    /// <summary>SQL for <c>ORDER BY</c> on runs: MLflow's null and NaN ordering, then start time (unless ordered) and run id.</summary>
    public static string RunOrder(SqliteCommand command, List<SearchOrder> orders, ref int index)
    {
        var parts = new List<string>();
        var seen = new HashSet<(SearchEntity, string)>();
        var startTimeOrdered = false;
        foreach (var order in orders)
        {
            var direction = order.Ascending ? "ASC" : "DESC";
            string value;
            if (order.Entity == SearchEntity.Attribute)
            {
                var attribute = OrderAttribute(order.Key);
                var column = attribute.Column == "run_name" ? "name" : attribute.Column;
                startTimeOrdered |= column == "start_time";
                value = "r." + column;
                parts.Add($"CASE WHEN {value} IS NULL THEN 1 ELSE 0 END");
            }
            else
            {
                var table = order.Entity switch
                {
                    SearchEntity.Metric => "latest_metrics",
                    SearchEntity.Param => "params",
                    _ => "tags",
                };
                var key = AddParameter(command, order.Key, ref index);
                value = $"(SELECT o.value FROM {table} o WHERE o.run_uuid = r.run_uuid AND o.\"key\" = {key})";
                // Like MLflow: NaN metrics, then missing values, sort last whatever the direction.
                parts.Add(order.Entity == SearchEntity.Metric
                    ? $"CASE WHEN (SELECT o.is_nan FROM latest_metrics o WHERE o.run_uuid = r.run_uuid AND o.\"key\" = {key}) = 1 THEN 1 WHEN {value} IS NULL THEN 2 ELSE 0 END"
                    : $"CASE WHEN {value} IS NULL THEN 1 ELSE 0 END");
            }

            if (!seen.Add((order.Entity, order.Key)))
            {
                throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"`order_by` contains duplicate fields: {order.Key}");
            }

            parts.Add($"{value} {direction}");
        }

        if (!startTimeOrdered)
        {
            parts.Add("r.start_time DESC");
        }

        parts.Add("r.run_uuid");
        return string.Join(", ", parts);
    }

    /// <summary>The <c>runs</c> column of a run attribute of the filter grammar, and whether it is numeric.</summary>
    private static (string Column, bool Numeric) RunAttribute(string key) => key switch
    {
        "run_id" => ("run_uuid", false),
        "run_name" => ("run_name", false),
        "status" => ("status", false),
        "user_id" => ("user_id", false),
        "artifact_uri" => ("artifact_uri", false),
        "lifecycle_stage" => ("lifecycle_stage", false),
        "start_time" or "created" or "Created" => ("start_time", true),
        "end_time" => ("end_time", true),
        _ => throw new MlflowException(
            MlflowErrorCode.InvalidParameterValue,
            $"Invalid attribute key '{key}' specified. Valid keys are '{{'run_id', 'run_name', 'status', 'user_id', 'artifact_uri', 'lifecycle_stage', 'start_time', 'end_time', 'created', 'Created'}}'"),
    };

    /// <summary>The <c>runs</c> column of an <c>order_by</c> attribute, with MLflow's error for any other key.</summary>
    private static (string Column, bool Numeric) OrderAttribute(string key) => key switch
    {
        "lifecycle_stage" => throw InvalidOrderKey(key),
        _ when s_orderAttributes.Contains(key) => RunAttribute(key),
        _ => throw InvalidOrderKey(key),
    };

    private static readonly HashSet<string> s_orderAttributes = new(StringComparer.Ordinal) { "end_time", "Created", "status", "start_time", "user_id", "run_id", "artifact_uri", "run_name", "created" };

    private static MlflowException InvalidOrderKey(string key) => new(
        MlflowErrorCode.InvalidParameterValue,
        $"Invalid attribute key '{key}' specified. Valid keys are '{{'end_time', 'Created', 'status', 'start_time', 'user_id', 'run_id', 'artifact_uri', 'run_name', 'created'}}'");

    /// <summary>SQL for one filter clause on experiments (alias <c>e</c>): attributes and tags.</summary>
    public static string ExperimentCondition(SqliteCommand command, SearchClause clause, ref int index)
    {
        switch (clause.Entity)
        {
            case SearchEntity.Attribute:
                var column = ExperimentColumn(clause.Key);
                var numeric = column is "e.creation_time" or "e.last_update_time" or "e.experiment_id";
                if (numeric == clause.IsQuoted && column != "e.experiment_id")
                {
                    throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"Invalid value type for attribute '{clause.Key}' in search filter.");
                }

                return Comparison(command, column, clause, numeric, ref index);
            case SearchEntity.Tag:
                var key = AddParameter(command, clause.Key, ref index);
                return $"EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = e.experiment_id AND t.\"key\" = {key} AND {Comparison(command, "t.value", clause, false, ref index)})";
            default:
                throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"Invalid token type: {clause.Entity.ToString().ToLowerInvariant()} (experiments can be searched by name, times and tags).");
        }
    }

    /// <summary>The <c>experiments</c> column of an experiment attribute of the filter grammar.</summary>
    public static string ExperimentColumn(string attribute) => attribute.ToLowerInvariant() switch
    {
        "name" => "e.name",
        "creation_time" => "e.creation_time",
        "last_update_time" => "e.last_update_time",
        "experiment_id" => "e.experiment_id",
        _ => throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"Invalid attribute key '{attribute}' specified. Valid keys are 'name', 'creation_time', 'last_update_time', 'experiment_id'."),
    };

    /// <summary>SQL selecting the lifecycle stages of <paramref name="viewType"/>.</summary>
    public static string LifecycleCondition(string column, ViewType viewType) => viewType switch
    {
        ViewType.ActiveOnly => $"{column} = 'active'",
        ViewType.DeletedOnly => $"{column} = 'deleted'",
        _ => $"{column} IN ('active', 'deleted')",
    };

    /// <summary>Adds a parameter and returns its name.</summary>
    public static string AddParameter(SqliteCommand command, object value, ref int index)
    {
        var name = "$p" + index.ToString(CultureInfo.InvariantCulture);
        index++;
        command.Parameters.AddWithValue(name, value);
        return name;
    }

    /// <summary>SQL for <c>column comparator value</c> with MLflow's comparator semantics on SQLite.</summary>
    internal static string Comparison(SqliteCommand command, string column, SearchClause clause, bool numeric, ref int index)
    {
        object Value(string raw) => numeric
            ? double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture)
            : raw;

        switch (clause.Comparator)
        {
            case "=" or "!=":
                return $"{column} {clause.Comparator} {AddParameter(command, Value(clause.Values[0]), ref index)}";
            case "<" or "<=" or ">" or ">=":
                if (!numeric)
                {
                    throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"Invalid comparator '{clause.Comparator}' not one of '['!=', '=', 'LIKE', 'ILIKE']'");
                }

                return $"{column} {clause.Comparator} {AddParameter(command, Value(clause.Values[0]), ref index)}";
            case "LIKE" or "ILIKE" when numeric:
                throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"Invalid comparator '{clause.Comparator}' not one of '['=', '!=', '>', '>=', '<', '<=']'");
            case "LIKE":
                return $"{column} GLOB {AddParameter(command, SearchFilter.LikeToGlob(clause.Values[0]), ref index)}";
            case "ILIKE":
                return $"LOWER({column}) LIKE LOWER({AddParameter(command, clause.Values[0], ref index)})";
            default:
                var names = new List<string>();
                foreach (var value in clause.Values)
                {
                    names.Add(AddParameter(command, Value(value), ref index));
                }

                return $"{column} {clause.Comparator} ({string.Join(", ", names)})";
        }
    }
}
