using LlmTrack.Stores.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace LlmTrack.Tests.Sqlite;

/// <summary>Databases MLflow created (built here from the reference DDL and the rows FACTS.md records).</summary>
public sealed class ExistingDatabaseTests : IDisposable
{
    private const string RunId = "bd2d9a7e1c4f4b8d9e0f1a2b3c4d5821";
    private const long StartMs = 1_795_853_745_000;
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>The rows the official client wrote for one run with one metric (FACTS.md "Local store").</summary>
    private void CreateMlflowDatabase(string? extraSql = null, string revision = "1b5f0d9ad7c1")
    {
        using var connection = _folder.OpenConnection();
        connection.Execute(SqliteTestExtensions.ReferenceSchema());
        var cwd = _folder.Path;
        connection.Execute($"""
            INSERT INTO alembic_version VALUES ('{revision}');
            INSERT INTO workspaces VALUES ('default', 'Default workspace for legacy resources');
            INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time, workspace)
                VALUES (0, 'Default', '{cwd}/mlruns/0', 'active', {StartMs}, {StartMs}, 'default');
            INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time)
                VALUES ('{RunId}', 'smiling-yak-911', 'UNKNOWN', '', '', 'root', 'FINISHED', {StartMs}, {StartMs + 900}, '', 'active', '{cwd}/mlruns/0/{RunId}/artifacts', 0, NULL);
            INSERT INTO metrics VALUES ('m', 1.0, {StartMs + 100}, '{RunId}', 0, 0);
            INSERT INTO latest_metrics VALUES ('m', 1.0, {StartMs + 100}, 0, 0, '{RunId}');
            INSERT INTO tags VALUES ('mlflow.user', 'root', '{RunId}');
            INSERT INTO tags VALUES ('mlflow.source.name', 'train.py', '{RunId}');
            INSERT INTO tags VALUES ('mlflow.source.type', 'LOCAL', '{RunId}');
            INSERT INTO tags VALUES ('mlflow.runName', 'smiling-yak-911', '{RunId}');
            """);
        if (extraSql is not null)
        {
            connection.Execute(extraSql);
        }
    }

    [Fact]
    public async Task DatabaseCreatedByMlflowIsReadAndExtended()
    {
        CreateMlflowDatabase();
        using (var store = SqliteTrackingStore.Open(_folder.TrackingUri, new FakeTimeProvider()))
        {
            var run = await store.GetRunAsync(RunId, default);
            Assert.Equal("smiling-yak-911", run.Info.RunName);
            Assert.Equal(RunStatus.Finished, run.Info.Status);
            Assert.Equal(StartMs + 900, run.Info.EndTime);
            Assert.Equal("root", run.Info.UserId);
            Assert.Equal([new Metric("m", 1.0, StartMs + 100, 0)], run.Data.Metrics);
            Assert.Contains(new Tag("mlflow.source.type", "LOCAL"), run.Data.Tags);

            await store.LogBatchAsync(RunId, [new Metric("m", 2.0, StartMs + 200, 1)], [new Param("p", "v")], [], default);
            var second = await store.CreateRunAsync("0", "next", StartMs + 1000, [], default);
            Assert.Equal(_folder.Path + "/mlruns/0/" + second.Info.RunId + "/artifacts", second.Info.ArtifactUri);

            var found = await store.SearchRunsAsync(["0"], "metrics.m >= 2", ViewType.ActiveOnly, 10, null, null, default);
            Assert.Equal([RunId], found.Items.Select(r => r.Info.RunId));
        }

        using var connection = _folder.OpenConnection();
        Assert.Equal(1L, connection.Scalar("SELECT COUNT(*) FROM experiments"));
        Assert.Equal(2L, connection.Scalar("SELECT COUNT(*) FROM metrics"));
        Assert.Equal(new object?[] { 2.0, 1L }, connection.Rows("SELECT value, step FROM latest_metrics").Single());
        Assert.Equal("1b5f0d9ad7c1", connection.Scalar("SELECT version_num FROM alembic_version"));
    }

    [Fact]
    public async Task NewerSchemaWithExtraTablesAndColumnsIsUsedAndLogged()
    {
        CreateMlflowDatabase(
            """
            ALTER TABLE runs ADD COLUMN future_column VARCHAR(50) DEFAULT 'x';
            ALTER TABLE metrics ADD COLUMN model_id VARCHAR(36);
            CREATE TABLE future_things (id INTEGER PRIMARY KEY, note TEXT);
            """,
            revision: "ffff00001111");
        var logger = new CollectingLogger();
        using (var store = SqliteTrackingStore.Open(_folder.TrackingUri, new FakeTimeProvider(), logger))
        {
            Assert.Equal("ffff00001111", store.SchemaRevision);
            var run = await store.CreateRunAsync("0", "new", StartMs, [], default);
            await store.LogBatchAsync(run.Info.RunId, [new Metric("m", 3, StartMs, 0)], [], [], default);
            Assert.Equal(3, (await store.GetRunAsync(run.Info.RunId, default)).Data.Metrics.Single().Value);
        }

        Assert.Contains(logger.Messages, m => m.Contains("ffff00001111", StringComparison.Ordinal) && m.Contains("newer", StringComparison.Ordinal));
        using var connection = _folder.OpenConnection();
        Assert.Equal("ffff00001111", connection.Scalar("SELECT version_num FROM alembic_version"));
        Assert.Equal(2L, connection.Scalar("SELECT COUNT(*) FROM runs WHERE future_column = 'x'"));
        Assert.Equal(1L, connection.Scalar("SELECT COUNT(*) FROM metrics WHERE model_id IS NULL AND value = 3"));
    }

    [Fact]
    public void OlderSchemaMissingAColumnIsBadSchema()
    {
        using (var connection = _folder.OpenConnection())
        {
            // An older MLflow: experiments without the workspace column, no workspaces table.
            var ddl = SqliteTestExtensions.ReferenceSchema()
                .Replace("\tworkspace VARCHAR(63) DEFAULT 'default' NOT NULL, \n\tCONSTRAINT experiment_pk", "\tCONSTRAINT experiment_pk", StringComparison.Ordinal)
                .Replace("CONSTRAINT uq_experiments_workspace_name UNIQUE (workspace, name)", "UNIQUE (name)", StringComparison.Ordinal)
                .Replace("CREATE INDEX idx_experiments_workspace ON experiments (workspace);", "", StringComparison.Ordinal)
                .Replace("CREATE INDEX idx_experiments_workspace_creation_time ON experiments (workspace, creation_time);", "", StringComparison.Ordinal);
            connection.Execute(ddl);
            connection.Execute("DROP TABLE workspaces; INSERT INTO alembic_version VALUES ('0584bdc529eb');");
        }

        var ex = Assert.Throws<MlflowException>(() => SqliteTrackingStore.Open(_folder.TrackingUri, new FakeTimeProvider()));
        Assert.Equal(MlflowErrorCode.BadSchema, ex.ErrorCode);
        Assert.Contains("mlflow db upgrade " + _folder.TrackingUri, ex.Message, StringComparison.Ordinal);
        Assert.Contains("0584bdc529eb", ex.Message, StringComparison.Ordinal);
        Assert.Contains("experiments.workspace", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownLayoutIsBadSchema()
    {
        using (var connection = _folder.OpenConnection())
        {
            connection.Execute("CREATE TABLE experiments (id INTEGER); CREATE TABLE alembic_version (version_num VARCHAR(32)); INSERT INTO alembic_version VALUES ('451aebb31d03');");
        }

        var ex = Assert.Throws<MlflowException>(() => SqliteTrackingStore.Open(_folder.TrackingUri, new FakeTimeProvider()));
        Assert.Equal(MlflowErrorCode.BadSchema, ex.ErrorCode);
        Assert.Contains("mlflow db upgrade", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DatabaseWithoutAlembicRevisionIsBadSchema()
    {
        using (var connection = _folder.OpenConnection())
        {
            connection.Execute("CREATE TABLE something_else (id INTEGER)");
        }

        var ex = Assert.Throws<MlflowException>(() => SqliteTrackingStore.Open(_folder.TrackingUri, new FakeTimeProvider()));
        Assert.Equal(MlflowErrorCode.BadSchema, ex.ErrorCode);
        Assert.Contains("no alembic revision", ex.Message, StringComparison.Ordinal);
    }

    private sealed class CollectingLogger : ILogger
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add(formatter(state, exception));
    }
}
