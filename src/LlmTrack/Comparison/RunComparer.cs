using LlmTrack.Evaluation;
using LlmTrack.Model;

namespace LlmTrack.Comparison;

/// <summary>Builds a <see cref="RunComparison"/> from runs already read (and their per-example tables), without I/O.</summary>
internal static class RunComparer
{
    private const string SignatureSuffix = ".signature";

    /// <summary>Compares <paramref name="runs"/> against the run with id <paramref name="baselineRunId"/>.</summary>
    public static RunComparison Compare(IReadOnlyList<RunSnapshot> runs, string baselineRunId, CompareOptions options, IReadOnlyDictionary<string, PerExampleTable> tables)
    {
        var baselineIndex = IndexOf(runs, baselineRunId);
        var warnings = new List<ComparisonWarning>();
        var compared = runs.Select(r => new ComparedRun(r.Info.RunId, r.Info.RunName, r.Info.Status, DateTimeOffset.FromUnixTimeMilliseconds(r.Info.StartTime), r.Info.ExperimentId, EvaluationDatasets(r))).ToList();
        var (differing, equal) = CompareParams(runs);
        var sameData = SameDatasetAsBaseline(compared, baselineIndex, warnings);

        var metrics = runs.Select(r => r.Data.Metrics.GroupBy(m => m.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal)).ToList();
        var tags = runs.Select(r => r.Data.Tags.GroupBy(t => t.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal)).ToList();
        var allKeys = new SortedSet<string>(metrics.SelectMany(m => m.Keys), StringComparer.Ordinal);
        var rows = new List<MetricComparison>();
        foreach (var key in allKeys)
        {
            if (IsIntervalBound(key, allKeys))
            {
                continue;
            }

            rows.Add(CompareMetric(key, runs, baselineIndex, metrics, tags, sameData, tables, options, warnings));
        }

        return new RunComparison
        {
            Runs = compared,
            BaselineRunId = baselineRunId,
            DifferingParams = differing,
            EqualParams = equal,
            Metrics = rows,
            Warnings = warnings,
            Alpha = options.Alpha,
        };
    }

    /// <summary>The data sets a run evaluated: inputs with context <c>eval</c>, or every input when none has that context.</summary>
    public static IReadOnlyList<Dataset> EvaluationDatasets(RunSnapshot run)
    {
        var eval = run.Inputs.Where(i => i.Tags.Any(t => t.Key == MlflowTags.DatasetContext && t.Value == "eval")).Select(i => i.Dataset).ToList();
        return eval.Count > 0 ? eval : [.. run.Inputs.Select(i => i.Dataset)];
    }

    private static int IndexOf(IReadOnlyList<RunSnapshot> runs, string runId)
    {
        for (var i = 0; i < runs.Count; i++)
        {
            if (runs[i].Info.RunId == runId)
            {
                return i;
            }
        }

        throw new ArgumentException($"The baseline run '{runId}' is not among the compared runs.", nameof(runId));
    }

    private static bool IsIntervalBound(string key, SortedSet<string> keys)
    {
        foreach (var suffix in (ReadOnlySpan<string>)[EvaluationMetricKeys.ConfidenceIntervalLowerSuffix, EvaluationMetricKeys.ConfidenceIntervalUpperSuffix])
        {
            if (key.EndsWith(suffix, StringComparison.Ordinal) && keys.Contains(key[..^suffix.Length]))
            {
                return true;
            }
        }

        return false;
    }

    private static (List<ParamComparison> Differing, List<ParamComparison> Equal) CompareParams(IReadOnlyList<RunSnapshot> runs)
    {
        var values = runs.Select(r => r.Data.Params.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal)).ToList();
        var differing = new List<ParamComparison>();
        var equal = new List<ParamComparison>();
        foreach (var key in new SortedSet<string>(values.SelectMany(v => v.Keys), StringComparer.Ordinal))
        {
            var row = values.Select(v => v.TryGetValue(key, out var value) ? value : null).ToList();
            (row.Distinct(StringComparer.Ordinal).Count() == 1 && row[0] is not null ? equal : differing).Add(new ParamComparison(key, row));
        }

        return (differing, equal);
    }

    /// <summary>For each run, whether it evaluated a data set with a digest the baseline also evaluated; warns when they differ.</summary>
    private static bool[] SameDatasetAsBaseline(List<ComparedRun> runs, int baselineIndex, List<ComparisonWarning> warnings)
    {
        var baselineDigests = runs[baselineIndex].EvaluationDatasets.Select(d => d.Digest).ToHashSet(StringComparer.Ordinal);
        var same = new bool[runs.Count];
        var different = new List<string>();
        for (var i = 0; i < runs.Count; i++)
        {
            var digests = runs[i].EvaluationDatasets.Select(d => d.Digest).ToList();
            same[i] = digests.Any(baselineDigests.Contains);
            if (i != baselineIndex && !same[i] && (digests.Count > 0 || baselineDigests.Count > 0))
            {
                different.Add(runs[i].RunId);
            }
        }

        if (different.Count > 0)
        {
            var describe = string.Join(", ", runs[baselineIndex].EvaluationDatasets.Select(d => $"{d.Name} ({d.Digest})"));
            warnings.Add(new ComparisonWarning(
                ComparisonWarningKind.DifferentDatasets,
                $"{different.Count} run(s) did not evaluate the baseline's data set{(describe.Length > 0 ? " " + describe : "")}: their metrics are not comparable and were not tested.",
                null,
                [runs[baselineIndex].RunId, .. different]));
        }

        return same;
    }

    private static MetricComparison CompareMetric(
        string key,
        IReadOnlyList<RunSnapshot> runs,
        int baselineIndex,
        List<Dictionary<string, double>> metrics,
        List<Dictionary<string, string>> tags,
        bool[] sameData,
        IReadOnlyDictionary<string, PerExampleTable> tables,
        CompareOptions options,
        List<ComparisonWarning> warnings)
    {
        double? Get(int run, string k) => metrics[run].TryGetValue(k, out var v) ? v : null;
        var baseline = Get(baselineIndex, key);
        var baselineScores = options.PairedTests ? Scores(runs[baselineIndex], key, tables, options) : null;
        var cells = new List<MetricCell>(runs.Count);
        var missing = new List<string>();
        var signatures = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (var i = 0; i < runs.Count; i++)
        {
            var runId = runs[i].Info.RunId;
            var value = Get(i, key);
            if (value is null)
            {
                missing.Add(runId);
            }

            var signature = tags[i].TryGetValue(key + SignatureSuffix, out var s) ? s : null;
            if (signature is not null)
            {
                (signatures.TryGetValue(signature, out var list) ? list : signatures[signature] = []).Add(runId);
            }

            double? delta = i != baselineIndex && value is { } v && baseline is { } b ? v - b : null;
            double? relative = delta is { } d && baseline is { } bb && bb != 0 ? d / Math.Abs(bb) : null;
            PairedTestResult? test = null;
            if (i != baselineIndex && sameData[i] && baselineScores is not null && Scores(runs[i], key, tables, options) is { } scores)
            {
                test = PairedTest(key, runs[baselineIndex].Info.RunId, runId, baselineScores.Value, scores, options, warnings);
            }

            cells.Add(new MetricCell(runId, value, Get(i, key + EvaluationMetricKeys.ConfidenceIntervalLowerSuffix), Get(i, key + EvaluationMetricKeys.ConfidenceIntervalUpperSuffix), delta, relative, signature, test));
        }

        if (missing.Count > 0)
        {
            warnings.Add(new ComparisonWarning(ComparisonWarningKind.MissingMetric, $"Metric '{key}' is missing in {missing.Count} of {runs.Count} runs.", key, missing));
        }

        if (signatures.Count > 1)
        {
            warnings.Add(new ComparisonWarning(
                ComparisonWarningKind.DifferentMetricSignatures,
                $"Metric '{key}' was computed with different signatures ({string.Join(" vs ", signatures.Keys)}): its values are not comparable.",
                key,
                [.. signatures.Values.SelectMany(v => v)]));
        }

        return new MetricComparison(key, cells);
    }

    private static (List<object?> Scores, List<object?>? Inputs, string Column)? Scores(RunSnapshot run, string key, IReadOnlyDictionary<string, PerExampleTable> tables, CompareOptions options) =>
        tables.TryGetValue(run.Info.RunId, out var table) ? table.FindScores(key, options.ScoreColumns) : null;

    private static PairedTestResult? PairedTest(
        string key,
        string baselineRunId,
        string runId,
        (List<object?> Scores, List<object?>? Inputs, string Column) baseline,
        (List<object?> Scores, List<object?>? Inputs, string Column) candidate,
        CompareOptions options,
        List<ComparisonWarning> warnings)
    {
        var aligned = baseline.Scores.Count == candidate.Scores.Count
            && (baseline.Inputs is null || candidate.Inputs is null || baseline.Inputs.SequenceEqual(candidate.Inputs));
        if (!aligned || baseline.Column != candidate.Column)
        {
            warnings.Add(new ComparisonWarning(
                ComparisonWarningKind.TablesNotAligned,
                $"The per-example tables of runs {baselineRunId} and {runId} do not list the same examples in the same order ({baseline.Scores.Count} and {candidate.Scores.Count} rows): no paired test of '{key}'.",
                key,
                [baselineRunId, runId]));
            return null;
        }

        // Pairs where either run has no score (a failed example) are left out of both.
        var b = new List<double>(baseline.Scores.Count);
        var c = new List<double>(baseline.Scores.Count);
        for (var i = 0; i < baseline.Scores.Count; i++)
        {
            if (PerExampleTable.AsScore(baseline.Scores[i]) is { } x && PerExampleTable.AsScore(candidate.Scores[i]) is { } y)
            {
                b.Add(x);
                c.Add(y);
            }
        }

        return b.Count == 0 ? null : PairedBootstrap.Test(b, c, options.Alpha, options.BootstrapSamples, options.Seed, baseline.Column);
    }
}
