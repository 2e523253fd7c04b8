using System.Globalization;
using System.Text;
using LlmTrack.Model;
using Microsoft.Data.Sqlite;

namespace LlmTrack.Stores.Sqlite;

/// <summary>Runs: create, get, update, delete/restore, tags and search, as MLflow's SQL store does (inputs: <c>SqliteTrackingStore.Inputs.cs</c>; filter SQL: <see cref="SqliteSearchSql"/>).</summary>
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
            return ReadMetricPoints(command, key);
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
            return ReadMetricPoints(command, key);
        }, cancellationToken);
    }

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
            var ids = experimentIds.Select(id => SqliteSearchSql.AddParameter(command, ParseExperimentId(id), ref index)).ToList();
            var sql = new StringBuilder($"SELECT r.run_uuid FROM runs r WHERE r.experiment_id IN ({string.Join(", ", ids)}) AND ");
            sql.Append(SqliteSearchSql.LifecycleCondition("r.lifecycle_stage", viewType));
            foreach (var clause in clauses)
            {
                sql.Append(" AND ").Append(SqliteSearchSql.RunCondition(command, clause, ref index));
            }

            sql.Append(" ORDER BY ").Append(SqliteSearchSql.RunOrder(command, orders, ref index));
            sql.Append(" LIMIT ").Append(SqliteSearchSql.AddParameter(command, maxResults, ref index));
            sql.Append(" OFFSET ").Append(SqliteSearchSql.AddParameter(command, offset, ref index));
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

    /// <summary>The points of <paramref name="key"/> a query of <c>value, timestamp, step, is_nan</c> returns.</summary>
    private static List<Metric> ReadMetricPoints(SqliteCommand command, string key)
    {
        var points = new List<Metric>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            points.Add(new Metric(key, ReadMetricValue(reader, 0, 3), reader.GetInt64(1), reader.GetInt64(2)));
        }

        return points;
    }

    private static double ReadMetricValue(SqliteDataReader reader, int valueOrdinal, int isNanOrdinal) =>
        reader.GetInt64(isNanOrdinal) != 0 ? double.NaN : reader.GetDouble(valueOrdinal);
}
