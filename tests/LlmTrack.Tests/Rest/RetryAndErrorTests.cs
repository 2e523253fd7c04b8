using System.Net;
using System.Net.Sockets;
using LlmTrack.Resilience;
using LlmTrack.Rest;
using Microsoft.Extensions.Time.Testing;
using Polly.Timeout;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace LlmTrack.Tests.Rest;

/// <summary>Retry policy, timeouts and error mapping against WireMock; no real back-off waits.</summary>
public sealed class RetryAndErrorTests
{
    private const string RunId = "4f637ae228d84558ac6c543429351775";
    private static readonly string RunGetBody = Recordings.Curl("basic.out", "runs/get?run_id=").ResponseBody;

    private static void RespondSequence(MlflowServerFixture mlflow, IRequestBuilder request, params (int Status, string Body, (string, string)[] Headers)[] steps)
    {
        for (var i = 0; i < steps.Length; i++)
        {
            var response = Response.Create().WithStatusCode(steps[i].Status).WithBody(steps[i].Body);
            foreach (var (name, value) in steps[i].Headers)
            {
                response = response.WithHeader(name, value);
            }

            var mapping = mlflow.Server.Given(request).InScenario("seq");
            if (i > 0)
            {
                mapping = mapping.WhenStateIs("s" + i);
            }

            if (i < steps.Length - 1)
            {
                mapping = mapping.WillSetStateTo("s" + (i + 1));
            }

            mapping.RespondWith(response);
        }
    }

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task TransientStatusIsRetriedThenSucceeds(int status)
    {
        using var mlflow = new MlflowServerFixture();
        RespondSequence(mlflow, mlflow.Get("runs/get"), (status, "", []), (status, "oops", []), (200, RunGetBody, []));

        var run = await mlflow.Store.GetRunAsync(RunId, CancellationToken.None);

        Assert.Equal(RunId, run.Info.RunId);
        Assert.Equal(3, mlflow.Requests("runs/get").Count);
        Assert.Equal(2, mlflow.Counters.Retries);
        Assert.Equal([status, status], mlflow.RetryQueue.Select(r => r.StatusCode!.Value));
        Assert.All(mlflow.RetryQueue, r => Assert.Equal("/api/2.0/mlflow/runs/get", r.Path));
    }

    [Theory]
    [InlineData(400, "BAD_REQUEST")]
    [InlineData(401, "UNAUTHENTICATED")]
    [InlineData(403, "PERMISSION_DENIED")]
    [InlineData(404, "RESOURCE_DOES_NOT_EXIST")]
    [InlineData(409, "INTERNAL_ERROR")]
    [InlineData(501, "INTERNAL_ERROR")]
    public async Task OtherStatusIsNotRetriedAndMapsPlainBodyToCode(int status, string expectedCode)
    {
        using var mlflow = new MlflowServerFixture();
        mlflow.Respond(mlflow.Get("runs/get"), status, "Denied by policy\nsecond line");

        var ex = await Assert.ThrowsAsync<MlflowException>(() => mlflow.Store.GetRunAsync(RunId, CancellationToken.None));

        Assert.Single(mlflow.Requests("runs/get"));
        Assert.Equal(status, ex.StatusCode);
        Assert.Equal(expectedCode, ex.ErrorCode);
        Assert.Contains($"HTTP {status}", ex.Message);
        Assert.Contains("Denied by policy", ex.Message);
        Assert.DoesNotContain("second line", ex.Message);
        Assert.Equal(0, mlflow.Counters.Retries);
    }

    [Fact]
    public async Task RecordedHtml500GivesShortCleanMessage()
    {
        using var mlflow = new MlflowServerFixture(o => o.Http.MaxRetries = 0);
        var recorded = Recordings.Edge("log-metric value as array");
        Assert.Equal(500, recorded.Status);
        mlflow.Respond(mlflow.Post("runs/set-tag"), recorded.Status, recorded.ResponseBody);

        var ex = await Assert.ThrowsAsync<MlflowException>(() => mlflow.Store.SetTagAsync(RunId, "k", "v", CancellationToken.None));

        Assert.Equal(MlflowErrorCode.InternalError, ex.ErrorCode);
        Assert.Equal(500, ex.StatusCode);
        Assert.Equal("The MLflow server answered POST /api/2.0/mlflow/runs/set-tag with HTTP 500 (Internal Server Error): 500 Internal Server Error", ex.Message);
    }

    [Fact]
    public async Task Html500IsRetriedAndFinalErrorKeepsStatus()
    {
        using var mlflow = new MlflowServerFixture(o => o.Http.MaxRetries = 2);
        mlflow.Respond(mlflow.Post("runs/set-tag"), 500, Recordings.Edge("log-metric value as array").ResponseBody);

        var ex = await Assert.ThrowsAsync<MlflowException>(() => mlflow.Store.SetTagAsync(RunId, "k", "v", CancellationToken.None));

        Assert.Equal(3, mlflow.Requests("runs/set-tag").Count);
        Assert.Equal(500, ex.StatusCode);
        Assert.Equal(1, mlflow.Counters.Failures);
    }

    [Fact]
    public async Task JsonErrorWithoutCodeUsesStatusCode()
    {
        using var mlflow = new MlflowServerFixture();
        mlflow.Respond(mlflow.Get("runs/get"), 403, """{"message":"no access to experiment 3"}""");

        var ex = await Assert.ThrowsAsync<MlflowException>(() => mlflow.Store.GetRunAsync(RunId, CancellationToken.None));

        Assert.Equal(MlflowErrorCode.PermissionDenied, ex.ErrorCode);
        Assert.Equal("no access to experiment 3", ex.Message);
    }

    [Fact]
    public async Task SuccessWithNonJsonBodyIsInternalError()
    {
        using var mlflow = new MlflowServerFixture();
        mlflow.Respond(mlflow.Get("runs/get"), 200, "<html><title>Sign in</title></html>");

        var ex = await Assert.ThrowsAsync<MlflowException>(() => mlflow.Store.GetRunAsync(RunId, CancellationToken.None));

        Assert.Equal(MlflowErrorCode.InternalError, ex.ErrorCode);
        Assert.Contains("Sign in", ex.Message);
    }

    [Fact]
    public async Task RateLimitedExhaustedIsRequestLimitExceeded()
    {
        using var mlflow = new MlflowServerFixture(o => o.Http.MaxRetries = 1);
        mlflow.Respond(mlflow.Get("runs/get"), 429, "Too Many Requests");

        var ex = await Assert.ThrowsAsync<MlflowException>(() => mlflow.Store.GetRunAsync(RunId, CancellationToken.None));

        Assert.Equal(MlflowErrorCode.RequestLimitExceeded, ex.ErrorCode);
        Assert.Equal(2, mlflow.Requests("runs/get").Count);
    }

    [Fact]
    public async Task RetryAfterSecondsOn429IsHonouredWithFakeTime()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-28T10:00:00Z"));
        using var mlflow = new MlflowServerFixture(o => { o.Http.AttemptTimeout = TimeSpan.FromHours(1); o.Http.TotalTimeout = TimeSpan.FromHours(2); o.Http.BackoffFactor = 2; o.Http.BackoffJitter = 1; }, time: time, random: () => 0.5);
        RespondSequence(mlflow, mlflow.Get("runs/get"), (429, "slow down", [("Retry-After", "7")]), (200, RunGetBody, []));
        var start = time.GetUtcNow();

        await mlflow.RunWithFakeTimeAsync(mlflow.Store.GetRunAsync(RunId, CancellationToken.None), TimeSpan.FromMilliseconds(500));

        var retry = Assert.Single(mlflow.RetryQueue);
        Assert.Equal(TimeSpan.FromSeconds(7), retry.Delay);
        Assert.Equal(429, retry.StatusCode);
        Assert.True(time.GetUtcNow() - start >= TimeSpan.FromSeconds(7));
    }

    [Fact]
    public async Task RetryAfterHttpDateOn503IsHonoured()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-28T10:00:00Z"));
        using var mlflow = new MlflowServerFixture(o => { o.Http.AttemptTimeout = TimeSpan.FromHours(1); o.Http.TotalTimeout = TimeSpan.FromHours(2); }, time: time);
        var date = time.GetUtcNow().AddSeconds(30).ToString("R");
        RespondSequence(mlflow, mlflow.Get("runs/get"), (503, "", [("Retry-After", date)]), (200, RunGetBody, []));

        await mlflow.RunWithFakeTimeAsync(mlflow.Store.GetRunAsync(RunId, CancellationToken.None), TimeSpan.FromSeconds(1));

        var retry = Assert.Single(mlflow.RetryQueue);
        Assert.InRange(retry.Delay, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        Assert.True(time.GetUtcNow() >= DateTimeOffset.Parse(date)); // waited until the given date
    }

    [Fact]
    public async Task RetryAfterOn500IsIgnoredBackoffUsed()
    {
        var time = new FakeTimeProvider();
        using var mlflow = new MlflowServerFixture(o => { o.Http.AttemptTimeout = TimeSpan.FromHours(1); o.Http.TotalTimeout = TimeSpan.FromHours(2); o.Http.BackoffFactor = 2; o.Http.BackoffJitter = 0; }, time: time);
        RespondSequence(mlflow, mlflow.Get("runs/get"), (500, "", [("Retry-After", "60")]), (500, "", [("Retry-After", "60")]), (200, RunGetBody, []));

        await mlflow.RunWithFakeTimeAsync(mlflow.Store.GetRunAsync(RunId, CancellationToken.None), TimeSpan.FromSeconds(1));

        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(4)], mlflow.RetryQueue.Select(r => r.Delay));
    }

    [Fact]
    public async Task BackoffFollowsUrllib3ScheduleWithJitter()
    {
        var time = new FakeTimeProvider();
        using var mlflow = new MlflowServerFixture(o => { o.Http.AttemptTimeout = TimeSpan.FromHours(1); o.Http.TotalTimeout = TimeSpan.FromHours(2); o.Http.BackoffFactor = 2; o.Http.BackoffJitter = 1; o.Http.MaxRetries = 7; }, time: time, random: () => 0.25);
        RespondSequence(mlflow, mlflow.Get("runs/get"), (503, "", []), (503, "", []), (503, "", []), (503, "", []), (200, RunGetBody, []));

        await mlflow.RunWithFakeTimeAsync(mlflow.Store.GetRunAsync(RunId, CancellationToken.None), TimeSpan.FromSeconds(1));

        Assert.Equal(
            [TimeSpan.Zero, TimeSpan.FromSeconds(4.25), TimeSpan.FromSeconds(8.25), TimeSpan.FromSeconds(16.25)],
            mlflow.RetryQueue.Select(r => r.Delay));
    }

    [Fact]
    public void BackoffIsCappedAt120Seconds()
    {
        Assert.Equal(TimeSpan.Zero, MlflowRetryPolicy.Backoff(1, 2, 1, () => 0.9));
        Assert.Equal(TimeSpan.FromSeconds(64.5), MlflowRetryPolicy.Backoff(6, 2, 1, () => 0.5));
        Assert.Equal(TimeSpan.FromSeconds(120), MlflowRetryPolicy.Backoff(7, 2, 1, () => 0.5));
        Assert.Equal(TimeSpan.FromSeconds(120), MlflowRetryPolicy.Backoff(30, 2, 1, () => 0.5));
    }

    [Fact]
    public void DefaultsMatchMlflowPythonClient()
    {
        var settings = MlflowRetrySettings.From(new HttpRetryOptions());
        Assert.Equal(7, settings.MaxRetries);
        Assert.Equal(2.0, settings.BackoffFactor);
        Assert.Equal(1.0, settings.BackoffJitter);
        Assert.Equal(TimeSpan.FromSeconds(120), settings.AttemptTimeout);
        Assert.Equal(TimeSpan.FromMinutes(10), settings.TotalTimeout);
    }

    [Fact]
    public async Task ConnectionRefusedAfterRetriesIsTemporarilyUnavailableWithCause()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var options = new LlmTrackOptions { TrackingUri = $"http://127.0.0.1:{port}" };
        options.Http.MaxRetries = 2;
        options.Http.BackoffFactor = 0;
        var counters = new TransportCounters();
        using var store = MlflowRestStore.CreateStandalone(options, new() { Counters = counters });

        var ex = await Assert.ThrowsAsync<MlflowException>(() => store.GetRunAsync(RunId, CancellationToken.None));

        Assert.Equal(MlflowErrorCode.Unavailable, ex.ErrorCode);
        Assert.Null(ex.StatusCode);
        Assert.IsType<HttpRequestException>(ex.InnerException);
        Assert.Contains("after 3 attempts", ex.Message);
        Assert.Equal(2, counters.Retries);
    }

    [Fact]
    public async Task ConnectionResetBySocketIsRetried()
    {
        // A raw server that resets the first connection and answers the second properly.
        using var server = new RawHttpServer(resetFirst: 1, RunGetBody);
        var options = new LlmTrackOptions { TrackingUri = server.Url };
        options.Http.BackoffFactor = 0;
        var counters = new TransportCounters();
        using var store = MlflowRestStore.CreateStandalone(options, new() { Counters = counters });

        var run = await store.GetRunAsync(RunId, CancellationToken.None);

        Assert.Equal(RunId, run.Info.RunId);
        Assert.Equal(1, counters.Retries);
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task AttemptTimeoutIsRetriedWithFakeTime()
    {
        var time = new FakeTimeProvider();
        var faults = new FaultInjectingHandler { Plan = (_, i) => i == 0 ? FaultInjectingHandler.Fault.HangAfterSend : FaultInjectingHandler.Fault.None };
        using var mlflow = new MlflowServerFixture(o => o.Http.AttemptTimeout = TimeSpan.FromSeconds(5), faults, time);
        mlflow.Respond(mlflow.Get("runs/get"), 200, RunGetBody);

        await mlflow.RunWhileHangingAsync(mlflow.Store.GetRunAsync(RunId, CancellationToken.None), TimeSpan.FromSeconds(1));

        var retry = Assert.Single(mlflow.RetryQueue);
        Assert.IsType<TimeoutRejectedException>(retry.Exception);
        Assert.Equal(2, mlflow.Requests("runs/get").Count);
    }

    [Fact]
    public async Task TotalTimeoutStopsRetrying()
    {
        var time = new FakeTimeProvider();
        var faults = new FaultInjectingHandler { Plan = (_, _) => FaultInjectingHandler.Fault.HangAfterSend };
        using var mlflow = new MlflowServerFixture(
            o =>
            {
                o.Http.AttemptTimeout = TimeSpan.FromSeconds(5);
                o.Http.TotalTimeout = TimeSpan.FromSeconds(40);
                o.Http.MaxRetries = 50;
            },
            faults,
            time);
        mlflow.Respond(mlflow.Get("runs/get"), 200, RunGetBody);

        var ex = await Assert.ThrowsAsync<MlflowException>(() => mlflow.RunWhileHangingAsync(mlflow.Store.GetRunAsync(RunId, CancellationToken.None), TimeSpan.FromSeconds(1)));

        Assert.Equal(MlflowErrorCode.Unavailable, ex.ErrorCode);
        Assert.Contains("timed out", ex.Message);
        Assert.IsType<TimeoutRejectedException>(ex.InnerException);
        Assert.True(mlflow.Requests("runs/get").Count is >= 7 and <= 9, $"{mlflow.Requests("runs/get").Count} requests, retries: {string.Join(", ", mlflow.RetryQueue)}; {ex}");
    }

    [Fact]
    public async Task CallerCancellationIsNotRetriedAndPropagates()
    {
        var faults = new FaultInjectingHandler { Plan = (_, _) => FaultInjectingHandler.Fault.HangAfterSend };
        using var mlflow = new MlflowServerFixture(faults: faults);
        mlflow.Respond(mlflow.Get("runs/get"), 200, RunGetBody);
        using var cts = new CancellationTokenSource();

        var task = mlflow.Store.GetRunAsync(RunId, cts.Token);
        while (mlflow.Requests("runs/get").Count == 0)
        {
            await Task.Delay(5);
        }

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        Assert.Equal(0, mlflow.Counters.Retries);
        Assert.Single(mlflow.Requests("runs/get"));
    }

    [Fact]
    public void SummarizeTruncatesLongLines()
    {
        var summary = MlflowErrorMapper.Summarize(new string('x', 1000));
        Assert.Equal(200, summary.Length);
        Assert.Equal("a & b", MlflowErrorMapper.Summarize("<html><head><title>a &amp; b</title></head></html>"));
    }
}

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1: resets the first N connections (RST), then answers each
/// request with 200 and a fixed JSON body, or (upload mode) counts and checks the request body bytes
/// with a reused buffer, allocating nothing per byte.
/// </summary>
internal sealed class RawHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _resetFirst;
    private readonly string _body;
    private readonly Func<long, byte>? _expectedByte;
    private int _connections;

    public RawHttpServer(int resetFirst, string body, Func<long, byte>? expectedByte = null)
    {
        _resetFirst = resetFirst;
        _body = body;
        _expectedByte = expectedByte;
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public int Connections => Volatile.Read(ref _connections);

    public long BodyBytes { get; private set; }

    public bool BodyMatched { get; private set; } = true;

    public void Dispose() => _listener.Stop();

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync();
            }
            catch (Exception)
            {
                return;
            }

            var n = Interlocked.Increment(ref _connections);
            if (n <= _resetFirst)
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
                continue;
            }

            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var stream = new NetworkStream(socket, ownsSocket: true);
        var buffer = new byte[64 * 1024];
        var header = new System.Text.StringBuilder();
        var filled = 0;
        var headerEnd = -1;
        while (headerEnd < 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(filled));
            if (read == 0)
            {
                return;
            }

            filled += read;
            headerEnd = System.Text.Encoding.ASCII.GetString(buffer, 0, filled).IndexOf("\r\n\r\n", StringComparison.Ordinal);
        }

        var headers = System.Text.Encoding.ASCII.GetString(buffer, 0, headerEnd);
        long contentLength = 0;
        foreach (var line in headers.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                contentLength = long.Parse(line["Content-Length:".Length..].Trim());
            }
        }

        long received = 0;
        void Check(int offset, int count)
        {
            if (_expectedByte is null)
            {
                return;
            }

            for (var i = 0; i < count; i++)
            {
                if (buffer[offset + i] != _expectedByte(received + i))
                {
                    BodyMatched = false;
                }
            }
        }

        var initial = filled - (headerEnd + 4);
        Check(headerEnd + 4, initial);
        received += initial;
        while (received < contentLength)
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                break;
            }

            Check(0, read);
            received += read;
        }

        BodyBytes = received;
        var body = System.Text.Encoding.UTF8.GetBytes(_body);
        var response = System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(response);
        await stream.WriteAsync(body);
    }
}
