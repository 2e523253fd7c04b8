using System.Globalization;
using System.Text;
using LlmTrack.Model;
using Microsoft.Data.Sqlite;

namespace LlmTrack.Stores.Sqlite;

/// <summary>Runs: create, get, update, delete/restore, tags, search and inputs, as MLflow's SQL store does.</summary>
internal sealed partial class SqliteTrackingStore
{
    private const string RunColumns =
        "r.run_uuid, r.experiment_id, r.name, r.user_id, r.status, r.start_time, r.end_time, r.artifact_uri, r.lifecycle_stage";

    /// <inheritdoc />
    public Task<RunSnapshot> CreateRunAsync(string experimentId, string? runName, long startTime, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        var allTags = new List<Tag>(tags);
        var runNameTag = allTags.LastOrDefault(t => t.Key == MlflowTags.RunName).Value;
        if (!string.IsNullOrEmpty(runName) && !string.IsNullOrEmpty(runNameTag) && runName != runNameTag)
        {
            throw new MlflowException(
                MlflowErrorCode.InvalidParameterValue,
                $"Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='{runName}', mlflow.runName='{runNameTag}').");
        }

        var name = !string.IsNullOrEmpty(runName) ? runName : !string.IsNullOrEmpty(runNameTag) ? runNameTag : RunNameGenerator.Generate();
        if (string.IsNullOrEmpty(runNameTag))
        {
            allTags.Add(new Tag(MlflowTags.RunName, name));
        }

        var userId = allTags.LastOrDefault(t => t.Key == MlflowTags.User).Value ?? Environment.UserName;
        return ExecuteAsync(write: true, transaction =>
        {
            var experiment = GetExperiment(transaction, experimentId);
            CheckExperimentActive(experiment);
            var runId = Guid.NewGuid().ToString("N");
            var artifactRoot = string.IsNullOrEmpty(experiment.ArtifactLocation)
                ? JoinUri(DefaultArtifactRoot, experiment.ExperimentId)
                : experiment.ArtifactLocation;
            using var insert = Command(
                transaction,
                "INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, " +
                "source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time) " +
                "VALUES ($id, $name, 'UNKNOWN', '', '', $user, 'RUNNING', $start, NULL, '', 'active', $artifacts, $experiment, NULL)");
            insert.Parameters.AddWithValue("$id", runId);
            insert.Parameters.AddWithValue("$name", name);
            insert.Parameters.AddWithValue("$user", userId);
            insert.Parameters.AddWithValue("$start", startTime);
            insert.Parameters.AddWithValue("$artifacts", JoinUri(artifactRoot, runId, "artifacts"));
            insert.Parameters.AddWithValue("$experiment", long.Parse(experiment.ExperimentId, CultureInfo.InvariantCulture));
            insert.ExecuteNonQuery();
            foreach (var tag in allTags)
            {
                UpsertRunTag(transaction, runId, tag.Key, tag.Value);
            }

            return ReadRunSnapshot(transaction, runId);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<RunSnapshot> GetRunAsync(string runId, CancellationToken cancellationToken) =>
        ExecuteAsync(write: false, transaction => ReadRunSnapshot(transaction, runId), cancellationToken);

    /// <inheritdoc />
    public Task<RunInfo> UpdateRunAsync(string runId, RunStatus? status, long? endTime, string? runName, CancellationToken cancellationToken) =>
        ExecuteAsync(write: true, transaction =>
        {
            CheckRunActive(GetRunInfo(transaction, runId));
            using var update = Command(
                transaction,
                "UPDATE runs SET status = COALESCE($status, status), end_time = COALESCE($end, end_time) WHERE run_uuid = $id");
            update.Parameters.AddWithValue("$status", status is { } s ? RunStatusNames.ToMlflow(s) : DBNull.Value);
            update.Parameters.AddWithValue("$end", endTime is { } e ? e : DBNull.Value);
            update.Parameters.AddWithValue("$id", runId);
            update.ExecuteNonQuery();
            if (!string.IsNullOrEmpty(runName))
            {
                SetRunName(transaction, runId, runName);
            }

            return GetRunInfo(transaction, runId);
        }, cancellationToken);

    /// <inheritdoc />
    public Task DeleteRunAsync(string runId, CancellationToken cancellationToken) =>
        ExecuteAsync(write: true, transaction =>
        {
            GetRunInfo(transaction, runId);
            using var update = Command(transaction, "UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = $now WHERE run_uuid = $id");
            update.Parameters.AddWithValue("$now", NowMilliseconds());
            update.Parameters.AddWithValue("$id", runId);
            update.ExecuteNonQuery();
        }, cancellationToken);

    /// <inheritdoc />
    public Task RestoreRunAsync(string runId, CancellationToken cancellationToken) =>
        ExecuteAsync(write: true, transaction =>
        {
            GetRunInfo(transaction, runId);
            using var update = Command(transaction, "UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL WHERE run_uuid = $id");
            update.Parameters.AddWithValue("$id", runId);
            update.ExecuteNonQuery();
        }, cancellationToken);

    /// <inheritdoc />
    public Task SetTagAsync(string runId, string key, string value, CancellationToken cancellationToken) =>
        ExecuteAsync(write: true, transaction =>
        {
            CheckRunActive(GetRunInfo(transaction, runId));
            SetRunTag(transaction, runId, key, value);
        }, cancellationToken);

    /// <inheritdoc />
    public Task DeleteTagAsync(string runId, string key, CancellationToken cancellationToken) =>
        ExecuteAsync(write: true, transaction =>
        {
            CheckRunActive(GetRunInfo(transaction, runId));
            using var delete = Command(transaction, "DELETE FROM tags WHERE run_uuid = $id AND \"key\" = $key");
            delete.Parameters.AddWithValue("$id", runId);
            delete.Parameters.AddWithValue("$key", key);
            if (delete.ExecuteNonQuery() == 0)
            {
                throw new MlflowException(MlflowErrorCode.ResourceDoesNotExist, $"No tag with name: {key} in run with id {runId}");
            }
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Metric>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken) =>
        ExecuteAsync<IReadOnlyList<Metric>>(write: false, transaction =>
        {
            using var command = Command(
                transaction,
                "SELECT value, timestamp, step, is_nan FROM metrics WHERE run_uuid = $id AND \"key\" = $key ORDER BY timestamp, step, value");
            command.Parameters.AddWithValue("$id", runId);
            command.Parameters.AddWithValue("$key", key);
            var history = new List<Metric>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                history.Add(new Metric(key, ReadMetricValue(reader, 0, 3), reader.GetInt64(1), reader.GetInt64(2)));
            }

            return history;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Metric>> GetMetricHistoryRangeAsync(string runId, string key, long startStep, long endStep, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(endStep, startStep);
        return ExecuteAsync<IReadOnlyList<Metric>>(write: false, transaction =>
        {
            using var command = Command(
                transaction,
                "SELECT value, timestamp, step, is_nan FROM metrics WHERE run_uuid = $id AND \"key\" = $key AND step BETWEEN $start AND $end ORDER BY step, timestamp, value");
            command.Parameters.AddWithValue("$id", runId);
            command.Parameters.AddWithValue("$key", key);
            command.Parameters.AddWithValue("$start", startStep);
            command.Parameters.AddWithValue("$end", endStep);
            var points = new List<Metric>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                points.Add(new Metric(key, ReadMetricValue(reader, 0, 3), reader.GetInt64(1), reader.GetInt64(2)));
            }

            return points;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> datasets, CancellationToken cancellationToken) =>
        ExecuteAsync(write: true, transaction =>
        {
            var run = GetRunInfo(transaction, runId);
            CheckRunActive(run);
            var experimentId = long.Parse(run.ExperimentId, CultureInfo.InvariantCulture);
            var seen = new HashSet<(string, string)>();
            foreach (var input in datasets)
            {
                // Like MLflow: the first input with a given (name, digest) wins.
                if (!seen.Add((input.Dataset.Name, input.Dataset.Digest)))
                {
                    continue;
                }

                var datasetUuid = FindOrCreateDataset(transaction, experimentId, input.Dataset);
                using var existing = Command(
                    transaction,
                    "SELECT 1 FROM inputs WHERE source_type = 'DATASET' AND source_id = $source AND destination_type = 'RUN' AND destination_id = $run");
                existing.Parameters.AddWithValue("$source", datasetUuid);
                existing.Parameters.AddWithValue("$run", runId);
                if (existing.ExecuteScalar() is not null)
                {
                    continue;
                }

                var inputUuid = Guid.NewGuid().ToString("N");
                using var insert = Command(
                    transaction,
                    "INSERT INTO inputs (input_uuid, source_type, source_id, destination_type, destination_id) VALUES ($input, 'DATASET', $source, 'RUN', $run)");
                insert.Parameters.AddWithValue("$input", inputUuid);
                insert.Parameters.AddWithValue("$source", datasetUuid);
                insert.Parameters.AddWithValue("$run", runId);
                insert.ExecuteNonQuery();
                foreach (var tag in input.Tags)
                {
                    using var insertTag = Command(
                        transaction,
                        "INSERT INTO input_tags (input_uuid, name, value) VALUES ($input, $name, $value) ON CONFLICT (input_uuid, name) DO UPDATE SET value = excluded.value");
                    insertTag.Parameters.AddWithValue("$input", inputUuid);
                    insertTag.Parameters.AddWithValue("$name", tag.Key);
                    insertTag.Parameters.AddWithValue("$value", tag.Value);
                    insertTag.ExecuteNonQuery();
                }
            }
        }, cancellationToken);

    /// <inheritdoc />
    public Task<Page<RunSnapshot>> SearchRunsAsync(IReadOnlyList<string> experimentIds, string? filter, ViewType viewType, int maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(experimentIds);
        if (maxResults < 1 || maxResults > SearchMaxResultsThreshold)
        {
            throw new MlflowException(
                MlflowErrorCode.InvalidParameterValue,
                $"Invalid value for request parameter max_results. It must be at most {SearchMaxResultsThreshold}, but got value {maxResults}");
        }

        var clauses = SearchFilter.Parse(filter);
        var orders = (orderBy ?? []).Select(SearchFilter.ParseOrderBy).ToList();
        var offset = SearchFilter.ParsePageToken(pageToken);
        if (experimentIds.Count == 0)
        {
            return Task.FromResult(new Page<RunSnapshot>([], null));
        }

        return ExecuteAsync(write: false, transaction =>
        {
            using var command = Command(transaction, "");
            var index = 0;
            var ids = experimentIds.Select(id => AddParameter(command, ParseExperimentId(id), ref index)).ToList();
            var sql = new StringBuilder($"SELECT r.run_uuid FROM runs r WHERE r.experiment_id IN ({string.Join(", ", ids)}) AND ");
            sql.Append(LifecycleCondition("r.lifecycle_stage", viewType));
            foreach (var clause in clauses)
            {
                sql.Append(" AND ").Append(RunCondition(command, clause, ref index));
            }

            sql.Append(" ORDER BY ").Append(RunOrder(command, orders, ref index));
            sql.Append(" LIMIT ").Append(AddParameter(command, maxResults, ref index));
            sql.Append(" OFFSET ").Append(AddParameter(command, offset, ref index));
            command.CommandText = sql.ToString();
            var runIds = new List<string>();
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    runIds.Add(reader.GetString(0));
                }
            }

            var runs = runIds.Select(id => ReadRunSnapshot(transaction, id)).ToList();
            var next = runs.Count == maxResults ? SearchFilter.CreatePageToken((long)offset + maxResults) : null;
            return new Page<RunSnapshot>(runs, next);
        }, cancellationToken);
    }

    private static string RunCondition(SqliteCommand command, SearchClause clause, ref int index)
    {
        switch (clause.Entity)
        {
            case SearchEntity.Metric:
                if (clause.IsQuoted || clause.Comparator is "LIKE" or "ILIKE" or "IN" or "NOT IN")
                {
                    throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"Expected numeric value type for metric. Found {string.Join(", ", clause.Values)}");
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

    private static string RunOrder(SqliteCommand command, List<SearchOrder> orders, ref int index)
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
                var attribute = RunAttribute(order.Key);
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
            $"Invalid attribute key '{key}' specified. Valid keys are 'run_id', 'run_name', 'status', 'user_id', 'artifact_uri', 'lifecycle_stage', 'start_time', 'end_time', 'created'."),
    };

    private string FindOrCreateDataset(SqliteTransaction transaction, long experimentId, Dataset dataset)
    {
        // MLflow reuses a data set with the same (name, digest) wherever it was first logged.
        using var find = Command(transaction, "SELECT dataset_uuid FROM datasets WHERE name = $name AND digest = $digest ORDER BY experiment_id = $experiment DESC LIMIT 1");
        find.Parameters.AddWithValue("$name", dataset.Name);
        find.Parameters.AddWithValue("$digest", dataset.Digest);
        find.Parameters.AddWithValue("$experiment", experimentId);
        if (find.ExecuteScalar() is string existing)
        {
            return existing;
        }

        var uuid = Guid.NewGuid().ToString("N");
        using var insert = Command(
            transaction,
            "INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, dataset_source_type, dataset_source, dataset_schema, dataset_profile) " +
            "VALUES ($uuid, $experiment, $name, $digest, $sourceType, $source, $schema, $profile)");
        insert.Parameters.AddWithValue("$uuid", uuid);
        insert.Parameters.AddWithValue("$experiment", experimentId);
        insert.Parameters.AddWithValue("$name", dataset.Name);
        insert.Parameters.AddWithValue("$digest", dataset.Digest);
        insert.Parameters.AddWithValue("$sourceType", dataset.SourceType);
        insert.Parameters.AddWithValue("$source", dataset.Source);
        insert.Parameters.AddWithValue("$schema", (object?)dataset.Schema ?? DBNull.Value);
        insert.Parameters.AddWithValue("$profile", (object?)dataset.Profile ?? DBNull.Value);
        insert.ExecuteNonQuery();
        return uuid;
    }

    private RunInfo GetRunInfo(SqliteTransaction transaction, string runId)
    {
        using var command = Command(transaction, $"SELECT {RunColumns} FROM runs r WHERE r.run_uuid = $id");
        command.Parameters.AddWithValue("$id", runId);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            throw new MlflowException(MlflowErrorCode.ResourceDoesNotExist, $"Run with id={runId} not found");
        }

        return new RunInfo
        {
            RunId = reader.GetString(0),
            ExperimentId = reader.IsDBNull(1) ? DefaultExperimentId : reader.GetInt64(1).ToString(CultureInfo.InvariantCulture),
            RunName = reader.IsDBNull(2) ? null : reader.GetString(2),
            UserId = reader.IsDBNull(3) ? null : reader.GetString(3),
            Status = reader.IsDBNull(4) ? RunStatus.Running : RunStatusNames.Parse(reader.GetString(4)),
            StartTime = reader.IsDBNull(5) ? 0 : reader.GetInt64(5),
            EndTime = reader.IsDBNull(6) ? null : reader.GetInt64(6),
            ArtifactUri = reader.IsDBNull(7) ? "" : reader.GetString(7),
            LifecycleStage = reader.IsDBNull(8) ? "active" : reader.GetString(8),
        };
    }

    private RunSnapshot ReadRunSnapshot(SqliteTransaction transaction, string runId)
    {
        var info = GetRunInfo(transaction, runId);
        var metrics = new List<Metric>();
        using (var command = Command(transaction, "SELECT \"key\", value, timestamp, step, is_nan FROM latest_metrics WHERE run_uuid = $id ORDER BY \"key\""))
        {
            command.Parameters.AddWithValue("$id", runId);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                metrics.Add(new Metric(reader.GetString(0), ReadMetricValue(reader, 1, 4), reader.IsDBNull(2) ? 0 : reader.GetInt64(2), reader.GetInt64(3)));
            }
        }

        var parameters = new List<Param>();
        using (var command = Command(transaction, "SELECT \"key\", value FROM params WHERE run_uuid = $id ORDER BY \"key\""))
        {
            command.Parameters.AddWithValue("$id", runId);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                parameters.Add(new Param(reader.GetString(0), reader.GetString(1)));
            }
        }

        var tags = new List<Tag>();
        using (var command = Command(transaction, "SELECT \"key\", value FROM tags WHERE run_uuid = $id ORDER BY \"key\""))
        {
            command.Parameters.AddWithValue("$id", runId);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                tags.Add(new Tag(reader.GetString(0), reader.IsDBNull(1) ? "" : reader.GetString(1)));
            }
        }

        return new RunSnapshot
        {
            Info = info,
            Data = new RunData { Metrics = metrics, Params = parameters, Tags = tags },
            Inputs = ReadInputs(transaction, runId),
        };
    }

    private List<DatasetInput> ReadInputs(SqliteTransaction transaction, string runId)
    {
        var inputs = new List<(string InputUuid, Dataset Dataset)>();
        using (var command = Command(
            transaction,
            "SELECT i.input_uuid, d.name, d.digest, d.dataset_source_type, d.dataset_source, d.dataset_schema, d.dataset_profile " +
            "FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id " +
            "WHERE i.destination_type = 'RUN' AND i.destination_id = $id AND i.source_type = 'DATASET' ORDER BY i.rowid"))
        {
            command.Parameters.AddWithValue("$id", runId);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                inputs.Add((reader.GetString(0), new Dataset
                {
                    Name = reader.GetString(1),
                    Digest = reader.GetString(2),
                    SourceType = reader.GetString(3),
                    Source = reader.GetString(4),
                    Schema = reader.IsDBNull(5) ? null : reader.GetString(5),
                    Profile = reader.IsDBNull(6) ? null : reader.GetString(6),
                }));
            }
        }

        var result = new List<DatasetInput>(inputs.Count);
        foreach (var (inputUuid, dataset) in inputs)
        {
            var tags = new List<Tag>();
            using var command = Command(transaction, "SELECT name, value FROM input_tags WHERE input_uuid = $input ORDER BY name");
            command.Parameters.AddWithValue("$input", inputUuid);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                tags.Add(new Tag(reader.GetString(0), reader.GetString(1)));
            }

            result.Add(new DatasetInput(dataset, tags));
        }

        return result;
    }

    private void SetRunTag(SqliteTransaction transaction, string runId, string key, string value)
    {
        if (key == MlflowTags.RunName)
        {
            SetRunName(transaction, runId, value);
        }
        else
        {
            UpsertRunTag(transaction, runId, key, value);
        }
    }

    /// <summary>Like MLflow: the run name lives in <c>runs.name</c> and the <c>mlflow.runName</c> tag, kept equal.</summary>
    private void SetRunName(SqliteTransaction transaction, string runId, string name)
    {
        using var update = Command(transaction, "UPDATE runs SET name = $name WHERE run_uuid = $id");
        update.Parameters.AddWithValue("$name", name);
        update.Parameters.AddWithValue("$id", runId);
        update.ExecuteNonQuery();
        UpsertRunTag(transaction, runId, MlflowTags.RunName, name);
    }

    private void UpsertRunTag(SqliteTransaction transaction, string runId, string key, string value)
    {
        using var command = Command(
            transaction,
            "INSERT INTO tags (\"key\", value, run_uuid) VALUES ($key, $value, $id) ON CONFLICT (\"key\", run_uuid) DO UPDATE SET value = excluded.value");
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value);
        command.Parameters.AddWithValue("$id", runId);
        command.ExecuteNonQuery();
    }

    private static void CheckRunActive(RunInfo run)
    {
        if (run.LifecycleStage != "active")
        {
            throw new MlflowException(
                MlflowErrorCode.InvalidParameterValue,
                $"The run {run.RunId} must be in the 'active' state. Current state is {run.LifecycleStage}.");
        }
    }

    private static double ReadMetricValue(SqliteDataReader reader, int valueOrdinal, int isNanOrdinal) =>
        reader.GetInt64(isNanOrdinal) != 0 ? double.NaN : reader.GetDouble(valueOrdinal);
}
