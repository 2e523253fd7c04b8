using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LlmTrack.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;

namespace LlmTrack.Rest;

/// <summary>
/// Tracks whether any attempt of a request may have been processed by the server even though it
/// failed on the client side (timeout or connection loss after sending, or a 5xx).
/// </summary>
internal sealed class AttemptObserver
{
    private int _maybeCommitted;
    private int _attempts;

    /// <summary>Whether an earlier attempt failed in a way that leaves its outcome unknown.</summary>
    public bool MaybeCommitted => Volatile.Read(ref _maybeCommitted) != 0;

    /// <summary>How many attempts so far failed in a way that leaves their outcome unknown.</summary>
    public int AmbiguousAttempts => Volatile.Read(ref _maybeCommitted);

    /// <summary>Attempts started so far.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    internal void MarkMaybeCommitted() => Interlocked.Increment(ref _maybeCommitted);

    internal void AddAttempt() => Interlocked.Increment(ref _attempts);
}

/// <summary>
/// Sends requests to one MLflow tracking server: adds credentials and headers, runs every request
/// through the resilience pipeline (retries, timeouts), logs method, path and status at Debug level,
/// and turns failures into <see cref="MlflowException"/>. Secrets are never logged or put in messages.
/// </summary>
internal sealed partial class MlflowHttpTransport
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");
    private static readonly ProductInfoHeaderValue UserAgent = new("llmtrack-dotnet", typeof(MlflowHttpTransport).Assembly.GetName().Version?.ToString(3) ?? "0");

    private readonly HttpClient _client;
    private readonly LlmTrackOptions _options;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly ResiliencePipeline<HttpResponseMessage> _transferPipeline;
    private readonly AuthenticationHeaderValue? _basicAuth;

    /// <summary>Creates a transport.</summary>
    /// <param name="client">The HTTP client (from <see cref="IHttpClientFactory"/>); its timeout should be infinite.</param>
    /// <param name="baseAddress">The tracking server's base address, ending in <c>/</c>.</param>
    /// <param name="options">Credentials, headers and retry settings.</param>
    /// <param name="timeProvider">Clock for timeouts and back-off.</param>
    /// <param name="logger">Logger (Debug: one line per attempt).</param>
    /// <param name="counters">Counters to update; a new instance when <see langword="null"/>.</param>
    /// <param name="onRetry">Optional hook called for each retry.</param>
    /// <param name="random">Uniform [0, 1) source for back-off jitter; <see cref="Random.Shared"/> by default.</param>
    public MlflowHttpTransport(
        HttpClient client,
        Uri baseAddress,
        LlmTrackOptions options,
        TimeProvider? timeProvider = null,
        ILogger? logger = null,
        TransportCounters? counters = null,
        Action<RetryInfo>? onRetry = null,
        Func<double>? random = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(baseAddress);
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        BaseAddress = Configuration.TrackingUri.NormalizeHttpBaseAddress(baseAddress);
        _options = options;
        TimeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        Counters = counters ?? new TransportCounters();
        Settings = MlflowRetrySettings.From(options.Http);
        var jitter = random ?? Random.Shared.NextDouble;
        _pipeline = MlflowResiliencePipeline.Create(Settings, TimeProvider, jitter, Counters, onRetry, _logger);
        _transferPipeline = MlflowResiliencePipeline.Create(Settings, TimeProvider, jitter, Counters, onRetry, _logger, timeouts: false);

        var credentialSource = Uri.TryCreate(options.TrackingUri, UriKind.Absolute, out var tracking) && !string.IsNullOrEmpty(tracking.UserInfo)
            ? tracking
            : baseAddress;
        var (user, password) = MlflowHttpClient.GetCredentials(options, credentialSource);
        if (user is not null && password is not null)
        {
            _basicAuth = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));
        }
    }

    /// <summary>The tracking server's base address (ends in <c>/</c>, no credentials).</summary>
    public Uri BaseAddress { get; }

    /// <summary>The clock used for timeouts and back-off.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The transport's counters.</summary>
    public TransportCounters Counters { get; }

    /// <summary>The effective retry and timeout settings.</summary>
    public MlflowRetrySettings Settings { get; }

    /// <summary>Resolves a path relative to the tracking server's base address.</summary>
    public Uri Resolve(string relativeUri) => new(BaseAddress, relativeUri);

    /// <summary>Serializes a request body once, so every attempt sends the same bytes.</summary>
    public static byte[] Serialize<T>(T body, JsonTypeInfo<T> typeInfo) => JsonSerializer.SerializeToUtf8Bytes(body, typeInfo);

    /// <summary>A content factory for a JSON body.</summary>
    public static Func<TransferWatchdog?, CancellationToken, ValueTask<HttpContent?>> JsonContent(byte[] body) =>
        (_, _) =>
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = JsonMediaType;
            return ValueTask.FromResult<HttpContent?>(content);
        };

    /// <summary>Sends a JSON request and reads the JSON response; throws <see cref="MlflowException"/> for any non-2xx.</summary>
    public async Task<TResponse> SendJsonAsync<TResponse>(
        HttpMethod method,
        string relativeUri,
        byte[]? body,
        JsonTypeInfo<TResponse> responseType,
        AttemptObserver? observer,
        CancellationToken cancellationToken,
        Func<CancellationToken, ValueTask<bool>>? beforeAttempt = null)
    {
        var uri = Resolve(relativeUri);
        using var response = await SendAsync(method, uri, body is null ? null : JsonContent(body), HttpCompletionOption.ResponseContentRead, observer, cancellationToken, beforeAttempt).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var error = await MlflowErrorMapper.ReadAsync(response, method.Method, uri.AbsolutePath, cancellationToken).ConfigureAwait(false);
            Counters.AddFailure();
            throw error.Exception;
        }

        return await ReadJsonAsync(response, responseType, method.Method, uri.AbsolutePath, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a successful JSON response body; an empty body reads as an empty object.</summary>
    public static async Task<TResponse> ReadJsonAsync<TResponse>(HttpResponseMessage response, JsonTypeInfo<TResponse> responseType, string method, string path, CancellationToken cancellationToken)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ReadOnlySpan<byte> span = bytes;
            if (IsBlank(span))
            {
                span = "{}"u8;
            }

            return JsonSerializer.Deserialize(span, responseType)
                ?? throw new MlflowException(MlflowErrorCode.InternalError, $"The MLflow server answered {method} {path} with an empty JSON body.", (int)response.StatusCode);
        }
        catch (JsonException ex)
        {
            var summary = MlflowErrorMapper.Summarize(Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 4096)));
            throw new MlflowException(
                MlflowErrorCode.InternalError,
                $"The MLflow server answered {method} {path} with HTTP {(int)response.StatusCode} but the body is not the expected JSON: {summary}",
                (int)response.StatusCode,
                ex);
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Sends one logical request through the resilience pipeline and returns the final response,
    /// whatever its status (the caller checks it and disposes it). Transport failures and timeouts
    /// that outlast the retries become <see cref="MlflowException"/> with <c>TEMPORARILY_UNAVAILABLE</c>;
    /// the caller's cancellation propagates as <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <param name="method">HTTP method.</param>
    /// <param name="uri">Absolute request URI.</param>
    /// <param name="content">
    /// Creates the body for each attempt (called once per attempt), or <see langword="null"/>. In
    /// transfer mode it receives the attempt's watchdog, to wrap a streamed body in.
    /// </param>
    /// <param name="completion">When the send completes (content read or headers read).</param>
    /// <param name="observer">Learns whether an attempt may have been committed despite failing.</param>
    /// <param name="cancellationToken">The caller's cancellation.</param>
    /// <param name="beforeAttempt">Runs before each attempt; returning <see langword="false"/> skips the request and yields 200 OK with an empty JSON body.</param>
    /// <param name="transfer">
    /// Artifact transfer mode: no total or per-attempt time limit, but an idle timeout (the attempt
    /// timeout) that restarts whenever body bytes move.
    /// </param>
    public async Task<HttpResponseMessage> SendAsync(
        HttpMethod method,
        Uri uri,
        Func<TransferWatchdog?, CancellationToken, ValueTask<HttpContent?>>? content,
        HttpCompletionOption completion,
        AttemptObserver? observer,
        CancellationToken cancellationToken,
        Func<CancellationToken, ValueTask<bool>>? beforeAttempt = null,
        bool transfer = false)
    {
        Counters.AddRequest();
        var path = uri.AbsolutePath;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(MlflowResiliencePipeline.MethodKey, method.Method);
        context.Properties.Set(MlflowResiliencePipeline.PathKey, path);
        var state = new AttemptState(this, method, uri, content, completion, observer ?? new AttemptObserver(), beforeAttempt, transfer, cancellationToken);
        var pipeline = transfer ? _transferPipeline : _pipeline;
        try
        {
            return await pipeline.ExecuteAsync(
                static (ctx, s) => new ValueTask<HttpResponseMessage>(s.Transport.AttemptAsync(s, ctx.CancellationToken)),
                context,
                state).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is Polly.Timeout.TimeoutRejectedException || MlflowRetryPolicy.IsTransient(ex) || ex is OperationCanceledException)
        {
            Counters.AddFailure();
            var attempts = state.Observer.Attempts;
            var what = ex is Polly.Timeout.TimeoutRejectedException or OperationCanceledException
                ? "timed out"
                : $"failed ({Describe(ex)})";
            throw new MlflowException(
                MlflowErrorCode.Unavailable,
                $"The MLflow tracking server at {Origin(uri)} could not be reached: {method.Method} {path} {what} after {attempts} attempt{(attempts == 1 ? "" : "s")}.",
                null,
                ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async Task<HttpResponseMessage> AttemptAsync(AttemptState state, CancellationToken attemptToken)
    {
        if (state.BeforeAttempt is not null && !await state.BeforeAttempt(attemptToken).ConfigureAwait(false))
        {
            return new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new ByteArrayContent("{}"u8.ToArray()) };
        }

        state.Observer.AddAttempt();
        using var watchdog = state.Transfer ? new TransferWatchdog(Settings.AttemptTimeout, TimeProvider, attemptToken) : null;
        var token = watchdog?.Token ?? attemptToken;
        using var request = new HttpRequestMessage(state.Method, state.Uri);
        if (state.Content is not null)
        {
            request.Content = await state.Content(watchdog, token).ConfigureAwait(false);
        }

        await ApplyHeadersAsync(request, token).ConfigureAwait(false);
        var started = TimeProvider.GetTimestamp();
        try
        {
            var response = await _client.SendAsync(request, state.Completion, token).ConfigureAwait(false);
            Counters.AddAnswer();
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                var elapsed = TimeProvider.GetElapsedTime(started).TotalMilliseconds;
                LogResponse(_logger, state.Method.Method, state.Uri.AbsolutePath, (int)response.StatusCode, elapsed);
            }

            // A 5xx may come after the server committed (a 500 from a failure after the commit, a gateway's 502/504
            // while the server went on) — except 503 Service Unavailable: the request was not handled (MLflow's
            // TEMPORARILY_UNAVAILABLE, or a proxy with no server to hand it to), so it needs no check.
            if ((int)response.StatusCode >= 500 && response.StatusCode != System.Net.HttpStatusCode.ServiceUnavailable)
            {
                state.Observer.MarkMaybeCommitted();
            }

            return response;
        }
        catch (Exception ex) when (!state.CallerToken.IsCancellationRequested)
        {
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                var error = Describe(ex);
                LogFailure(_logger, state.Method.Method, state.Uri.AbsolutePath, error);
            }

            if (MayHaveBeenSent(ex))
            {
                state.Observer.MarkMaybeCommitted();
            }

            if (ex is OperationCanceledException && watchdog is { Fired: true })
            {
                throw new Polly.Timeout.TimeoutRejectedException($"No data moved for {watchdog.IdleTimeout.TotalSeconds:0.###} s.", watchdog.IdleTimeout, ex);
            }

            throw;
        }
    }

    /// <summary>
    /// Whether the server may have processed a request whose attempt failed with <paramref name="exception"/>:
    /// true unless the connection was never established.
    /// </summary>
    internal static bool MayHaveBeenSent(Exception exception) => exception switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError } => false,
        HttpRequestException or HttpIOException or OperationCanceledException => true,
        _ => false,
    };

    /// <summary>Adds custom headers and credentials; only to requests for the tracking server's own origin.</summary>
    private async ValueTask ApplyHeadersAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.UserAgent.Add(UserAgent);
        if (request.RequestUri is null || !IsSameOrigin(request.RequestUri, BaseAddress))
        {
            return;
        }

        foreach (var header in _options.Headers)
        {
            request.Headers.Remove(header.Key);
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        string? token = null;
        if (_options.TokenProvider is { } provider)
        {
            token = await provider(cancellationToken).ConfigureAwait(false);
        }

        if (string.IsNullOrEmpty(token))
        {
            token = _options.Token;
        }

        if (!string.IsNullOrEmpty(token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        else if (_basicAuth is not null)
        {
            request.Headers.Authorization = _basicAuth;
        }
    }

    /// <summary>Whether two URIs share scheme, host and port.</summary>
    internal static bool IsSameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;

    private static string Origin(Uri uri) => uri.GetLeftPart(UriPartial.Authority);

    private static string Describe(Exception exception) => exception switch
    {
        HttpRequestException http when http.HttpRequestError != HttpRequestError.Unknown => $"{nameof(HttpRequestException)}: {http.HttpRequestError}",
        HttpRequestException { InnerException: { } inner } => $"{nameof(HttpRequestException)}: {inner.GetType().Name}",
        Polly.Timeout.TimeoutRejectedException => "attempt timeout",
        OperationCanceledException => "timeout",
        _ => exception.GetType().Name,
    };

    [LoggerMessage(EventId = 1100, Level = LogLevel.Debug, Message = "MLflow {Method} {Path} -> {StatusCode} ({ElapsedMs} ms)")]
    private static partial void LogResponse(ILogger logger, string method, string path, int statusCode, double elapsedMs);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "MLflow {Method} {Path} failed: {Error}")]
    private static partial void LogFailure(ILogger logger, string method, string path, string error);

    private sealed record AttemptState(
        MlflowHttpTransport Transport,
        HttpMethod Method,
        Uri Uri,
        Func<TransferWatchdog?, CancellationToken, ValueTask<HttpContent?>>? Content,
        HttpCompletionOption Completion,
        AttemptObserver Observer,
        Func<CancellationToken, ValueTask<bool>>? BeforeAttempt,
        bool Transfer,
        CancellationToken CallerToken);
}
