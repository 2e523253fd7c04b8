using System.Globalization;
using LlmTrack;
using LlmTrack.Stores.Sqlite;

// A separate process for multi-process tests of the local SQLite store:
//   LlmTrack.TestChild log-metrics <tracking uri> <metric count> <batch size>
// opens the store (creating the database if needed), creates a run in the Default experiment,
// logs <metric count> metrics in batches and prints the run id.
//   LlmTrack.TestChild durable-log <tracking uri> <journal dir> <metric count>
// starts a run in durable mode (the server is expected to be unreachable, so the run starts locally), logs
// <metric count> points of "loss" (step i), flushes them to the journal, prints "ready <run id>" and waits to be killed.
if (args.Length == 4 && args[0] == "durable-log")
{
    var options = new LlmTrackOptions { TrackingUri = args[1] };
    options.Durability.JournalDirectory = args[2];
    options.Durability.StartTimeout = TimeSpan.FromSeconds(10);
    options.Http.MaxRetries = 0;
    var tracker = new Tracker(options);
    var durableRun = tracker.StartRun(new RunOptions { ExperimentId = "0", RunName = "killed" });
    var points = int.Parse(args[3], CultureInfo.InvariantCulture);
    for (var i = 0; i < points; i++)
    {
        durableRun.LogMetric("loss", 1.0 / (i + 1), step: i);
    }

    durableRun.Flush();
    Console.WriteLine("ready " + durableRun.RunId);
    await Task.Delay(Timeout.Infinite);
    return 0;
}

if (args.Length != 4 || args[0] != "log-metrics")
{
    await Console.Error.WriteLineAsync("usage: LlmTrack.TestChild log-metrics <tracking uri> <metric count> <batch size> | durable-log <tracking uri> <journal dir> <metric count>");
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
