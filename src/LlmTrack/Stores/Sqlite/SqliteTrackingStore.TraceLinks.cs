using LlmTrack.Stores.Sqlite.Traces;

namespace LlmTrack.Stores.Sqlite;

/// <summary>
/// Linking traces to a run on the local store: one <c>entity_associations</c> row per trace (source <c>trace</c>,
/// destination <c>run</c>), as MLflow's SqlAlchemyStore writes it. ITraceSink and ITraceStore both declare it; this
/// file exists so the read side compiles on its own (the write side's copy replaces it at merge).
/// </summary>
internal sealed partial class SqliteTrackingStore
{
    /// <inheritdoc />
    public Task LinkTracesToRunAsync(IReadOnlyList<string> traceIds, string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(traceIds);
        ArgumentException.ThrowIfNullOrEmpty(runId);
        return ExecuteAsync(write: true, transaction =>
        {
            foreach (var traceId in traceIds)
            {
                using var command = Command(transaction, "INSERT OR IGNORE INTO entity_associations (association_id, source_type, source_id, destination_type, destination_id, created_time) " +
                    $"VALUES ($id, '{TraceSearchSql.TraceEntity}', $trace, '{TraceSearchSql.RunEntity}', $run, $now)");
                command.Parameters.AddWithValue("$id", Guid.NewGuid().ToString());
                command.Parameters.AddWithValue("$trace", traceId);
                command.Parameters.AddWithValue("$run", runId);
                command.Parameters.AddWithValue("$now", NowMilliseconds());
                command.ExecuteNonQuery();
            }
        }, cancellationToken);
    }
}
