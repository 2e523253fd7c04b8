using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace LlmTrack.Stores.Sqlite.LoggedModels;

/// <summary>
/// The SQL of a logged-model search, with SqlAlchemyStore's semantics: attribute comparisons on <c>logged_models</c>;
/// a metric comparison matches a model with any point of that metric satisfying it (on one of the <c>datasets</c>, when
/// given); params and tags by key and value; <c>datasets</c> alone keeps models with a metric on one of them; deleted
/// models never match; metric ordering uses the latest point (timestamp, then step) and sorts missing values last;
/// without an explicit creation-time order the newest model comes first.
/// </summary>
internal static class LoggedModelSearchSql
{
    /// <summary>MLflow's default page size of a logged-model search.</summary>
    public const int DefaultMaxResults = 100;

    /// <summary>Fills <paramref name="command"/> with the query; it returns model ids.</summary>
    public static void Build(SqliteCommand command, IReadOnlyList<string> experimentIds, IReadOnlyList<SearchClause> clauses, IReadOnlyList<LoggedModelOrder>? orderBy, IReadOnlyList<LoggedModelDatasetFilter>? datasets, int offset, int limit)
    {
        var index = 0;
        var sql = new StringBuilder("SELECT m.model_id FROM logged_models m");
        var order = new List<string>();
        var hasCreationOrder = false;
        foreach (var item in orderBy ?? [])
        {
            if (!item.FieldName.StartsWith("metrics.", StringComparison.Ordinal))
            {
                if (item.FieldName.Contains('.', StringComparison.Ordinal))
                {
                    throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"Invalid order by field name: {item.FieldName}. Only metrics are supported.");
                }

                var column = Column(item.FieldName);
                hasCreationOrder |= column == "creation_timestamp_ms";
                order.Add($"(m.{column} IS NULL), m.{column} {(item.Ascending ? "ASC" : "DESC")}");
                continue;
            }

            var alias = "o" + order.Count.ToString(CultureInfo.InvariantCulture);
            var datasetCondition = new StringBuilder();
            if (item.DatasetName is not null)
            {
                datasetCondition.Append(" AND x.dataset_name = ").Append(SqliteSearchSql.AddParameter(command, item.DatasetName, ref index));
            }

            if (item.DatasetDigest is not null)
            {
                datasetCondition.Append(" AND x.dataset_digest = ").Append(SqliteSearchSql.AddParameter(command, item.DatasetDigest, ref index));
            }

            var key = SqliteSearchSql.AddParameter(command, item.FieldName["metrics.".Length..], ref index);
            sql.Append(CultureInfo.InvariantCulture, $" LEFT JOIN (SELECT model_id, metric_value FROM (SELECT x.model_id, x.metric_value, RANK() OVER (PARTITION BY x.model_id ORDER BY x.metric_timestamp_ms DESC, x.metric_step DESC) AS r FROM logged_model_metrics x WHERE x.metric_name = {key}{datasetCondition}) WHERE r = 1) {alias} ON {alias}.model_id = m.model_id");
            order.Add($"({alias}.metric_value IS NULL), {alias}.metric_value {(item.Ascending ? "ASC" : "DESC")}");
        }

        if (!hasCreationOrder)
        {
            order.Add("m.creation_timestamp_ms DESC");
        }

        var where = new List<string> { "m.lifecycle_stage != 'deleted'" };
        var ids = experimentIds.Select(id => SqliteSearchSql.AddParameter(command, long.TryParse(id, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : -1L, ref index));
        where.Add($"m.experiment_id IN ({string.Join(", ", ids)})");
        var datasetFilter = DatasetCondition(command, datasets, ref index);
        var hasMetricFilter = false;
        foreach (var clause in clauses)
        {
            switch (clause.Entity)
            {
                case SearchEntity.Attribute:
                    var column = Column(clause.Key);
                    where.Add(SqliteSearchSql.Comparison(command, "m." + column, clause, column is "creation_timestamp_ms" or "last_updated_timestamp_ms", ref index));
                    break;
                case SearchEntity.Metric:
                    hasMetricFilter = true;
                    var metricKey = SqliteSearchSql.AddParameter(command, clause.Key, ref index);
                    var comparison = SqliteSearchSql.Comparison(command, "x.metric_value", clause, numeric: true, ref index);
                    where.Add($"m.model_id IN (SELECT x.model_id FROM logged_model_metrics x WHERE x.metric_name = {metricKey} AND {comparison}{(datasetFilter is null ? "" : " AND " + datasetFilter)})");
                    break;
                case SearchEntity.Param:
                    where.Add(KeyValue(command, "logged_model_params", "param_key", "param_value", clause, ref index));
                    break;
                default:
                    where.Add(KeyValue(command, "logged_model_tags", "tag_key", "tag_value", clause, ref index));
                    break;
            }
        }

        if (datasetFilter is not null && !hasMetricFilter)
        {
            where.Add($"m.model_id IN (SELECT x.model_id FROM logged_model_metrics x WHERE {datasetFilter})");
        }

        sql.Append(" WHERE ").AppendJoin(" AND ", where).Append(" ORDER BY ").AppendJoin(", ", order).Append(", m.model_id");
        sql.Append(" LIMIT ").Append(SqliteSearchSql.AddParameter(command, limit, ref index)).Append(" OFFSET ").Append(SqliteSearchSql.AddParameter(command, offset, ref index));
        command.CommandText = sql.ToString();
    }

    private static string? DatasetCondition(SqliteCommand command, IReadOnlyList<LoggedModelDatasetFilter>? datasets, ref int index)
    {
        if (datasets is not { Count: > 0 })
        {
            return null;
        }

        var parts = new List<string>();
        foreach (var dataset in datasets)
        {
            if (string.IsNullOrEmpty(dataset.DatasetName))
            {
                throw new MlflowException(MlflowErrorCode.InvalidParameterValue, "`dataset_name` in the `datasets` clause must be specified.");
            }

            var part = "x.dataset_name = " + SqliteSearchSql.AddParameter(command, dataset.DatasetName, ref index);
            if (dataset.DatasetDigest is not null)
            {
                part += " AND x.dataset_digest = " + SqliteSearchSql.AddParameter(command, dataset.DatasetDigest, ref index);
            }

            parts.Add("(" + part + ")");
        }

        return "(" + string.Join(" OR ", parts) + ")";
    }

    private static string KeyValue(SqliteCommand command, string table, string keyColumn, string valueColumn, SearchClause clause, ref int index)
    {
        var key = SqliteSearchSql.AddParameter(command, clause.Key, ref index);
        var comparison = SqliteSearchSql.Comparison(command, "x." + valueColumn, clause, numeric: false, ref index);
        return $"m.model_id IN (SELECT x.model_id FROM {table} x WHERE x.{keyColumn} = {key} AND {comparison})";
    }

    /// <summary>The column of an attribute, with MLflow's aliases (<c>creation_time</c>, <c>last_updated_timestamp</c>).</summary>
    private static string Column(string attribute) => attribute switch
    {
        "creation_time" or "creation_timestamp" or "creation_timestamp_ms" => "creation_timestamp_ms",
        "last_updated_timestamp" or "last_updated_timestamp_ms" => "last_updated_timestamp_ms",
        "name" or "model_id" or "model_type" or "status" or "source_run_id" or "experiment_id" => attribute,
        _ => throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"Invalid attribute key '{attribute}' for logged models."),
    };
}
