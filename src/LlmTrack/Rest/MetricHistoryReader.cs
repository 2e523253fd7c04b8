using System.Globalization;
using LlmTrack.Rest.Wire;
using LlmTrack.Stores;
using Microsoft.Extensions.Logging;

namespace LlmTrack.Rest;

/// <summary>
/// Reading a run's metric history from an MLflow server: the full history (paged <c>metrics/get-history</c>), step
/// ranges through <c>metrics/get-history-bulk-interval</c> in windows the server returns whole, and the fallback to
/// the full history on a server without that route (remembered).
/// </summary>
internal sealed class MetricHistoryReader(MlflowHttpTransport transport, ILogger? logger)
{
    /// <summary>
    /// The <c>max_results</c> sent to <c>metrics/get-history-bulk-interval</c> (the server's largest) and the widest range
    /// asked in one call: the server samples a range only when it holds more distinct steps than <c>max_results</c>, which a
    /// range this wide cannot.
    /// </summary>
    internal const int BulkIntervalMaxResults = 2500;

    /// <summary>
    /// The most points the server returns for one run from <c>metrics/get-history-bulk-interval</c> (its
    /// <c>MAX_RESULTS_GET_METRIC_HISTORY</c> row limit over all points at the chosen steps); an answer this long may be cut.
    /// </summary>
    internal const int BulkIntervalMaxPoints = 25000;

    private readonly MlflowHttpTransport _transport = transport;
    private readonly ILogger? _logger = logger;
    private volatile bool _noBulkInterval;

    /// <summary>
    /// Whether the server lacks <c>metrics/get-history-bulk-interval</c> (it answered 404/405 for the route), so that
    /// range reads use the full <c>metrics/get-history</c>.
    /// </summary>
    public bool BulkIntervalUnsupported => _noBulkInterval;

    /// <summary>Every stored point of <paramref name="key"/> (<c>metrics/get-history</c>).</summary>
    /// <remarks>
    /// Always sends <c>max_results</c> (without it the server returns nothing and a token that never
    /// advances) and follows page tokens, stopping if the server repeats a token.
    /// </remarks>
    public async Task<IReadOnlyList<Metric>> GetHistoryAsync(string runId, string key, CancellationToken cancellationToken)
    {
        var prefix = MlflowRestStore.Api + "metrics/get-history?run_id=" + Uri.EscapeDataString(runId)
            + "&metric_key=" + Uri.EscapeDataString(key)
            + "&max_results=" + MlflowRestStore.MetricHistoryPageSize.ToString(CultureInfo.InvariantCulture);
        var result = new List<Metric>();
        var seenTokens = new HashSet<string>(StringComparer.Ordinal);
        string? token = null;
        while (true)
        {
            var relative = token is null ? prefix : prefix + "&page_token=" + Uri.EscapeDataString(token);
            var page = await _transport.SendJsonAsync(HttpMethod.Get, relative, null, MlflowJsonContext.Default.GetMetricHistoryResponse, null, cancellationToken).ConfigureAwait(false);
            if (page.Metrics is { } metrics)
            {
                foreach (var metric in metrics)
                {
                    result.Add(WireMapping.ToModel(metric, key));
                }
            }

            token = page.NextPageToken;
            if (string.IsNullOrEmpty(token) || !seenTokens.Add(token))
            {
                return result;
            }
        }
    }

    /// <summary>The stored points of <paramref name="key"/> in [<paramref name="startStep"/>, <paramref name="endStep"/>].</summary>
    /// <remarks>
    /// <para>Reads <c>GET metrics/get-history-bulk-interval?run_ids=&amp;metric_key=&amp;start_step=&amp;end_step=&amp;max_results=2500</c>,
    /// one run per call, in windows of at most <see cref="BulkIntervalMaxResults"/> steps. MLflow samples the distinct steps of
    /// a range when it holds more than <c>max_results</c> of them (and returns every point at each chosen step, up to
    /// <see cref="BulkIntervalMaxPoints"/> points), so a window that narrow is returned whole; an answer of
    /// <see cref="BulkIntervalMaxPoints"/> points may be cut and its window is read again in halves.</para>
    /// <para>A server without the route (404 without MLflow's JSON <c>RESOURCE_DOES_NOT_EXIST</c> error, e.g. its HTML "not
    /// found" page, or 405: an older MLflow) is
    /// remembered, and ranges are then read from the full <c>metrics/get-history</c>.</para>
    /// </remarks>
    public async Task<IReadOnlyList<Metric>> GetRangeAsync(string runId, string key, long startStep, long endStep, CancellationToken cancellationToken)
    {
        var points = await ReadRangeAsync(runId, key, startStep, endStep, cancellationToken).ConfigureAwait(false);
        if (points is not null)
        {
            return points;
        }

        var history = await GetHistoryAsync(runId, key, cancellationToken).ConfigureAwait(false);
        return [.. history.Where(m => m.Step >= startStep && m.Step <= endStep)];
    }

    /// <summary>
    /// Every stored point of <paramref name="key"/> in [<paramref name="startStep"/>, <paramref name="endStep"/>] through the
    /// bulk-interval route, or <see langword="null"/> when it cannot tell (no such route, or more than
    /// <see cref="BulkIntervalMaxPoints"/> points at a single step) and the full history must be read instead.
    /// </summary>
    private async Task<List<Metric>?> ReadRangeAsync(string runId, string key, long startStep, long endStep, CancellationToken cancellationToken)
    {
        var windows = new List<StepWindow>();
        for (var start = startStep; ; start += BulkIntervalMaxResults)
        {
            var end = MetricReconciler.Distance(start, endStep) < BulkIntervalMaxResults ? endStep : start + (BulkIntervalMaxResults - 1);
            windows.Add(new StepWindow(start, end));
            if (end == endStep)
            {
                break;
            }
        }

        // Read in step order; a window that may have been cut is replaced by its halves.
        var ordered = new Stack<StepWindow>(Enumerable.Reverse(windows));
        var result = new List<Metric>();
        while (ordered.Count > 0)
        {
            if (_noBulkInterval)
            {
                return null;
            }

            var window = ordered.Pop();
            var part = await GetBulkIntervalAsync(runId, key, window, cancellationToken).ConfigureAwait(false);
            if (part is null)
            {
                return null;
            }

            if (part.Count >= BulkIntervalMaxPoints)
            {
                // Possibly cut at the server's row limit: read the two halves instead (a single step cannot be split).
                if (window.Start == window.End)
                {
                    return null;
                }

                var middle = window.Start + (long)(MetricReconciler.Distance(window.Start, window.End) / 2);
                ordered.Push(new StepWindow(middle + 1, window.End));
                ordered.Push(new StepWindow(window.Start, middle));
                continue;
            }

            foreach (var point in part)
            {
                if (point.Step >= window.Start && point.Step <= window.End)
                {
                    result.Add(point);
                }
            }
        }

        return result;
    }

    /// <summary>One <c>get-history-bulk-interval</c> call; <see langword="null"/> (remembered) when the server has no such route.</summary>
    private async Task<IReadOnlyList<Metric>?> GetBulkIntervalAsync(string runId, string key, StepWindow window, CancellationToken cancellationToken)
    {
        var uri = _transport.Resolve(MlflowRestStore.Api + "metrics/get-history-bulk-interval?run_ids=" + Uri.EscapeDataString(runId)
            + "&metric_key=" + Uri.EscapeDataString(key)
            + "&start_step=" + window.Start.ToString(CultureInfo.InvariantCulture)
            + "&end_step=" + window.End.ToString(CultureInfo.InvariantCulture)
            + "&max_results=" + BulkIntervalMaxResults.ToString(CultureInfo.InvariantCulture));
        using var response = await _transport.SendAsync(HttpMethod.Get, uri, null, HttpCompletionOption.ResponseContentRead, null, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var error = await MlflowErrorMapper.ReadAsync(response, "GET", uri.AbsolutePath, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status == 405 || (status == 404 && error is not { HasMlflowErrorBody: true, Exception.ErrorCode: MlflowErrorCode.ResourceDoesNotExist }))
            {
                if (!_noBulkInterval)
                {
                    _noBulkInterval = true;
                    if (_logger?.IsEnabled(LogLevel.Information) == true)
                    {
                        _logger.LogInformation("The MLflow server at {BaseAddress} has no metrics/get-history-bulk-interval (HTTP {Status}); metric ranges are read from the full history.", _transport.BaseAddress, status);
                    }
                }

                return null;
            }

            _transport.Counters.AddFailure();
            throw error.Exception;
        }

        var body = await MlflowHttpTransport.ReadJsonAsync(response, MlflowJsonContext.Default.GetMetricHistoryResponse, "GET", uri.AbsolutePath, cancellationToken).ConfigureAwait(false);
        if (body.Metrics is not { Count: > 0 } metrics)
        {
            return [];
        }

        var points = new Metric[metrics.Count];
        for (var i = 0; i < points.Length; i++)
        {
            points[i] = WireMapping.ToModel(metrics[i], key);
        }

        return points;
    }

    /// <summary>
    /// The stored points of <paramref name="key"/> in <paramref name="windows"/> (range reads); the key's full history
    /// when the server has no range route or a step is too crowded to read by range.
    /// </summary>
    public async Task<IReadOnlyList<Metric>> ReadWindowsAsync(string runId, string key, IReadOnlyList<StepWindow> windows, CancellationToken cancellationToken)
    {
        var points = new List<Metric>();
        foreach (var window in windows)
        {
            var part = _noBulkInterval ? null : await ReadRangeAsync(runId, key, window.Start, window.End, cancellationToken).ConfigureAwait(false);
            if (part is null)
            {
                // No range route (or a step too crowded to read by range): the key's full history covers every window.
                return await GetHistoryAsync(runId, key, cancellationToken).ConfigureAwait(false);
            }

            points.AddRange(part);
        }

        return points;
    }
}
