using Microsoft.Data.Sqlite;

namespace LlmTrack.Stores.Sqlite;

/// <summary>
/// <c>log-batch</c>: params, metrics and tags of one call in ONE transaction, as MLflow's SQL store
/// stores them (NaN as value 0 with <c>is_nan</c> = 1, ±∞ clamped to ±<see cref="double.MaxValue"/>,
/// identical points stored once, <c>latest_metrics</c> holding the point with the highest
/// (step, timestamp, value)). Metric statements are prepared once and reused.
/// </summary>
/// <remarks>
/// Difference from the MLflow server: a repeated identical NaN point is ignored like any other
/// repeated point (the server answers 400 with an IntegrityError), so a retried batch never fails.
/// </remarks>
internal sealed partial class SqliteTrackingStore
{
    // Rows per insert statement: fewer statement executions per batch (10, 25, 50 and 100 measured alike).
    private const int MetricRowsPerStatement = 10;

    private MetricInsertStatement? _insertMetric;
    private MetricInsertStatement? _insertMetricChunk;
    private SqliteCommand? _preparedUpsertLatest;
    private Metric[] _sortedMetrics = [];

    /// <inheritdoc />
    public Task LogBatchAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(tags);
        return ExecuteAsync(write: true, transaction =>
        {
            CheckRunActive(GetRunInfo(transaction, runId));
            LogParams(transaction, runId, parameters);
            LogMetrics(transaction, runId, metrics);
            foreach (var tag in tags)
            {
                SetRunTag(transaction, runId, tag.Key, tag.Value);
            }
        }, cancellationToken);
    }

    /// <summary>The value MLflow's SQL store writes for <paramref name="value"/>, and whether it is NaN.</summary>
    internal static (double Stored, bool IsNan) ToStoredValue(double value) =>
        double.IsNaN(value) ? (0d, true)
        : double.IsPositiveInfinity(value) ? (double.MaxValue, false)
        : double.IsNegativeInfinity(value) ? (double.MinValue, false)
        : (value, false);

    private void LogParams(SqliteTransaction transaction, string runId, IReadOnlyList<Param> parameters)
    {
        if (parameters.Count == 0)
        {
            return;
        }

        using var select = Command(transaction, "SELECT value FROM params WHERE run_uuid = $id AND \"key\" = $key");
        var selectKey = select.Parameters.Add("$key", SqliteType.Text);
        select.Parameters.AddWithValue("$id", runId);
        using var insert = Command(transaction, "INSERT INTO params (\"key\", value, run_uuid) VALUES ($key, $value, $id)");
        var insertKey = insert.Parameters.Add("$key", SqliteType.Text);
        var insertValue = insert.Parameters.Add("$value", SqliteType.Text);
        insert.Parameters.AddWithValue("$id", runId);
        foreach (var param in parameters)
        {
            selectKey.Value = param.Key;
            if (select.ExecuteScalar() is string existing)
            {
                if (existing != param.Value)
                {
                    throw new MlflowException(
                        MlflowErrorCode.InvalidParameterValue,
                        $"Changing param values is not allowed. Param with key='{param.Key}' was already logged with value='{existing}' for run ID='{runId}'. Attempted logging new value '{param.Value}'.");
                }

                continue;
            }

            insertKey.Value = param.Key;
            insertValue.Value = param.Value;
            insert.ExecuteNonQuery();
        }
    }

    private void LogMetrics(SqliteTransaction transaction, string runId, IReadOnlyList<Metric> metrics)
    {
        if (metrics.Count == 0)
        {
            return;
        }

        // Insert in primary-key order (key, timestamp, step): interleaved keys otherwise land on a different
        // B-tree leaf with every row; sorted, consecutive rows share a leaf (2–3× faster with 10 keys).
        if (_sortedMetrics.Length < metrics.Count)
        {
            _sortedMetrics = new Metric[Math.Max(metrics.Count, 1000)];
        }

        var sorted = _sortedMetrics.AsSpan(0, metrics.Count);
        for (var i = 0; i < sorted.Length; i++)
        {
            sorted[i] = metrics[i];
        }

        sorted.Sort(static (a, b) =>
        {
            var byKey = string.CompareOrdinal(a.Key, b.Key);
            return byKey != 0 ? byKey : a.Timestamp != b.Timestamp ? a.Timestamp.CompareTo(b.Timestamp) : a.Step.CompareTo(b.Step);
        });
        metrics = new ArraySegment<Metric>(_sortedMetrics, 0, metrics.Count);

        var latest = new Dictionary<string, (double Value, long Timestamp, long Step, bool IsNan)>(StringComparer.Ordinal);
        var chunk = _insertMetricChunk ??= new MetricInsertStatement(_connection, MetricRowsPerStatement);
        var single = _insertMetric ??= new MetricInsertStatement(_connection, 1);
        chunk.BindRun(runId);
        single.BindRun(runId);
        var index = 0;
        for (; index + MetricRowsPerStatement <= metrics.Count; index += MetricRowsPerStatement)
        {
            BindAndExecute(chunk, metrics, index, latest);
        }

        for (; index < metrics.Count; index++)
        {
            BindAndExecute(single, metrics, index, latest);
        }

        var upsert = _preparedUpsertLatest ??= PrepareUpsertLatest();
        upsert.Transaction = transaction;
        upsert.Parameters["$run"].Value = runId;
        foreach (var (key, point) in latest)
        {
            upsert.Parameters[0].Value = key;
            upsert.Parameters[1].Value = point.Value;
            upsert.Parameters[2].Value = point.Timestamp;
            upsert.Parameters[3].Value = point.Step;
            upsert.Parameters[4].Value = point.IsNan ? 1L : 0L;
            upsert.ExecuteNonQuery();
        }
    }

    /// <summary>Binds <see cref="MetricInsertStatement.Rows"/> metrics from <paramref name="start"/>, inserts them and tracks each key's latest point.</summary>
    private static void BindAndExecute(MetricInsertStatement insert, IReadOnlyList<Metric> metrics, int start, Dictionary<string, (double Value, long Timestamp, long Step, bool IsNan)> latest)
    {
        for (var row = 0; row < insert.Rows; row++)
        {
            var metric = metrics[start + row];
            var (stored, isNan) = ToStoredValue(metric.Value);
            insert.BindRow(row, metric, stored, isNan);

            // MLflow compares the stored value (0 for NaN) when choosing the latest point.
            var candidate = (stored, metric.Timestamp, metric.Step, isNan);
            if (!latest.TryGetValue(metric.Key, out var best) || IsMoreRecent(candidate, best))
            {
                latest[metric.Key] = candidate;
            }
        }

        insert.Execute();
    }

    private static bool IsMoreRecent((double Value, long Timestamp, long Step, bool IsNan) a, (double Value, long Timestamp, long Step, bool IsNan) b) =>
        a.Step != b.Step ? a.Step > b.Step
        : a.Timestamp != b.Timestamp ? a.Timestamp > b.Timestamp
        : a.Value > b.Value;

    private SqliteCommand PrepareUpsertLatest()
    {
        var command = _connection.CreateCommand();
        command.CommandText =
            "INSERT INTO latest_metrics (\"key\", value, timestamp, step, is_nan, run_uuid) VALUES ($key, $value, $timestamp, $step, $nan, $run) " +
            "ON CONFLICT (\"key\", run_uuid) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan " +
            "WHERE (excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)";
        command.Parameters.Add("$key", SqliteType.Text);
        command.Parameters.Add("$value", SqliteType.Real);
        command.Parameters.Add("$timestamp", SqliteType.Integer);
        command.Parameters.Add("$step", SqliteType.Integer);
        command.Parameters.Add("$nan", SqliteType.Integer);
        command.Parameters.Add("$run", SqliteType.Text);
        return command;
    }
}
