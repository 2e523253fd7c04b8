using System.Globalization;
using LlmTrack;
using LlmTrack.Stores.Sqlite;

// A separate process for multi-process tests of the local SQLite store:
//   LlmTrack.TestChild log-metrics <tracking uri> <metric count> <batch size>
// opens the store (creating the database if needed), creates a run in the Default experiment,
// logs <metric count> metrics in batches and prints the run id.
if (args.Length != 4 || args[0] != "log-metrics")
{
    await Console.Error.WriteLineAsync("usage: LlmTrack.TestChild log-metrics <tracking uri> <metric count> <batch size>");
    return 2;
}

var count = int.Parse(args[2], CultureInfo.InvariantCulture);
var batchSize = int.Parse(args[3], CultureInfo.InvariantCulture);
using var store = SqliteTrackingStore.Open(args[1], TimeProvider.System);
var run = await store.CreateRunAsync(SqliteTrackingStore.DefaultExperimentId, null, TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds(), [], default);
var batch = new List<Metric>(batchSize);
for (var i = 0; i < count; i++)
{
    batch.Add(new Metric("loss", 1.0 / (i + 1), 1_700_000_000_000 + i, i));
    if (batch.Count == batchSize || i == count - 1)
    {
        await store.LogBatchAsync(run.Info.RunId, batch, [], [], default);
        batch.Clear();
    }
}

await store.UpdateRunAsync(run.Info.RunId, RunStatus.Finished, TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds(), null, default);
Console.WriteLine(run.Info.RunId);
return 0;
