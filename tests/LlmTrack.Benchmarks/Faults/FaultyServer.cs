using LlmTrack.Testing;

namespace LlmTrack.Benchmarks.Faults;

/// <summary>
/// The delivery-under-faults server: the shared <see cref="FakeMlflowServer"/> on 127.0.0.1, answering as slowly as a real
/// MLflow 3.6 server (<see cref="FakeMlflowLatency.Mlflow36"/>) and failing a seeded 30 % of requests evenly with 503, 429
/// (Retry-After: 1), a reset before handling, and a reset after handling (the answer lost).
/// </summary>
internal static class FaultyServer
{
    public static async Task<FakeMlflowServer> StartAsync(int seed, double faultRate = 0.30)
    {
        var server = await FakeMlflowServer.ListenAsync().ConfigureAwait(false);
        server.Fault = FakeFaults.Seeded(seed, faultRate);
        server.Latency = FakeMlflowLatency.Mlflow36;
        return server;
    }

    /// <summary>What the server holds for the runs of one experiment.</summary>
    public static ExperimentSummary Summarize(this FakeMlflowServer server, string experimentName)
    {
        var experimentId = server.ExperimentId(experimentName);
        var runs = server.Runs().Where(r => r.ExperimentId == experimentId).ToList();
        long points = 0, nan = 0, duplicates = 0;
        double? lastStoredSeconds = null;
        foreach (var run in runs)
        {
            points += run.Metrics.Count;
            nan += run.Metrics.Count(p => double.IsNaN(p.Value));
            duplicates += run.Metrics.Count - run.Metrics.Select(p => (p.Key, p.Step)).Distinct().Count();
            if (run.LastStored is { } last && (lastStoredSeconds is null || last.TotalSeconds > lastStoredSeconds))
            {
                lastStoredSeconds = last.TotalSeconds;
            }
        }

        return new ExperimentSummary(runs.Count, points, nan, duplicates, [.. runs.Select(r => r.Status)], lastStoredSeconds);
    }

    /// <summary>Requests per route, and log-batch requests by size.</summary>
    public static string DescribeTraffic(this FakeMlflowServer server)
    {
        var log = server.RequestLog();
        var routes = string.Join(", ", log.GroupBy(r => r.Route.StartsWith("/api/2.0/mlflow-artifacts/", StringComparison.Ordinal) ? "artifacts" : r.Route)
            .OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}"));
        var sizes = log.Where(r => r.Route == "runs/log-batch").Select(r => r.MetricCount).ToArray();
        return sizes.Length == 0 ? routes : $"{routes}; log-batch sizes: {sizes.Length} requests, mean {sizes.Average():0} metrics";
    }
}

/// <summary>What the server holds for one experiment's runs.</summary>
/// <param name="Runs">Runs in the experiment.</param>
/// <param name="Points">Metric points held.</param>
/// <param name="NaN">NaN points held.</param>
/// <param name="Duplicates">Points beyond one per (key, step).</param>
/// <param name="Statuses">Each run's status.</param>
/// <param name="LastStoredSeconds">When a point was last stored (server clock), if ever.</param>
internal sealed record ExperimentSummary(int Runs, long Points, long NaN, long Duplicates, IReadOnlyList<string> Statuses, double? LastStoredSeconds);
