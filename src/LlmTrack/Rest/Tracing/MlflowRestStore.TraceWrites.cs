using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using LlmTrack.Model.Tracing;
using LlmTrack.Rest.Tracing;
using LlmTrack.Stores;

namespace LlmTrack.Rest;

/// <summary>
/// The trace write side of the REST store, as MLflow's Python client does it: spans as OTLP/HTTP protobuf to
/// <c>POST /v1/traces</c> with <c>x-mlflow-experiment-id</c>, then v3 start-trace, and v2 link-to-run.
/// </summary>
internal sealed partial class MlflowRestStore : ITraceSink
{
    /// <summary>The OTLP/HTTP route of the tracking server (a FastAPI route, not under <c>/api</c>).</summary>
    internal const string OtlpTracesPath = "v1/traces";

    /// <summary>The header that names the experiment of the spans' traces.</summary>
    internal const string ExperimentIdHeader = "x-mlflow-experiment-id";

    private static readonly MediaTypeHeaderValue ProtobufMediaType = new("application/x-protobuf");

    /// <summary>
    /// Sends the spans once per attempt that certainly did not reach the server (connection refused, 503, 429); as soon
    /// as an attempt may have been processed (a lost response, a timeout after sending, a 500/502/504) nothing is
    /// resent, because a re-sent span adds its token usage to the trace again: that ends in
    /// <see cref="TraceSendAmbiguousException"/>. A 4xx (FastAPI's <c>{"detail":…}</c>) throws <see cref="MlflowException"/>.
    /// </summary>
    public async Task LogSpansAsync(string experimentId, IReadOnlyList<SpanRecord> spans, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(experimentId);
        ArgumentNullException.ThrowIfNull(spans);
        if (spans.Count == 0)
        {
            return;
        }

        var body = OtlpTraceRequest.Encode(spans);
        var observer = new AttemptObserver();
        var skipped = false;
        var uri = _transport.Resolve(OtlpTracesPath);
        HttpResponseMessage response;
        try
        {
            response = await _transport.SendAsync(
                HttpMethod.Post,
                uri,
                (_, _) =>
                {
                    var content = new ByteArrayContent(body);
                    content.Headers.ContentType = ProtobufMediaType;
                    content.Headers.TryAddWithoutValidation(ExperimentIdHeader, experimentId);
                    return ValueTask.FromResult<HttpContent?>(content);
                },
                HttpCompletionOption.ResponseContentRead,
                observer,
                cancellationToken,
                _ =>
                {
                    if (observer.Attempts > 0 && observer.MaybeCommitted)
                    {
                        skipped = true;
                        return ValueTask.FromResult(false);
                    }

                    return ValueTask.FromResult(true);
                }).ConfigureAwait(false);
        }
        catch (MlflowException ex) when (observer.MaybeCommitted)
        {
            throw new TraceSendAmbiguousException($"POST /{OtlpTracesPath} may have stored {spans.Count} spans ({ex.Message}); not resent, as a re-send doubles their token usage.", ex);
        }

        using (response)
        {
            if (skipped || ((int)response.StatusCode >= 500 && response.StatusCode != HttpStatusCode.ServiceUnavailable))
            {
                throw new TraceSendAmbiguousException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"POST /{OtlpTracesPath} may have stored {spans.Count} spans (an attempt ended with no clear answer after {observer.Attempts} attempt(s)); not resent, as a re-send doubles their token usage."));
            }

            if (!response.IsSuccessStatusCode)
            {
                var error = await MlflowErrorMapper.ReadAsync(response, "POST", uri.AbsolutePath, cancellationToken).ConfigureAwait(false);
                _transport.Counters.AddFailure();
                throw error.Exception;
            }
        }
    }

    /// <inheritdoc />
    public async Task StartTraceAsync(TraceInfoRecord trace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var request = new StartTraceRequest { Trace = new StartTraceBody { TraceInfo = TraceInfoWire.From(trace) } };
        await _transport.SendJsonAsync(
            HttpMethod.Post,
            "api/3.0/mlflow/traces",
            MlflowHttpTransport.Serialize(request, TraceWriteJsonContext.Default.StartTraceRequest),
            TraceWriteJsonContext.Default.TraceWriteResponse,
            null,
            cancellationToken).ConfigureAwait(false);
    }
}
