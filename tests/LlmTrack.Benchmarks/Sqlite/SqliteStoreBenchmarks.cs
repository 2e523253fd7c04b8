using BenchmarkDotNet.Attributes;
using LlmTrack.Stores.Sqlite;

namespace LlmTrack.Benchmarks.Sqlite;

/// <summary>
/// Metrics per second into the local MLflow SQLite store: 100,000 metrics in batches of 1000 (the
/// delivery core's batch size), one transaction per batch. The reported time is per metric.
/// </summary>
[MemoryDiagnoser]
public class SqliteStoreBenchmarks
{
    private const int MetricsPerInvoke = 100_000;
    private const int BatchSize = 1000;

    private string _folder = "";
    private SqliteTrackingStore? _store;
    private string _runId = "";
    private long _step;

    /// <summary>How many metric keys each batch spreads over.</summary>
    [Params(1, 10)]
    public int Keys { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "llmtrack-bench-" + Guid.NewGuid().ToString("N"));
        _store = SqliteTrackingStore.Open("sqlite:///" + Path.Combine(_folder, "mlflow.db"), TimeProvider.System);
        _runId = _store.CreateRunAsync("0", "bench", 1_700_000_000_000, [], default).GetAwaiter().GetResult().Info.RunId;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = MetricsPerInvoke)]
    public async Task LogMetricsInBatchesOf1000()
    {
        var batch = new Metric[BatchSize];
        for (var done = 0; done < MetricsPerInvoke; done += BatchSize)
        {
            for (var i = 0; i < BatchSize; i++)
            {
                var step = _step++;
                batch[i] = new Metric("metric_" + (i % Keys), step * 0.001, 1_700_000_000_000 + step, step);
            }

            await _store!.LogBatchAsync(_runId, batch, [], [], default);
        }
    }
}
