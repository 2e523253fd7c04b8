using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmTrack.Benchmarks.Faults;

/// <summary>The faults <see cref="FaultyMlflowServer"/> injects.</summary>
internal enum ServerFault
{
    /// <summary>Answered normally.</summary>
    None,

    /// <summary>503 before processing.</summary>
    Unavailable,

    /// <summary>429 with <c>Retry-After: 1</c> before processing.</summary>
    TooManyRequests,

    /// <summary>The connection is reset before the request is processed or answered.</summary>
    ResetBeforeAnswer,

    /// <summary>The request is processed (a log-batch is stored), then the connection is reset: the answer is lost.</summary>
    CommittedThenLost,
}

/// <summary>
/// An MLflow-compatible tracking server on 127.0.0.1 (Kestrel, in process) for delivery-under-faults benchmarks. It
/// answers as slowly as a real MLflow 3.6 server (≈ 10 ms per request plus 0.128 ms per log-batch metric: ≈ 138 ms for
/// 1000), fails a seeded share of requests evenly with <see cref="ServerFault"/>s, and stores metric points with the SQL
/// store's semantics: an identical point is kept once, an identical NaN point fails the whole batch with an
/// <c>IntegrityError</c> (400), ±∞ are clamped to ±max double, NaN is returned as <c>"NaN"</c>. It serves
/// experiments get-by-name/get/create, runs create/get/update/search/set-tag/log-parameter/log-batch, metrics get-history
/// (paged) and get-history-bulk-interval (MLflow's distinct-step sampling and 25000-point limit).
/// </summary>
internal sealed class FaultyMlflowServer : IAsyncDisposable
{
    private const string Api = "/api/2.0/mlflow/";
    private const string IntegrityError =
        "{\"error_code\": \"BAD_REQUEST\", \"message\": \"(sqlite3.IntegrityError) UNIQUE constraint failed: metrics.key, metrics.timestamp, metrics.step, metrics.run_uuid, metrics.value, metrics.is_nan\\n[SQL: INSERT INTO metrics (\\\"key\\\", value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, ?, ?)]\"}";

    private readonly object _gate = new();
    private readonly Random _random;
    private readonly double _faultRate;
    private readonly bool _latency;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Dictionary<string, string> _experiments = new(StringComparer.Ordinal) { ["Default"] = "0" };
    private readonly Dictionary<string, RunState> _runs = new(StringComparer.Ordinal);
    private readonly Dictionary<ServerFault, int> _faults = [];
    private WebApplication? _app;
    private int _requests;

    public FaultyMlflowServer(int seed, double faultRate = 0.30, bool latency = true)
    {
        _random = new Random(seed);
        _faultRate = faultRate;
        _latency = latency;
    }

    /// <summary>The server's base URI (<c>http://127.0.0.1:port</c>).</summary>
    public string Uri { get; private set; } = "";

    /// <summary>Requests received.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Faults injected so far, by kind.</summary>
    public IReadOnlyDictionary<ServerFault, int> Faults
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<ServerFault, int>(_faults);
            }
        }
    }

    /// <summary>Starts the server.</summary>
    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Limits.MaxRequestBodySize = null;
        });
        _app = builder.Build();
        _app.Run(HandleAsync);
        await _app.StartAsync().ConfigureAwait(false);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Uri = address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);
    }

    /// <summary>What the server holds for the runs of one experiment.</summary>
    public ExperimentSummary Summarize(string experimentName)
    {
        lock (_gate)
        {
            if (!_experiments.TryGetValue(experimentName, out var experimentId))
            {
                return new ExperimentSummary(0, 0, 0, 0, [], null);
            }

            var runs = _runs.Values.Where(r => r.ExperimentId == experimentId).ToList();
            long points = 0, nan = 0, duplicates = 0;
            double? lastStoredSeconds = null;
            foreach (var run in runs)
            {
                foreach (var (_, list) in run.Points)
                {
                    points += list.Count;
                    nan += list.Count(p => double.IsNaN(p.Value));
                    duplicates += list.Count - list.Select(p => p.Step).Distinct().Count();
                }

                if (run.LastStoredSeconds is { } last && (lastStoredSeconds is null || last > lastStoredSeconds))
                {
                    lastStoredSeconds = last;
                }
            }

            return new ExperimentSummary(runs.Count, points, nan, duplicates, [.. runs.Select(r => r.Status)], lastStoredSeconds);
        }
    }

    /// <summary>Seconds since the server started (the clock of <see cref="ExperimentSummary.LastStoredSeconds"/>).</summary>
    public double Seconds => _clock.Elapsed.TotalSeconds;

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Requests per route (the last segment of the path), and log-batch requests by size.</summary>
    public string DescribeTraffic()
    {
        var routes = string.Join(", ", _byRoute.OrderByDescending(r => r.Value).Select(r => $"{r.Key} {r.Value}"));
        var sizes = _batchSizes.ToArray();
        return sizes.Length == 0 ? routes : $"{routes}; log-batch sizes: {sizes.Length} requests, mean {sizes.Average():0} metrics";
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _byRoute = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentBag<int> _batchSizes = [];

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var route = context.Request.Path.Value ?? "";
        route = route[(route.LastIndexOf("/mlflow/", StringComparison.Ordinal) is var m and >= 0 ? m + 8 : 0)..];
        _byRoute.AddOrUpdate(route.StartsWith("artifacts", StringComparison.Ordinal) ? "artifacts" : route, 1, (_, n) => n + 1);
        string body;
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        }

        var path = context.Request.Path.Value ?? "";
        ServerFault fault;
        lock (_gate)
        {
            fault = _random.NextDouble() < _faultRate ? (ServerFault)(1 + _random.Next(4)) : ServerFault.None;
            _faults[fault] = _faults.GetValueOrDefault(fault) + 1;
        }

        var batchSize = 0;
        JsonNode? json = null;
        if (body.Length > 0)
        {
            try
            {
                json = JsonNode.Parse(body);
                batchSize = json?["metrics"] is JsonArray array ? array.Count : 0;
                if (route == "runs/log-batch")
                {
                    _batchSizes.Add(batchSize);
                }
            }
            catch (JsonException)
            {
                json = null;
            }
        }

        if (_latency)
        {
            // A real MLflow 3.6 server: ~10 ms per request, ~0.128 ms more per log-batch metric (138 ms for 1000).
            var processing = path.EndsWith("runs/log-batch", StringComparison.Ordinal) ? 10 + 0.128 * batchSize : 10;
            await Task.Delay(TimeSpan.FromMilliseconds(fault is ServerFault.None or ServerFault.CommittedThenLost ? processing : 10)).ConfigureAwait(false);
        }

        switch (fault)
        {
            case ServerFault.Unavailable:
                await WriteAsync(context, 503, "{\"error_code\":\"TEMPORARILY_UNAVAILABLE\",\"message\":\"Service unavailable (injected)\"}").ConfigureAwait(false);
                return;
            case ServerFault.TooManyRequests:
                context.Response.Headers.RetryAfter = "1";
                await WriteAsync(context, 429, "{\"error_code\":\"RESOURCE_EXHAUSTED\",\"message\":\"Too many requests (injected)\"}").ConfigureAwait(false);
                return;
            case ServerFault.ResetBeforeAnswer:
                context.Abort();
                return;
        }

        var (status, answer) = Dispatch(context.Request.Method, path, context.Request.Query, json);
        if (fault == ServerFault.CommittedThenLost)
        {
            context.Abort();
            return;
        }

        await WriteAsync(context, status, answer).ConfigureAwait(false);
    }

    private (int Status, string Body) Dispatch(string method, string path, IQueryCollection query, JsonNode? json)
    {
        if (!path.StartsWith(Api, StringComparison.Ordinal))
        {
            return NotFoundPage();
        }

        var route = method + " " + path[Api.Length..];
        lock (_gate)
        {
            return route switch
            {
                "GET experiments/get-by-name" => GetExperimentByName(query["experiment_name"].ToString()),
                "GET experiments/get" => GetExperiment(query["experiment_id"].ToString()),
                "POST experiments/create" => CreateExperiment((string?)json?["name"]),
                "POST runs/create" => CreateRun(json),
                "GET runs/get" => GetRun(query["run_id"].ToString()),
                "POST runs/update" => UpdateRun(json),
                "POST runs/search" => SearchRuns(json),
                "POST runs/set-tag" => SetTag(json),
                "POST runs/log-parameter" => LogParam(json),
                "POST runs/log-batch" => LogBatch(json),
                "GET metrics/get-history" => GetHistory(query),
                "GET metrics/get-history-bulk-interval" => GetHistoryBulkInterval(query),
                _ => NotFoundPage(),
            };
        }
    }

    private static (int, string) NotFoundPage() =>
        (404, "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server.</p>\n");

    private static (int, string) Error(int status, string code, string message) =>
        (status, new JsonObject { ["error_code"] = code, ["message"] = message }.ToJsonString());

    private (int, string) GetExperimentByName(string name) =>
        _experiments.TryGetValue(name, out var id)
            ? (200, new JsonObject { ["experiment"] = ExperimentJson(id, name) }.ToJsonString())
            : Error(404, "RESOURCE_DOES_NOT_EXIST", $"Could not find experiment with name '{name}'");

    private (int, string) GetExperiment(string id)
    {
        foreach (var (name, experimentId) in _experiments)
        {
            if (experimentId == id)
            {
                return (200, new JsonObject { ["experiment"] = ExperimentJson(id, name) }.ToJsonString());
            }
        }

        return Error(404, "RESOURCE_DOES_NOT_EXIST", $"No Experiment with id={id} exists");
    }

    private static JsonObject ExperimentJson(string id, string name) => new()
    {
        ["experiment_id"] = id,
        ["name"] = name,
        ["artifact_location"] = "mlflow-artifacts:/" + id,
        ["lifecycle_stage"] = "active",
    };

    private (int, string) CreateExperiment(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return Error(400, "INVALID_PARAMETER_VALUE", "Missing value for required parameter 'name'.");
        }

        if (_experiments.ContainsKey(name))
        {
            return Error(400, "RESOURCE_ALREADY_EXISTS", $"Experiment(name={name}) already exists.");
        }

        var id = _experiments.Count.ToString(CultureInfo.InvariantCulture);
        _experiments[name] = id;
        return (200, new JsonObject { ["experiment_id"] = id }.ToJsonString());
    }

    private (int, string) CreateRun(JsonNode? json)
    {
        var experimentId = (string?)json?["experiment_id"] ?? "0";
        if (!_experiments.ContainsValue(experimentId))
        {
            return Error(404, "RESOURCE_DOES_NOT_EXIST", $"No Experiment with id={experimentId} exists");
        }

        var id = Guid.NewGuid().ToString("N");
        var run = new RunState(id, experimentId, (string?)json?["run_name"] ?? "run-" + id[..6], ReadLong(json?["start_time"]));
        foreach (var tag in json?["tags"]?.AsArray() ?? [])
        {
            run.Tags[(string)tag!["key"]!] = (string?)tag["value"] ?? "";
        }

        _runs[id] = run;
        return (200, new JsonObject { ["run"] = RunJson(run) }.ToJsonString());
    }

    private (int, string) GetRun(string runId) =>
        _runs.TryGetValue(runId, out var run)
            ? (200, new JsonObject { ["run"] = RunJson(run) }.ToJsonString())
            : Error(404, "RESOURCE_DOES_NOT_EXIST", $"Run with id={runId} not found");

    private (int, string) UpdateRun(JsonNode? json)
    {
        var runId = (string?)json?["run_id"] ?? "";
        if (!_runs.TryGetValue(runId, out var run))
        {
            return Error(404, "RESOURCE_DOES_NOT_EXIST", $"Run with id={runId} not found");
        }

        run.Status = (string?)json?["status"] ?? run.Status;
        if (json?["end_time"] is { } end)
        {
            run.EndTime = ReadLong(end);
        }

        if ((string?)json?["run_name"] is { Length: > 0 } name)
        {
            run.Name = name;
        }

        return (200, new JsonObject { ["run_info"] = InfoJson(run) }.ToJsonString());
    }

    private (int, string) SearchRuns(JsonNode? json)
    {
        var experimentIds = json?["experiment_ids"]?.AsArray().Select(e => (string?)e).ToHashSet() ?? [];
        var filter = (string?)json?["filter"] ?? "";
        var match = Regex.Match(filter, @"attributes\.run_name = (['""])(.*)\1 and attributes\.start_time = (-?\d+)");
        var runs = _runs.Values.Where(r => experimentIds.Contains(r.ExperimentId)
            && (!match.Success || (r.Name == match.Groups[2].Value && r.StartTime == long.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture))));
        var array = new JsonArray([.. runs.Select(r => (JsonNode)RunJson(r))]);
        return (200, array.Count == 0 ? "{}" : new JsonObject { ["runs"] = array }.ToJsonString());
    }

    private (int, string) SetTag(JsonNode? json)
    {
        if (!_runs.TryGetValue((string?)json?["run_id"] ?? "", out var run))
        {
            return Error(404, "RESOURCE_DOES_NOT_EXIST", "Run not found");
        }

        run.Tags[(string?)json?["key"] ?? ""] = (string?)json?["value"] ?? "";
        return (200, "{}");
    }

    private (int, string) LogParam(JsonNode? json)
    {
        if (!_runs.TryGetValue((string?)json?["run_id"] ?? "", out var run))
        {
            return Error(404, "RESOURCE_DOES_NOT_EXIST", "Run not found");
        }

        var key = (string?)json?["key"] ?? "";
        var value = (string?)json?["value"] ?? "";
        if (run.Params.TryGetValue(key, out var old) && old != value)
        {
            return Error(400, "INVALID_PARAMETER_VALUE", "Changing param values is not allowed.");
        }

        run.Params[key] = value;
        return (200, "{}");
    }

    private (int, string) LogBatch(JsonNode? json)
    {
        var runId = (string?)json?["run_id"] ?? "";
        if (!_runs.TryGetValue(runId, out var run))
        {
            return Error(404, "RESOURCE_DOES_NOT_EXIST", $"Run with id={runId} not found");
        }

        var metrics = json?["metrics"]?.AsArray() ?? [];
        var parameters = json?["params"]?.AsArray() ?? [];
        var tags = json?["tags"]?.AsArray() ?? [];
        if (metrics.Count > 1000 || parameters.Count > 100 || tags.Count > 100 || metrics.Count + parameters.Count + tags.Count > 1000)
        {
            return Error(400, "INVALID_PARAMETER_VALUE", "A batch logging request can contain at most 1000 metrics, 100 params and 100 tags.");
        }

        var incoming = new List<(string Key, Point Point, long Bits)>(metrics.Count);
        var seenNaN = new HashSet<(string, long, long)>();
        foreach (var metric in metrics)
        {
            var key = (string)metric!["key"]!;
            var value = ReadValue(metric["value"]);
            var point = new Point(ReadLong(metric["step"]), ReadLong(metric["timestamp"]), value);
            var bits = double.IsNaN(value) ? long.MinValue : BitConverter.DoubleToInt64Bits(value == 0 ? 0d : value);
            if (double.IsNaN(value) && (run.Index.Contains((key, point.Step, point.Timestamp, bits)) || !seenNaN.Add((key, point.Step, point.Timestamp))))
            {
                // SQL stores compare NaN as unequal when skipping known points, then hit the primary key: the whole batch fails.
                return (400, IntegrityError);
            }

            incoming.Add((key, point, bits));
        }

        foreach (var parameter in parameters)
        {
            var key = (string)parameter!["key"]!;
            if (run.Params.TryGetValue(key, out var old) && old != (string?)parameter["value"])
            {
                return Error(400, "INVALID_PARAMETER_VALUE", $"Changing param values is not allowed. Param with key='{key}' was already logged with value='{old}' for run ID='{runId}'.");
            }
        }

        foreach (var (key, point, bits) in incoming)
        {
            if (run.Index.Add((key, point.Step, point.Timestamp, bits)))
            {
                if (!run.Points.TryGetValue(key, out var list))
                {
                    run.Points[key] = list = [];
                }

                list.Add(point);
            }
        }

        foreach (var parameter in parameters)
        {
            run.Params[(string)parameter!["key"]!] = (string?)parameter["value"] ?? "";
        }

        foreach (var tag in tags)
        {
            run.Tags[(string)tag!["key"]!] = (string?)tag["value"] ?? "";
        }

        if (incoming.Count > 0)
        {
            run.LastStoredSeconds = Seconds;
        }

        return (200, "{}");
    }

    private (int, string) GetHistory(IQueryCollection query)
    {
        if (!_runs.TryGetValue(query["run_id"].ToString(), out var run))
        {
            return Error(404, "RESOURCE_DOES_NOT_EXIST", "Run not found");
        }

        var max = int.TryParse(query["max_results"].ToString(), CultureInfo.InvariantCulture, out var m) ? m : 0;
        var offset = 0;
        if (query["page_token"].ToString() is { Length: > 0 } token)
        {
            offset = JsonNode.Parse(Convert.FromBase64String(token))!["offset"]!.GetValue<int>();
        }

        if (max <= 0)
        {
            return (200, "{\"next_page_token\":\"" + Convert.ToBase64String("{\"offset\": 0}"u8) + "\"}");
        }

        var points = Sorted(run, query["metric_key"].ToString(), byStep: false);
        var page = points.Skip(offset).Take(max).ToList();
        var result = new JsonObject();
        if (page.Count > 0)
        {
            result["metrics"] = PointsJson(query["metric_key"].ToString(), page, null);
        }

        if (offset + max < points.Count)
        {
            result["next_page_token"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"offset\": " + (offset + max).ToString(CultureInfo.InvariantCulture) + "}"));
        }

        return (200, result.ToJsonString());
    }

    private (int, string) GetHistoryBulkInterval(IQueryCollection query)
    {
        var runIds = query["run_ids"].Where(r => r is not null).Select(r => r!).ToList();
        var key = query["metric_key"].ToString();
        if (runIds.Count == 0 || key.Length == 0)
        {
            return Error(400, "INVALID_PARAMETER_VALUE", "Missing value for required parameter.");
        }

        var max = query["max_results"].Count > 0 ? int.Parse(query["max_results"].ToString(), CultureInfo.InvariantCulture) : 2500;
        if (max is < 1 or > 2500)
        {
            return Error(400, "INVALID_PARAMETER_VALUE", "max_results must be between 1 and 2500.");
        }

        var hasStart = query["start_step"].Count > 0;
        var hasEnd = query["end_step"].Count > 0;
        if (hasStart != hasEnd)
        {
            return Error(400, "INVALID_PARAMETER_VALUE", "If either start step or end step are specified, both must be specified.");
        }

        var runs = new List<RunState>();
        foreach (var id in runIds)
        {
            if (!_runs.TryGetValue(id, out var found))
            {
                return Error(404, "RESOURCE_DOES_NOT_EXIST", $"Run with id={id} not found");
            }

            runs.Add(found);
        }

        // MLflow 3.6 (handlers.py): sample the sorted distinct steps of all requested runs, keep each run's first and
        // last step, then return every point at the chosen steps (step, timestamp, value order), at most 25000 per run.
        var perRun = runs.Select(r => r.Points.TryGetValue(key, out var list) ? list.Select(p => p.Step).ToList() : []).ToList();
        var allSteps = perRun.SelectMany(s => s).Distinct().Order().ToList();
        var start = hasStart ? long.Parse(query["start_step"].ToString(), CultureInfo.InvariantCulture) : 0;
        var end = hasEnd ? long.Parse(query["end_step"].ToString(), CultureInfo.InvariantCulture) : (allSteps.Count > 0 ? allSteps[^1] : 0);
        if (start > end)
        {
            return Error(400, "INVALID_PARAMETER_VALUE", $"end_step must be greater than start_step. Found start_step={start} and end_step={end}.");
        }

        var startIndex = LowerBound(allSteps, start);
        var endIndex = LowerBound(allSteps, end + 1);
        var chosen = new HashSet<long>();
        var count = endIndex - startIndex;
        if (count <= max)
        {
            for (var i = startIndex; i < endIndex; i++)
            {
                chosen.Add(allSteps[i]);
            }
        }
        else
        {
            var interval = count / (double)max;
            for (var i = 0; i < max; i++)
            {
                var index = startIndex + (int)(i * interval);
                if (index < count)
                {
                    chosen.Add(allSteps[index]);
                }
            }

            chosen.Add(allSteps[endIndex - 1]);
        }

        foreach (var steps in perRun.Where(s => s.Count > 0))
        {
            foreach (var edge in new[] { steps.Min(), steps.Max() })
            {
                if (edge >= start && edge <= end)
                {
                    chosen.Add(edge);
                }
            }
        }

        var array = new JsonArray();
        foreach (var run in runs)
        {
            var points = Sorted(run, key, byStep: true).Where(p => chosen.Contains(p.Step)).Take(25000).ToList();
            foreach (var node in PointsJson(key, points, run.Id))
            {
                array.Add(node!.DeepClone());
            }
        }

        return (200, array.Count == 0 ? "{}" : new JsonObject { ["metrics"] = array }.ToJsonString());
    }

    private static int LowerBound(List<long> sorted, long value)
    {
        int low = 0, high = sorted.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (sorted[middle] < value)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private static List<Point> Sorted(RunState run, string key, bool byStep)
    {
        if (!run.Points.TryGetValue(key, out var list))
        {
            return [];
        }

        return byStep
            ? [.. list.OrderBy(p => p.Step).ThenBy(p => p.Timestamp).ThenBy(p => p.Value)]
            : [.. list.OrderBy(p => p.Timestamp).ThenBy(p => p.Step).ThenBy(p => p.Value)];
    }

    private static JsonArray PointsJson(string key, List<Point> points, string? runId)
    {
        var array = new JsonArray();
        foreach (var point in points)
        {
            var node = new JsonObject
            {
                ["key"] = key,
                ["value"] = double.IsNaN(point.Value) ? JsonValue.Create("NaN") : JsonValue.Create(point.Value),
                ["timestamp"] = point.Timestamp,
                ["step"] = point.Step,
            };
            if (runId is not null)
            {
                node["run_id"] = runId;
            }

            array.Add(node);
        }

        return array;
    }

    private static JsonObject RunJson(RunState run) => new()
    {
        ["info"] = InfoJson(run),
        ["data"] = new JsonObject
        {
            ["tags"] = new JsonArray([.. run.Tags.Select(t => (JsonNode)new JsonObject { ["key"] = t.Key, ["value"] = t.Value })]),
            ["params"] = new JsonArray([.. run.Params.Select(t => (JsonNode)new JsonObject { ["key"] = t.Key, ["value"] = t.Value })]),
        },
    };

    private static JsonObject InfoJson(RunState run)
    {
        var info = new JsonObject
        {
            ["run_id"] = run.Id,
            ["run_uuid"] = run.Id,
            ["run_name"] = run.Name,
            ["experiment_id"] = run.ExperimentId,
            ["status"] = run.Status,
            ["start_time"] = run.StartTime,
            ["artifact_uri"] = $"mlflow-artifacts:/{run.ExperimentId}/{run.Id}/artifacts",
            ["lifecycle_stage"] = "active",
        };
        if (run.EndTime is { } end)
        {
            info["end_time"] = end;
        }

        return info;
    }

    private static long ReadLong(JsonNode? node) => node is null
        ? 0
        : node.GetValueKind() == JsonValueKind.String ? long.Parse((string)node!, CultureInfo.InvariantCulture) : node.GetValue<long>();

    private static double ReadValue(JsonNode? node)
    {
        var value = node?.GetValueKind() == JsonValueKind.String
            ? (string)node! switch
            {
                "NaN" => double.NaN,
                "Infinity" => double.PositiveInfinity,
                "-Infinity" => double.NegativeInfinity,
                _ => 0d, // MLflow stores a bad value as 0
            }
            : node?.GetValue<double>() ?? 0d;
        return double.IsPositiveInfinity(value) ? double.MaxValue : double.IsNegativeInfinity(value) ? double.MinValue : value;
    }

    private static Task WriteAsync(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = body.StartsWith('<') ? "text/html; charset=utf-8" : "application/json";
        return context.Response.WriteAsync(body);
    }

    private readonly record struct Point(long Step, long Timestamp, double Value);

    private sealed class RunState(string id, string experimentId, string name, long startTime)
    {
        public string Id { get; } = id;

        public string ExperimentId { get; } = experimentId;

        public string Name { get; set; } = name;

        public long StartTime { get; } = startTime;

        public string Status { get; set; } = "RUNNING";

        public long? EndTime { get; set; }

        public double? LastStoredSeconds { get; set; }

        public Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string> Params { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, List<Point>> Points { get; } = new(StringComparer.Ordinal);

        public HashSet<(string Key, long Step, long Timestamp, long Bits)> Index { get; } = [];
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
