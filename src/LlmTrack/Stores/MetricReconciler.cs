namespace LlmTrack.Stores;

/// <summary>
/// Finds which points of a batch a store does not hold yet, reading only the batch's step ranges
/// (<see cref="ITrackingStore.GetMetricHistoryRangeAsync"/>) so that the cost is proportional to the batch, not to the
/// run's whole history. Used to resolve an ambiguous log-batch (the server may have committed an attempt whose
/// answer was lost) by any store, REST or durable, through the store contract alone.
/// </summary>
internal static class MetricReconciler
{
    /// <summary>
    /// The widest window read in one go, in steps. A window this wide holds at most this many distinct steps, so a
    /// server that samples ranges holding more than <c>max_results</c> distinct steps (MLflow's bulk-interval read,
    /// <c>max_results</c> ≤ 2500) returns it whole.
    /// </summary>
    public const long MaxWindowSteps = 2500;

    /// <summary>
    /// Two of the batch's steps at most this far apart share a window; farther apart they get a window each. One more
    /// request costs about as much as reading a few hundred points, so bridging a wider gap would read more than it
    /// saves, and a window never reads more than <see cref="MaxGap"/> steps per step of the batch.
    /// </summary>
    public const long MaxGap = 256;

    /// <summary>How many keys of one batch are read at once.</summary>
    public const int MaxConcurrentReads = 8;

    /// <summary>The points of <paramref name="metrics"/> (all of one run) that <paramref name="store"/> does not hold.</summary>
    /// <param name="store">The store to compare with.</param>
    /// <param name="runId">The run, as <paramref name="store"/> names it.</param>
    /// <param name="metrics">The batch's points.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The missing points, in the batch's order (a point the batch holds twice is missing twice).</returns>
    public static Task<IReadOnlyList<Metric>> FindUnstoredAsync(ITrackingStore store, string runId, IReadOnlyList<Metric> metrics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(runId);
        return FindUnstoredAsync(metrics, (key, windows, token) => ReadWindowsAsync(store, runId, key, windows, token), cancellationToken);
    }

    /// <summary>
    /// After one attempt of a log-batch whose outcome is unknown: which of its points the store does not hold. A
    /// log-batch is stored all or nothing (one transaction in MLflow's SQL stores; the points in order in a store that
    /// writes them one by one), so the first point's key is read first: when none of the batch's points of that key is
    /// stored, the attempt stored nothing and the whole batch is missing (one read instead of one per key). Otherwise
    /// every key is read (<see cref="FindUnstoredAsync(IReadOnlyList{Metric}, Func{string, IReadOnlyList{StepWindow}, CancellationToken, Task{IReadOnlyList{Metric}}}, CancellationToken)"/>),
    /// so points that were stored before the attempt (the same point logged twice) are told apart exactly.
    /// </summary>
    public static async Task<IReadOnlyList<Metric>> FindUnstoredAfterAttemptAsync(
        IReadOnlyList<Metric> metrics,
        Func<string, IReadOnlyList<StepWindow>, CancellationToken, Task<IReadOnlyList<Metric>>> readKey,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(readKey);
        if (metrics.Count == 0)
        {
            return [];
        }

        var probeKey = metrics[0].Key;
        var probe = new List<Metric>();
        var steps = new List<long>();
        var otherKeys = false;
        foreach (var metric in metrics)
        {
            if (metric.Key == probeKey)
            {
                probe.Add(metric);
                steps.Add(metric.Step);
            }
            else
            {
                otherKeys = true;
            }
        }

        var stored = new HashSet<MetricPointKey>();
        foreach (var point in await readKey(probeKey, PlanWindows(steps), cancellationToken).ConfigureAwait(false))
        {
            stored.Add(MetricPointKey.Of(point));
        }

        if (!probe.Exists(m => stored.Contains(MetricPointKey.Of(m))))
        {
            return metrics;
        }

        if (!otherKeys)
        {
            return probe.FindAll(m => !stored.Contains(MetricPointKey.Of(m)));
        }

        // Something was stored: check every other key, and keep the probe's answer for its own key.
        var others = new List<Metric>(metrics.Count - probe.Count);
        foreach (var metric in metrics)
        {
            if (metric.Key != probeKey)
            {
                others.Add(metric);
            }
        }

        var othersMissing = (await FindUnstoredAsync(others, readKey, cancellationToken).ConfigureAwait(false)).ToHashSet();
        var missing = new List<Metric>();
        foreach (var metric in metrics)
        {
            if (metric.Key == probeKey ? !stored.Contains(MetricPointKey.Of(metric)) : othersMissing.Contains(metric))
            {
                missing.Add(metric);
            }
        }

        return missing;
    }

    /// <summary>
    /// The points of <paramref name="metrics"/> that are not among the stored points <paramref name="readKey"/> returns for
    /// each of the batch's keys and its step windows (<see cref="PlanWindows"/>). <paramref name="readKey"/> must return
    /// at least every stored point in those windows; more (e.g. a key's full history) does no harm.
    /// </summary>
    public static async Task<IReadOnlyList<Metric>> FindUnstoredAsync(
        IReadOnlyList<Metric> metrics,
        Func<string, IReadOnlyList<StepWindow>, CancellationToken, Task<IReadOnlyList<Metric>>> readKey,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(readKey);
        if (metrics.Count == 0)
        {
            return [];
        }

        var stepsByKey = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        foreach (var metric in metrics)
        {
            if (!stepsByKey.TryGetValue(metric.Key, out var steps))
            {
                stepsByKey[metric.Key] = steps = [];
            }

            steps.Add(metric.Step);
        }

        // The keys are read concurrently (a few at a time): a check costs about one round trip, not one per key.
        var stored = new Dictionary<string, HashSet<MetricPointKey>>(StringComparer.Ordinal);
        using var slots = new SemaphoreSlim(MaxConcurrentReads);
        var reads = stepsByKey.Select(async entry =>
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var points = await readKey(entry.Key, PlanWindows(entry.Value), cancellationToken).ConfigureAwait(false);
                var set = new HashSet<MetricPointKey>(points.Count);
                foreach (var point in points)
                {
                    set.Add(MetricPointKey.Of(point));
                }

                return (entry.Key, Set: set);
            }
            finally
            {
                slots.Release();
            }
        }).ToList();
        foreach (var (key, set) in await Task.WhenAll(reads).ConfigureAwait(false))
        {
            stored[key] = set;
        }

        var missing = new List<Metric>();
        foreach (var metric in metrics)
        {
            if (!stored[metric.Key].Contains(MetricPointKey.Of(metric)))
            {
                missing.Add(metric);
            }
        }

        return missing;
    }

    /// <summary>
    /// The step windows that cover <paramref name="steps"/>: sorted, disjoint, each at most <see cref="MaxWindowSteps"/>
    /// wide, consecutive steps closer than <see cref="MaxGap"/> sharing one.
    /// </summary>
    public static IReadOnlyList<StepWindow> PlanWindows(IEnumerable<long> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var sorted = steps.Distinct().Order().ToList();
        var windows = new List<StepWindow>();
        if (sorted.Count == 0)
        {
            return windows;
        }

        var start = sorted[0];
        var end = start;
        for (var i = 1; i < sorted.Count; i++)
        {
            var step = sorted[i];
            if (Distance(end, step) <= (ulong)MaxGap && Distance(start, step) < (ulong)MaxWindowSteps)
            {
                end = step;
                continue;
            }

            windows.Add(new StepWindow(start, end));
            start = end = step;
        }

        windows.Add(new StepWindow(start, end));
        return windows;
    }

    /// <summary><paramref name="to"/> − <paramref name="from"/> for <paramref name="from"/> ≤ <paramref name="to"/>, without overflow.</summary>
    internal static ulong Distance(long from, long to) => unchecked((ulong)to - (ulong)from);

    private static async Task<IReadOnlyList<Metric>> ReadWindowsAsync(ITrackingStore store, string runId, string key, IReadOnlyList<StepWindow> windows, CancellationToken cancellationToken)
    {
        if (windows.Count == 1)
        {
            return await store.GetMetricHistoryRangeAsync(runId, key, windows[0].Start, windows[0].End, cancellationToken).ConfigureAwait(false);
        }

        var points = new List<Metric>();
        foreach (var window in windows)
        {
            points.AddRange(await store.GetMetricHistoryRangeAsync(runId, key, window.Start, window.End, cancellationToken).ConfigureAwait(false));
        }

        return points;
    }
}

/// <summary>An inclusive range of steps.</summary>
/// <param name="Start">The first step.</param>
/// <param name="End">The last step (not below <paramref name="Start"/>).</param>
internal readonly record struct StepWindow(long Start, long End);
