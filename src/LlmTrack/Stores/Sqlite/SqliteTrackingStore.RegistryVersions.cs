using System.Globalization;
using LlmTrack.Stores.Sqlite.Registry;
using Microsoft.Data.Sqlite;

namespace LlmTrack.Stores.Sqlite;

/// <summary>
/// Model versions, aliases and legacy stages on MLflow's tables. Versions are numbered max+1 over every row
/// (deleted ones included), are READY at once with stage <c>None</c>; a deleted version keeps its row with stage
/// <c>Deleted_Internal</c> and redacted source/run, as MLflow's SQL store does.
/// </summary>
internal sealed partial class SqliteTrackingStore
{
    private const string VersionColumns = "mv.name, mv.version, mv.creation_time, mv.last_updated_time, mv.description, mv.current_stage, mv.source, mv.run_id, mv.status";

    /// <inheritdoc />
    public Task<ModelVersion> CreateModelVersionAsync(ModelVersionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        RegistryRules.RequireName(request.Name);
        if (string.IsNullOrEmpty(request.Source))
        {
            throw RegistryRules.Invalid("Missing value for required parameter 'source'. See the API docs for more information about request parameters.");
        }

        return ExecuteAsync(write: true, transaction =>
        {
            RequireRegisteredModel(transaction, request.Name);
            var (storageLocation, runId) = ResolveStorageLocation(transaction, request);
            int version;
            using (var next = Command(transaction, "SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE workspace = 'default' AND name = $name"))
            {
                next.Parameters.AddWithValue("$name", request.Name);
                version = Convert.ToInt32(next.ExecuteScalar(), CultureInfo.InvariantCulture);
            }

            var now = NowMilliseconds();
            using (var insert = Command(
                transaction,
                "INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, user_id, current_stage, source, run_id, status, status_message, run_link, storage_location, workspace) " +
                "VALUES ($name, $version, $now, $now, $description, NULL, 'None', $source, $run, 'READY', NULL, NULL, $storage, 'default')"))
            {
                insert.Parameters.AddWithValue("$name", request.Name);
                insert.Parameters.AddWithValue("$version", version);
                insert.Parameters.AddWithValue("$now", now);
                insert.Parameters.AddWithValue("$description", (object?)request.Description ?? DBNull.Value);
                insert.Parameters.AddWithValue("$source", request.Source);
                insert.Parameters.AddWithValue("$run", (object?)runId ?? DBNull.Value);
                insert.Parameters.AddWithValue("$storage", storageLocation);
                insert.ExecuteNonQuery();
            }

            foreach (var tag in request.Tags.GroupBy(t => t.Key).Select(g => g.Last()))
            {
                UpsertVersionTag(transaction, request.Name, version, tag.Key, tag.Value);
            }

            TouchModel(transaction, request.Name, now);
            return ReadVersion(transaction, request.Name, version);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<ModelVersion> GetModelVersionAsync(string name, int version, CancellationToken cancellationToken) =>
        ExecuteAsync(write: false, transaction => ReadVersion(transaction, name, version), cancellationToken);

    /// <inheritdoc />
    public Task<ModelVersion> UpdateModelVersionAsync(string name, int version, string? description, CancellationToken cancellationToken) =>
        ExecuteAsync(write: true, transaction =>
        {
            ReadVersion(transaction, name, version);
            using var update = Command(transaction, "UPDATE model_versions SET description = $description, last_updated_time = $now WHERE workspace = 'default' AND name = $name AND version = $version");
            update.Parameters.AddWithValue("$description", (object?)description ?? DBNull.Value);
            update.Parameters.AddWithValue("$now", NowMilliseconds());
            update.Parameters.AddWithValue("$name", name);
            update.Parameters.AddWithValue("$version", version);
            update.ExecuteNonQuery();
            return ReadVersion(transaction, name, version);
        }, cancellationToken);

    /// <inheritdoc />
    public Task DeleteModelVersionAsync(string name, int version, CancellationToken cancellationToken) =>
        ExecuteAsync(write: true, transaction =>
        {
            ReadVersion(transaction, name, version);
            var now = NowMilliseconds();
            using (var delete = Command(transaction, "DELETE FROM registered_model_aliases WHERE workspace = 'default' AND name = $name AND version = $version"))
            {
                delete.Parameters.AddWithValue("$name", name);
                delete.Parameters.AddWithValue("$version", version);
                delete.ExecuteNonQuery();
            }

            using (var redact = Command(
                transaction,
                $"UPDATE model_versions SET current_stage = '{RegistryRules.DeletedStage}', last_updated_time = $now, description = NULL, user_id = NULL, " +
                "source = 'REDACTED-SOURCE-PATH', run_id = 'REDACTED-RUN-ID', run_link = 'REDACTED-RUN-LINK', status_message = NULL " +
                "WHERE workspace = 'default' AND name = $name AND version = $version"))
            {
                redact.Parameters.AddWithValue("$now", now);
                redact.Parameters.AddWithValue("$name", name);
                redact.Parameters.AddWithValue("$version", version);
                redact.ExecuteNonQuery();
            }

            TouchModel(transaction, name, now);
        }, cancellationToken);

    /// <inheritdoc />
    public Task SetModelVersionTagAsync(string name, int version, string key, string value, CancellationToken cancellationToken)
    {
        LlmTrack.Validation.TrackingNames.ValidateKey(key, LlmTrack.Validation.KeyKind.Tag);
        ArgumentNullException.ThrowIfNull(value);
        return ExecuteAsync(write: true, transaction =>
        {
            ReadVersion(transaction, name, version);
            UpsertVersionTag(transaction, name, version, key, value);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task DeleteModelVersionTagAsync(string name, int version, string key, CancellationToken cancellationToken) =>
        ExecuteAsync(write: true, transaction =>
        {
            ReadVersion(transaction, name, version);
            using var delete = Command(transaction, "DELETE FROM model_version_tags WHERE workspace = 'default' AND name = $name AND version = $version AND \"key\" = $key");
            delete.Parameters.AddWithValue("$name", name);
            delete.Parameters.AddWithValue("$version", version);
            delete.Parameters.AddWithValue("$key", key);
            delete.ExecuteNonQuery();
        }, cancellationToken);

    /// <inheritdoc />
    public Task<Page<ModelVersion>> SearchModelVersionsAsync(string? filter, int maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken cancellationToken)
    {
        if (maxResults < 1 || maxResults > RegistryRules.MaxVersionSearchResults)
        {
            throw RegistryRules.Invalid(string.Create(CultureInfo.InvariantCulture, $"Invalid value for request parameter max_results. It must be at most {RegistryRules.MaxVersionSearchResults}, but got value {maxResults}"));
        }

        var offset = SearchFilter.ParsePageToken(pageToken);
        return ExecuteAsync(write: false, transaction =>
        {
            var keys = new List<(string Name, int Version)>();
            using (var search = Command(transaction, ""))
            {
                var index = 0;
                var where = RegistrySearchSql.VersionConditions(search, filter, ref index);
                search.CommandText = $"SELECT mv.name, mv.version FROM model_versions mv WHERE {where} ORDER BY {RegistrySearchSql.VersionOrder(orderBy)} LIMIT $limit OFFSET $offset";
                search.Parameters.AddWithValue("$limit", maxResults + 1);
                search.Parameters.AddWithValue("$offset", offset);
                using var reader = search.ExecuteReader();
                while (reader.Read())
                {
                    keys.Add((reader.GetString(0), reader.GetInt32(1)));
                }
            }

            var next = keys.Count > maxResults ? SearchFilter.CreatePageToken(offset + maxResults) : null;
            return new Page<ModelVersion>([.. keys.Take(maxResults).Select(k => ReadVersion(transaction, k.Name, k.Version))], next);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<string> GetModelVersionDownloadUriAsync(string name, int version, CancellationToken cancellationToken) =>
        ExecuteAsync(write: false, transaction =>
        {
            ReadVersion(transaction, name, version);
            using var query = Command(transaction, "SELECT COALESCE(NULLIF(storage_location, ''), source) FROM model_versions WHERE workspace = 'default' AND name = $name AND version = $version");
            query.Parameters.AddWithValue("$name", name);
            query.Parameters.AddWithValue("$version", version);
            return Convert.ToString(query.ExecuteScalar(), CultureInfo.InvariantCulture) ?? "";
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<ModelVersion>> GetLatestVersionsAsync(string name, IReadOnlyList<string>? stages, CancellationToken cancellationToken)
    {
        var wanted = stages is { Count: > 0 } ? stages.Select(RegistryRules.CanonicalStage).ToHashSet() : ModelStage.All.ToHashSet();
        return ExecuteAsync<IReadOnlyList<ModelVersion>>(write: false, transaction =>
            [.. ReadRegisteredModel(transaction, name).LatestVersions.Where(v => wanted.Contains(v.Stage))], cancellationToken);
    }

    /// <inheritdoc />
    public Task SetRegisteredModelAliasAsync(string name, string alias, int version, CancellationToken cancellationToken)
    {
        RegistryRules.RequireName(name);
        RegistryRules.ValidateAlias(alias);
        return ExecuteAsync(write: true, transaction =>
        {
            ReadVersion(transaction, name, version);
            using var upsert = Command(transaction, "INSERT INTO registered_model_aliases (alias, version, name, workspace) VALUES ($alias, $version, $name, 'default') ON CONFLICT (workspace, name, alias) DO UPDATE SET version = excluded.version");
            upsert.Parameters.AddWithValue("$alias", alias);
            upsert.Parameters.AddWithValue("$version", version);
            upsert.Parameters.AddWithValue("$name", name);
            upsert.ExecuteNonQuery();
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task DeleteRegisteredModelAliasAsync(string name, string alias, CancellationToken cancellationToken)
    {
        RegistryRules.RequireName(name);
        return ExecuteAsync(write: true, transaction =>
        {
            RequireRegisteredModel(transaction, name);
            using var delete = Command(transaction, "DELETE FROM registered_model_aliases WHERE workspace = 'default' AND name = $name AND alias = $alias");
            delete.Parameters.AddWithValue("$name", name);
            delete.Parameters.AddWithValue("$alias", alias);
            delete.ExecuteNonQuery();
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<ModelVersion> GetModelVersionByAliasAsync(string name, string alias, CancellationToken cancellationToken)
    {
        RegistryRules.RequireName(name);
        return ExecuteAsync(write: false, transaction =>
        {
            var sql = string.Equals(alias, "latest", StringComparison.OrdinalIgnoreCase)
                ? $"SELECT MAX(version) FROM model_versions WHERE workspace = 'default' AND name = $name AND current_stage != '{RegistryRules.DeletedStage}'"
                : "SELECT version FROM registered_model_aliases WHERE workspace = 'default' AND name = $name AND alias = $alias";
            using var query = Command(transaction, sql);
            query.Parameters.AddWithValue("$name", name);
            query.Parameters.AddWithValue("$alias", alias);
            var version = query.ExecuteScalar();
            return version is null or DBNull
                ? throw RegistryRules.AliasNotFound(alias)
                : ReadVersion(transaction, name, Convert.ToInt32(version, CultureInfo.InvariantCulture));
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<ModelVersion> TransitionModelVersionStageAsync(string name, int version, string stage, bool archiveExistingVersions, CancellationToken cancellationToken)
    {
        var canonical = RegistryRules.CanonicalStage(stage);
        if (archiveExistingVersions && !RegistryRules.ActiveStages.Contains(canonical))
        {
            throw RegistryRules.Invalid($"Model version transition cannot archive existing model versions because '{stage}' is not an Active stage. Valid stages are ['Staging', 'Production']");
        }

        return ExecuteAsync(write: true, transaction =>
        {
            ReadVersion(transaction, name, version);
            var now = NowMilliseconds();
            if (archiveExistingVersions)
            {
                using var archive = Command(transaction, "UPDATE model_versions SET current_stage = 'Archived', last_updated_time = $now WHERE workspace = 'default' AND name = $name AND version != $version AND current_stage = $stage");
                archive.Parameters.AddWithValue("$now", now);
                archive.Parameters.AddWithValue("$name", name);
                archive.Parameters.AddWithValue("$version", version);
                archive.Parameters.AddWithValue("$stage", canonical);
                archive.ExecuteNonQuery();
            }

            using (var update = Command(transaction, "UPDATE model_versions SET current_stage = $stage, last_updated_time = $now WHERE workspace = 'default' AND name = $name AND version = $version"))
            {
                update.Parameters.AddWithValue("$stage", canonical);
                update.Parameters.AddWithValue("$now", now);
                update.Parameters.AddWithValue("$name", name);
                update.Parameters.AddWithValue("$version", version);
                update.ExecuteNonQuery();
            }

            TouchModel(transaction, name, now);
            return ReadVersion(transaction, name, version);
        }, cancellationToken);
    }

    /// <summary>MLflow's storage location: the source, except that <c>models:/</c> sources are resolved (logged model or version).</summary>
    private (string StorageLocation, string? RunId) ResolveStorageLocation(SqliteTransaction transaction, ModelVersionRequest request)
    {
        const string Scheme = "models:/";
        if (!request.Source.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return (request.Source, request.RunId);
        }

        var rest = request.Source[Scheme.Length..];
        if (rest.StartsWith("m-", StringComparison.Ordinal) && !rest.Contains('/'))
        {
            using var query = Command(transaction, "SELECT artifact_location, source_run_id FROM logged_models WHERE model_id = $id");
            query.Parameters.AddWithValue("$id", rest);
            using var reader = query.ExecuteReader();
            if (!reader.Read())
            {
                throw new MlflowException(MlflowErrorCode.InternalError, $"Unable to fetch model from model URI source artifact location '{request.Source}'.Error: Logged model with ID '{rest}' not found.");
            }

            return (reader.GetString(0), request.RunId ?? (reader.IsDBNull(1) ? null : reader.GetString(1)));
        }

        var slash = rest.LastIndexOf('/');
        if (slash > 0 && int.TryParse(rest[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            using var query = Command(transaction, $"SELECT COALESCE(NULLIF(storage_location, ''), source) FROM model_versions WHERE workspace = 'default' AND name = $name AND version = $version AND current_stage != '{RegistryRules.DeletedStage}'");
            query.Parameters.AddWithValue("$name", rest[..slash]);
            query.Parameters.AddWithValue("$version", number);
            if (query.ExecuteScalar() is string location)
            {
                return (location, request.RunId);
            }
        }

        throw new MlflowException(MlflowErrorCode.InternalError, $"Unable to fetch model from model URI source artifact location '{request.Source}'.");
    }

    private void TouchModel(SqliteTransaction transaction, string name, long now)
    {
        using var touch = Command(transaction, "UPDATE registered_models SET last_updated_time = $now WHERE workspace = 'default' AND name = $name");
        touch.Parameters.AddWithValue("$now", now);
        touch.Parameters.AddWithValue("$name", name);
        touch.ExecuteNonQuery();
    }

    private void UpsertVersionTag(SqliteTransaction transaction, string name, int version, string key, string value)
    {
        using var upsert = Command(transaction, "INSERT INTO model_version_tags (\"key\", value, name, version, workspace) VALUES ($key, $value, $name, $version, 'default') ON CONFLICT (workspace, \"key\", name, version) DO UPDATE SET value = excluded.value");
        upsert.Parameters.AddWithValue("$key", key);
        upsert.Parameters.AddWithValue("$value", value);
        upsert.Parameters.AddWithValue("$name", name);
        upsert.Parameters.AddWithValue("$version", version);
        upsert.ExecuteNonQuery();
    }

    private ModelVersion ReadVersion(SqliteTransaction transaction, string name, int version)
    {
        RegistryRules.RequireName(name);
        using var query = Command(transaction, "SELECT 1 FROM model_versions mv WHERE mv.workspace = 'default' AND mv.name = $name AND mv.version = $version AND mv.current_stage != 'Deleted_Internal'");
        query.Parameters.AddWithValue("$name", name);
        query.Parameters.AddWithValue("$version", version);
        if (query.ExecuteScalar() is null)
        {
            throw RegistryRules.VersionNotFound(name, version);
        }

        return ReadVersions(transaction, "mv.name = $name AND mv.version = $version", name, ReadAliases(transaction, name), version)[0];
    }

    /// <summary>The non-deleted versions of model <paramref name="name"/> matching <paramref name="where"/> (which may end with an ORDER BY).</summary>
    private List<ModelVersion> ReadVersions(SqliteTransaction transaction, string where, string name, IReadOnlyList<ModelAlias> aliases, int? version = null)
    {
        var versions = new List<ModelVersion>();
        using (var query = Command(transaction, $"SELECT {VersionColumns} FROM model_versions mv WHERE mv.workspace = 'default' AND mv.current_stage != '{RegistryRules.DeletedStage}' AND {where}"))
        {
            query.Parameters.AddWithValue("$name", name);
            if (version is { } number)
            {
                query.Parameters.AddWithValue("$version", number);
            }

            using var reader = query.ExecuteReader();
            while (reader.Read())
            {
                var source = reader.IsDBNull(6) ? null : reader.GetString(6);
                var versionNumber = reader.GetInt32(1);
                versions.Add(new ModelVersion
                {
                    Name = reader.GetString(0),
                    Version = versionNumber,
                    CreationTime = reader.IsDBNull(2) ? 0 : reader.GetInt64(2),
                    LastUpdatedTime = reader.IsDBNull(3) ? 0 : reader.GetInt64(3),
                    Description = reader.IsDBNull(4) ? null : reader.GetString(4),
                    Stage = reader.IsDBNull(5) ? ModelStage.None : reader.GetString(5),
                    Source = source,
                    RunId = reader.IsDBNull(7) || reader.GetString(7).Length == 0 ? null : reader.GetString(7),
                    Status = reader.IsDBNull(8) ? "READY" : reader.GetString(8),
                    ModelId = source is not null && source.StartsWith("models:/m-", StringComparison.Ordinal) && source.IndexOf('/', 8) < 0 ? source[8..] : null,
                    Aliases = [.. aliases.Where(a => a.Version == versionNumber).Select(a => a.Alias)],
                });
            }
        }

        for (var i = 0; i < versions.Count; i++)
        {
            versions[i] = versions[i] with
            {
                Tags = ReadTags(transaction, "SELECT \"key\", value FROM model_version_tags WHERE workspace = 'default' AND name = $name AND version = $version ORDER BY \"key\"", name, versions[i].Version),
            };
        }

        return versions;
    }
}
