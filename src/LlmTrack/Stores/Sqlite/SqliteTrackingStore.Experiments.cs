using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace LlmTrack.Stores.Sqlite;

/// <summary>Experiments: create, get, search and tag, as MLflow's SQL store does.</summary>
internal sealed partial class SqliteTrackingStore
{
    private const string ExperimentColumns =
        "e.experiment_id, e.name, e.artifact_location, e.lifecycle_stage, e.creation_time, e.last_update_time";

    /// <inheritdoc />
    public Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken) =>
        ExecuteAsync(write: false, transaction =>
        {
            using var command = Command(transaction, $"SELECT {ExperimentColumns} FROM experiments e WHERE e.name = $name AND e.workspace = 'default'");
            command.Parameters.AddWithValue("$name", name);
            return ReadExperiments(transaction, command).FirstOrDefault();
        }, cancellationToken);

    /// <inheritdoc />
    public Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken cancellationToken) =>
        ExecuteAsync(write: false, transaction => GetExperiment(transaction, experimentId), cancellationToken);

    /// <inheritdoc />
    public Task<string> CreateExperimentAsync(string name, string? artifactLocation, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new MlflowException(MlflowErrorCode.InvalidParameterValue, "Invalid experiment name: ''. Experiment name must be a non-empty string.");
        }

        var location = string.IsNullOrEmpty(artifactLocation) ? null : ResolveIfLocal(artifactLocation);
        return ExecuteAsync(write: true, transaction =>
        {
            var now = NowMilliseconds();
            using var insert = Command(
                transaction,
                "INSERT INTO experiments (name, workspace, artifact_location, lifecycle_stage, creation_time, last_update_time) " +
                "VALUES ($name, 'default', $location, 'active', $now, $now)");
            insert.Parameters.AddWithValue("$name", name);
            insert.Parameters.AddWithValue("$location", location ?? "");
            insert.Parameters.AddWithValue("$now", now);
            try
            {
                insert.ExecuteNonQuery();
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode == 19 /* SQLITE_CONSTRAINT */)
            {
                throw new MlflowException(
                    MlflowErrorCode.ResourceAlreadyExists,
                    $"Experiment(name={name}) already exists. Error: (sqlite3.IntegrityError) UNIQUE constraint failed: experiments.workspace, experiments.name",
                    innerException: ex);
            }

            using var lastId = Command(transaction, "SELECT last_insert_rowid()");
            var id = Convert.ToInt64(lastId.ExecuteScalar(), CultureInfo.InvariantCulture);
            var experimentId = id.ToString(CultureInfo.InvariantCulture);
            if (location is null)
            {
                using var update = Command(transaction, "UPDATE experiments SET artifact_location = $location WHERE experiment_id = $id");
                update.Parameters.AddWithValue("$location", JoinUri(DefaultArtifactRoot, experimentId));
                update.Parameters.AddWithValue("$id", id);
                update.ExecuteNonQuery();
            }

            foreach (var tag in tags)
            {
                UpsertExperimentTag(transaction, id, tag.Key, tag.Value);
            }

            return experimentId;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task SetExperimentTagAsync(string experimentId, string key, string value, CancellationToken cancellationToken) =>
        ExecuteAsync(write: true, transaction =>
        {
            var experiment = GetExperiment(transaction, experimentId);
            CheckExperimentActive(experiment);
            UpsertExperimentTag(transaction, ParseExperimentId(experimentId), key, value);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<Page<Experiment>> SearchExperimentsAsync(string? filter, ViewType viewType, int maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken cancellationToken)
    {
        if (maxResults < 1 || maxResults > SearchMaxResultsThreshold)
        {
            throw new MlflowException(
                MlflowErrorCode.InvalidParameterValue,
                $"Invalid value for max_results. It must be a positive integer at most {SearchMaxResultsThreshold}, but got {maxResults}");
        }

        var clauses = SearchFilter.Parse(filter);
        var orders = (orderBy is { Count: > 0 } ? orderBy : ["creation_time DESC", "experiment_id ASC"]).Select(SearchFilter.ParseOrderBy).ToList();
        var offset = SearchFilter.ParsePageToken(pageToken);

        return ExecuteAsync(write: false, transaction =>
        {
            using var command = Command(transaction, "");
            var sql = new StringBuilder($"SELECT {ExperimentColumns} FROM experiments e WHERE e.workspace = 'default' AND ");
            sql.Append(SqliteSearchSql.LifecycleCondition("e.lifecycle_stage", viewType));
            var index = 0;
            foreach (var clause in clauses)
            {
                sql.Append(" AND ").Append(SqliteSearchSql.ExperimentCondition(command, clause, ref index));
            }

            sql.Append(" ORDER BY ");
            var orderParts = new List<string>();
            foreach (var order in orders)
            {
                if (order.Entity != SearchEntity.Attribute)
                {
                    throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"Invalid order_by entity: {order.Entity.ToString().ToLowerInvariant()}");
                }

                orderParts.Add(SqliteSearchSql.ExperimentColumn(order.Key) + (order.Ascending ? " ASC" : " DESC"));
            }

            if (!orders.Any(o => SqliteSearchSql.ExperimentColumn(o.Key) == "e.experiment_id"))
            {
                orderParts.Add("e.experiment_id DESC");
            }

            sql.Append(string.Join(", ", orderParts)).Append(" LIMIT $limit OFFSET $offset");
            command.CommandText = sql.ToString();
            command.Parameters.AddWithValue("$limit", maxResults + 1);
            command.Parameters.AddWithValue("$offset", offset);
            var experiments = ReadExperiments(transaction, command);
            var next = experiments.Count > maxResults ? SearchFilter.CreatePageToken(offset + maxResults) : null;
            return new Page<Experiment>(experiments.Take(maxResults).ToList(), next);
        }, cancellationToken);
    }

    private Experiment GetExperiment(SqliteTransaction transaction, string experimentId)
    {
        if (!long.TryParse(experimentId, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
        {
            throw new MlflowException(MlflowErrorCode.ResourceDoesNotExist, $"No Experiment with id={experimentId} exists");
        }

        using var command = Command(transaction, $"SELECT {ExperimentColumns} FROM experiments e WHERE e.experiment_id = $id");
        command.Parameters.AddWithValue("$id", id);
        return ReadExperiments(transaction, command).FirstOrDefault()
            ?? throw new MlflowException(MlflowErrorCode.ResourceDoesNotExist, $"No Experiment with id={experimentId} exists");
    }

    private List<Experiment> ReadExperiments(SqliteTransaction transaction, SqliteCommand command)
    {
        var experiments = new List<Experiment>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                experiments.Add(new Experiment
                {
                    ExperimentId = reader.GetInt64(0).ToString(CultureInfo.InvariantCulture),
                    Name = reader.GetString(1),
                    ArtifactLocation = reader.IsDBNull(2) ? null : reader.GetString(2),
                    LifecycleStage = reader.IsDBNull(3) ? "active" : reader.GetString(3),
                    CreationTime = reader.IsDBNull(4) ? null : reader.GetInt64(4),
                    LastUpdateTime = reader.IsDBNull(5) ? null : reader.GetInt64(5),
                });
            }
        }

        if (experiments.Count == 0)
        {
            return experiments;
        }

        using var tagsCommand = Command(transaction, "SELECT \"key\", value FROM experiment_tags WHERE experiment_id = $id ORDER BY \"key\"");
        var idParameter = tagsCommand.Parameters.Add("$id", SqliteType.Integer);
        for (var i = 0; i < experiments.Count; i++)
        {
            idParameter.Value = long.Parse(experiments[i].ExperimentId, CultureInfo.InvariantCulture);
            var tags = new List<Tag>();
            using var reader = tagsCommand.ExecuteReader();
            while (reader.Read())
            {
                tags.Add(new Tag(reader.GetString(0), reader.IsDBNull(1) ? "" : reader.GetString(1)));
            }

            experiments[i] = experiments[i] with { Tags = tags };
        }

        return experiments;
    }

    private void UpsertExperimentTag(SqliteTransaction transaction, long experimentId, string key, string value)
    {
        using var command = Command(
            transaction,
            "INSERT INTO experiment_tags (\"key\", value, experiment_id) VALUES ($key, $value, $id) " +
            "ON CONFLICT (\"key\", experiment_id) DO UPDATE SET value = excluded.value");
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value);
        command.Parameters.AddWithValue("$id", experimentId);
        command.ExecuteNonQuery();
    }

    private static void CheckExperimentActive(Experiment experiment)
    {
        if (experiment.LifecycleStage != "active")
        {
            throw new MlflowException(
                MlflowErrorCode.InvalidParameterValue,
                $"The experiment {experiment.ExperimentId} must be in the 'active' state. Current state is {experiment.LifecycleStage}.");
        }
    }

    private static long ParseExperimentId(string experimentId) =>
        long.TryParse(experimentId, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new MlflowException(MlflowErrorCode.ResourceDoesNotExist, $"No Experiment with id={experimentId} exists");
}
