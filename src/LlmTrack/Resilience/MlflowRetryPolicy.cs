using System.Net;
using System.Net.Http.Headers;
using Polly.Timeout;

namespace LlmTrack.Resilience;

/// <summary>
/// What MLflow's Python client (urllib3 <c>Retry</c>) retries and how long it waits: HTTP 408, 429,
/// 500, 502, 503 and 504, connection failures and timeouts; back-off 0 before the first retry, then
/// <c>factor × 2^(n−1)</c> plus a uniform jitter in <c>[0, jitter]</c>, at most 120 s; a
/// <c>Retry-After</c> header on 429 or 503 (seconds or an HTTP date) replaces the back-off.
/// </summary>
internal static class MlflowRetryPolicy
{
    /// <summary>Whether a response with this status is retried.</summary>
    public static bool IsRetryableStatus(HttpStatusCode status) => (int)status is 408 or 429 or 500 or 502 or 503 or 504;

    /// <summary>
    /// Whether an exception from one attempt is transient: a connection or protocol failure, a failed
    /// response read, or the attempt's own timeout. The caller's cancellation is never retried.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        TimeoutRejectedException => true,
        HttpRequestException => true,
        HttpIOException => true,
        _ => false,
    };

    /// <summary>
    /// urllib3's back-off before retry number <paramref name="retryNumber"/> (1-based): none before the
    /// first retry, then <c>factor × 2^(n−1) + U[0, jitter]</c>, clamped to [0, 120 s].
    /// </summary>
    public static TimeSpan Backoff(int retryNumber, double factor, double jitter, Func<double> random)
    {
        if (retryNumber <= 1)
        {
            return TimeSpan.Zero;
        }

        var seconds = factor * Math.Pow(2, retryNumber - 1);
        if (jitter > 0)
        {
            seconds += random() * jitter;
        }

        seconds = Math.Clamp(seconds, 0, MlflowRetrySettings.MaxBackoff.TotalSeconds);
        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>
    /// The wait a 429 or 503 response asks for in <c>Retry-After</c> (delta seconds or an HTTP date,
    /// relative to <paramref name="now"/>), or <see langword="null"/> when there is none or it is malformed.
    /// </summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        if ((int)response.StatusCode is not (429 or 503))
        {
            return null;
        }

        return RetryAfter(response.Headers.RetryAfter, now);
    }

    /// <summary>Converts a parsed <c>Retry-After</c> header to a non-negative wait.</summary>
    public static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (header is null)
        {
            return null;
        }

        if (header.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header.Date is { } date)
        {
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }
}
