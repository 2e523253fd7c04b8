using BenchmarkDotNet.Attributes;
using LlmTrack.Journal;

namespace LlmTrack.Benchmarks.Journal;

/// <summary>
/// Journal throughput as the durable delivery path uses it: the background writer appends 1,000,000
/// metric points in batches of 1,000 (50 distinct keys) and fsyncs every 100 batches (about what a
/// 200 ms flush interval sees at 500,000 points/s) and at the end; the shipper reads them back.
/// Times are per metric point: 2,000 ns per point is 500,000 points per second (the target is at least that).
/// </summary>
[MemoryDiagnoser]
public class JournalBenchmarks
{
    private const int Points = 1_000_000;
    private const int BatchSize = 1000;

    private Metric[] _metrics = null!;
    private string _base = null!;
    private string _readRoot = null!;
    private string _writeRoot = null!;
    private int _iteration;
    private RunJournal _flushJournal = null!;
    private JournalWriter _flushWriter = null!;
    private int _flushIndex;

    [GlobalSetup]
    public void Setup()
    {
        var keys = Enumerable.Range(0, 50).Select(i => $"eval/metric_{i}").ToArray();
        var random = new Random(42);
        const long start = 1_760_000_000_000;
        _metrics = [.. Enumerable.Range(0, Points).Select(i => new Metric(keys[i % keys.Length], random.NextDouble(), start + (i / 100), i / keys.Length))];
        _base = Path.Combine(Path.GetTempPath(), "llmtrack-journal-bench-" + Guid.NewGuid().ToString("N"));
        _readRoot = Path.Combine(_base, "read");
        WriteJournal(_readRoot);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_base, recursive: true);

    [IterationSetup(Target = nameof(AppendMetricsInBatches))]
    public void NewWriteRoot() => _writeRoot = Path.Combine(_base, "write-" + _iteration++);

    [IterationCleanup(Target = nameof(AppendMetricsInBatches))]
    public void DeleteWriteRoot() => Directory.Delete(_writeRoot, recursive: true);

    /// <summary>Append 1,000,000 points in batches of 1,000 with periodic fsyncs (per point).</summary>
    [Benchmark(OperationsPerInvoke = Points)]
    public long AppendMetricsInBatches() => WriteJournal(_writeRoot);

    /// <summary>
    /// Durability latency: append one point and flush it to disk (fsync), as <c>Flush()</c> does for a run
    /// that logged one value (per flush).
    /// </summary>
    [Benchmark]
    public void AppendOneMetricAndFlushToDisk()
    {
        _flushWriter.AppendMetrics(_metrics.AsSpan(_flushIndex++ % Points, 1));
        _flushWriter.FlushToDisk();
    }

    [GlobalSetup(Target = nameof(AppendOneMetricAndFlushToDisk))]
    public void SetupFlush()
    {
        Setup();
        _flushJournal = RunJournal.Create(new JournalOptions { Root = Path.Combine(_base, "flush") }, new RunCreatedRecord("flush", "0", null, "flush", 1_760_000_000_000, null, [], JournalOwner.Current));
        _flushWriter = _flushJournal.OpenWriter();
    }

    [GlobalCleanup(Target = nameof(AppendOneMetricAndFlushToDisk))]
    public void CleanupFlush()
    {
        _flushJournal.Dispose();
        Cleanup();
    }

    /// <summary>Read 1,000,000 points back from the journal, verifying checksums (per point).</summary>
    [Benchmark(OperationsPerInvoke = Points)]
    public long ReadMetrics()
    {
        var options = new JournalOptions { Root = _readRoot };
        using var reader = new JournalReader(Path.Combine(_readRoot, "bench"), JournalPosition.Start, options, repair: false);
        long count = 0;
        while (reader.TryRead(out var entry))
        {
            if (entry.Record is MetricsRecord metrics)
            {
                count += metrics.Metrics.Count;
            }
        }

        return count;
    }

    private long WriteJournal(string root)
    {
        var options = new JournalOptions { Root = root };
        using var journal = RunJournal.Create(options, new RunCreatedRecord("bench", "0", null, "bench", 1_760_000_000_000, null, [], JournalOwner.Current));
        var writer = journal.OpenWriter();
        var span = _metrics.AsSpan();
        for (var offset = 0; offset < span.Length; offset += BatchSize)
        {
            writer.AppendMetrics(span.Slice(offset, BatchSize));
            if ((offset / BatchSize) % 100 == 99)
            {
                writer.FlushToDisk();
            }
        }

        writer.FlushToDisk();
        return writer.Position.Offset;
    }
}
