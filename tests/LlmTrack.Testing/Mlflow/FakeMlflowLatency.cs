namespace LlmTrack.Testing;

/// <summary>Latency models for <see cref="FakeMlflowServer.Latency"/>.</summary>
public static class FakeMlflowLatency
{
    /// <summary>
    /// A real MLflow 3.6 server (FACTS.md): about 10 ms per request plus 0.128 ms per log-batch metric (138 ms for 1000),
    /// for requests it processes; a request refused or reset before handling costs the 10 ms only.
    /// </summary>
    public static TimeSpan Mlflow36(FakeRequest request, FakeFault fault)
    {
        ArgumentNullException.ThrowIfNull(request);
        var processed = fault is FakeFault.None or FakeFault.HandleThenReset or FakeFault.Delay;
        var milliseconds = processed && request.Route == "runs/log-batch" ? 10 + (0.128 * request.MetricCount) : 10;
        return TimeSpan.FromMilliseconds(milliseconds);
    }
}
