using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace LlmTrack.Stores.Sqlite;

/// <summary>
/// A prepared multi-row <c>INSERT … ON CONFLICT DO NOTHING</c> into MLflow's <c>metrics</c> table, bound by
/// parameter position through SQLitePCLRaw (the layer under Microsoft.Data.Sqlite) on the store's connection, so it
/// runs inside the store's open transaction. Binding by name costs a linear search of the statement's parameter
/// names for every value — most of the time of a 1000-point batch — while binding by position costs nothing.
/// </summary>
internal sealed class MetricInsertStatement : IDisposable
{
    private const int ColumnsPerRow = 5;
    private readonly sqlite3 _database;
    private readonly sqlite3_stmt _statement;
    private readonly Dictionary<string, byte[]> _utf8Keys = new(StringComparer.Ordinal);

    /// <summary>Prepares the statement for <paramref name="rows"/> rows on <paramref name="connection"/> (open).</summary>
    public MetricInsertStatement(SqliteConnection connection, int rows)
    {
        _database = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        Rows = rows;

        // ?1 is the run id, shared by every row; row r uses ?(2 + 5r) … ?(6 + 5r).
        var sql = new StringBuilder("INSERT INTO metrics (\"key\", value, timestamp, step, is_nan, run_uuid) VALUES ");
        for (var row = 0; row < rows; row++)
        {
            var first = 2 + (row * ColumnsPerRow);
            sql.Append(row == 0 ? "(" : ", (");
            for (var column = 0; column < ColumnsPerRow; column++)
            {
                sql.Append('?').Append((first + column).ToString(CultureInfo.InvariantCulture)).Append(", ");
            }

            sql.Append("?1)");
        }

        sql.Append(" ON CONFLICT DO NOTHING");
        Check(raw.sqlite3_prepare_v2(_database, sql.ToString(), out _statement));
    }

    /// <summary>The rows one execution inserts.</summary>
    public int Rows { get; }

    /// <summary>Binds the run id of every row.</summary>
    public void BindRun(string runId) => Check(raw.sqlite3_bind_text(_statement, 1, runId));

    /// <summary>Binds one row: the point as MLflow's SQL store writes it (<paramref name="stored"/> is 0 for NaN).</summary>
    public void BindRow(int row, in Metric metric, double stored, bool isNan)
    {
        var first = 2 + (row * ColumnsPerRow);
        if (!_utf8Keys.TryGetValue(metric.Key, out var key))
        {
            key = Encoding.UTF8.GetBytes(metric.Key);
            if (_utf8Keys.Count < 10_000)
            {
                _utf8Keys[metric.Key] = key;
            }
        }

        Check(raw.sqlite3_bind_text(_statement, first, key));
        Check(raw.sqlite3_bind_double(_statement, first + 1, stored));
        Check(raw.sqlite3_bind_int64(_statement, first + 2, metric.Timestamp));
        Check(raw.sqlite3_bind_int64(_statement, first + 3, metric.Step));
        Check(raw.sqlite3_bind_int(_statement, first + 4, isNan ? 1 : 0));
    }

    /// <summary>Runs the insert with the bound rows.</summary>
    public void Execute()
    {
        var result = raw.sqlite3_step(_statement);
        if (result != raw.SQLITE_DONE)
        {
            var error = Error(result);
            raw.sqlite3_reset(_statement);
            throw error;
        }

        Check(raw.sqlite3_reset(_statement));
    }

    /// <inheritdoc />
    public void Dispose() => _statement.Dispose();

    private void Check(int result)
    {
        if (result != raw.SQLITE_OK)
        {
            throw Error(result);
        }
    }

    private SqliteException Error(int result) =>
        new(raw.sqlite3_errmsg(_database).utf8_to_string(), result, raw.sqlite3_extended_errcode(_database));
}
