using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace LlmTrack.Resilience;

/// <summary>
/// Builds the one <see cref="ResiliencePipeline{T}"/> a tracking-server connection uses for every
/// request: total timeout (outer) → retry → per-attempt timeout (inner), all timed by the injected
/// <see cref="TimeProvider"/>.
/// </summary>
internal static partial class MlflowResiliencePipeline
{
    /// <summary>The HTTP method of the request, for retry reports.</summary>
    public static readonly ResiliencePropertyKey<string> MethodKey = new("LlmTrack.Method");

    /// <summary>The request path, for retry reports.</summary>
    public static readonly ResiliencePropertyKey<string> PathKey = new("LlmTrack.Path");

    /// <summary>Creates the pipeline.</summary>
    /// <param name="settings">Retries and timeouts.</param>
    /// <param name="timeProvider">Clock for timeouts and back-off waits.</param>
    /// <param name="random">Source of uniform numbers in [0, 1) for the jitter.</param>
    /// <param name="counters">Retry counter to increment.</param>
    /// <param name="onRetry">Optional hook called for each retry.</param>
    /// <param name="logger">Logger for retry messages.</param>
    /// <param name="timeouts">
    /// Whether to add the total and per-attempt timeouts. Artifact transfers leave them out: their
    /// attempts are limited by an idle timeout instead, so a large file that keeps moving is never cut off.
    /// </param>
    public static ResiliencePipeline<HttpResponseMessage> Create(
        MlflowRetrySettings settings,
        TimeProvider timeProvider,
        Func<double> random,
        TransportCounters counters,
        Action<RetryInfo>? onRetry,
        ILogger logger,
        bool timeouts = true)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider };
        if (timeouts)
        {
            builder.AddTimeout(new TimeoutStrategyOptions { Timeout = settings.TotalTimeout, Name = "LlmTrack.TotalTimeout" });
        }

        if (settings.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                Name = "LlmTrack.Retry",
                MaxRetryAttempts = settings.MaxRetries,
                ShouldHandle = static args => ValueTask.FromResult(ShouldRetry(args.Outcome)),
                DelayGenerator = args =>
                {
                    var retryNumber = args.AttemptNumber + 1;
                    TimeSpan? delay = null;
                    if (args.Outcome.Result is { } response)
                    {
                        delay = MlflowRetryPolicy.RetryAfter(response, timeProvider.GetUtcNow());
                        if (delay > settings.TotalTimeout)
                        {
                            delay = settings.TotalTimeout;
                        }
                    }

                    delay ??= MlflowRetryPolicy.Backoff(retryNumber, settings.BackoffFactor, settings.BackoffJitter, random);
                    return ValueTask.FromResult<TimeSpan?>(delay);
                },
                OnRetry = args =>
                {
                    counters.AddRetry();
                    if (onRetry is null && !logger.IsEnabled(LogLevel.Debug))
                    {
                        return default;
                    }

                    var method = args.Context.Properties.GetValue(MethodKey, "?");
                    var path = args.Context.Properties.GetValue(PathKey, "?");
                    var status = args.Outcome.Result is { } r ? (int?)r.StatusCode : null;
                    var exception = args.Outcome.Exception;
                    if (logger.IsEnabled(LogLevel.Debug))
                    {
                        var reason = status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? exception?.GetType().Name ?? "?";
                        LogRetry(logger, method, path, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds, reason);
                    }

                    onRetry?.Invoke(new RetryInfo(method, path, args.AttemptNumber + 1, args.RetryDelay, status, exception));
                    return default;
                },
            });
        }

        if (timeouts)
        {
            builder.AddTimeout(new TimeoutStrategyOptions { Timeout = settings.AttemptTimeout, Name = "LlmTrack.AttemptTimeout" });
        }

        return builder.Build();
    }

    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome)
    {
        if (outcome.Exception is { } exception)
        {
            return MlflowRetryPolicy.IsTransient(exception);
        }

        return outcome.Result is { } response && MlflowRetryPolicy.IsRetryableStatus(response.StatusCode);
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Debug, Message = "Retrying MLflow request {Method} {Path} (retry {RetryNumber}) in {DelayMs} ms after {Reason}")]
    private static partial void LogRetry(ILogger logger, string method, string path, int retryNumber, double delayMs, string reason);
}
