using System.Globalization;
using LlmTrack.Stores.Sqlite.Registry;
using Microsoft.Data.Sqlite;

namespace LlmTrack.Stores.Sqlite;

/// <summary>
/// The model registry on MLflow's tables (registered_models, registered_model_tags, registered_model_aliases,
/// model_versions, model_version_tags) with the rows MLflow's SqlAlchemyModelRegistryStore writes: registered
/// models and their tags here, versions, aliases and stages in <c>SqliteTrackingStore.RegistryVersions.cs</c>.
/// </summary>
internal sealed partial class SqliteTrackingStore : IModelRegistryStore
{
    private static readonly string[] RenamedChildTables = ["model_version_tags", "registered_model_tags", "registered_model_aliases"];
    private static readonly string[] DeletedModelTables = ["model_version_tags", "model_versions", "registered_model_tags", "registered_model_aliases", "registered_models"];

    /// <inheritdoc />
    public Task<RegisteredModel> CreateRegisteredModelAsync(string name, IReadOnlyList<Tag> tags, string? description, CancellationToken cancellationToken)
    {
        RegistryRules.RequireName(name);
        ArgumentNullException.ThrowIfNull(tags);
        return ExecuteAsync(write: true, transaction =>
        {
            if (ModelExists(transaction, name))
            {
                throw RegistryRules.ModelExists(name);
            }

            var now = NowMilliseconds();
            using (var insert = Command(transaction, "INSERT INTO registered_models (name, creation_time, last_updated_time, description, workspace) VALUES ($name, $now, $now, $description, 'default')"))
            {
                insert.Parameters.AddWithValue("$name", name);
                insert.Parameters.AddWithValue("$now", now);
                insert.Parameters.AddWithValue("$description", (object?)description ?? DBNull.Value);
                insert.ExecuteNonQuery();
            }

            foreach (var tag in tags.GroupBy(t => t.Key).Select(g => g.Last()))
            {
                UpsertModelTag(transaction, name, tag.Key, tag.Value);
            }

            return ReadRegisteredModel(transaction, name);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<RegisteredModel> GetRegisteredModelAsync(string name, CancellationToken cancellationToken)
    {
        RegistryRules.RequireName(name);
        return ExecuteAsync(write: false, transaction => ReadRegisteredModel(transaction, name), cancellationToken);
    }

    /// <inheritdoc />
    public Task<RegisteredModel> RenameRegisteredModelAsync(string name, string newName, CancellationToken cancellationToken)
    {
        RegistryRules.RequireName(name);
        RegistryRules.RequireName(newName);
        return ExecuteAsync(write: true, transaction =>
        {
            RequireRegisteredModel(transaction, name);
            if (name != newName && ModelExists(transaction, newName))
            {
                throw RegistryRules.ModelExists(newName);
            }

            var now = NowMilliseconds();
            // The parent first: with foreign keys on, SQLite cascades the rename to the children itself.
            Execute(transaction, "UPDATE registered_models SET name = $new, last_updated_time = $now WHERE workspace = 'default' AND name = $old", name, newName, now);
            Execute(transaction, "UPDATE model_versions SET name = $new, last_updated_time = $now WHERE workspace = 'default' AND name IN ($old, $new)", name, newName, now);
            foreach (var table in RenamedChildTables)
            {
                Execute(transaction, $"UPDATE {table} SET name = $new WHERE workspace = 'default' AND name = $old", name, newName, now);
            }

            return ReadRegisteredModel(transaction, newName);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<RegisteredModel> UpdateRegisteredModelAsync(string name, string? description, CancellationToken cancellationToken)
    {
        RegistryRules.RequireName(name);
        return ExecuteAsync(write: true, transaction =>
        {
            RequireRegisteredModel(transaction, name);
            using var update = Command(transaction, "UPDATE registered_models SET description = $description, last_updated_time = $now WHERE workspace = 'default' AND name = $name");
            update.Parameters.AddWithValue("$description", (object?)description ?? DBNull.Value);
            update.Parameters.AddWithValue("$now", NowMilliseconds());
            update.Parameters.AddWithValue("$name", name);
            update.ExecuteNonQuery();
            return ReadRegisteredModel(transaction, name);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task DeleteRegisteredModelAsync(string name, CancellationToken cancellationToken)
    {
        RegistryRules.RequireName(name);
        return ExecuteAsync(write: true, transaction =>
        {
            RequireRegisteredModel(transaction, name);
            foreach (var table in DeletedModelTables)
            {
                Execute(transaction, $"DELETE FROM {table} WHERE workspace = 'default' AND name = $old", name, name, 0);
            }
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task SetRegisteredModelTagAsync(string name, string key, string value, CancellationToken cancellationToken)
    {
        RegistryRules.RequireName(name);
        LlmTrack.Validation.TrackingNames.ValidateKey(key, LlmTrack.Validation.KeyKind.Tag);
        ArgumentNullException.ThrowIfNull(value);
        return ExecuteAsync(write: true, transaction =>
        {
            RequireRegisteredModel(transaction, name);
            UpsertModelTag(transaction, name, key, value);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task DeleteRegisteredModelTagAsync(string name, string key, CancellationToken cancellationToken)
    {
        RegistryRules.RequireName(name);
        return ExecuteAsync(write: true, transaction =>
        {
            RequireRegisteredModel(transaction, name);
            using var delete = Command(transaction, "DELETE FROM registered_model_tags WHERE workspace = 'default' AND name = $name AND \"key\" = $key");
            delete.Parameters.AddWithValue("$name", name);
            delete.Parameters.AddWithValue("$key", key);
            delete.ExecuteNonQuery();
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<Page<RegisteredModel>> SearchRegisteredModelsAsync(string? filter, int maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken cancellationToken)
    {
        if (maxResults < 1 || maxResults > RegistryRules.MaxModelSearchResults)
        {
            throw RegistryRules.Invalid(string.Create(CultureInfo.InvariantCulture, $"Invalid value for request parameter max_results. It must be at most {RegistryRules.MaxModelSearchResults}, but got value {maxResults}"));
        }

        var offset = SearchFilter.ParsePageToken(pageToken);
        return ExecuteAsync(write: false, transaction =>
        {
            var names = new List<string>();
            using (var search = Command(transaction, ""))
            {
                var index = 0;
                var where = RegistrySearchSql.ModelConditions(search, filter, ref index);
                search.CommandText = $"SELECT rm.name FROM registered_models rm WHERE {where} ORDER BY {RegistrySearchSql.ModelOrder(orderBy)} LIMIT $limit OFFSET $offset";
                search.Parameters.AddWithValue("$limit", maxResults + 1);
                search.Parameters.AddWithValue("$offset", offset);
                using var reader = search.ExecuteReader();
                while (reader.Read())
                {
                    names.Add(reader.GetString(0));
                }
            }

            var next = names.Count > maxResults ? SearchFilter.CreatePageToken(offset + maxResults) : null;
            return new Page<RegisteredModel>([.. names.Take(maxResults).Select(n => ReadRegisteredModel(transaction, n))], next);
        }, cancellationToken);
    }

    private bool ModelExists(SqliteTransaction transaction, string name)
    {
        using var query = Command(transaction, "SELECT 1 FROM registered_models WHERE workspace = 'default' AND name = $name");
        query.Parameters.AddWithValue("$name", name);
        return query.ExecuteScalar() is not null;
    }

    private void RequireRegisteredModel(SqliteTransaction transaction, string name)
    {
        if (!ModelExists(transaction, name))
        {
            throw RegistryRules.ModelNotFound(name);
        }
    }

    private void UpsertModelTag(SqliteTransaction transaction, string name, string key, string value)
    {
        using var upsert = Command(transaction, "INSERT INTO registered_model_tags (\"key\", value, name, workspace) VALUES ($key, $value, $name, 'default') ON CONFLICT (workspace, \"key\", name) DO UPDATE SET value = excluded.value");
        upsert.Parameters.AddWithValue("$key", key);
        upsert.Parameters.AddWithValue("$value", value);
        upsert.Parameters.AddWithValue("$name", name);
        upsert.ExecuteNonQuery();
    }

    private void Execute(SqliteTransaction transaction, string sql, string oldName, string newName, long now)
    {
        using var command = Command(transaction, sql);
        command.Parameters.AddWithValue("$old", oldName);
        command.Parameters.AddWithValue("$new", newName);
        command.Parameters.AddWithValue("$now", now);
        command.ExecuteNonQuery();
    }

    private RegisteredModel ReadRegisteredModel(SqliteTransaction transaction, string name)
    {
        RegisteredModel model;
        using (var query = Command(transaction, "SELECT name, creation_time, last_updated_time, description FROM registered_models WHERE workspace = 'default' AND name = $name"))
        {
            query.Parameters.AddWithValue("$name", name);
            using var reader = query.ExecuteReader();
            if (!reader.Read())
            {
                throw RegistryRules.ModelNotFound(name);
            }

            model = new RegisteredModel
            {
                Name = reader.GetString(0),
                CreationTime = reader.IsDBNull(1) ? 0 : reader.GetInt64(1),
                LastUpdatedTime = reader.IsDBNull(2) ? 0 : reader.GetInt64(2),
                Description = reader.IsDBNull(3) ? null : reader.GetString(3),
            };
        }

        var aliases = ReadAliases(transaction, name);
        var latest = new List<ModelVersion>();
        foreach (var version in ReadVersions(transaction, "mv.name = $name ORDER BY mv.version ASC", name, aliases))
        {
            var index = latest.FindIndex(v => v.Stage == version.Stage);
            if (index < 0)
            {
                latest.Add(version);
            }
            else
            {
                latest[index] = version;
            }
        }

        return model with
        {
            Tags = ReadTags(transaction, "SELECT \"key\", value FROM registered_model_tags WHERE workspace = 'default' AND name = $name ORDER BY \"key\"", name, null),
            Aliases = aliases,
            LatestVersions = latest,
        };
    }

    private List<ModelAlias> ReadAliases(SqliteTransaction transaction, string name)
    {
        using var query = Command(transaction, "SELECT alias, version FROM registered_model_aliases WHERE workspace = 'default' AND name = $name ORDER BY alias");
        query.Parameters.AddWithValue("$name", name);
        using var reader = query.ExecuteReader();
        var aliases = new List<ModelAlias>();
        while (reader.Read())
        {
            aliases.Add(new ModelAlias(reader.GetString(0), reader.GetInt32(1)));
        }

        return aliases;
    }

    private List<Tag> ReadTags(SqliteTransaction transaction, string sql, string name, int? version)
    {
        using var query = Command(transaction, sql);
        query.Parameters.AddWithValue("$name", name);
        if (version is { } number)
        {
            query.Parameters.AddWithValue("$version", number);
        }

        using var reader = query.ExecuteReader();
        var tags = new List<Tag>();
        while (reader.Read())
        {
            tags.Add(new Tag(reader.GetString(0), reader.IsDBNull(1) ? "" : reader.GetString(1)));
        }

        return tags;
    }
}
