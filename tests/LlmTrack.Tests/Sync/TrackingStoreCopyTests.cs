using LlmTrack.Stores.Sqlite;
using LlmTrack.Tests.Rest;
using LlmTrack.Tests.Sqlite;

namespace LlmTrack.Tests.Sync;

/// <summary>The public store-to-store copy writes the target directly, even when its options have durable mode on.</summary>
public sealed class TrackingStoreCopyTests : IDisposable
{
    private const long Start = 1_700_000_000_000;
    private const string TargetRunId = "fedcba9876543210fedcba9876543210";
    private readonly TempFolder _folder = new();
    private readonly MlflowServerFixture _mlflow = new();

    public void Dispose()
    {
        _mlflow.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task CopyAsyncWritesTheTargetDirectlyNoJournalAndLeavesTheOptionsAsTheyWere()
    {
        using (var source = SqliteTrackingStore.Open(_folder.TrackingUri, TimeProvider.System))
        {
            var experimentId = await source.CreateExperimentAsync("direct", null, [], CancellationToken.None);
            var run = await source.CreateRunAsync(experimentId, "r", Start, [], CancellationToken.None);
            await source.LogBatchAsync(run.Info.RunId, [.. Enumerable.Range(0, 1500).Select(i => new Metric("loss", i, Start + i, i))], [new Param("p", "1")], [], CancellationToken.None);
            await source.UpdateRunAsync(run.Info.RunId, RunStatus.Finished, Start + 10_000, null, CancellationToken.None);
        }

        _mlflow.Respond(_mlflow.Get("experiments/get-by-name"), 404, """{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "No experiment"}""");
        _mlflow.Respond(_mlflow.Post("experiments/create"), 200, """{"experiment_id": "3"}""");
        _mlflow.Respond(_mlflow.Post("runs/search"), 200, "{}");
        _mlflow.Respond(_mlflow.Post("runs/create"), 200, $$$"""
            {"run": {"info": {"run_id": "{{{TargetRunId}}}", "experiment_id": "3", "status": "RUNNING", "start_time": {{{Start}}}, "artifact_uri": "mlflow-artifacts:/3/{{{TargetRunId}}}/artifacts", "lifecycle_stage": "active"}, "data": {} } }
            """);
        _mlflow.Respond(_mlflow.Post("runs/log-batch"), 200, "{}");
        _mlflow.Respond(_mlflow.Post("runs/update"), 200, $$$"""
            {"run_info": {"run_id": "{{{TargetRunId}}}", "experiment_id": "3", "status": "FINISHED", "start_time": {{{Start}}}, "end_time": {{{Start + 10_000}}}, "lifecycle_stage": "active"} }
            """);
        var journalRoot = Path.Combine(_folder.Path, "journal");
        var target = new LlmTrackOptions { TrackingUri = _mlflow.BaseUrl };
        target.Http.MaxRetries = 0;
        target.Durability.JournalDirectory = journalRoot;

        var report = await TrackingStoreCopy.CopyAsync(_folder.TrackingUri, target, new SyncOptions { ExperimentNames = ["direct"] });

        Assert.True(report.Succeeded);
        Assert.Equal((1, 1500L, 1), (report.RunsCreated, report.MetricPointsSent, report.ParamsSent));
        // Acknowledged by the server before CopyAsync returned: two batches, then the status.
        Assert.Equal(1500, _mlflow.Requests("runs/log-batch").Sum(r => System.Text.Json.Nodes.JsonNode.Parse(r.RequestMessage.Body!)!["metrics"]!.AsArray().Count));
        Assert.Single(_mlflow.Requests("runs/update"));
        Assert.False(Directory.Exists(journalRoot));
        Assert.True(target.Durability.Enabled);
    }
}
