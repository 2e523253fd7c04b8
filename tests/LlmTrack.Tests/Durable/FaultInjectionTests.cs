using LlmTrack.Durable;
using LlmTrack.Rest;
using LlmTrack.Testing;

namespace LlmTrack.Tests.Durable;

/// <summary>
/// 100,000 metric points (NaN and ±∞ among them) through durable mode and the real REST store to an in-process
/// MLflow server that fails requests: every point is stored exactly once, in order per key.
/// </summary>
[Trait("Category", "Slow")]
public sealed class FaultInjectionTests : IDisposable
{
    private readonly DurableFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task HundredThousandPointsThroughFaultsStoredExactlyOnceInOrder()
    {
        const int seed = 20260101;
        using var server = new FakeMlflowServer { Fault = PatternThenSeeded(new Random(seed), faultPercent: 30), RetryAfter = "0" };
        var options = _fixture.Options();
        options.Http.MaxRetries = 3;
        options.Http.BackoffFactor = 0.001;
        options.Http.BackoffJitter = 0;
        options.Http.AttemptTimeout = TimeSpan.FromMilliseconds(300);
        var client = server.CreateClient(DurableFixture.TrackingUri);
        var rest = new MlflowRestStore(client, options, new() { TimeProvider = TimeProvider.System, OwnedResource = client });
        var store = new DurableTrackingStore(rest, DurableFixture.TrackingUri, options.Durability, TimeProvider.System, _fixture.LoggerFactory);
        var keys = new[] { "loss", "nan", "inf", "mixed" };
        var expected = keys.ToDictionary(k => k, _ => new List<(long Step, double Value)>());
        using (var tracker = new Tracker(options, store, TimeProvider.System, _fixture.LoggerFactory) { Environment = _ => null, ContextTags = [] })
        {
            var run = await tracker.StartRunAsync(new RunOptions { ExperimentId = "0" });
            for (var i = 0; i < 100_000; i++)
            {
                var key = keys[i % keys.Length];
                var value = key switch
                {
                    "loss" => 1.0 / (i + 1),
                    "nan" => double.NaN,
                    "inf" => i % 8 == 2 ? double.PositiveInfinity : double.NegativeInfinity,
                    _ => (i % 12) switch { 3 => double.NaN, 7 => double.PositiveInfinity, 11 => double.NegativeInfinity, _ => i * 0.25 },
                };
                run.LogMetric(key, value, step: i);
                expected[key].Add((i, value));
            }

            run.Flush();
            await run.EndAsync();
            Assert.Equal(RunStatus.Finished, run.Status);
            Assert.Equal(100_000, run.Counters.Delivered);
        }

        var faults = server.FaultCounts.Where(f => f.Key != FakeFault.None).Sum(f => f.Value);
        Assert.True(faults >= 50, $"only {faults} faults injected");
        Assert.True(server.FaultCounts.GetValueOrDefault(FakeFault.HandleThenReset) > 10);
        var held = Assert.Single(server.Runs());
        foreach (var key in keys)
        {
            // Ordered as MLflow's SQL store returns a metric's history (ORDER BY timestamp, step, value): the order in
            // which batches arrived is never visible, and metric batches are delivered concurrently.
            var stored = held.Metrics.Where(m => m.Key == key).OrderBy(p => p.Timestamp).ThenBy(p => p.Step).ThenBy(p => p.Value).ToList();
            Assert.Equal(expected[key].Count, stored.Count);
            for (var i = 0; i < stored.Count; i++)
            {
                Assert.Equal(expected[key][i].Step, stored[i].Step);
                Assert.Equal(Clamp(expected[key][i].Value), stored[i].Value);
            }
        }

        Assert.Equal("FINISHED", held.Status);
        Assert.Empty(_fixture.RunFolders());
    }

    // log-batch and history reads (never runs/create or runs/update) fail in a fixed pattern at first (503, 429 with
    // Retry-After, a reset before handling, a delay past the client's timeout, a lost answer), then at a seeded rate.
    private static Func<int, string, FakeFault> PatternThenSeeded(Random random, int faultPercent)
    {
        FakeFault[] pattern = [FakeFault.Unavailable, FakeFault.TooManyRequests, FakeFault.ResetBeforeHandling, FakeFault.Delay, FakeFault.HandleThenReset];
        var gate = new object();
        var index = 0;
        return (_, route) =>
        {
            if (route is "runs/create" or "runs/update")
            {
                return FakeFault.None;
            }

            lock (gate)
            {
                var n = index++;
                var fault = n < pattern.Length * 2 ? (n % 2 == 0 ? pattern[n / 2] : FakeFault.None)
                    : random.Next(100) < faultPercent ? pattern[random.Next(5)] : FakeFault.None;
                return fault == FakeFault.Delay && random.Next(4) != 0 ? FakeFault.Unavailable : fault; // few slow requests keep the test fast
            }
        };
    }

    private static double Clamp(double value) => double.IsPositiveInfinity(value) ? double.MaxValue : double.IsNegativeInfinity(value) ? double.MinValue : value;
}
