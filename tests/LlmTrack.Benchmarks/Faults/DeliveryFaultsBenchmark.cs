using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmTrack.Testing;

namespace LlmTrack.Benchmarks.Faults;

/// <summary>
/// <c>dotnet run -c Release --project tests/LlmTrack.Benchmarks -- delivery-faults [--seed N] [--timeout-minutes M]</c>:
/// 100,000 metric points (10 keys × 10,000 steps, 101 NaN, 51 ±∞) delivered to <see cref="FaultyServer"/> (real
/// MLflow 3.6 latency, 30 % of requests failing) (i) the way MLflow's Python client does it — 100 sequential log-batch
/// calls of 1000 with its urllib3 retry policy — and (ii) by LlmTrack through its public API; then what the server
/// holds for each, and both times.
/// </summary>
internal static class DeliveryFaultsBenchmark
{
    private const int Keys = 10;
    private const int Steps = 10_000;
    private const long BaseTimestamp = 1_700_000_000_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var seed = IntArg(args, "--seed", 1);
        var timeout = TimeSpan.FromMinutes(IntArg(args, "--timeout-minutes", 15));
        var points = Data();
        Console.WriteLine($"delivery-faults: seed {seed}; {points.Count:N0} points ({points.Count(p => double.IsNaN(p.Value))} NaN, {points.Count(p => double.IsInfinity(p.Value))} ±∞); 30 % of requests fail (503 | 429 Retry-After: 1 | reset before answer | committed then answer lost); latency 10 ms + 0.128 ms per log-batch metric");

        double pythonSeconds = double.NaN;
        ExperimentSummary python = default!;
        string pythonNote = "";
        var onlyLlmTrack = args.Contains("--only-llmtrack");
        if (!onlyLlmTrack)
        {
            await using var server = await FaultyServer.StartAsync(seed);
            var stopwatch = Stopwatch.StartNew();
            pythonNote = await PythonClientModel.RunAsync(server.Uri, "python-client", points, seed);
            pythonSeconds = stopwatch.Elapsed.TotalSeconds;
            python = server.Summarize("python-client");
            Report("MLflow Python client model", python, pythonSeconds, server, pythonNote);
        }

        double llmtrackSeconds;
        ExperimentSummary llmtrack;
        await using (var server = await FaultyServer.StartAsync(seed))
        {
            var journal = Path.Combine(Path.GetTempPath(), "llmtrack-delivery-faults-" + Guid.NewGuid().ToString("N"));
            var started = server.Elapsed.TotalSeconds;
            var stopwatch = Stopwatch.StartNew();
            var note = "";
            var work = RunLlmTrackAsync(server.Uri, journal, points);
            if (await Task.WhenAny(work, Task.Delay(timeout)) != work)
            {
                note = $"did not finish within {timeout.TotalMinutes:0} min (stopped waiting)";
            }
            else if (work.Exception is { } ex)
            {
                note = "failed: " + ex.GetBaseException().Message;
            }
            else
            {
                note = "EndAsync: " + work.Result;
            }

            llmtrackSeconds = stopwatch.Elapsed.TotalSeconds;
            llmtrack = server.Summarize("llmtrack");
            if (llmtrack.LastStoredSeconds is { } last && llmtrack.Points == points.Count)
            {
                note += $"; all points held {last - started:0.0} s after the start";
            }

            Report("LlmTrack (durable)", llmtrack, llmtrackSeconds, server, note);
            try
            {
                Directory.Delete(journal, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        var pythonOk = !onlyLlmTrack && Complete(python, points.Count);
        var llmtrackOk = Complete(llmtrack, points.Count);
        Console.WriteLine($"time: python-client model {pythonSeconds:0.0} s ({(pythonOk ? "complete" : "INCOMPLETE")}), LlmTrack {llmtrackSeconds:0.0} s ({(llmtrackOk ? "complete" : "INCOMPLETE")}); ratio python/LlmTrack {pythonSeconds / llmtrackSeconds:0.00}");
        return pythonOk && llmtrackOk ? 0 : 1;
    }

    private static bool Complete(ExperimentSummary summary, int expected) =>
        summary.Points == expected && summary.NaN == 101 && summary.Duplicates == 0 && summary.Statuses.Count == 1 && summary.Statuses[0] == "FINISHED";

    private static void Report(string who, ExperimentSummary summary, double seconds, FakeMlflowServer server, string note)
    {
        var faults = string.Join(", ", server.FaultCounts.Where(f => f.Key != FakeFault.None).OrderBy(f => f.Key).Select(f => $"{f.Key} {f.Value}"));
        Console.WriteLine($"{who}: {seconds:0.0} s; server holds {summary.Points:N0} points ({summary.NaN} NaN, {summary.Duplicates} duplicates) in {summary.Runs} run(s) [{string.Join(", ", summary.Statuses)}]; {server.Requests} requests ({server.DescribeTraffic()}), faults: {faults}. {note}");
    }

    private static async Task<string> RunLlmTrackAsync(string uri, string journal, IReadOnlyList<Metric> points)
    {
        var tracker = new Tracker(new LlmTrackOptions { TrackingUri = uri, Durability = { JournalDirectory = journal } });
        await using (tracker.ConfigureAwait(false))
        {
            var run = tracker.StartRun("llmtrack", "delivery-faults");
            foreach (var point in points)
            {
                run.LogMetric(point.Key, point.Value, point.Step, DateTimeOffset.FromUnixTimeMilliseconds(point.Timestamp));
            }

            var report = await run.EndAsync().ConfigureAwait(false);
            return report.ToString() ?? "";
        }
    }

    /// <summary>10 keys × 10,000 steps in step order; 101 NaN and 51 ±∞ (26 +∞, 25 −∞) at fixed places.</summary>
    private static List<Metric> Data()
    {
        var points = new List<Metric>(Keys * Steps);
        var index = 0;
        for (var step = 0; step < Steps; step++)
        {
            for (var k = 0; k < Keys; k++, index++)
            {
                double value = index % 990 == 7 && index / 990 < 101 ? double.NaN
                    : index % 1987 == 11 ? (index / 1987 % 2 == 0 ? double.PositiveInfinity : double.NegativeInfinity)
                    : Math.Sin(index * 0.001) * (k + 1);
                points.Add(new Metric("metric_" + k.ToString(CultureInfo.InvariantCulture), value, BaseTimestamp + index, step));
            }
        }

        return points;
    }

    private static int IntArg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}

/// <summary>
/// What MLflow's Python client does, over a plain <see cref="HttpClient"/>: each call retried by urllib3's <c>Retry</c> as
/// mlflow/utils/request_utils.py configures it (all methods; 408/429/500/502/503/504 and connection/read errors; up to 7
/// retries; backoff factor 2, jitter 1.0: no wait before the first retry, then factor·2^(n−1) + U(0, jitter), at most
/// 120 s; <c>Retry-After</c> honoured on 429/503). A call still failing raises; the model counts it and goes on (as a
/// script catching the exception would), so that what reaches the server can be compared.
/// </summary>
internal static class PythonClientModel
{
    private const int MaxRetries = 7;
    private const double BackoffFactor = 2;
    private const double BackoffJitter = 1.0;
    private static readonly HashSet<int> RetryCodes = [408, 429, 500, 502, 503, 504];

    public static async Task<string> RunAsync(string baseUri, string experiment, IReadOnlyList<Metric> points, int seed)
    {
        var random = new Random(seed * 31 + 7);
        using var http = new HttpClient { BaseAddress = new Uri(baseUri), Timeout = TimeSpan.FromSeconds(120) };
        var errors = new List<string>();
        var (status, body) = await SendAsync(http, random, HttpMethod.Get, "api/2.0/mlflow/experiments/get-by-name?experiment_name=" + experiment, null);
        string experimentId;
        if (status == 200)
        {
            experimentId = (string)JsonNode.Parse(body)!["experiment"]!["experiment_id"]!;
        }
        else
        {
            (status, body) = await SendAsync(http, random, HttpMethod.Post, "api/2.0/mlflow/experiments/create", new JsonObject { ["name"] = experiment }.ToJsonString());
            if (status != 200)
            {
                return $"experiments/create raised HTTP {status}: {body}";
            }

            experimentId = (string)JsonNode.Parse(body)!["experiment_id"]!;
        }

        (status, body) = await SendAsync(http, random, HttpMethod.Post, "api/2.0/mlflow/runs/create",
            new JsonObject { ["experiment_id"] = experimentId, ["run_name"] = "python", ["start_time"] = 1_700_000_000_000, ["tags"] = new JsonArray() }.ToJsonString());
        if (status != 200)
        {
            return $"runs/create raised HTTP {status}: {body}";
        }

        var runId = (string)JsonNode.Parse(body)!["run"]!["info"]!["run_id"]!;
        for (var start = 0; start < points.Count; start += 1000)
        {
            var metrics = new JsonArray();
            foreach (var p in points.Skip(start).Take(1000))
            {
                metrics.Add(new JsonObject
                {
                    ["key"] = p.Key,
                    ["value"] = double.IsNaN(p.Value) ? "NaN" : double.IsPositiveInfinity(p.Value) ? "Infinity" : double.IsNegativeInfinity(p.Value) ? "-Infinity" : JsonValue.Create(p.Value),
                    ["timestamp"] = p.Timestamp,
                    ["step"] = p.Step,
                });
            }

            (status, body) = await SendAsync(http, random, HttpMethod.Post, "api/2.0/mlflow/runs/log-batch", new JsonObject { ["run_id"] = runId, ["metrics"] = metrics }.ToJsonString());
            if (status != 200)
            {
                errors.Add($"log-batch {start / 1000}: HTTP {status} {(body.Contains("IntegrityError", StringComparison.Ordinal) ? "IntegrityError" : body[..Math.Min(60, body.Length)])}");
            }
        }

        (status, _) = await SendAsync(http, random, HttpMethod.Post, "api/2.0/mlflow/runs/update",
            new JsonObject { ["run_id"] = runId, ["status"] = "FINISHED", ["end_time"] = 1_700_000_100_000 }.ToJsonString());
        if (status != 200)
        {
            errors.Add($"runs/update: HTTP {status}");
        }

        return errors.Count == 0 ? "no call raised" : $"{errors.Count} call(s) raised (a script would have stopped at the first): {string.Join("; ", errors.Take(5))}";
    }

    private static async Task<(int Status, string Body)> SendAsync(HttpClient http, Random random, HttpMethod method, string path, string? json)
    {
        for (var history = 0; ; history++)
        {
            TimeSpan? retryAfter = null;
            try
            {
                using var request = new HttpRequestMessage(method, path);
                if (json is not null)
                {
                    request.Content = new StringContent(json, Encoding.UTF8, "application/json");
                }

                using var response = await http.SendAsync(request);
                var status = (int)response.StatusCode;
                var body = await response.Content.ReadAsStringAsync();
                if (!RetryCodes.Contains(status) || history >= MaxRetries)
                {
                    return (status, body);
                }

                if (status is 429 or 503 && response.Headers.RetryAfter?.Delta is { } delta)
                {
                    retryAfter = delta;
                }
            }
            catch (HttpRequestException) when (history < MaxRetries)
            {
            }
            catch (HttpRequestException ex)
            {
                return (0, "connection error: " + ex.Message);
            }

            await Task.Delay(retryAfter ?? Backoff(history + 1, random));
        }
    }

    /// <summary>urllib3 2.x <c>Retry.get_backoff_time</c> after <paramref name="errors"/> consecutive errors.</summary>
    private static TimeSpan Backoff(int errors, Random random)
    {
        if (errors <= 1)
        {
            return TimeSpan.Zero;
        }

        var seconds = BackoffFactor * Math.Pow(2, errors - 1) + random.NextDouble() * BackoffJitter;
        return TimeSpan.FromSeconds(Math.Clamp(seconds, 0, 120));
    }
}
