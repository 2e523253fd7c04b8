using BenchmarkDotNet.Attributes;
using LlmTrack.Validation;

namespace LlmTrack.Benchmarks.Tracking;

/// <summary>
/// The parts of one <see cref="Run.LogMetric(string, double, long)"/> call, measured alone, to see where the
/// time of the hot path goes: the cached key check, the wall-clock read, and an uncontended lock.
/// </summary>
public class HotPathPartsBenchmarks
{
    private readonly object _gate = new();
    private readonly TimeProvider _time = TimeProvider.System;
    private long _counter;

    [GlobalSetup]
    public void Setup() => TrackingNames.ValidateKey("loss", KeyKind.Metric);

    [Benchmark]
    public void ValidateCachedKey() => TrackingNames.ValidateKey("loss", KeyKind.Metric);

    [Benchmark]
    public long UnixMillisecondsNow() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    [Benchmark]
    public long MonotonicTimestamp() => _time.GetTimestamp();

    [Benchmark]
    public long TickCount64() => Environment.TickCount64;

    [Benchmark]
    public long UncontendedLock()
    {
        lock (_gate)
        {
            return ++_counter;
        }
    }
}
