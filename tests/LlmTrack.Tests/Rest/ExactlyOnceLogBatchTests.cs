using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LlmTrack.Rest;
using Microsoft.Extensions.Time.Testing;
using WireMock.ResponseBuilders;

namespace LlmTrack.Tests.Rest;

/// <summary>
/// Log-batch is delivered exactly once although the server may commit a request whose response is
/// lost (FACTS.md "Retries and duplicates"): WireMock scenarios with the recorded IntegrityError body,
/// and a randomized run against an in-memory server with sqlite and file-store semantics.
/// </summary>
public sealed class ExactlyOnceLogBatchTests
{
    private const string RunId = "b8a2fb19aa45464f8b8145de7cbe6a0f";
    private const long Ts = 1700000000000;
    private static readonly string IntegrityErrorBody = Recordings.Edge("duplicate NaN metric again").ResponseBody;

    private static string History(params (double Value, long Step)[] points)
    {
        var metrics = string.Join(',', points.Select(p =>
            $$"""{"key":"nan2","value":{{(double.IsNaN(p.Value) ? "\"NaN\"" : p.Value.ToString("R", CultureInfo.InvariantCulture))}},"timestamp":{{Ts}},"step":{{p.Step}}}"""));
        return $$"""{"metrics":[{{metrics}}]}""";
    }

    /// <summary>A <c>get-history-bulk-interval</c> answer in MLflow's shape (<c>run_id</c> on every point, NaN as "NaN").</summary>
    private static string Interval(params (double Value, long Step)[] points)
    {
        var metrics = string.Join(',', points.Select(p =>
            $$"""{"key":"nan2","value":{{(double.IsNaN(p.Value) ? "\"NaN\"" : p.Value.ToString("R", CultureInfo.InvariantCulture))}},"timestamp":{{Ts}},"step":{{p.Step}},"run_id":"{{RunId}}"}"""));
        return $$"""{"metrics":[{{metrics}}]}""";
    }

    [Fact]
    public void RecordedIntegrityErrorIsRecognised()
    {
        Assert.Contains("IntegrityError", IntegrityErrorBody);
        var error = MlflowErrorMapper.FromBody(400, "BAD REQUEST", IntegrityErrorBody, "POST", "/x");
        Assert.Equal("BAD_REQUEST", error.Exception.ErrorCode);
        Assert.True(LlmTrack.Errors.DatabaseErrors.IsUniqueConstraintError(error.Exception));
    }

    [Fact]
    public async Task LostResponseThenRecordedIntegrityErrorReconcilesToSuccess()
    {
        // 1st log-batch: committed by the server, response lost. The range read before the resend does not
        // show the points yet (commit still in flight); the resend hits the recorded IntegrityError; the
        // range then shows both points, so the batch has been stored exactly once.
        var faults = new FaultInjectingHandler { Plan = (r, i) => i == 0 ? FaultInjectingHandler.Fault.LoseResponse : FaultInjectingHandler.Fault.None };
        using var mlflow = new MlflowServerFixture(faults: faults);
        var server = mlflow.Server;
        server.Given(mlflow.Post("runs/log-batch")).InScenario("s").WillSetStateTo("committed").RespondWith(Response.Create().WithBody("{}"));
        server.Given(mlflow.Get("metrics/get-history-bulk-interval")).InScenario("s").WhenStateIs("committed").WillSetStateTo("raced").RespondWith(Response.Create().WithBody("{}"));
        server.Given(mlflow.Post("runs/log-batch")).InScenario("s").WhenStateIs("raced").WillSetStateTo("visible")
            .RespondWith(Response.Create().WithStatusCode(400).WithBody(IntegrityErrorBody));
        server.Given(mlflow.Get("metrics/get-history-bulk-interval")).InScenario("s").WhenStateIs("visible").RespondWith(Response.Create().WithBody(Interval((double.NaN, 0), (1.5, 1))));

        await mlflow.Store.LogBatchAsync(RunId, [new Metric("nan2", double.NaN, Ts, 0), new Metric("nan2", 1.5, Ts, 1)], [], [], CancellationToken.None);

        Assert.Equal(2, mlflow.Requests("runs/log-batch").Count);
        Assert.Equal(2, mlflow.Requests("metrics/get-history-bulk-interval").Count);
        Assert.Empty(mlflow.Requests("metrics/get-history"));
        Assert.Equal(1, mlflow.Counters.ReconciledBatches);
        Assert.Equal(0, mlflow.Counters.Failures);
    }

    [Fact]
    public async Task LostResponsePointsAlreadyStoredNoResendOfMetrics()
    {
        var faults = new FaultInjectingHandler { Plan = (r, i) => i == 0 ? FaultInjectingHandler.Fault.LoseResponse : FaultInjectingHandler.Fault.None };
        using var mlflow = new MlflowServerFixture(faults: faults);
        mlflow.Respond(mlflow.Post("runs/log-batch"), 200, "{}");
        mlflow.Respond(mlflow.Get("metrics/get-history-bulk-interval"), 200, Interval((double.NaN, 0), (1.5, 1)));

        await mlflow.Store.LogBatchAsync(RunId, [new Metric("nan2", double.NaN, Ts, 0), new Metric("nan2", 1.5, Ts, 1)], [], [], CancellationToken.None);

        Assert.Single(mlflow.Requests("runs/log-batch"));
        var range = Assert.Single(mlflow.Requests("metrics/get-history-bulk-interval"));
        var query = range.RequestMessage.Query!;
        Assert.Equal(RunId, query["run_ids"].Single());
        Assert.Equal("nan2", query["metric_key"].Single());
        Assert.Equal("0", query["start_step"].Single());
        Assert.Equal("1", query["end_step"].Single());
        Assert.Equal("2500", query["max_results"].Single());
        Assert.Empty(mlflow.Requests("metrics/get-history"));
    }

    [Fact]
    public async Task LostResponseWithParamsAndTagsResendsOnlyParamsTagsAndMissingPoints()
    {
        var faults = new FaultInjectingHandler { Plan = (r, i) => i == 0 ? FaultInjectingHandler.Fault.LoseResponse : FaultInjectingHandler.Fault.None };
        using var mlflow = new MlflowServerFixture(faults: faults);
        mlflow.Respond(mlflow.Post("runs/log-batch"), 200, "{}");
        // Only the NaN point is visible: the finite one is still missing and must be resent.
        mlflow.Respond(mlflow.Get("metrics/get-history-bulk-interval"), 200, Interval((double.NaN, 0)));

        await mlflow.Store.LogBatchAsync(
            RunId,
            [new Metric("nan2", double.NaN, Ts, 0), new Metric("nan2", 1.5, Ts, 1)],
            [new Param("lr", "0.01")],
            [new Tag("team", "ml")],
            CancellationToken.None);

        var bodies = mlflow.Requests("runs/log-batch").Select(e => JsonNode.Parse(e.RequestMessage.Body!)!).ToList();
        Assert.Equal(2, bodies.Count);
        Assert.Equal(2, bodies[0]["metrics"]!.AsArray().Count);
        JsonAssert.Equal(
            $$"""{"run_id":"{{RunId}}","metrics":[{"key":"nan2","value":1.5,"timestamp":{{Ts}},"step":1}],"params":[{"key":"lr","value":"0.01"}],"tags":[{"key":"team","value":"ml"}]}""",
            bodies[1]);
    }

    [Fact]
    public async Task AttemptTimeoutAfterSendWithFakeTimeIsReconciled()
    {
        var time = new FakeTimeProvider();
        var faults = new FaultInjectingHandler { Plan = (r, i) => i == 0 ? FaultInjectingHandler.Fault.HangAfterSend : FaultInjectingHandler.Fault.None };
        using var mlflow = new MlflowServerFixture(o => o.Http.AttemptTimeout = TimeSpan.FromSeconds(30), faults, time);
        mlflow.Respond(mlflow.Post("runs/log-batch"), 200, "{}");
        mlflow.Respond(mlflow.Get("metrics/get-history-bulk-interval"), 200, Interval((double.NaN, 0)));

        await mlflow.RunWhileHangingAsync(mlflow.Store.LogBatchAsync(RunId, [new Metric("nan2", double.NaN, Ts, 0)], [], [], CancellationToken.None), TimeSpan.FromSeconds(1));

        Assert.Single(mlflow.Requests("runs/log-batch"));
        Assert.Single(mlflow.Requests("metrics/get-history-bulk-interval"));
        Assert.Empty(mlflow.Requests("metrics/get-history"));
        Assert.IsType<Polly.Timeout.TimeoutRejectedException>(Assert.Single(mlflow.RetryQueue).Exception);
    }

    [Fact]
    public async Task ConnectionRefusedIsNotAmbiguousNoHistoryRead()
    {
        var faults = new FaultInjectingHandler { Plan = (r, i) => i == 0 ? FaultInjectingHandler.Fault.RefuseConnection : FaultInjectingHandler.Fault.None };
        using var mlflow = new MlflowServerFixture(faults: faults);
        mlflow.Respond(mlflow.Post("runs/log-batch"), 200, "{}");

        await mlflow.Store.LogBatchAsync(RunId, [new Metric("nan2", double.NaN, Ts, 0)], [], [], CancellationToken.None);

        Assert.Single(mlflow.Requests("runs/log-batch"));
        Assert.Empty(mlflow.Requests("metrics/get-history"));
        Assert.Empty(mlflow.Requests("metrics/get-history-bulk-interval"));
        Assert.Equal(1, mlflow.Counters.Retries);
    }

    [Fact]
    public async Task IntegrityErrorWithoutAmbiguousAttemptIsThrown()
    {
        using var mlflow = new MlflowServerFixture();
        mlflow.Respond(mlflow.Post("runs/log-batch"), 400, IntegrityErrorBody);

        var ex = await Assert.ThrowsAsync<MlflowException>(() => mlflow.Store.LogBatchAsync(RunId, [new Metric("nan2", double.NaN, Ts, 0)], [], [], CancellationToken.None));

        Assert.Equal("BAD_REQUEST", ex.ErrorCode);
        Assert.Contains("UNIQUE constraint failed", ex.Message);
        Assert.Empty(mlflow.Requests("metrics/get-history"));
        Assert.Empty(mlflow.Requests("metrics/get-history-bulk-interval"));
    }

    [Fact]
    public async Task InfinityStoredAsClampedMaxCountsAsStored()
    {
        var faults = new FaultInjectingHandler { Plan = (r, i) => i == 0 ? FaultInjectingHandler.Fault.LoseResponse : FaultInjectingHandler.Fault.None };
        using var mlflow = new MlflowServerFixture(faults: faults);
        mlflow.Respond(mlflow.Post("runs/log-batch"), 200, "{}");
        mlflow.Respond(mlflow.Get("metrics/get-history-bulk-interval"), 200, $$"""{"metrics":[{"key":"nan2","value":1.7976931348623157e308,"timestamp":{{Ts}},"step":0,"run_id":"{{RunId}}"},{"key":"nan2","value":-1.7976931348623157e308,"timestamp":{{Ts}},"step":1,"run_id":"{{RunId}}"}]}""");

        await mlflow.Store.LogBatchAsync(RunId, [new Metric("nan2", double.PositiveInfinity, Ts, 0), new Metric("nan2", double.NegativeInfinity, Ts, 1)], [], [], CancellationToken.None);

        Assert.Single(mlflow.Requests("runs/log-batch"));
        Assert.Empty(mlflow.Requests("metrics/get-history"));
    }

    [Theory]
    [InlineData(false, 11)]
    [InlineData(true, 23)]
    [InlineData(false, 37)]
    [InlineData(true, 41)]
    public async Task RandomFaultsEveryPointStoredExactlyOnce(bool fileStoreSemantics, int seed)
    {
        var server = new FakeMlflowServer(fileStoreSemantics, new Random(seed));
        var options = new LlmTrackOptions { TrackingUri = "http://127.0.0.1:5000" };
        options.Http.MaxRetries = 25;
        options.Http.BackoffFactor = 0;
        options.Http.BackoffJitter = 0;
        using var client = new HttpClient(server);
        using var store = new MlflowRestStore(client, options);
        var random = new Random(seed * 7);
        var expected = new List<Metric>();
        long ts = Ts;
        for (var batch = 0; batch < 30; batch++)
        {
            var metrics = new List<Metric>();
            for (var i = 0; i < random.Next(1, 40); i++)
            {
                var value = random.Next(8) switch
                {
                    0 => double.NaN,
                    1 => double.PositiveInfinity,
                    2 => double.NegativeInfinity,
                    _ => random.NextDouble() * 100 - 50,
                };
                metrics.Add(new Metric("m" + random.Next(3), value, ts++, batch));
            }

            await store.LogBatchAsync("run1", metrics, [new Param("p" + batch, "v")], [new Tag("t", batch.ToString(CultureInfo.InvariantCulture))], CancellationToken.None);
            expected.AddRange(metrics);
        }

        Assert.True(server.LostResponses > 0, "the scenario must lose some committed responses");
        Assert.True(server.RangeReads.Count > 0, "reconciliation must read step ranges");
        Assert.Equal(0, server.FullHistoryReads);
        Assert.All(server.RangeReads, r => Assert.InRange(r.End - r.Start + 1, 1, MetricHistoryReader.BulkIntervalMaxResults));
        var stored = server.Stored.Select(m => (m.Key, m.Timestamp, m.Step, Normalize(m.Value))).OrderBy(x => x.Timestamp).ToList();
        var wanted = expected.Select(m => (m.Key, m.Timestamp, m.Step, Normalize(m.Value))).OrderBy(x => x.Timestamp).ToList();
        Assert.Equal(wanted, stored);
        Assert.Equal(30, server.Params.Count);
    }

    private static double Normalize(double v) => double.IsPositiveInfinity(v) ? double.MaxValue : double.IsNegativeInfinity(v) ? double.MinValue : v;
}

/// <summary>
/// An in-memory MLflow server for log-batch and get-history. sqlite semantics: identical finite points
/// are de-duplicated, an identical NaN point fails the whole batch with the recorded IntegrityError;
/// file-store semantics: duplicates are stored again. Randomly commits and then loses the response,
/// fails before committing (503 or refused connection), or commits and answers 500.
/// </summary>
internal sealed class FakeMlflowServer(bool fileStoreSemantics, Random random) : HttpMessageHandler
{
    private static readonly string IntegrityErrorBody = Recordings.Edge("duplicate NaN metric again").ResponseBody;
    private readonly object _gate = new();

    public List<Metric> Stored { get; } = [];

    public Dictionary<string, string> Params { get; } = [];

    public int LostResponses { get; private set; }

    /// <summary>How many of the next successful log-batch answers are lost after the commit (besides random faults).</summary>
    public int LoseAnswers { get; set; }

    /// <summary>How many points <c>get-history-bulk-interval</c> answers carried in all.</summary>
    public int RangePointsServed { get; private set; }

    /// <summary>Whether requests never fail (for tests of reads alone).</summary>
    public bool NoFaults { get; init; }

    /// <summary>Whether the server predates <c>get-history-bulk-interval</c> (answers its route with MLflow's 404 HTML page).</summary>
    public bool WithoutBulkInterval { get; init; }

    /// <summary>The (key, start, end) of every <c>get-history-bulk-interval</c> request that was answered.</summary>
    public List<(string Key, long Start, long End)> RangeReads { get; } = [];

    /// <summary>How many <c>get-history</c> pages were served.</summary>
    public int FullHistoryReads { get; private set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var path = request.RequestUri!.AbsolutePath;
        var roll = NoFaults ? 99 : random.Next(100);
        if (path.EndsWith("metrics/get-history", StringComparison.Ordinal) || path.EndsWith("metrics/get-history-bulk-interval", StringComparison.Ordinal))
        {
            if (roll < 10)
            {
                return Json(HttpStatusCode.ServiceUnavailable, "{}");
            }

            if (path.EndsWith("metrics/get-history", StringComparison.Ordinal))
            {
                lock (_gate)
                {
                    FullHistoryReads++;
                }

                return GetHistory(request.RequestUri);
            }

            return WithoutBulkInterval
                ? Json(HttpStatusCode.NotFound, Recordings.Python("search.out", "/api/2.0/mlflow/metrics/get-history-bulk params").ResponseBody)
                : GetHistoryBulkInterval(request.RequestUri);
        }

        var body = JsonNode.Parse(await request.Content!.ReadAsStringAsync(cancellationToken))!;
        if (roll < 10)
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, "refused (simulated)");
        }

        if (roll < 18)
        {
            return Json(HttpStatusCode.ServiceUnavailable, """{"error_code":"TEMPORARILY_UNAVAILABLE","message":"busy"}""");
        }

        var result = LogBatch(body);
        if (result.IsSuccessStatusCode && (roll < 45 || TakeLoss()))
        {
            LostResponses++;
            throw new HttpRequestException(HttpRequestError.ResponseEnded, "response lost (simulated)", new IOException("reset"));
        }

        if (roll < 50 && result.IsSuccessStatusCode)
        {
            return Json(HttpStatusCode.BadGateway, "<html><title>502 Bad Gateway</title></html>");
        }

        return result;
    }

    private HttpResponseMessage LogBatch(JsonNode body)
    {
        lock (_gate)
        {
            var incoming = (body["metrics"]?.AsArray() ?? []).Select(m => new Metric(
                (string)m!["key"]!,
                m["value"]!.GetValueKind() == System.Text.Json.JsonValueKind.String ? Parse((string)m["value"]!) : (double)m["value"]!,
                (long)m["timestamp"]!,
                (long)m["step"]!)).ToList();
            var toStore = new List<Metric>();
            foreach (var metric in incoming)
            {
                var stored = Clamp(metric);
                var exists = Stored.Any(s => s.Key == stored.Key && s.Timestamp == stored.Timestamp && s.Step == stored.Step && s.Value.Equals(stored.Value));
                if (!fileStoreSemantics && exists && double.IsNaN(stored.Value))
                {
                    return Json(HttpStatusCode.BadRequest, IntegrityErrorBody);
                }

                if (fileStoreSemantics || (!exists && !toStore.Contains(stored)))
                {
                    toStore.Add(stored);
                }
            }

            foreach (var param in body["params"]?.AsArray() ?? [])
            {
                var key = (string)param!["key"]!;
                var value = (string)param["value"]!;
                if (Params.TryGetValue(key, out var old) && old != value)
                {
                    return Json(HttpStatusCode.BadRequest, """{"error_code":"INVALID_PARAMETER_VALUE","message":"Changing param values is not allowed."}""");
                }
            }

            foreach (var param in body["params"]?.AsArray() ?? [])
            {
                Params[(string)param!["key"]!] = (string)param["value"]!;
            }

            Stored.AddRange(toStore);
            return Json(HttpStatusCode.OK, "{}");
        }
    }

    private HttpResponseMessage GetHistory(Uri uri)
    {
        var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
        var key = query["metric_key"]!;
        var max = int.Parse(query["max_results"] ?? throw new InvalidOperationException("max_results missing"), CultureInfo.InvariantCulture);
        var offset = query["page_token"] is { } token ? int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)), CultureInfo.InvariantCulture) : 0;
        max = Math.Min(max, 7); // small pages, to exercise paging
        List<Metric> points;
        lock (_gate)
        {
            points = Stored.Where(m => m.Key == key).ToList();
        }

        var page = points.Skip(offset).Take(max).Select(m =>
            $$"""{"key":"{{m.Key}}","value":{{(double.IsNaN(m.Value) ? "\"NaN\"" : m.Value.ToString("R", CultureInfo.InvariantCulture))}},"timestamp":{{m.Timestamp}},"step":{{m.Step}}}""");
        var next = offset + max < points.Count ? $",\"next_page_token\":\"{Convert.ToBase64String(Encoding.UTF8.GetBytes((offset + max).ToString(CultureInfo.InvariantCulture)))}\"" : "";
        return Json(HttpStatusCode.OK, $$"""{"metrics":[{{string.Join(',', page)}}]{{next}}}""");
    }

    /// <summary>
    /// MLflow 3.6's handler (mlflow/server/handlers.py, sqlalchemy store): the distinct steps of the key in the range, sampled
    /// to about max_results of them (with its quirk: indexes past the range's count are dropped) plus the first and last
    /// steps, then every point at those steps ordered by step, timestamp and value, at most 25000 points.
    /// </summary>
    private HttpResponseMessage GetHistoryBulkInterval(Uri uri)
    {
        var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
        var key = query["metric_key"]!;
        var runIds = query.GetValues("run_ids") ?? throw new InvalidOperationException("run_ids missing");
        Assert.Single(runIds);
        var max = int.Parse(query["max_results"] ?? "2500", CultureInfo.InvariantCulture);
        Assert.InRange(max, 1, 2500);
        var start = long.Parse(query["start_step"]!, CultureInfo.InvariantCulture);
        var end = long.Parse(query["end_step"]!, CultureInfo.InvariantCulture);
        Assert.True(start <= end);
        List<Metric> points;
        lock (_gate)
        {
            RangeReads.Add((key, start, end));
            points = Stored.Where(m => m.Key == key).ToList();
        }

        var allSteps = points.Select(m => m.Step).Distinct().Order().ToList();
        var inRange = allSteps.Where(s => s >= start && s <= end).ToList();
        HashSet<long> chosen;
        if (inRange.Count <= max)
        {
            chosen = [.. inRange];
        }
        else
        {
            var startIndex = allSteps.IndexOf(inRange[0]);
            var interval = inRange.Count / (double)max;
            chosen = [];
            for (var i = 0; i < max; i++)
            {
                var index = startIndex + (int)(i * interval);
                if (index < inRange.Count)
                {
                    chosen.Add(allSteps[index]);
                }
            }

            chosen.Add(inRange[^1]);
        }

        // The run's first and last steps are always added when they are in range.
        foreach (var edge in allSteps.Count == 0 ? [] : new[] { allSteps[0], allSteps[^1] })
        {
            if (edge >= start && edge <= end)
            {
                chosen.Add(edge);
            }
        }

        var answer = points.Where(m => chosen.Contains(m.Step)).OrderBy(m => m.Step).ThenBy(m => m.Timestamp).ThenBy(m => m.Value).Take(25000).Select(m =>
            $$"""{"key":"{{m.Key}}","value":{{(double.IsNaN(m.Value) ? "\"NaN\"" : m.Value.ToString("R", CultureInfo.InvariantCulture))}},"timestamp":{{m.Timestamp}},"step":{{m.Step}},"run_id":"{{runIds[0]}}"}""").ToList();
        lock (_gate)
        {
            RangePointsServed += answer.Count;
        }

        return Json(HttpStatusCode.OK, answer.Count == 0 ? "{}" : $$"""{"metrics":[{{string.Join(',', answer)}}]}""");
    }

    private bool TakeLoss()
    {
        if (LoseAnswers <= 0)
        {
            return false;
        }

        LoseAnswers--;
        return true;
    }

    private static double Parse(string text) => text switch
    {
        "NaN" => double.NaN,
        "Infinity" => double.PositiveInfinity,
        "-Infinity" => double.NegativeInfinity,
        _ => throw new InvalidOperationException("unexpected value " + text),
    };

    private static Metric Clamp(Metric m) => m with { Value = double.IsPositiveInfinity(m.Value) ? double.MaxValue : double.IsNegativeInfinity(m.Value) ? double.MinValue : m.Value };

    private static HttpResponseMessage Json(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, body.StartsWith('<') ? "text/html" : "application/json") };
}

/// <summary>Other non-idempotent calls whose lost responses are reconciled.</summary>
public sealed class LostResponseReconciliationTests
{
    [Fact]
    public async Task CreateExperimentLostResponseRetryAlreadyExistsReturnsCreatedId()
    {
        var faults = new FaultInjectingHandler { Plan = (r, i) => i == 0 ? FaultInjectingHandler.Fault.LoseResponse : FaultInjectingHandler.Fault.None };
        using var mlflow = new MlflowServerFixture(faults: faults);
        var created = Recordings.Curl("basic.out", "experiments/create");
        var duplicate = Recordings.Curl("basic.out", "experiments/create", occurrence: 1);
        mlflow.Server.Given(mlflow.Post("experiments/create")).InScenario("c").WillSetStateTo("exists")
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithBody(created.ResponseBody));
        mlflow.Server.Given(mlflow.Post("experiments/create")).InScenario("c").WhenStateIs("exists")
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(duplicate.Status).WithBody(duplicate.ResponseBody));
        mlflow.Respond(mlflow.Get("experiments/get-by-name"), 200, Recordings.Curl("basic.out", "get-by-name?experiment_name=csharp-verify").ResponseBody);

        var id = await mlflow.Store.CreateExperimentAsync("csharp-verify", null, [], CancellationToken.None);

        Assert.Equal("1", id);
        Assert.Equal(2, mlflow.Requests("experiments/create").Count);
    }

    [Fact]
    public async Task CreateRunLostResponseRunFoundByNameAndStartTimeIsNotCreatedTwice()
    {
        // The server created the run but the response was lost; before the resend the client searches the
        // experiment for a run with the same name and start time and returns it.
        var faults = new FaultInjectingHandler { Plan = (r, i) => i == 0 ? FaultInjectingHandler.Fault.LoseResponse : FaultInjectingHandler.Fault.None };
        using var mlflow = new MlflowServerFixture(faults: faults);
        var created = Recordings.Curl("basic.out", "runs/create");
        mlflow.Respond(mlflow.Post("runs/create"), created.Status, created.ResponseBody);
        var run = JsonNode.Parse(created.ResponseBody)!["run"]!.ToJsonString();
        mlflow.Respond(mlflow.Post("runs/search"), 200, $$"""{"runs":[{{run}}]}""");

        var snapshot = await mlflow.Store.CreateRunAsync("1", "r1", 1700000000000, [new Tag("t0", "v0")], CancellationToken.None);

        Assert.Equal("d28105fb3fba4af78c9f8fb8623e52f2", snapshot.Info.RunId);
        Assert.Single(mlflow.Requests("runs/create"));
        var search = mlflow.SingleBody("runs/search");
        Assert.Equal("attributes.run_name = 'r1' and attributes.start_time = 1700000000000", (string?)search["filter"]);
        Assert.Equal("1", (string?)search["experiment_ids"]![0]);
        Assert.Equal(1, mlflow.Counters.RecoveredRunCreations);
    }

    [Fact]
    public async Task CreateRunLostResponseNoSuchRunOnTheServerIsCreatedAgain()
    {
        // The lost attempt never reached the database: the search finds nothing and the run is created.
        var faults = new FaultInjectingHandler { Plan = (r, i) => i == 0 ? FaultInjectingHandler.Fault.LoseResponse : FaultInjectingHandler.Fault.None };
        using var mlflow = new MlflowServerFixture(faults: faults);
        var created = Recordings.Curl("basic.out", "runs/create");
        mlflow.Respond(mlflow.Post("runs/create"), created.Status, created.ResponseBody);
        mlflow.Respond(mlflow.Post("runs/search"), 200, "{}");

        var snapshot = await mlflow.Store.CreateRunAsync("1", "it's", 1700000000000, [], CancellationToken.None);

        Assert.Equal("d28105fb3fba4af78c9f8fb8623e52f2", snapshot.Info.RunId);
        Assert.Equal(2, mlflow.Requests("runs/create").Count);
        Assert.Equal("attributes.run_name = \"it's\" and attributes.start_time = 1700000000000", (string?)mlflow.SingleBody("runs/search")["filter"]);
        Assert.Equal(0, mlflow.Counters.RecoveredRunCreations);
    }

    [Fact]
    public async Task CreateRunWithoutAFailureNeverSearches()
    {
        using var mlflow = new MlflowServerFixture();
        var created = Recordings.Curl("basic.out", "runs/create");
        mlflow.Respond(mlflow.Post("runs/create"), created.Status, created.ResponseBody);

        await mlflow.Store.CreateRunAsync("1", "r1", 1700000000000, [], CancellationToken.None);

        Assert.Empty(mlflow.Requests("runs/search"));
    }

    [Fact]
    public async Task DeleteTagLostResponseRetryNotFoundIsSuccess()
    {
        var faults = new FaultInjectingHandler { Plan = (r, i) => i == 0 ? FaultInjectingHandler.Fault.LoseResponse : FaultInjectingHandler.Fault.None };
        using var mlflow = new MlflowServerFixture(faults: faults);
        mlflow.Server.Given(mlflow.Post("runs/delete-tag")).InScenario("d").WillSetStateTo("gone")
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithBody("{}"));
        mlflow.Server.Given(mlflow.Post("runs/delete-tag")).InScenario("d").WhenStateIs("gone")
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(404).WithBody("""{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "No tag with name: team in run with id r"}"""));

        await mlflow.Store.DeleteTagAsync("r", "team", CancellationToken.None);

        Assert.Equal(2, mlflow.Requests("runs/delete-tag").Count);
    }

    [Fact]
    public async Task DeleteTagNotFoundWithoutLostResponseThrows()
    {
        using var mlflow = new MlflowServerFixture();
        mlflow.Respond(mlflow.Post("runs/delete-tag"), 404, """{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "No tag with name: team in run with id r"}""");

        var ex = await Assert.ThrowsAsync<MlflowException>(() => mlflow.Store.DeleteTagAsync("r", "team", CancellationToken.None));
        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, ex.ErrorCode);
    }
}
