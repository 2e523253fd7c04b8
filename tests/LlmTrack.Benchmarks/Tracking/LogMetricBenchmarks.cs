using BenchmarkDotNet.Attributes;
using LlmTrack.Testing;

namespace LlmTrack.Benchmarks.Tracking;

/// <summary>
/// The cost of one <see cref="Run.LogMetric(string, double, long)"/> call on the caller's thread (target: ≤ 50 ns,
/// 0 bytes allocated): key validation (cached), timestamp, enqueue. The store is a no-op, so the background sender
/// drains the queue as fast as the caller fills it.
/// </summary>
[MemoryDiagnoser]
public class LogMetricBenchmarks
{
    private Tracker _tracker = null!;
    private Run _run = null!;
    private long _step;

    [GlobalSetup]
    public void Setup()
    {
        var options = new LlmTrackOptions();
        options.Batching.FlushInterval = TimeSpan.FromSeconds(1);
        _tracker = new Tracker(options, new NoOpTrackingStore(), TimeProvider.System, null) { ContextTags = [] };
        _run = _tracker.StartRun("bench", runName: "log-metric");
        _run.LogMetric("loss", 0); // validates and caches the key
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _run.Dispose();
        _tracker.Dispose();
    }

    [Benchmark]
    public void LogMetric() => _run.LogMetric("loss", 0.5, _step++);

    [Benchmark]
    public void LogMetricWithoutStep() => _run.LogMetric("accuracy", 0.913);
}

/// <summary>
/// End to end: start a run, log 100,000 metric points, flush, end the run. Against a no-op store this measures the
/// client's batching; point it at an in-process MLflow-compatible server to measure the transport as well.
/// </summary>
[MemoryDiagnoser]
public class LogMetricEndToEndBenchmarks
{
    private const int Points = 100_000;
    private Tracker _tracker = null!;

    [GlobalSetup]
    public void Setup() =>
        _tracker = new Tracker(new LlmTrackOptions(), new NoOpTrackingStore(), TimeProvider.System, null) { ContextTags = [] };

    [GlobalCleanup]
    public void Cleanup() => _tracker.Dispose();

    [Benchmark(OperationsPerInvoke = Points)]
    public async Task<long> Log100kMetricsFlushAndEnd()
    {
        await using var run = await _tracker.StartRunAsync("bench", runName: "end-to-end");
        for (var i = 0; i < Points; i++)
        {
            run.LogMetric("loss", i, i);
        }

        var report = await run.FlushAsync();
        return report.Counters.Delivered;
    }
}

/// <summary>
/// End to end over HTTP: start a run, log 100,000 metric points, flush and end the run against an MLflow-compatible
/// server running in this process on 127.0.0.1 (<see cref="FakeMlflowServer"/>), through the real REST store
/// (JSON source generation, Polly pipeline, HttpClient), with durable mode on (journal, then shipper) and off
/// (straight to the server): equal times mean delivery is limited by the server, not by the journal. Reported per
/// metric point.
/// </summary>
[MemoryDiagnoser]
public class LogMetricInProcessServerBenchmarks
{
    private const int Points = 100_000;
    private FakeMlflowServer _server = null!;
    private Tracker _tracker = null!;
    private string _journal = "";

    /// <summary>Whether the run goes through the durable journal.</summary>
    [Params(true, false)]
    public bool Durable { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _server = FakeMlflowServer.Listen();
        _journal = Path.Combine(Path.GetTempPath(), "llmtrack-bench-journal-" + Guid.NewGuid().ToString("N"));
        var options = new LlmTrackOptions { TrackingUri = _server.Uri };
        options.Durability.Enabled = Durable;
        options.Durability.JournalDirectory = _journal;
        _tracker = new Tracker(options) { ContextTags = [] };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _tracker.Dispose();
        _server.Dispose();
        if (Directory.Exists(_journal))
        {
            Directory.Delete(_journal, recursive: true);
        }
    }

    [Benchmark(OperationsPerInvoke = Points)]
    public async Task<long> Log100kMetricsToServer()
    {
        var before = _server.MetricPoints();
        await using (var run = await _tracker.StartRunAsync("bench", runName: "end-to-end-http"))
        {
            for (var i = 0; i < Points; i++)
            {
                run.LogMetric("loss", i, i);
            }

            await run.FlushAsync();
        }

        var received = _server.MetricPoints() - before;
        return received == Points ? received : throw new InvalidOperationException($"server received {received} of {Points} points");
    }
}
