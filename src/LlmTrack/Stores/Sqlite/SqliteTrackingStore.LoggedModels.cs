using System.Globalization;
using Microsoft.Data.Sqlite;
using LlmTrack.Stores.Sqlite.LoggedModels;

namespace LlmTrack.Stores.Sqlite;

/// <summary>
/// MLflow 3 logged models in the local database, with the rows MLflow's SqlAlchemyStore writes: <c>logged_models</c>
/// (id <c>m-</c> + 32 hex, status as its integer 1 pending / 2 ready / 3 upload failed, artifact location
/// <c>&lt;experiment root&gt;/models/&lt;id&gt;/artifacts</c>), <c>logged_model_params</c>, <c>logged_model_tags</c>,
/// <c>logged_model_metrics</c>, and the run links in <c>inputs</c> (<c>RUN_OUTPUT</c>→<c>MODEL_OUTPUT</c> with a step,
/// <c>RUN_INPUT</c>→<c>MODEL_INPUT</c>).
/// </summary>
internal sealed partial class SqliteTrackingStore : ILoggedModelStore
{
    /// <inheritdoc />
    public Task<LoggedModel> CreateLoggedModelAsync(string experimentId, string? name, string? sourceRunId, string? modelType, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, CancellationToken cancellationToken) =>
        ExecuteAsync(write: true, transaction =>
        {
            var experiment = GetExperiment(transaction, experimentId);
            CheckExperimentActive(experiment);
            var experimentKey = ParseExperimentId(experiment.ExperimentId);
            var modelId = "m-" + Guid.NewGuid().ToString("N");
            var now = NowMilliseconds();
            var root = experiment.ArtifactLocation ?? JoinUri(DefaultArtifactRoot, experiment.ExperimentId);
            using (var insert = Command(
                transaction,
                "INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, creation_timestamp_ms, last_updated_timestamp_ms, status, lifecycle_stage, model_type, source_run_id, status_message) " +
                "VALUES ($id, $experiment, $name, $location, $now, $now, $status, 'active', $type, $run, NULL)"))
            {
                insert.Parameters.AddWithValue("$id", modelId);
                insert.Parameters.AddWithValue("$experiment", experimentKey);
                insert.Parameters.AddWithValue("$name", string.IsNullOrEmpty(name) ? RunNameGenerator.Generate() : name);
                insert.Parameters.AddWithValue("$location", JoinUri(root, "models", modelId, "artifacts"));
                insert.Parameters.AddWithValue("$now", now);
                insert.Parameters.AddWithValue("$status", (int)LoggedModelStatus.Pending);
                insert.Parameters.AddWithValue("$type", string.IsNullOrEmpty(modelType) ? DBNull.Value : modelType);
                insert.Parameters.AddWithValue("$run", string.IsNullOrEmpty(sourceRunId) ? DBNull.Value : sourceRunId);
                insert.ExecuteNonQuery();
            }

            InsertModelParams(transaction, modelId, experimentKey, parameters);
            UpsertModelTags(transaction, modelId, experimentKey, tags);
            return LoggedModelRows.Read(Sql(transaction), modelId) ?? throw ModelNotFound(modelId);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<LoggedModel> GetLoggedModelAsync(string modelId, CancellationToken cancellationToken) =>
        ExecuteAsync(write: false, transaction =>
        {
            var model = LoggedModelRows.Read(Sql(transaction), modelId);
            return model is null || LoggedModelRows.IsDeleted(Sql(transaction), modelId) ? throw ModelNotFound(modelId) : model;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<LoggedModel> FinalizeLoggedModelAsync(string modelId, LoggedModelStatus status, CancellationToken cancellationToken) =>
        ExecuteAsync(write: true, transaction =>
        {
            RequireLoggedModel(transaction, modelId);
            using (var update = Command(transaction, "UPDATE logged_models SET status = $status, last_updated_timestamp_ms = $now WHERE model_id = $id"))
            {
                update.Parameters.AddWithValue("$status", (int)status);
                update.Parameters.AddWithValue("$now", NowMilliseconds());
                update.Parameters.AddWithValue("$id", modelId);
                update.ExecuteNonQuery();
            }

            return LoggedModelRows.Read(Sql(transaction), modelId) ?? throw ModelNotFound(modelId);
        }, cancellationToken);

    /// <inheritdoc />
    public Task SetLoggedModelTagsAsync(string modelId, IReadOnlyList<Tag> tags, CancellationToken cancellationToken) =>
        ExecuteAsync(write: true, transaction => UpsertModelTags(transaction, modelId, RequireLoggedModel(transaction, modelId), tags), cancellationToken);

    /// <inheritdoc />
    public Task DeleteLoggedModelTagAsync(string modelId, string key, CancellationToken cancellationToken) =>
        ExecuteAsync(write: true, transaction =>
        {
            RequireLoggedModel(transaction, modelId);
            using var delete = Command(transaction, "DELETE FROM logged_model_tags WHERE model_id = $id AND tag_key = $key");
            delete.Parameters.AddWithValue("$id", modelId);
            delete.Parameters.AddWithValue("$key", key);
            if (delete.ExecuteNonQuery() == 0)
            {
                throw new MlflowException(MlflowErrorCode.ResourceDoesNotExist, $"No tag with key '{key}' found for model with ID '{modelId}'.");
            }
        }, cancellationToken);

    /// <inheritdoc />
    public Task LogLoggedModelParamsAsync(string modelId, IReadOnlyList<Param> parameters, CancellationToken cancellationToken) =>
        ExecuteAsync(write: true, transaction => InsertModelParams(transaction, modelId, RequireLoggedModel(transaction, modelId), parameters), cancellationToken);

    /// <inheritdoc />
    public Task DeleteLoggedModelAsync(string modelId, CancellationToken cancellationToken) =>
        ExecuteAsync(write: true, transaction =>
        {
            RequireLoggedModel(transaction, modelId);
            using var update = Command(transaction, "UPDATE logged_models SET lifecycle_stage = 'deleted', last_updated_timestamp_ms = $now WHERE model_id = $id");
            update.Parameters.AddWithValue("$now", NowMilliseconds());
            update.Parameters.AddWithValue("$id", modelId);
            update.ExecuteNonQuery();
        }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Unlike the recorded 3.6 server (whose old sqlparse refused them), <c>A AND B</c> filters and metric ordering work here.</remarks>
    public Task<Page<LoggedModel>> SearchLoggedModelsAsync(IReadOnlyList<string> experimentIds, string? filter, IReadOnlyList<LoggedModelOrder>? orderBy, IReadOnlyList<LoggedModelDatasetFilter>? datasets, int? maxResults, string? pageToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(experimentIds);
        var clauses = SearchFilter.Parse(filter);
        var offset = SearchFilter.ParsePageToken(pageToken);
        var limit = maxResults is > 0 ? maxResults.Value : LoggedModelSearchSql.DefaultMaxResults;
        return ExecuteAsync(write: false, transaction =>
        {
            using var command = Command(transaction, "");
            LoggedModelSearchSql.Build(command, experimentIds, clauses, orderBy, datasets, offset, limit + 1);
            var ids = new List<string>();
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    ids.Add(reader.GetString(0));
                }
            }

            var items = ids.Take(limit).Select(id => LoggedModelRows.Read(Sql(transaction), id)!).ToArray();
            return new Page<LoggedModel>(items, ids.Count > limit ? SearchFilter.CreatePageToken(offset + limit) : null);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task LogOutputsAsync(string runId, IReadOnlyList<LoggedModelOutput> models, CancellationToken cancellationToken) =>
        ExecuteAsync(write: true, transaction =>
        {
            CheckRunActive(GetRunInfo(transaction, runId));
            foreach (var model in models)
            {
                InsertRunLink(transaction, "RUN_OUTPUT", runId, "MODEL_OUTPUT", model.ModelId, model.Step);
            }
        }, cancellationToken);

    /// <inheritdoc />
    public Task LogModelInputsAsync(string runId, IReadOnlyList<string> modelIds, CancellationToken cancellationToken) =>
        ExecuteAsync(write: true, transaction =>
        {
            CheckRunActive(GetRunInfo(transaction, runId));
            foreach (var modelId in modelIds)
            {
                InsertRunLink(transaction, "RUN_INPUT", runId, "MODEL_INPUT", modelId, 0);
            }
        }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// One transaction: the points go to <c>metrics</c>/<c>latest_metrics</c> like any run metric and, as SqlAlchemyStore
    /// does for a metric with a model id, to <c>logged_model_metrics</c> (with the run's experiment; a model id that does not
    /// exist is accepted, as the server does, and only kept as a run metric).
    /// </remarks>
    public Task LogModelMetricsAsync(string runId, IReadOnlyList<LoggedModelMetric> metrics, CancellationToken cancellationToken) =>
        ExecuteAsync(write: true, transaction =>
        {
            var run = GetRunInfo(transaction, runId);
            CheckRunActive(run);
            LogMetrics(transaction, runId, [.. metrics.Select(m => new Metric(m.Key, m.Value, m.Timestamp, m.Step))]);
            foreach (var metric in metrics)
            {
                if (string.IsNullOrEmpty(metric.ModelId) || LoggedModelRows.ExperimentOf(Sql(transaction), metric.ModelId) is null)
                {
                    continue;
                }

                using var insert = Command(
                    transaction,
                    "INSERT OR REPLACE INTO logged_model_metrics (model_id, metric_name, metric_timestamp_ms, metric_step, metric_value, experiment_id, run_id, dataset_uuid, dataset_name, dataset_digest) " +
                    "VALUES ($model, $key, $timestamp, $step, $value, $experiment, $run, NULL, $dataset, $digest)");
                insert.Parameters.AddWithValue("$model", metric.ModelId);
                insert.Parameters.AddWithValue("$key", metric.Key);
                insert.Parameters.AddWithValue("$timestamp", metric.Timestamp);
                insert.Parameters.AddWithValue("$step", metric.Step);
                insert.Parameters.AddWithValue("$value", double.IsNaN(metric.Value) ? DBNull.Value : ToStoredValue(metric.Value).Stored);
                insert.Parameters.AddWithValue("$experiment", long.Parse(run.ExperimentId, CultureInfo.InvariantCulture));
                insert.Parameters.AddWithValue("$run", runId);
                insert.Parameters.AddWithValue("$dataset", (object?)metric.DatasetName ?? DBNull.Value);
                insert.Parameters.AddWithValue("$digest", (object?)metric.DatasetDigest ?? DBNull.Value);
                insert.ExecuteNonQuery();
            }
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<ArtifactFile>> ListLoggedModelArtifactsAsync(string modelId, string? path, CancellationToken cancellationToken)
    {
        var model = await GetLoggedModelAsync(modelId, cancellationToken).ConfigureAwait(false);
        return await GetArtifactRepository(model.ArtifactUri).ListAsync(string.IsNullOrEmpty(path) ? null : path, cancellationToken).ConfigureAwait(false);
    }

    private Func<string, SqliteCommand> Sql(SqliteTransaction transaction) => sql => Command(transaction, sql);

    private static MlflowException ModelNotFound(string modelId) =>
        new(MlflowErrorCode.ResourceDoesNotExist, $"Logged model with ID '{modelId}' not found.");

    /// <summary>The model's experiment id (deleted models included, as MLflow's <c>session.get</c>); throws when missing.</summary>
    private long RequireLoggedModel(SqliteTransaction transaction, string modelId) =>
        LoggedModelRows.ExperimentOf(Sql(transaction), modelId) ?? throw ModelNotFound(modelId);

    private void InsertModelParams(SqliteTransaction transaction, string modelId, long experimentId, IReadOnlyList<Param> parameters)
    {
        foreach (var param in parameters)
        {
            using var insert = Command(transaction, "INSERT INTO logged_model_params (model_id, experiment_id, param_key, param_value) VALUES ($id, $experiment, $key, $value)");
            insert.Parameters.AddWithValue("$id", modelId);
            insert.Parameters.AddWithValue("$experiment", experimentId);
            insert.Parameters.AddWithValue("$key", param.Key);
            insert.Parameters.AddWithValue("$value", param.Value);
            try
            {
                insert.ExecuteNonQuery();
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode == 19)
            {
                throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"The logged model '{modelId}' already has a param '{param.Key}'; params are immutable.");
            }
        }
    }

    private void UpsertModelTags(SqliteTransaction transaction, string modelId, long experimentId, IReadOnlyList<Tag> tags)
    {
        foreach (var tag in tags)
        {
            using var upsert = Command(
                transaction,
                "INSERT INTO logged_model_tags (model_id, experiment_id, tag_key, tag_value) VALUES ($id, $experiment, $key, $value) " +
                "ON CONFLICT (model_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value");
            upsert.Parameters.AddWithValue("$id", modelId);
            upsert.Parameters.AddWithValue("$experiment", experimentId);
            upsert.Parameters.AddWithValue("$key", tag.Key);
            upsert.Parameters.AddWithValue("$value", tag.Value);
            upsert.ExecuteNonQuery();
        }
    }

    private void InsertRunLink(SqliteTransaction transaction, string sourceType, string runId, string destinationType, string modelId, long step)
    {
        using var insert = Command(
            transaction,
            "INSERT OR IGNORE INTO inputs (input_uuid, source_type, source_id, destination_type, destination_id, step) VALUES ($uuid, $sourceType, $run, $destinationType, $model, $step)");
        insert.Parameters.AddWithValue("$uuid", Guid.NewGuid().ToString("N"));
        insert.Parameters.AddWithValue("$sourceType", sourceType);
        insert.Parameters.AddWithValue("$run", runId);
        insert.Parameters.AddWithValue("$destinationType", destinationType);
        insert.Parameters.AddWithValue("$model", modelId);
        insert.Parameters.AddWithValue("$step", step);
        insert.ExecuteNonQuery();
    }
}
