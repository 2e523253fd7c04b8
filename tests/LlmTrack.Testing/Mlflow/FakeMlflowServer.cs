using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace LlmTrack.Testing;

/// <summary>
/// An in-process MLflow-compatible tracking server for tests and benchmarks. One implementation of the REST routes
/// (experiments get-by-name/get/create; runs create/get/update/search/set-tag/log-parameter/log-batch/log-inputs;
/// metrics get-history (paged) and get-history-bulk-interval) with MLflow 3.6's SQL-store semantics, reachable in process
/// (<see cref="CreateHandler"/>, <see cref="CreateClient"/>) or over real HTTP on 127.0.0.1 (<see cref="Listen"/>,
/// Kestrel). A per-request <see cref="Fault"/> chooser and <see cref="Latency"/> model, request counters and a request log.
/// </summary>
public sealed partial class FakeMlflowServer : IDisposable, IAsyncDisposable
{
    private const string Api = "/api/2.0/mlflow/";
    private readonly object _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<FakeRequest> _log = [];
    private readonly Dictionary<FakeFault, int> _faults = [];
    private FakeMlflowHttpFront? _http;
    private int _requests;

    /// <summary>Chooses the fault for request number n (1-based) to a route like <c>runs/log-batch</c>; none by default.</summary>
    public Func<int, string, FakeFault> Fault { get; set; } = (_, _) => FakeFault.None;

    /// <summary>How long a request takes before it is answered (given the chosen fault); none by default. See <see cref="FakeMlflowLatency"/>.</summary>
    public Func<FakeRequest, FakeFault, TimeSpan>? Latency { get; set; }

    /// <summary>How long <see cref="FakeFault.Delay"/> waits (2 s by default).</summary>
    public TimeSpan FaultDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The <c>Retry-After</c> header of a <see cref="FakeFault.TooManyRequests"/> answer (seconds; "1" by default).</summary>
    public string RetryAfter { get; set; } = "1";

    /// <summary>The base URI (<c>http://127.0.0.1:port</c>) once listening (<see cref="Listen"/>).</summary>
    public string Uri => _http?.Uri ?? throw new InvalidOperationException("The fake server is not listening: start it with Listen or ListenAsync.");

    /// <summary>Requests received.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Time since the server was created (the clock of <see cref="FakeRun.LastStored"/>).</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Faults chosen so far, by kind (<see cref="FakeFault.None"/> counts the requests answered normally).</summary>
    public IReadOnlyDictionary<FakeFault, int> FaultCounts
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<FakeFault, int>(_faults);
            }
        }
    }

    /// <summary>A server listening on 127.0.0.1 (a free port).</summary>
    public static FakeMlflowServer Listen()
    {
        var server = new FakeMlflowServer();
        server._http = FakeMlflowHttpFront.Start(server);
        return server;
    }

    /// <summary>A server listening on 127.0.0.1 (a free port).</summary>
    public static async Task<FakeMlflowServer> ListenAsync()
    {
        var server = new FakeMlflowServer();
        server._http = await FakeMlflowHttpFront.StartAsync(server).ConfigureAwait(false);
        return server;
    }

    /// <summary>An <see cref="HttpMessageHandler"/> that sends requests to this server in process (resets become <see cref="HttpRequestException"/>s).</summary>
    public HttpMessageHandler CreateHandler() => new FakeMlflowHandler(this);

    /// <summary>An <see cref="HttpClient"/> on <see cref="CreateHandler"/> with the given base address.</summary>
    public HttpClient CreateClient(string baseAddress) => new(CreateHandler()) { BaseAddress = new System.Uri(baseAddress.TrimEnd('/') + "/") };

    /// <summary>The request log, in arrival order.</summary>
    public IReadOnlyList<FakeRequest> RequestLog()
    {
        lock (_gate)
        {
            return [.. _log];
        }
    }

    /// <summary>A snapshot of every run.</summary>
    public IReadOnlyList<FakeRun> Runs()
    {
        lock (_gate)
        {
            return [.. _runs.Values.Select(r => r.Clone())];
        }
    }

    /// <summary>Metric points stored over all runs.</summary>
    public long MetricPoints() => Runs().Sum(r => (long)r.Metrics.Count);

    /// <summary>The id of the experiment with this name, if it exists.</summary>
    public string? ExperimentId(string name)
    {
        lock (_gate)
        {
            return _experimentsByName.TryGetValue(name, out var id) ? id : null;
        }
    }

    /// <summary>Handles one request: the fault, latency and route pipeline both fronts share.</summary>
    internal async Task<FakeAnswer> HandleAsync(string method, string path, string query, string body, CancellationToken cancellationToken)
    {
        var number = Interlocked.Increment(ref _requests);
        var route = path.StartsWith(Api, StringComparison.Ordinal) ? path[Api.Length..] : path;
        JsonNode? json = null;
        if (body.Length > 0)
        {
            try
            {
                json = JsonNode.Parse(body);
            }
            catch (JsonException)
            {
            }
        }

        var request = new FakeRequest(number, method, route, json?["metrics"] is JsonArray metrics ? metrics.Count : 0, FakeFault.None);
        var fault = Fault(number, route);
        request = request with { Fault = fault };
        lock (_gate)
        {
            _faults[fault] = _faults.GetValueOrDefault(fault) + 1;
            _log.Add(request);
        }

        if (Latency?.Invoke(request, fault) is { } latency && latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, cancellationToken).ConfigureAwait(false);
        }

        switch (fault)
        {
            case FakeFault.Unavailable:
                return FakeAnswer.Json(503, """{"error_code": "TEMPORARILY_UNAVAILABLE", "message": "Service unavailable (injected)."}""");
            case FakeFault.TooManyRequests:
                return FakeAnswer.Json(429, """{"error_code": "RESOURCE_EXHAUSTED", "message": "Too many requests (injected)."}""") with { RetryAfter = RetryAfter };
            case FakeFault.ResetBeforeHandling:
                return FakeAnswer.ResetBefore;
            case FakeFault.Delay:
                await Task.Delay(FaultDelay, cancellationToken).ConfigureAwait(false);
                break;
        }

        FakeAnswer answer;
        if (!path.StartsWith(Api, StringComparison.Ordinal))
        {
            answer = NotFoundPage;
        }
        else
        {
            var parsed = QueryHelpers.ParseQuery(query);
            lock (_gate)
            {
                answer = Dispatch(method + " " + route, parsed, json);
            }
        }

        return fault == FakeFault.HandleThenReset ? FakeAnswer.ResetAfter : answer;
    }

    private FakeAnswer Dispatch(string route, Dictionary<string, StringValues> query, JsonNode? json) => route switch
    {
        "GET experiments/get-by-name" => GetExperimentByName(query.GetValueOrDefault("experiment_name").ToString()),
        "GET experiments/get" => GetExperiment(query.GetValueOrDefault("experiment_id").ToString()),
        "POST experiments/create" => CreateExperiment((string?)json?["name"]),
        "POST runs/create" => CreateRun(json),
        "GET runs/get" => GetRun(query.GetValueOrDefault("run_id").ToString()),
        "POST runs/update" => UpdateRun(json),
        "POST runs/search" => SearchRuns(json),
        "POST runs/set-tag" => SetTag(json),
        "POST runs/log-parameter" => LogParam(json),
        "POST runs/log-batch" => LogBatch(json),
        "POST runs/log-inputs" => LogInputs(json),
        "GET metrics/get-history" => GetHistory(query),
        "GET metrics/get-history-bulk-interval" => GetHistoryBulkInterval(query),
        _ => NotFoundPage,
    };

    // Flask's own 404 page, as MLflow answers a route it does not serve.
    private static FakeAnswer NotFoundPage { get; } = new(404, "text/html; charset=utf-8",
        "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server.</p>\n");

    private static FakeAnswer Error(int status, string code, string message) =>
        FakeAnswer.Json(status, new JsonObject { ["error_code"] = code, ["message"] = message }.ToJsonString());

    private static FakeAnswer Ok(JsonObject body) => FakeAnswer.Json(200, body.ToJsonString());

    /// <summary>Stops listening (if it was).</summary>
    public void Dispose() => _http?.Dispose();

    /// <summary>Stops listening (if it was).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_http is not null)
        {
            await _http.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>What the server does with a request: an answer, or a connection reset before or after handling it.</summary>
internal sealed record FakeAnswer(int Status, string ContentType, string Body)
{
    public static FakeAnswer ResetBefore { get; } = new(0, "", "") { Reset = true };

    public static FakeAnswer ResetAfter { get; } = new(0, "", "") { Reset = true, Handled = true };

    public bool Reset { get; init; }

    public bool Handled { get; init; }

    public string? RetryAfter { get; init; }

    public static FakeAnswer Json(int status, string body) => new(status, "application/json", body);
}
