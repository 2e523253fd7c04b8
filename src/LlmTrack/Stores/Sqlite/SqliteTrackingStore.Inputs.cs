using System.Globalization;
using Microsoft.Data.Sqlite;

namespace LlmTrack.Stores.Sqlite;

/// <summary>Data set inputs of runs: logged and read as MLflow's SQL store does (data sets shared by name and digest).</summary>
internal sealed partial class SqliteTrackingStore
{
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
}
