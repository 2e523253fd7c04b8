using BenchmarkDotNet.Attributes;
using LlmTrack.Benchmarks.Tracking;
using LlmTrack.Durable;

namespace LlmTrack.Benchmarks.Durable;

/// <summary>
/// Durable mode (the journal between the delivery core and the server store):
/// <list type="bullet">
/// <item><see cref="LogMetric"/>: one <c>LogMetric</c> call on the caller's thread with durable mode on (target ≤ 100 ns;
/// the journal is written by the background sender, never on this thread).</item>
/// <item><see cref="Log100kMetricsAndFlushToDisk"/>: 100,000 points logged, then <c>Flush()</c> — returns when they are
/// in the journal and fsynced (per-point time; target ≥ 500,000 metrics/s, i.e. ≤ 2 µs per point).</item>
/// <item><see cref="LogOneMetricAndFlushToDisk"/>: the time from <c>LogMetric</c> to "durable" for a single value
/// (queue → sender → journal → fsync): the latency a caller waits in <c>Flush()</c>.</item>
/// </list>
/// The server store is a no-op, so shipping costs nothing; the journal lives in a temporary folder.
/// </summary>
[MemoryDiagnoser]
public class DurableLogMetricBenchmarks
{
    private const int Points = 100_000;
    private string _root = null!;
    private Tracker _tracker = null!;
    private Run _run = null!;
    private long _step;

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "llmtrack-durable-bench", Guid.NewGuid().ToString("N"));
        var options = new LlmTrackOptions { TrackingUri = "http://127.0.0.1:5000" };
        options.Durability.JournalDirectory = _root;
        var store = new DurableTrackingStore(new NoOpTrackingStore(), options.TrackingUri, options.Durability, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        _tracker = new Tracker(options, store, TimeProvider.System, null) { ContextTags = [] };
        _run = _tracker.StartRun(new RunOptions { ExperimentId = "0", RunName = "durable-bench" });
        _run.LogMetric("loss", 0); // validates and caches the key
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _run.Dispose();
        _tracker.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark]
    public void LogMetric() => _run.LogMetric("loss", 0.5, _step++);

    [Benchmark(OperationsPerInvoke = Points)]
    public DeliveryReport Log100kMetricsAndFlushToDisk()
    {
        for (var i = 0; i < Points; i++)
        {
            _run.LogMetric("throughput", i * 0.001, _step++);
        }

        return _run.Flush();
    }

    [Benchmark]
    public DeliveryReport LogOneMetricAndFlushToDisk()
    {
        _run.LogMetric("latency", 1.0, _step++);
        return _run.Flush();
    }
}
