using System.Globalization;
using System.Reflection;
using Microsoft.Data.Sqlite;

namespace LlmTrack.Stores.Sqlite;

/// <summary>
/// MLflow 3.6's tracking database schema (the DDL a real MLflow 3.6 server creates, embedded as a
/// resource) and the checks that decide whether an existing database can be used as is.
/// </summary>
internal static class MlflowSqliteSchema
{
    private const string ResourceName = "LlmTrack.Stores.Sqlite.mlflow-3.6-schema.sql";
    private const string RevisionPrefix = "-- alembic_version:";

    private static readonly Lazy<string> s_ddl = new(LoadDdl);
    private static readonly Lazy<IReadOnlyDictionary<string, IReadOnlyList<string>>> s_tables = new(LoadTableColumns);

    /// <summary>The schema's DDL, exactly as MLflow 3.6 creates it.</summary>
    public static string Ddl => s_ddl.Value;

    /// <summary>The alembic revision the schema is stamped with (first line of the DDL).</summary>
    public static string Revision
    {
        get
        {
            var firstLine = Ddl.AsSpan(0, Ddl.IndexOf('\n', StringComparison.Ordinal)).Trim();
            return firstLine[RevisionPrefix.Length..].Trim().ToString();
        }
    }

    /// <summary>Every table of the schema with its column names.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Tables => s_tables.Value;

    /// <summary>The state of a database file as found when it is opened.</summary>
    public enum Layout
    {
        /// <summary>No tables at all: a new database.</summary>
        Empty,

        /// <summary>MLflow 3.6's revision with every table and column.</summary>
        Current,

        /// <summary>Another revision whose tables and columns are a superset of ours (a newer MLflow).</summary>
        Newer,
    }

    /// <summary>
    /// Inspects the database on <paramref name="connection"/>. Throws <c>BAD_SCHEMA</c> for an older or
    /// unknown layout (missing tables or columns).
    /// </summary>
    public static (Layout Layout, string? Revision) Inspect(SqliteConnection connection, string databaseUri)
    {
        var existingTables = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                existingTables.Add(reader.GetString(0));
            }
        }

        if (existingTables.Count == 0)
        {
            return (Layout.Empty, null);
        }

        string? revision = null;
        if (existingTables.Contains("alembic_version"))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT version_num FROM alembic_version";
            revision = command.ExecuteScalar() as string;
        }

        var missing = new List<string>();
        foreach (var (table, columns) in Tables)
        {
            if (!existingTables.Contains(table))
            {
                missing.Add(table);
                continue;
            }

            var existingColumns = ReadColumns(connection, table);
            missing.AddRange(columns.Where(c => !existingColumns.Contains(c)).Select(c => table + "." + c));
        }

        if (revision is null || missing.Count > 0)
        {
            var found = revision is null ? "no alembic revision" : $"alembic revision '{revision}'";
            var detail = missing.Count > 0
                ? $" Missing: {string.Join(", ", missing.Take(10))}{(missing.Count > 10 ? ", …" : "")}."
                : "";
            throw new MlflowException(
                MlflowErrorCode.BadSchema,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"The database at '{databaseUri}' has an older or unknown MLflow schema ({found}; expected '{Revision}' or newer).{detail} Upgrade it with `mlflow db upgrade {databaseUri}` (back it up first)."));
        }

        return (string.Equals(revision, Revision, StringComparison.Ordinal) ? Layout.Current : Layout.Newer, revision);
    }

    /// <summary>Creates the full schema, the alembic row, the default workspace and nothing else.</summary>
    public static void Create(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Ddl;
        command.ExecuteNonQuery();

        command.CommandText =
            "INSERT INTO alembic_version (version_num) VALUES ($revision);" +
            "INSERT INTO workspaces (name, description) VALUES ('default', 'Default workspace for legacy resources');";
        command.Parameters.AddWithValue("$revision", Revision);
        command.ExecuteNonQuery();
    }

    private static HashSet<string> ReadColumns(SqliteConnection connection, string table)
    {
        var columns = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using var command = connection.CreateCommand();
        // table_xinfo also lists generated columns (spans.duration_ns), which table_info hides.
        command.CommandText = "SELECT name FROM pragma_table_xinfo($table)";
        command.Parameters.AddWithValue("$table", table);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            columns.Add(reader.GetString(0));
        }

        return columns;
    }

    private static string LoadDdl()
    {
        using var stream = typeof(MlflowSqliteSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource '{ResourceName}' is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static Dictionary<string, IReadOnlyList<string>> LoadTableColumns()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = Ddl;
            command.ExecuteNonQuery();
        }

        var tables = new List<string>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        return tables.ToDictionary(
            t => t,
            t => (IReadOnlyList<string>)[.. ReadColumns(connection, t)],
            StringComparer.OrdinalIgnoreCase);
    }
}
