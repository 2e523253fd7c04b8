using LlmTrack.Comparison;

namespace LlmTrack;

/// <summary>Compares runs of any tracking store: <see cref="CompareRunsAsync"/>.</summary>
public static class TrackerComparisonExtensions
{
    /// <summary>
    /// Compares runs: params that differ and those equal, every metric side by side with its bootstrap interval when
    /// logged (<c>&lt;key&gt;_ci_lower</c>/<c>_ci_upper</c>), its delta against the baseline (absolute and relative), and —
    /// where the baseline and a run evaluated the same data set (same digest) and logged per-example tables with the
    /// metric's score column — a seeded paired bootstrap test (<see cref="PairedBootstrap"/>). Warns (typed, on the result)
    /// about different data sets, different metric signatures, missing metrics and unreadable or unaligned tables.
    /// </summary>
    /// <param name="tracker">The tracker.</param>
    /// <param name="runIds">The runs to compare (at least one).</param>
    /// <param name="baseline">The baseline run's id (default the first of <paramref name="runIds"/>; added in front when not among them).</param>
    /// <param name="options">Significance level, resamples, seed; default <see cref="CompareOptions"/>.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The comparison.</returns>
    /// <exception cref="MlflowException"><c>RESOURCE_DOES_NOT_EXIST</c> when a run does not exist; the store's errors.</exception>
    public static async Task<RunComparison> CompareRunsAsync(this Tracker tracker, IReadOnlyList<string> runIds, string? baseline = null, CompareOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(runIds);
        if (runIds.Count == 0)
        {
            throw new ArgumentException("Give at least one run to compare.", nameof(runIds));
        }

        options ??= new CompareOptions();
        var ids = runIds.Distinct(StringComparer.Ordinal).ToList();
        baseline ??= ids[0];
        if (!ids.Contains(baseline, StringComparer.Ordinal))
        {
            ids.Insert(0, baseline);
        }

        // A few reads at a time: quick on a server without flooding it with a hundred concurrent requests.
        var runs = new RunSnapshot[ids.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, ids.Count),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (i, ct) => runs[i] = await tracker.GetRunAsync(ids[i], ct).ConfigureAwait(false)).ConfigureAwait(false);
        var tables = options.PairedTests
            ? await ReadTablesAsync(tracker, runs, baseline, cancellationToken).ConfigureAwait(false)
            : (Tables: new Dictionary<string, PerExampleTable>(), Warnings: new List<ComparisonWarning>());
        var comparison = RunComparer.Compare(runs, baseline, options, tables.Tables);
        return tables.Warnings.Count == 0 ? comparison : comparison with { Warnings = [.. comparison.Warnings, .. tables.Warnings] };
    }

    /// <summary>Reads the tables of the baseline and of the runs that evaluated one of its data sets.</summary>
    private static async Task<(Dictionary<string, PerExampleTable> Tables, List<ComparisonWarning> Warnings)> ReadTablesAsync(Tracker tracker, RunSnapshot[] runs, string baseline, CancellationToken cancellationToken)
    {
        var tables = new Dictionary<string, PerExampleTable>(StringComparer.Ordinal);
        var warnings = new List<ComparisonWarning>();
        var baselineDigests = RunComparer.EvaluationDatasets(runs.First(r => r.Info.RunId == baseline)).Select(d => d.Digest).ToHashSet(StringComparer.Ordinal);
        if (baselineDigests.Count == 0)
        {
            return (tables, warnings);
        }

        foreach (var run in runs.Where(r => RunComparer.EvaluationDatasets(r).Any(d => baselineDigests.Contains(d.Digest))))
        {
            try
            {
                if (await PerExampleTable.ReadAsync(tracker, run, cancellationToken).ConfigureAwait(false) is { } table)
                {
                    tables[run.Info.RunId] = table;
                }
            }
            catch (Exception e) when (e is FormatException or MlflowException or IOException)
            {
                warnings.Add(new ComparisonWarning(ComparisonWarningKind.TableUnreadable, $"The per-example table of run {run.Info.RunId} could not be read: {e.Message}", null, [run.Info.RunId]));
            }
        }

        return (tables, warnings);
    }
}
