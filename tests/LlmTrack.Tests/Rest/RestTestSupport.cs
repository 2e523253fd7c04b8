using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using LlmTrack.Resilience;
using LlmTrack.Rest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace LlmTrack.Tests.Rest;

/// <summary>A WireMock server on 127.0.0.1 plus an <see cref="MlflowRestStore"/> talking to it.</summary>
internal sealed class MlflowServerFixture : IDisposable
{
    public MlflowServerFixture(Action<LlmTrackOptions>? configure = null, FaultInjectingHandler? faults = null, FakeTimeProvider? time = null, Func<double>? random = null)
    {
        Server = WireMockServer.Start();
        Options = new LlmTrackOptions { TrackingUri = Server.Urls[0] };
        Options.Http.BackoffFactor = 0;
        Options.Http.BackoffJitter = 0;
        Options.Http.MaxRetries = 3;
        configure?.Invoke(Options);
        Time = time;
        Faults = faults ?? new FaultInjectingHandler();
        Faults.InnerHandler = MlflowHttpClient.CreatePrimaryHandler(Options);
        Client = new HttpClient(Faults) { Timeout = Timeout.InfiniteTimeSpan };
        Logs = new CapturingLoggerProvider();
        Store = new MlflowRestStore(Client, Options, new() { TimeProvider = time, Logger = Logs.CreateLogger("MlflowRestStore"), Counters = Counters, OnRetry = RetryQueue.Enqueue, Random = random });
    }

    public WireMockServer Server { get; }

    public LlmTrackOptions Options { get; }

    public FakeTimeProvider? Time { get; }

    public FaultInjectingHandler Faults { get; }

    /// <summary>Runs <paramref name="task"/>, advancing fake time only while no real request is in flight.</summary>
    public Task<T> RunWithFakeTimeAsync<T>(Task<T> task, TimeSpan step) => FakeTime.RunAsync(Time!, task, step, () => Faults.InFlight == 0 && Faults.Calls > 0);

    public Task RunWithFakeTimeAsync(Task task, TimeSpan step) => FakeTime.RunAsync(Time!, task, step, () => Faults.InFlight == 0 && Faults.Calls > 0);

    /// <summary>Runs <paramref name="task"/>, advancing fake time only while a request hangs (so only attempt timeouts fire).</summary>
    public Task<T> RunWhileHangingAsync<T>(Task<T> task, TimeSpan step) => FakeTime.RunAsync(Time!, task, step, () => Faults.LatestIsHanging);

    public Task RunWhileHangingAsync(Task task, TimeSpan step) => FakeTime.RunAsync(Time!, task, step, () => Faults.LatestIsHanging);

    public HttpClient Client { get; }

    public MlflowRestStore Store { get; }

    public TransportCounters Counters { get; } = new();

    public ConcurrentQueue<RetryInfo> RetryQueue { get; } = new();

    public CapturingLoggerProvider Logs { get; }

    public string BaseUrl => Server.Urls[0];

    public IRequestBuilder Post(string path) => Request.Create().WithPath("/api/2.0/mlflow/" + path).UsingPost();

    public IRequestBuilder Get(string path) => Request.Create().WithPath("/api/2.0/mlflow/" + path).UsingGet();

    public void Respond(IRequestBuilder request, int status, string body, params (string Name, string Value)[] headers)
    {
        var response = Response.Create().WithStatusCode(status).WithBody(body);
        response = response.WithHeader("Content-Type", body.TrimStart().StartsWith('<') ? "text/html; charset=utf-8" : "application/json");
        foreach (var (name, value) in headers)
        {
            response = response.WithHeader(name, value);
        }

        Server.Given(request).RespondWith(response);
    }

    public IReadOnlyList<ILogEntry> Requests(string pathSuffix) =>
        Server.LogEntries.Where(e => e.RequestMessage.Path.EndsWith(pathSuffix, StringComparison.Ordinal)).ToList();

    public JsonNode SingleBody(string pathSuffix) => JsonNode.Parse(Assert.Single(Requests(pathSuffix)).RequestMessage.Body!)!;

    public void Dispose()
    {
        Store.Dispose();
        Client.Dispose();
        Server.Stop();
        Server.Dispose();
    }
}

/// <summary>Injects transport faults in front of the real handler, per request.</summary>
internal sealed class FaultInjectingHandler : DelegatingHandler
{
    private int _calls;
    private int _inFlight;
    private int _hanging;
    private int _hangingIndex = -1;

    /// <summary>Requests hanging after the server answered (waiting for the client's timeout).</summary>
    public int Hanging => Volatile.Read(ref _hanging);

    /// <summary>
    /// Whether the latest request is the one hanging: time may advance for its timeout only then. (An attempt that
    /// timed out can still count as hanging for a moment after the next attempt started; advancing time then would
    /// eat into the next attempt's time on a busy machine.)
    /// </summary>
    public bool LatestIsHanging => Volatile.Read(ref _hanging) > 0 && Volatile.Read(ref _hangingIndex) == Volatile.Read(ref _calls) - 1;

    /// <summary>Requests being forwarded to the real server right now (hanging ones excluded).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public ConcurrentQueue<Uri> Seen { get; } = new();

    /// <summary>Decides the fault of each request (0-based call index over all requests).</summary>
    public Func<HttpRequestMessage, int, Fault> Plan { get; set; } = (_, _) => Fault.None;

    public int Calls => Volatile.Read(ref _calls);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var index = Interlocked.Increment(ref _calls) - 1;
        Seen.Enqueue(request.RequestUri!);
        Interlocked.Increment(ref _inFlight);
        var hanging = false;
        try
        {
            return await SendCoreAsync(request, index, () => { hanging = true; Interlocked.Decrement(ref _inFlight); }, cancellationToken);
        }
        finally
        {
            if (!hanging)
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }
    }

    private async Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, int index, Action startHanging, CancellationToken cancellationToken)
    {
        switch (Plan(request, index))
        {
            case Fault.RefuseConnection:
                throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (simulated)", new IOException("refused"));
            case Fault.LoseResponse:
            {
                // The server receives and commits the request; the response never arrives.
                using var response = await base.SendAsync(request, cancellationToken);
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                throw new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely (simulated).", new IOException("connection reset by peer"));
            }

            case Fault.HangAfterSend:
            {
                using var response = await base.SendAsync(request, cancellationToken);
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                startHanging();
                Volatile.Write(ref _hangingIndex, index);
                Interlocked.Increment(ref _hanging);
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                finally
                {
                    Interlocked.CompareExchange(ref _hangingIndex, -1, index);
                    Interlocked.Decrement(ref _hanging);
                }

                throw new InvalidOperationException("unreachable");
            }

            default:
                return await base.SendAsync(request, cancellationToken);
        }
    }

    internal enum Fault
    {
        None,
        RefuseConnection,
        LoseResponse,
        HangAfterSend,
    }
}

/// <summary>Collects every log message (all levels) for assertions.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Messages { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            owner.Messages.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}

internal static class FakeTime
{
    /// <summary>Advances <paramref name="time"/> in steps while <paramref name="task"/> is pending (no real back-off waits).</summary>
    public static async Task<T> RunAsync<T>(FakeTimeProvider time, Task<T> task, TimeSpan step, Func<bool>? mayAdvance = null)
    {
        var guard = 0;
        while (!task.IsCompleted)
        {
            if (mayAdvance?.Invoke() ?? true)
            {
                time.Advance(step);
            }

            await Task.WhenAny(task, Task.Delay(2));
            if (++guard > 100_000)
            {
                throw new TimeoutException("The task did not complete.");
            }
        }

        return await task;
    }

    public static async Task RunAsync(FakeTimeProvider time, Task task, TimeSpan step, Func<bool>? mayAdvance = null) =>
        await RunAsync(time, task.ContinueWith(t => { t.GetAwaiter().GetResult(); return 0; }, TaskScheduler.Default), step, mayAdvance);
}

internal static class JsonAssert
{
    public static void Equal(string expectedJson, JsonNode? actual) => Equal(JsonNode.Parse(expectedJson), actual);

    public static void Equal(JsonNode? expected, JsonNode? actual)
    {
        Assert.True(JsonNode.DeepEquals(expected, actual), $"Expected\n{expected?.ToJsonString()}\nbut got\n{actual?.ToJsonString()}");
    }
}
