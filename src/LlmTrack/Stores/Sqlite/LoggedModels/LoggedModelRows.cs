using System.Globalization;
using Microsoft.Data.Sqlite;

namespace LlmTrack.Stores.Sqlite.LoggedModels;

/// <summary>Reads logged models from the <c>logged_models</c> tables (the caller supplies commands bound to its transaction).</summary>
internal static class LoggedModelRows
{
    /// <summary>The experiment of a model (deleted or not), or <see langword="null"/> when there is no such model.</summary>
    public static long? ExperimentOf(Func<string, SqliteCommand> command, string modelId)
    {
        using var select = command("SELECT experiment_id FROM logged_models WHERE model_id = $id");
        select.Parameters.AddWithValue("$id", modelId);
        return select.ExecuteScalar() is long id ? id : null;
    }

    /// <summary>Whether the model is marked deleted.</summary>
    public static bool IsDeleted(Func<string, SqliteCommand> command, string modelId)
    {
        using var select = command("SELECT lifecycle_stage FROM logged_models WHERE model_id = $id");
        select.Parameters.AddWithValue("$id", modelId);
        return select.ExecuteScalar() is "deleted";
    }

    /// <summary>A model with its tags, params and metrics, or <see langword="null"/> when there is no such row.</summary>
    public static LoggedModel? Read(Func<string, SqliteCommand> command, string modelId)
    {
        LoggedModel model;
        using (var select = command(
            "SELECT model_id, experiment_id, name, artifact_location, creation_timestamp_ms, last_updated_timestamp_ms, status, model_type, source_run_id, status_message " +
            "FROM logged_models WHERE model_id = $id"))
        {
            select.Parameters.AddWithValue("$id", modelId);
            using var reader = select.ExecuteReader();
            if (!reader.Read())
            {
                return null;
            }

            model = new LoggedModel
            {
                ModelId = reader.GetString(0),
                ExperimentId = reader.GetInt64(1).ToString(CultureInfo.InvariantCulture),
                Name = reader.GetString(2),
                ArtifactUri = reader.GetString(3),
                CreationTimestamp = reader.GetInt64(4),
                LastUpdatedTimestamp = reader.GetInt64(5),
                Status = Enum.IsDefined((LoggedModelStatus)reader.GetInt32(6)) ? (LoggedModelStatus)reader.GetInt32(6) : LoggedModelStatus.Unspecified,
                ModelType = reader.IsDBNull(7) ? null : reader.GetString(7),
                SourceRunId = reader.IsDBNull(8) ? null : reader.GetString(8),
                StatusMessage = reader.IsDBNull(9) ? null : reader.GetString(9),
            };
        }

        return model with
        {
            Tags = ReadPairs(command, "SELECT tag_key, tag_value FROM logged_model_tags WHERE model_id = $id ORDER BY tag_key", modelId).Select(p => new Tag(p.Key, p.Value)).ToArray(),
            Params = ReadPairs(command, "SELECT param_key, param_value FROM logged_model_params WHERE model_id = $id ORDER BY param_key", modelId).Select(p => new Param(p.Key, p.Value)).ToArray(),
            Metrics = ReadMetrics(command, modelId),
        };
    }

    private static List<(string Key, string Value)> ReadPairs(Func<string, SqliteCommand> command, string sql, string modelId)
    {
        var pairs = new List<(string, string)>();
        using var select = command(sql);
        select.Parameters.AddWithValue("$id", modelId);
        using var reader = select.ExecuteReader();
        while (reader.Read())
        {
            pairs.Add((reader.GetString(0), reader.GetString(1)));
        }

        return pairs;
    }

    private static LoggedModelMetric[] ReadMetrics(Func<string, SqliteCommand> command, string modelId)
    {
        var metrics = new List<LoggedModelMetric>();
        using var select = command(
            "SELECT metric_name, metric_value, metric_timestamp_ms, metric_step, run_id, dataset_name, dataset_digest FROM logged_model_metrics " +
            "WHERE model_id = $id ORDER BY metric_name, metric_timestamp_ms, metric_step");
        select.Parameters.AddWithValue("$id", modelId);
        using var reader = select.ExecuteReader();
        while (reader.Read())
        {
            metrics.Add(new LoggedModelMetric(reader.GetString(0), reader.IsDBNull(1) ? double.NaN : reader.GetDouble(1), reader.GetInt64(2), reader.GetInt64(3))
            {
                ModelId = modelId,
                RunId = reader.GetString(4),
                DatasetName = reader.IsDBNull(5) ? null : reader.GetString(5),
                DatasetDigest = reader.IsDBNull(6) ? null : reader.GetString(6),
            });
        }

        return [.. metrics];
    }
}
