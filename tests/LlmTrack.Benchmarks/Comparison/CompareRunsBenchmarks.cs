using BenchmarkDotNet.Attributes;
using LlmTrack.Comparison;

namespace LlmTrack.Benchmarks.Comparison;

/// <summary>
/// Comparing 100 runs × 50 metrics (each with a CI) and gating, on a local SQLite store. The store's own time is
/// <see cref="ReadRunsFromStore"/> (the 100 GetRunAsync calls CompareRunsAsync makes); <see cref="CompareReadRuns"/> is the
/// comparison alone on runs already read, i.e. the time beyond the store's.
/// </summary>
[MemoryDiagnoser]
public class CompareRunsBenchmarks
{
    private string _folder = "";
    private Tracker _tracker = null!;
    private List<string> _runIds = [];
    private RunSnapshot[] _snapshots = [];

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _folder = Directory.CreateTempSubdirectory("llmtrack-bench-compare-").FullName;
        _tracker = new Tracker(new LlmTrackOptions { TrackingUri = "sqlite:///" + Path.Combine(_folder, "mlflow.db") });
        for (var r = 0; r < 100; r++)
        {
            var run = await _tracker.StartRunAsync("bench", "run" + r);
            run.LogParam("model", "m" + (r % 7));
            run.LogParam("seed", "1");
            for (var m = 0; m < 50; m++)
            {
                var value = 0.5 + (((r * 31) + (m * 17)) % 100 / 200.0);
                run.LogMetric("metric" + m, value);
                run.LogMetric("metric" + m + "_ci_lower", value - 0.02);
                run.LogMetric("metric" + m + "_ci_upper", value + 0.02);
            }

            await run.EndAsync();
            _runIds.Add(run.RunId);
        }

        _snapshots = await ReadRunsFromStore();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _tracker.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>The store's share: reading the 100 runs.</summary>
    [Benchmark]
    public Task<RunSnapshot[]> ReadRunsFromStore() => Task.WhenAll(_runIds.Select(id => _tracker.GetRunAsync(id)));

    /// <summary>The comparison alone, on runs already read.</summary>
    [Benchmark]
    public RunComparison CompareReadRuns() => RunComparer.Compare(_snapshots, _runIds[0], new CompareOptions(), new Dictionary<string, PerExampleTable>());

    /// <summary>End to end: read and compare.</summary>
    [Benchmark]
    public Task<RunComparison> CompareRunsAsync() => _tracker.CompareRunsAsync(_runIds);

    /// <summary>End to end: a gate with 10 requirements and 10 max drops (reads 2 runs; no tags written).</summary>
    [Benchmark]
    public Task<GateVerdict> Gate() => ReleaseGate.EvaluateAsync(_tracker, new GateOptions
    {
        Candidate = RunReference.Parse(_runIds[1]),
        Baseline = RunReference.Parse(_runIds[0]),
        Requirements = [.. Enumerable.Range(0, 10).Select(m => GateRequirement.Parse($"metric{m}>=0.1"))],
        MaxDrops = [.. Enumerable.Range(0, 10).Select(m => GateMaxDrop.Parse($"metric{m}=0.5"))],
        RecordTags = false,
    });
}
