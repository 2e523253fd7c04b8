using System.Text.RegularExpressions;
using LlmTrack.Stores.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace LlmTrack.Tests.Sqlite;

public sealed partial class SqliteSchemaTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    private static string Normalize(string sql) => Whitespace().Replace(sql, " ").Trim().TrimEnd(';').Trim();

    [Fact]
    public void NewDatabaseHasExactlyTheReferenceSchema()
    {
        using var folder = new TempFolder();
        using (SqliteTrackingStore.Open(folder.TrackingUri, new FakeTimeProvider(s_now)))
        {
        }

        var reference = SqliteTestExtensions.ReferenceSchema();
        var expected = reference.Split(";\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(s => string.Join('\n', s.Split('\n').Where(l => !l.TrimStart().StartsWith("--", StringComparison.Ordinal))))
            .Select(Normalize)
            .Where(s => s.Length > 0)
            .Order(StringComparer.Ordinal)
            .ToList();

        using var connection = folder.OpenConnection();
        var actual = connection.Rows("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")
            .Select(r => Normalize((string)r[0]!))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected, actual);
        Assert.Contains(actual, s => s.StartsWith("CREATE TABLE \"runs\"", StringComparison.Ordinal));
    }

    [Fact]
    public void NewDatabaseHasAlembicRevisionWorkspaceAndDefaultExperiment()
    {
        using var folder = new TempFolder();
        using (var store = SqliteTrackingStore.Open(folder.TrackingUri, new FakeTimeProvider(s_now)))
        {
            Assert.Equal("1b5f0d9ad7c1", store.SchemaRevision);
        }

        var firstLine = SqliteTestExtensions.ReferenceSchema().Split('\n')[0];
        Assert.Equal("-- alembic_version: 1b5f0d9ad7c1", firstLine);

        using var connection = folder.OpenConnection();
        Assert.Equal("1b5f0d9ad7c1", connection.Scalar("SELECT version_num FROM alembic_version"));
        Assert.Equal(1L, connection.Scalar("SELECT COUNT(*) FROM alembic_version"));
        var workspace = Assert.Single(connection.Rows("SELECT name, description FROM workspaces"));
        Assert.Equal(new object?[] { "default", "Default workspace for legacy resources" }, workspace);

        var experiment = Assert.Single(connection.Rows(
            "SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time, workspace FROM experiments"));
        var ms = s_now.ToUnixTimeMilliseconds();
        Assert.Equal(new object?[] { 0L, "Default", folder.Path + "/mlruns/0", "active", ms, ms, "default" }, experiment);
    }

    [Fact]
    public void DatabaseUsesWalJournal()
    {
        using var folder = new TempFolder();
        using (SqliteTrackingStore.Open(folder.TrackingUri, TimeProvider.System))
        {
        }

        using var connection = folder.OpenConnection();
        Assert.Equal("wal", connection.Scalar("PRAGMA journal_mode"));
    }

    [Fact]
    public async Task ReopeningKeepsTheDatabaseAsIs()
    {
        using var folder = new TempFolder();
        using (var store = SqliteTrackingStore.Open(folder.TrackingUri, new FakeTimeProvider(s_now)))
        {
            await store.CreateExperimentAsync("kept", null, [], default);
        }

        using (var store = SqliteTrackingStore.Open(folder.TrackingUri, new FakeTimeProvider(s_now.AddDays(1))))
        {
            Assert.NotNull(await store.GetExperimentByNameAsync("kept", default));
        }

        using var connection = folder.OpenConnection();
        Assert.Equal(2L, connection.Scalar("SELECT COUNT(*) FROM experiments"));
        Assert.Equal(1L, connection.Scalar("SELECT COUNT(*) FROM workspaces"));
        Assert.Equal(1L, connection.Scalar("SELECT COUNT(*) FROM alembic_version"));
    }

    [Fact]
    public void EmbeddedSchemaIsTheReference()
    {
        Assert.Equal(SqliteTestExtensions.ReferenceSchema(), MlflowSqliteSchema.Ddl);
        Assert.Equal("1b5f0d9ad7c1", MlflowSqliteSchema.Revision);
        Assert.Contains("duration_ns", MlflowSqliteSchema.Tables["spans"]);
        Assert.Equal(14, MlflowSqliteSchema.Tables["runs"].Count);
    }

    [Theory]
    [InlineData("sqlite:///mlflow.db", "mlflow.db")]
    [InlineData("sqlite:///sub/dir/x.db", "sub/dir/x.db")]
    [InlineData("sqlite:///mlflow.db?timeout=20", "mlflow.db")]
    public void RelativeUriIsResolvedAgainstTheCurrentDirectory(string uri, string relative)
    {
        Assert.Equal(Path.GetFullPath(relative), LlmTrack.Configuration.TrackingUri.GetSqliteDatabasePath(uri));
    }

    [Fact]
    public void AbsoluteUriKeepsItsPath()
    {
        Assert.Equal("/tmp/x/mlflow.db", LlmTrack.Configuration.TrackingUri.GetSqliteDatabasePath("sqlite:////tmp/x/mlflow.db"));
        Assert.True(LlmTrack.Configuration.TrackingUri.IsSqlite("sqlite:///a.db"));
        Assert.False(LlmTrack.Configuration.TrackingUri.IsSqlite("http://127.0.0.1:5000"));
    }

    [Theory]
    [InlineData("sqlite://")]
    [InlineData("sqlite:///:memory:")]
    [InlineData("postgresql://x/y")]
    public void InvalidUrisAreRejected(string uri)
    {
        var ex = Assert.Throws<MlflowException>(() => LlmTrack.Configuration.TrackingUri.GetSqliteDatabasePath(uri));
        Assert.Equal(MlflowErrorCode.InvalidParameterValue, ex.ErrorCode);
    }
}
