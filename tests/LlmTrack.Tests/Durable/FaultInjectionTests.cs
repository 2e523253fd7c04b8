using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmTrack.Durable;
using LlmTrack.Rest;

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
        var server = new FaultyMlflowServer(new Random(seed), faultPercent: 30);
        var options = _fixture.Options();
        options.Http.MaxRetries = 3;
        options.Http.BackoffFactor = 0.001;
        options.Http.BackoffJitter = 0;
        options.Http.AttemptTimeout = TimeSpan.FromMilliseconds(300);
        var client = new HttpClient(server) { BaseAddress = new Uri(DurableFixture.TrackingUri + "/") };
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

        Assert.True(server.Faults >= 50, $"only {server.Faults} faults injected");
        Assert.True(server.LostResponses > 10);
        foreach (var key in keys)
        {
            var stored = server.Points(key);
            Assert.Equal(expected[key].Count, stored.Count);
            for (var i = 0; i < stored.Count; i++)
            {
                Assert.Equal(expected[key][i].Step, stored[i].Step);
                Assert.Equal(Clamp(expected[key][i].Value), stored[i].Value);
            }
        }

        Assert.Equal("FINISHED", server.RunStatus);
        Assert.Empty(_fixture.RunFolders());
    }

    private static double Clamp(double value) => double.IsPositiveInfinity(value) ? double.MaxValue : double.IsNegativeInfinity(value) ? double.MinValue : value;
}

/// <summary>
/// An in-process MLflow server (an <see cref="HttpMessageHandler"/>) with MLflow's SQL-store semantics for metric
/// points: an identical finite point is kept once, an identical NaN point fails the whole batch with an IntegrityError.
/// log-batch and get-history requests fail at a seeded random rate, and always in a fixed pattern at first: 503, 429 with
/// Retry-After, connection reset before the request is processed, a delay past the client's timeout, and a committed
/// request whose response is lost.
/// </summary>
internal sealed class FaultyMlflowServer(Random random, int faultPercent) : HttpMessageHandler
{
    private const string RunId = "5f0c2b1a9d8e4f7a8b6c5d4e3f2a1b0c";
    private static readonly Fault[] Pattern = [Fault.Unavailable, Fault.TooMany, Fault.Reset, Fault.Slow, Fault.LoseResponse];
    private readonly object _gate = new();
    private readonly Dictionary<string, List<(long Step, long Timestamp, double Value)>> _points = new(StringComparer.Ordinal);
    private readonly HashSet<(string, long, long, long)> _index = [];
    private int _requests;

    private enum Fault
    {
        None,
        Unavailable,
        TooMany,
        Reset,
        Slow,
        LoseResponse,
    }

    public int Faults { get; private set; }

    public int LostResponses { get; private set; }

    public string RunStatus { get; private set; } = "RUNNING";

    public List<(long Step, double Value)> Points(string key)
    {
        lock (_gate)
        {
            // Ordered as MLflow's SQL store returns a metric's history (ORDER BY timestamp, step, value): the order in
            // which batches arrived is never visible, and metric batches are delivered concurrently.
            return _points.TryGetValue(key, out var list) ? [.. list.OrderBy(p => p.Timestamp).ThenBy(p => p.Step).ThenBy(p => p.Value).Select(p => (p.Step, p.Value))] : [];
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var path = request.RequestUri!.AbsolutePath;
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        if (path.EndsWith("runs/create", StringComparison.Ordinal))
        {
            return Json(HttpStatusCode.OK, RunJson("run", "RUNNING", null));
        }

        if (path.EndsWith("runs/update", StringComparison.Ordinal))
        {
            var update = JsonNode.Parse(body)!;
            RunStatus = (string)update["status"]!;
            return Json(HttpStatusCode.OK, RunJson("run_info", RunStatus, (long?)update["end_time"], infoOnly: true));
        }

        var fault = NextFault();
        switch (fault)
        {
            case Fault.Unavailable:
                return Json(HttpStatusCode.ServiceUnavailable, """{"error_code":"TEMPORARILY_UNAVAILABLE","message":"busy"}""");
            case Fault.TooMany:
            {
                var response = Json(HttpStatusCode.TooManyRequests, """{"error_code":"REQUEST_LIMIT_EXCEEDED","message":"slow down"}""");
                response.Headers.Add("Retry-After", "0");
                return response;
            }

            case Fault.Reset:
                throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection reset by peer (simulated)", new IOException("reset"));
            case Fault.Slow:
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
                break;
        }

        HttpResponseMessage result;
        if (path.EndsWith("metrics/get-history", StringComparison.Ordinal))
        {
            result = History(request.RequestUri);
        }
        else if (path.EndsWith("runs/log-batch", StringComparison.Ordinal))
        {
            result = LogBatch(JsonNode.Parse(body)!);
        }
        else
        {
            result = Json(HttpStatusCode.NotFound, """{"error_code":"ENDPOINT_NOT_FOUND","message":"not here"}""");
        }

        if (fault == Fault.LoseResponse)
        {
            LostResponses++;
            result.Dispose();
            throw new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely (simulated).", new IOException("connection reset by peer"));
        }

        return result;
    }

    private Fault NextFault()
    {
        lock (_gate)
        {
            var index = _requests++;
            var fault = index < Pattern.Length * 2 ? (index % 2 == 0 ? Pattern[index / 2] : Fault.None)
                : random.Next(100) < faultPercent ? (Fault)(1 + random.Next(5)) : Fault.None;
            if (fault == Fault.Slow && random.Next(4) != 0)
            {
                fault = Fault.Unavailable; // few slow requests keep the test fast
            }

            if (fault != Fault.None)
            {
                Faults++;
            }

            return fault;
        }
    }

    private HttpResponseMessage LogBatch(JsonNode body)
    {
        lock (_gate)
        {
            var incoming = new List<(string Key, long Step, long Timestamp, double Value)>();
            foreach (var m in body["metrics"]?.AsArray() ?? [])
            {
                var value = m!["value"]!.GetValueKind() == JsonValueKind.String
                    ? (string)m["value"]! switch { "NaN" => double.NaN, "Infinity" => double.MaxValue, "-Infinity" => double.MinValue, var s => throw new InvalidOperationException(s) }
                    : (double)m["value"]!;
                incoming.Add(((string)m["key"]!, (long)m["step"]!, (long)m["timestamp"]!, value));
            }

            var fresh = new List<(string Key, long Step, long Timestamp, double Value)>();
            var seen = new HashSet<(string, long, long, long)>();
            foreach (var point in incoming)
            {
                var id = (point.Key, point.Step, point.Timestamp, double.IsNaN(point.Value) ? long.MinValue : BitConverter.DoubleToInt64Bits(point.Value));
                if (_index.Contains(id) || !seen.Add(id))
                {
                    if (double.IsNaN(point.Value))
                    {
                        return Json(HttpStatusCode.BadRequest, """{"error_code":"BAD_REQUEST","message":"(sqlite3.IntegrityError) UNIQUE constraint failed: metrics.key, metrics.timestamp, metrics.step, metrics.run_uuid, metrics.value, metrics.is_nan"}""");
                    }

                    continue;
                }

                fresh.Add(point);
            }

            foreach (var point in fresh)
            {
                _index.Add((point.Key, point.Step, point.Timestamp, double.IsNaN(point.Value) ? long.MinValue : BitConverter.DoubleToInt64Bits(point.Value)));
                if (!_points.TryGetValue(point.Key, out var list))
                {
                    _points[point.Key] = list = [];
                }

                list.Add((point.Step, point.Timestamp, point.Value));
            }

            return Json(HttpStatusCode.OK, "{}");
        }
    }

    private HttpResponseMessage History(Uri uri)
    {
        var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
        var key = query["metric_key"]!;
        var max = int.Parse(query["max_results"]!, CultureInfo.InvariantCulture);
        var offset = query["page_token"] is { } token ? int.Parse(token, CultureInfo.InvariantCulture) : 0;
        var json = new StringBuilder("{\"metrics\":[");
        lock (_gate)
        {
            var list = _points.TryGetValue(key, out var l) ? l : [];
            var end = Math.Min(list.Count, offset + max);
            for (var i = offset; i < end; i++)
            {
                var p = list[i];
                var value = double.IsNaN(p.Value) ? "\"NaN\"" : p.Value.ToString("R", CultureInfo.InvariantCulture);
                json.Append(i > offset ? "," : "").Append(CultureInfo.InvariantCulture, $"{{\"key\":\"{key}\",\"value\":{value},\"timestamp\":{p.Timestamp},\"step\":{p.Step}}}");
            }

            json.Append(']');
            if (end < list.Count)
            {
                json.Append(CultureInfo.InvariantCulture, $",\"next_page_token\":\"{end}\"");
            }
        }

        return Json(HttpStatusCode.OK, json.Append('}').ToString());
    }

    private static string RunJson(string wrapper, string status, long? endTime, bool infoOnly = false)
    {
        var info = $$"""{"run_id":"{{RunId}}","run_uuid":"{{RunId}}","experiment_id":"0","run_name":"faulty","status":"{{status}}","start_time":1700000000000{{(endTime is { } e ? $",\"end_time\":{e}" : "")}},"artifact_uri":"mlflow-artifacts:/0/{{RunId}}/artifacts","lifecycle_stage":"active"}""";
        return infoOnly ? "{\"" + wrapper + "\":" + info + "}" : "{\"" + wrapper + "\":{\"info\":" + info + ",\"data\":{}}}";
    }

    private static HttpResponseMessage Json(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
}
