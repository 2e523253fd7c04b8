using BenchmarkDotNet.Attributes;
using LlmTrack.Rest.Wire;

namespace LlmTrack.Benchmarks.Rest;

/// <summary>Cost of encoding a full log-batch body (1000 metrics, 100 params, 100 tags) with the source-generated context.</summary>
[MemoryDiagnoser]
public class LogBatchSerializationBenchmarks
{
    private LogBatchRequest _request = null!;
    private byte[] _history = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        var metrics = Enumerable.Range(0, 1000)
            .Select(i => new Metric("metric_" + (i % 10), i % 97 == 0 ? double.NaN : random.NextDouble(), 1700000000000 + i, i))
            .ToArray();
        _request = new LogBatchRequest
        {
            RunId = "4f637ae228d84558ac6c543429351775",
            Metrics = WireMapping.ToWire(metrics),
            Params = WireMapping.ToWire(Enumerable.Range(0, 100).Select(i => new Param("p" + i, "value" + i)).ToArray()),
            Tags = WireMapping.ToWire(Enumerable.Range(0, 100).Select(i => new Tag("t" + i, "value" + i)).ToArray()),
        };
        _history = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
            new GetMetricHistoryResponse { Metrics = _request.Metrics },
            MlflowJsonContext.Default.GetMetricHistoryResponse);
    }

    /// <summary>Serializes the batch body once, as every attempt resends the same bytes.</summary>
    [Benchmark]
    public byte[] SerializeLogBatch() => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(_request, MlflowJsonContext.Default.LogBatchRequest);

    /// <summary>Parses a 1000-point get-history page.</summary>
    [Benchmark]
    public int ParseMetricHistory() => System.Text.Json.JsonSerializer.Deserialize(_history, MlflowJsonContext.Default.GetMetricHistoryResponse)!.Metrics!.Count;
}
