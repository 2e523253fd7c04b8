using Microsoft.Data.Sqlite;

namespace LlmTrack.Cli.Tests.Traces;

public sealed class LocalStoreTracesCommandTests : IDisposable
{
    private const string TraceId = "tr-0123456789abcdef0123456789abcdef";
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>A database with one trace and its root span, in the rows MLflow's SqlAlchemyStore writes.</summary>
    private async Task SeedAsync()
    {
        var created = await CliRun.RunAsync("traces", "ls", "--tracking-uri", _folder.TrackingUri);
        Assert.Equal(0, created.ExitCode);
        using var db = _folder.OpenConnection();
        Execute(db, $"INSERT INTO trace_info (request_id, experiment_id, timestamp_ms, execution_time_ms, status) VALUES ('{TraceId}', 0, 1764900000000, 119, 'OK')");
        Execute(db, $"INSERT INTO trace_tags (\"key\", value, request_id) VALUES ('mlflow.traceName', 'pipeline', '{TraceId}')");
        var content = "{\"trace_id\": \"ASNFZ4mrze8BI0VniavN7w==\", \"span_id\": \"qqqqqqqqqqo=\", \"parent_span_id\": \"\", \"name\": \"pipeline\", " +
            "\"start_time_unix_nano\": 1764900000000000000, \"end_time_unix_nano\": 1764900000119000000, " +
            "\"attributes\": {\"mlflow.spanType\": \"\\\"CHAIN\\\"\"}, \"status\": {\"message\": \"\", \"code\": \"STATUS_CODE_OK\"}, \"events\": []}";
        Execute(db, "INSERT INTO spans (trace_id, experiment_id, span_id, parent_span_id, name, type, status, start_time_unix_nano, end_time_unix_nano, content) " +
            $"VALUES ('{TraceId}', 0, 'aaaaaaaaaaaaaaaa', NULL, 'pipeline', 'CHAIN', 'OK', 1764900000000000000, 1764900000119000000, '{content}')");
    }

    [Fact]
    public async Task ListAndShowWorkOnTheLocalStore()
    {
        await SeedAsync();

        var list = await CliRun.RunAsync("traces", "ls", "--tracking-uri", _folder.TrackingUri);
        Assert.Equal(0, list.ExitCode);
        Assert.Contains(TraceId, list.Stdout, StringComparison.Ordinal);
        Assert.Contains("pipeline", list.Stdout, StringComparison.Ordinal);
        Assert.Contains("119 ms", list.Stdout, StringComparison.Ordinal);

        var show = await CliRun.RunAsync("traces", "show", TraceId, "--tracking-uri", _folder.TrackingUri);
        Assert.Equal(0, show.ExitCode);
        Assert.Contains("pipeline", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("CHAIN", show.Stdout, StringComparison.Ordinal);
    }
}
