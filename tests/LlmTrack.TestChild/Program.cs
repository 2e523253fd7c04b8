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
//   LlmTrack.TestChild durable-exit <tracking uri> <journal dir> <metric count>
// the same against a server that does not answer, but then ends the run and closes the tracker (no logger) the way a
// console program ends: prints "end <counters>" and "close <fully delivered>" and exits 0 only when everything was
// delivered. What is not delivered must be reported on standard error.
//   LlmTrack.TestChild durable-forget <tracking uri> <journal dir> <metric count>
// the same, but the program returns without ending the run or closing the tracker: the process must still say on
// standard error what it leaves undelivered.
if (args.Length == 4 && args[0] == "durable-forget")
{
    var options = new LlmTrackOptions { TrackingUri = args[1] };
    options.Durability.JournalDirectory = args[2];
    options.Durability.StartTimeout = TimeSpan.FromSeconds(1);
    options.Http.MaxRetries = 0;
    var tracker = new Tracker(options);
    var forgotten = tracker.StartRun(new RunOptions { ExperimentId = "0", RunName = "forgotten" });
    for (var i = 0; i < int.Parse(args[3], CultureInfo.InvariantCulture); i++)
    {
        forgotten.LogMetric("loss", i, step: i);
    }

    forgotten.FlushToDisk();
    Console.WriteLine("returning " + forgotten.RunId);
    return 0;
}

if (args.Length == 4 && args[0] == "durable-exit")
{
    var options = new LlmTrackOptions { TrackingUri = args[1] };
    options.Durability.JournalDirectory = args[2];
    options.Durability.StartTimeout = TimeSpan.FromSeconds(1);
    options.Durability.DrainStallTimeout = TimeSpan.FromSeconds(1);
    options.Http.MaxRetries = 0;
    var tracker = new Tracker(options);
    var exitingRun = tracker.StartRun(new RunOptions { ExperimentId = "0", RunName = "exiting" });
    var exitingPoints = int.Parse(args[3], CultureInfo.InvariantCulture);
    for (var i = 0; i < exitingPoints; i++)
    {
        exitingRun.LogMetric("loss", 1.0 / (i + 1), step: i);
    }

    var ended = await exitingRun.EndAsync();
    Console.WriteLine("end " + ended.Counters);
    var summary = await tracker.CloseAsync();
    Console.WriteLine("close " + summary.IsFullyDelivered);
    return summary.IsFullyDelivered ? 0 : 1;
}

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

    durableRun.FlushToDisk();
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
