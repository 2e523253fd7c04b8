using BenchmarkDotNet.Attributes;
using LlmTrack.Benchmarks.Tracking;
using LlmTrack.Evaluation;

namespace LlmTrack.Benchmarks.Evaluation;

/// <summary>
/// The overhead of <c>run.EvaluateAsync</c> per example (target: ≤ 5 µs): 100,000 examples with a no-op predictor,
/// classification accuracy (no bootstrap) and the per-example table spooled to disk and written as JSON. The store is a
/// no-op, so only the evaluation pipeline (scheduling, latency, table, metrics) is measured. Divide the mean by
/// <see cref="Examples"/> (BenchmarkDotNet reports it per operation through <c>OperationsPerInvoke</c>).
/// </summary>
[MemoryDiagnoser]
public class EvaluateBenchmarks
{
    private const int Examples = 100_000;
    private Tracker _tracker = null!;
    private int[] _examples = null!;

    [Params(1, 4)]
    public int MaxConcurrency { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _tracker = new Tracker(new LlmTrackOptions(), new NoOpTrackingStore(), TimeProvider.System, null) { ContextTags = [] };
        _examples = [.. Enumerable.Range(0, Examples)];
    }

    [GlobalCleanup]
    public void Cleanup() => _tracker.Dispose();

    [Benchmark(OperationsPerInvoke = Examples)]
    public async Task<double> EvaluateNoOpPredictor()
    {
        await using var run = await _tracker.StartRunAsync("bench");
        var result = await run.EvaluateAsync(
            _examples,
            static (x, _) => Task.FromResult(x & 1),
            new EvaluationOptions<int, int>
            {
                Target = static x => (x >> 1) & 1,
                InputText = static _ => "example",
                Metrics = EvaluationMetrics.Accuracy,
                ConfidenceIntervals = false,
                MaxConcurrency = MaxConcurrency,
            });
        return result["accuracy"];
    }
}
