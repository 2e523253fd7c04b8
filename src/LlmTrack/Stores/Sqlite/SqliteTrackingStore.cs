using System.Data;
using System.Globalization;
using LlmTrack.Artifacts;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmTrack.Stores.Sqlite;

/// <summary>
/// The local tracking store: an MLflow 3.6 SQLite database (<c>sqlite:///mlflow.db</c>) that MLflow
/// itself opens (<c>mlflow ui --backend-store-uri sqlite:///mlflow.db</c>), with MLflow's SQL store
/// semantics. WAL journal, a 30 s busy timeout and retried transactions let several processes log
/// into one file at once; every call is one transaction.
/// </summary>
internal sealed partial class SqliteTrackingStore : ITrackingStore
{
    /// <summary>The id of MLflow's Default experiment.</summary>
    public const string DefaultExperimentId = "0";

    private const string DefaultWorkspace = "default";
    private const int BusyTimeoutMilliseconds = 30_000;
    private const int MaxBusyAttempts = 8;
    private const int SearchMaxResultsThreshold = 50_000;

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private bool _disposed;
    private string? _ownedArtifactRoot;

    private SqliteTrackingStore(string trackingUri, string databasePath, string artifactRoot, SqliteConnection connection, TimeProvider timeProvider, ILogger logger)
    {
        TrackingUri = trackingUri;
        DatabasePath = databasePath;
        DefaultArtifactRoot = artifactRoot;
        _connection = connection;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The tracking URI the store was opened with.</summary>
    public string TrackingUri { get; }

    /// <summary>The absolute path of the database file.</summary>
    public string DatabasePath { get; }

    /// <summary>Where artifacts of new experiments go: <c>&lt;root&gt;/&lt;experiment id&gt;/&lt;run id&gt;/artifacts</c>.</summary>
    public string DefaultArtifactRoot { get; }

    /// <summary>The alembic revision of the opened database.</summary>
    public string? SchemaRevision { get; private set; }

    /// <summary>
    /// Opens (creating when missing) the MLflow database named by <paramref name="trackingUri"/>.
    /// A new database gets MLflow 3.6's exact schema, alembic revision, default workspace and the
    /// Default experiment; an existing one must be at that revision or a newer superset of it.
    /// </summary>
    /// <param name="trackingUri"><c>sqlite:///relative/path.db</c> or <c>sqlite:////absolute/path.db</c>.</param>
    /// <param name="timeProvider">The clock for creation, update and deletion times.</param>
    /// <param name="logger">Receives a notice when the database has a newer schema.</param>
    /// <param name="defaultArtifactRoot">
    /// The artifact root for new experiments; default <c>mlruns</c> next to the database file (which is
    /// <c>./mlruns</c>, like MLflow, for the default <c>sqlite:///mlflow.db</c>).
    /// </param>
    /// <exception cref="MlflowException"><c>BAD_SCHEMA</c> for an older or unknown database layout.</exception>
    internal static SqliteTrackingStore Open(string trackingUri, TimeProvider timeProvider, ILogger? logger = null, string? defaultArtifactRoot = null)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        var path = Configuration.TrackingUri.GetSqliteDatabasePath(trackingUri);
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        var artifactRoot = defaultArtifactRoot is null ? Path.Combine(folder, "mlruns") : ResolveIfLocal(defaultArtifactRoot);

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = BusyTimeoutMilliseconds / 1000,
        };
        var connection = new SqliteConnection(builder.ToString());
        var store = new SqliteTrackingStore(trackingUri, path, artifactRoot.TrimEnd('/', '\\'), connection, timeProvider, logger ?? NullLogger.Instance);
        return Initialized(store);
    }

    /// <summary>
    /// Opens a new in-process store (<c>memory:</c>): the same schema and semantics on a SQLite database that lives in
    /// memory as long as this store, with artifacts under a fresh temporary folder that <see cref="Dispose"/> deletes.
    /// </summary>
    /// <param name="timeProvider">The clock for creation, update and deletion times.</param>
    /// <param name="logger">Diagnostics.</param>
    internal static SqliteTrackingStore OpenInMemory(TimeProvider timeProvider, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        var artifactRoot = Path.Combine(Path.GetTempPath(), "llmtrack-memory-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(artifactRoot);
        var builder = new SqliteConnectionStringBuilder { DataSource = ":memory:", Pooling = false };
        var connection = new SqliteConnection(builder.ToString());
        var store = new SqliteTrackingStore(Configuration.TrackingUri.Memory, ":memory:", artifactRoot, connection, timeProvider, logger ?? NullLogger.Instance)
        {
            _ownedArtifactRoot = artifactRoot,
        };
        return Initialized(store);
    }

    // Creates or checks the schema; a store that fails to open is disposed before the error propagates.
    private static SqliteTrackingStore Initialized(SqliteTrackingStore store)
    {
        try
        {
            store.Initialize();
        }
        catch
        {
            store.Dispose();
            throw;
        }

        return store;
    }

    private void Initialize()
    {
        _connection.Open();
        ExecutePragma($"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}");
        ExecuteWithBusyRetry(() => ExecutePragma("PRAGMA journal_mode = WAL"));
        ExecutePragma("PRAGMA synchronous = NORMAL");

        ExecuteWithBusyRetry(() =>
        {
            using var transaction = _connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
            var (layout, revision) = MlflowSqliteSchema.Inspect(_connection, TrackingUri);
            if (layout == MlflowSqliteSchema.Layout.Empty)
            {
                MlflowSqliteSchema.Create(_connection, transaction);
                revision = MlflowSqliteSchema.Revision;
            }
            else if (layout == MlflowSqliteSchema.Layout.Newer)
            {
                LogNewerSchema(_logger, DatabasePath, revision!, MlflowSqliteSchema.Revision);
            }

            using (var count = Command(transaction, "SELECT COUNT(*) FROM experiments"))
            {
                if (Convert.ToInt64(count.ExecuteScalar(), CultureInfo.InvariantCulture) == 0)
                {
                    var now = NowMilliseconds();
                    using var insert = Command(
                        transaction,
                        "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time, workspace) " +
                        "VALUES (0, 'Default', $location, 'active', $now, $now, 'default')");
                    insert.Parameters.AddWithValue("$location", JoinUri(DefaultArtifactRoot, DefaultExperimentId));
                    insert.Parameters.AddWithValue("$now", now);
                    insert.ExecuteNonQuery();
                }
            }

            transaction.Commit();
            SchemaRevision = revision;
        });
    }

    /// <inheritdoc />
    public IArtifactRepository GetArtifactRepository(string artifactUri) => LocalArtifactRepository.FromUri(artifactUri);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _insertMetric?.Dispose();
        _insertMetricChunk?.Dispose();
        _preparedUpsertLatest?.Dispose();
        _connection.Dispose();
        _gate.Dispose();
        if (_ownedArtifactRoot is not null)
        {
            try
            {
                Directory.Delete(_ownedArtifactRoot, recursive: true);
            }
            catch (IOException)
            {
                // A file still open elsewhere: the folder is under the temporary directory, which the system cleans.
            }
            catch (UnauthorizedAccessException)
            {
                // As above.
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction (IMMEDIATE when it writes, so concurrent writers
    /// queue on SQLite's busy handler instead of failing), retrying the whole transaction when SQLite
    /// still reports the database busy or locked. Any exception rolls everything back.
    /// </summary>
    private async Task<T> ExecuteAsync<T>(bool write, Func<SqliteTransaction, T> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    using var transaction = _connection.BeginTransaction(IsolationLevel.Serializable, deferred: !write);
                    var result = work(transaction);
                    transaction.Commit();
                    return result;
                }
                catch (SqliteException ex) when (IsBusy(ex) && attempt < MaxBusyAttempts)
                {
                    await Task.Delay(BusyBackoff(attempt), _timeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (SqliteException ex)
                {
                    throw new MlflowException(
                        IsBusy(ex) ? MlflowErrorCode.Unavailable : MlflowErrorCode.InternalError,
                        $"SQLite error on '{DatabasePath}': {ex.Message}",
                        innerException: ex);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ExecuteAsync(bool write, Action<SqliteTransaction> work, CancellationToken cancellationToken) =>
        await ExecuteAsync<bool>(write, transaction =>
        {
            work(transaction);
            return true;
        }, cancellationToken).ConfigureAwait(false);

    private void ExecuteWithBusyRetry(Action action)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                action();
                return;
            }
            catch (SqliteException ex) when (IsBusy(ex) && attempt < MaxBusyAttempts)
            {
                Task.Delay(BusyBackoff(attempt), _timeProvider).GetAwaiter().GetResult();
            }
        }
    }

    private static bool IsBusy(SqliteException ex) =>
        (ex.SqliteErrorCode & 0xFF) is 5 /* SQLITE_BUSY */ or 6 /* SQLITE_LOCKED */;

    private static TimeSpan BusyBackoff(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(1000, 10 * (1 << attempt)) + RandomJitterMilliseconds());

    private static int RandomJitterMilliseconds() => System.Security.Cryptography.RandomNumberGenerator.GetInt32(10);

    private void ExecutePragma(string pragma)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = pragma;
        command.ExecuteNonQuery();
    }

    private SqliteCommand Command(SqliteTransaction transaction, string sql)
    {
        var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private long NowMilliseconds() => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>MLflow's <c>append_to_uri_path</c> for a path or URI root.</summary>
    private static string JoinUri(string root, params string[] parts) =>
        root.TrimEnd('/') + "/" + string.Join('/', parts);

    /// <summary>MLflow's <c>resolve_uri_if_local</c>: a relative local path becomes absolute; URIs stay.</summary>
    private static string ResolveIfLocal(string location)
    {
        if (Uri.TryCreate(location, UriKind.Absolute, out var uri) && uri.Scheme.Length > 1 && !Path.IsPathFullyQualified(location))
        {
            return location;
        }

        return Path.GetFullPath(location);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The MLflow database '{Path}' has alembic revision '{Revision}', newer than '{Known}' (MLflow 3.6); its tables are a superset of 3.6's, so LlmTrack uses it and writes only the columns it knows.")]
    private static partial void LogNewerSchema(ILogger logger, string path, string revision, string known);
}
