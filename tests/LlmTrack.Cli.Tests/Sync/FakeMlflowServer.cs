using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace LlmTrack.Cli.Tests.Sync;

/// <summary>What the fake server does with a request chosen by <see cref="FakeMlflowServer.Fault"/>.</summary>
public enum FakeFault
{
    /// <summary>Answer normally.</summary>
    None,

    /// <summary>Answer 503 without handling the request (an overloaded server or a proxy in front of a dead one).</summary>
    Refuse,

    /// <summary>Drop the connection without handling the request (the server died).</summary>
    Drop,

    /// <summary>Handle the request, then drop the connection before answering (the answer is lost).</summary>
    HandleThenDrop,
}

/// <summary>
/// A stateful MLflow tracking server on 127.0.0.1 (HttpListener), holding experiments, runs, params, tags and full metric
/// histories in memory: the endpoints <c>llmtrack sync</c> and durable delivery use. <see cref="Fault"/> picks requests to
/// fail (by their 1-based number and path).
/// </summary>
internal sealed partial class FakeMlflowServer : IDisposable
{
    private const string Api = "/api/2.0/mlflow/";
    private readonly HttpListener _listener = new();
    private readonly object _gate = new();
    private readonly Dictionary<string, string> _experiments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeRun> _runs = new(StringComparer.Ordinal);
    private readonly Task _loop;
    private int _requests;

    public FakeMlflowServer()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Uri = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Uri + "/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Uri { get; }

    /// <summary>Chooses the fault for request number n (1-based) to a path like <c>runs/log-batch</c>.</summary>
    public Func<int, string, FakeFault> Fault { get; set; } = (_, _) => FakeFault.None;

    public int Requests => Volatile.Read(ref _requests);

    public IReadOnlyList<FakeRun> Runs()
    {
        lock (_gate)
        {
            return [.. _runs.Values.Select(r => r.Clone())];
        }
    }

    public long MetricPoints() => Runs().Sum(r => (long)r.Metrics.Count);

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                await HandleAsync(context);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or IOException)
            {
                // The client went away.
            }
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var path = context.Request.Url!.AbsolutePath;
        var endpoint = path.StartsWith(Api, StringComparison.Ordinal) ? path[Api.Length..] : path;
        var number = Interlocked.Increment(ref _requests);
        var fault = Fault(number, endpoint);
        string body;
        using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync();
        }

        if (fault == FakeFault.Drop)
        {
            await DropAsync(context);
            return;
        }

        if (fault == FakeFault.Refuse)
        {
            await RespondAsync(context, 503, """{"error_code": "TEMPORARILY_UNAVAILABLE", "message": "Simulated outage."}""");
            return;
        }

        (int Status, string Json) answer;
        lock (_gate)
        {
            answer = Handle(endpoint, context.Request.QueryString, body);
        }

        if (fault == FakeFault.HandleThenDrop)
        {
            await DropAsync(context);
            return;
        }

        await RespondAsync(context, answer.Status, answer.Json);
    }

    // The connection breaks mid-answer: the client sees a transport error (HttpListener's Abort alone may end the
    // exchange in a way the client reads as an empty answer).
    private static async Task DropAsync(HttpListenerContext context)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength64 = 4096;
        await context.Response.OutputStream.WriteAsync("{\"broken"u8.ToArray());
        await context.Response.OutputStream.FlushAsync();
        context.Response.Abort();
    }

    private static async Task RespondAsync(HttpListenerContext context, int status, string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    private (int Status, string Json) Handle(string endpoint, System.Collections.Specialized.NameValueCollection query, string body)
    {
        var request = string.IsNullOrWhiteSpace(body) ? new JsonObject() : JsonNode.Parse(body)!.AsObject();
        switch (endpoint)
        {
            case "experiments/get-by-name":
            {
                var name = query["experiment_name"];
                var found = _experiments.FirstOrDefault(e => e.Value == name);
                return found.Key is null ? NotFound($"No experiment '{name}'.") : (200, new JsonObject { ["experiment"] = ExperimentJson(found.Key, found.Value) }.ToJsonString());
            }

            case "experiments/create":
            {
                var name = request["name"]!.GetValue<string>();
                if (_experiments.ContainsValue(name))
                {
                    return (400, """{"error_code": "RESOURCE_ALREADY_EXISTS", "message": "Experiment exists."}""");
                }

                var id = (_experiments.Count + 1).ToString(CultureInfo.InvariantCulture);
                _experiments[id] = name;
                return (200, new JsonObject { ["experiment_id"] = id }.ToJsonString());
            }

            case "experiments/get":
            {
                var id = query["experiment_id"]!;
                return _experiments.TryGetValue(id, out var name) ? (200, new JsonObject { ["experiment"] = ExperimentJson(id, name) }.ToJsonString()) : NotFound($"No experiment {id}.");
            }

            case "runs/create":
            {
                var id = Guid.NewGuid().ToString("N");
                var run = new FakeRun
                {
                    RunId = id,
                    ExperimentId = request["experiment_id"]!.GetValue<string>(),
                    RunName = request["run_name"]?.GetValue<string>(),
                    StartTime = request["start_time"]?.GetValue<long>() ?? 0,
                };
                foreach (var tag in request["tags"]?.AsArray() ?? [])
                {
                    run.Tags[tag!["key"]!.GetValue<string>()] = tag["value"]!.GetValue<string>();
                }

                _runs[id] = run;
                return (200, new JsonObject { ["run"] = RunJson(run) }.ToJsonString());
            }

            case "runs/get":
                return _runs.TryGetValue(query["run_id"] ?? "", out var got) ? (200, new JsonObject { ["run"] = RunJson(got) }.ToJsonString()) : NotFound("No such run.");

            case "runs/search":
            {
                var experimentIds = request["experiment_ids"]!.AsArray().Select(e => e!.GetValue<string>()).ToHashSet();
                var filter = request["filter"]?.GetValue<string>();
                var matches = _runs.Values.Where(r => experimentIds.Contains(r.ExperimentId) && Matches(r, filter)).Select(r => (JsonNode)RunJson(r)).ToArray();
                return (200, new JsonObject { ["runs"] = new JsonArray(matches) }.ToJsonString());
            }

            case "runs/log-batch":
            {
                if (!_runs.TryGetValue(request["run_id"]!.GetValue<string>(), out var run))
                {
                    return NotFound("No such run.");
                }

                foreach (var metric in request["metrics"]?.AsArray() ?? [])
                {
                    run.Metrics.Add(new FakeMetric(metric!["key"]!.GetValue<string>(), metric["value"]!.GetValue<double>(), metric["timestamp"]!.GetValue<long>(), metric["step"]?.GetValue<long>() ?? 0));
                }

                foreach (var param in request["params"]?.AsArray() ?? [])
                {
                    run.Params[param!["key"]!.GetValue<string>()] = param["value"]!.GetValue<string>();
                }

                foreach (var tag in request["tags"]?.AsArray() ?? [])
                {
                    run.Tags[tag!["key"]!.GetValue<string>()] = tag["value"]!.GetValue<string>();
                }

                return (200, "{}");
            }

            case "runs/update":
            {
                if (!_runs.TryGetValue(request["run_id"]!.GetValue<string>(), out var run))
                {
                    return NotFound("No such run.");
                }

                run.Status = request["status"]?.GetValue<string>() ?? run.Status;
                run.EndTime = request["end_time"]?.GetValue<long>() ?? run.EndTime;
                run.RunName = request["run_name"]?.GetValue<string>() ?? run.RunName;
                return (200, new JsonObject { ["run_info"] = RunInfoJson(run) }.ToJsonString());
            }

            case "metrics/get-history":
            {
                if (!_runs.TryGetValue(query["run_id"] ?? "", out var run))
                {
                    return NotFound("No such run.");
                }

                var key = query["metric_key"];
                var points = run.Metrics.Where(m => m.Key == key).Select(m => (JsonNode)MetricJson(m)).ToArray();
                return (200, new JsonObject { ["metrics"] = new JsonArray(points) }.ToJsonString());
            }

            default:
                return (404, """{"error_code": "ENDPOINT_NOT_FOUND", "message": "Not implemented by the fake server."}""");
        }
    }

    // The two filters the client sends: the copier's source-id LIKE, and run name + start time (finding a created run).
    private static bool Matches(FakeRun run, string? filter)
    {
        if (string.IsNullOrEmpty(filter))
        {
            return true;
        }

        if (TagLike().Match(filter) is { Success: true } like)
        {
            return run.Tags.TryGetValue(like.Groups[1].Value, out var value) && value.StartsWith(like.Groups[2].Value, StringComparison.Ordinal);
        }

        if (NameAndStart().Match(filter) is { Success: true } name)
        {
            return run.RunName == name.Groups[1].Value && run.StartTime == long.Parse(name.Groups[2].Value, CultureInfo.InvariantCulture);
        }

        throw new InvalidOperationException("Unsupported filter: " + filter);
    }

    [GeneratedRegex("^tags\\.`([^`]+)` LIKE '([^%']*)%'$")]
    private static partial Regex TagLike();

    [GeneratedRegex("^attributes\\.run_name = ['\"](.*)['\"] and attributes\\.start_time = (\\d+)$")]
    private static partial Regex NameAndStart();

    private static (int, string) NotFound(string message) =>
        (404, new JsonObject { ["error_code"] = "RESOURCE_DOES_NOT_EXIST", ["message"] = message }.ToJsonString());

    private static JsonObject ExperimentJson(string id, string name) => new()
    {
        ["experiment_id"] = id,
        ["name"] = name,
        ["artifact_location"] = "mlflow-artifacts:/" + id,
        ["lifecycle_stage"] = "active",
    };

    private static JsonObject RunInfoJson(FakeRun run)
    {
        var info = new JsonObject
        {
            ["run_id"] = run.RunId,
            ["run_uuid"] = run.RunId,
            ["experiment_id"] = run.ExperimentId,
            ["run_name"] = run.RunName,
            ["status"] = run.Status,
            ["start_time"] = run.StartTime,
            ["artifact_uri"] = $"mlflow-artifacts:/{run.ExperimentId}/{run.RunId}/artifacts",
            ["lifecycle_stage"] = "active",
        };
        if (run.EndTime is { } end)
        {
            info["end_time"] = end;
        }

        return info;
    }

    private static JsonObject RunJson(FakeRun run)
    {
        var latest = run.Metrics.GroupBy(m => m.Key).Select(g => (JsonNode)MetricJson(g.MaxBy(m => (m.Step, m.Timestamp))!)).ToArray();
        return new JsonObject
        {
            ["info"] = RunInfoJson(run),
            ["data"] = new JsonObject
            {
                ["metrics"] = new JsonArray(latest),
                ["params"] = new JsonArray([.. run.Params.Select(p => (JsonNode)new JsonObject { ["key"] = p.Key, ["value"] = p.Value })]),
                ["tags"] = new JsonArray([.. run.Tags.Select(t => (JsonNode)new JsonObject { ["key"] = t.Key, ["value"] = t.Value })]),
            },
            ["inputs"] = new JsonObject(),
        };
    }

    private static JsonObject MetricJson(FakeMetric metric) => new()
    {
        ["key"] = metric.Key,
        ["value"] = metric.Value,
        ["timestamp"] = metric.Timestamp,
        ["step"] = metric.Step,
    };

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(10));
    }
}

internal sealed record FakeMetric(string Key, double Value, long Timestamp, long Step);

internal sealed class FakeRun
{
    public required string RunId { get; init; }

    public required string ExperimentId { get; init; }

    public string? RunName { get; set; }

    public string Status { get; set; } = "RUNNING";

    public long StartTime { get; init; }

    public long? EndTime { get; set; }

    public Dictionary<string, string> Tags { get; init; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Params { get; init; } = new(StringComparer.Ordinal);

    public List<FakeMetric> Metrics { get; init; } = [];

    public FakeRun Clone() => new()
    {
        RunId = RunId,
        ExperimentId = ExperimentId,
        RunName = RunName,
        Status = Status,
        StartTime = StartTime,
        EndTime = EndTime,
        Tags = new Dictionary<string, string>(Tags, StringComparer.Ordinal),
        Params = new Dictionary<string, string>(Params, StringComparer.Ordinal),
        Metrics = [.. Metrics],
    };
}
