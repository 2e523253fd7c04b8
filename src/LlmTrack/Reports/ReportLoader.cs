using System.Globalization;
using System.Text;
using System.Text.Json;
using LlmTrack.Evaluation;
using LlmTrack.Evaluation.Tables;
using LlmTrack.Model;

namespace LlmTrack.Reports;

/// <summary>
/// Reads a report's input from a store through the tracker: each run's params and latest metrics, the histories of
/// the metrics logged at later steps (downsampled), its per-example table and the confusion matrix counted from it.
/// </summary>
internal static class ReportLoader
{
    private const string DefaultTable = "eval_results_table.json";

    public static async Task<ReportInput> LoadAsync(Tracker tracker, IReadOnlyList<string> runIds, RunReportOptions options, CancellationToken cancellationToken)
    {
        var runs = new List<ReportRun>(runIds.Count);
        foreach (string runId in runIds)
        {
            RunSnapshot snapshot = await tracker.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
            runs.Add(await LoadRunAsync(tracker, snapshot, options, cancellationToken).ConfigureAwait(false));
        }

        // Two or more runs: the comparison adds deltas against the first run, paired tests and warnings to the table.
        RunComparison? comparison = runIds.Count >= 2
            ? await tracker.CompareRunsAsync(runIds, baseline: runIds[0], cancellationToken: cancellationToken).ConfigureAwait(false)
            : null;
        return new ReportInput(options.Title, runs) { Comparison = comparison };
    }

    private static async Task<ReportRun> LoadRunAsync(Tracker tracker, RunSnapshot snapshot, RunReportOptions options, CancellationToken cancellationToken)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (Metric metric in snapshot.Data.Metrics)
        {
            metrics[metric.Key] = metric.Value;
        }

        var wanted = options.Metrics is null ? null : new HashSet<string>(options.Metrics, StringComparer.Ordinal);
        var histories = new Dictionary<string, IReadOnlyList<Metric>>(StringComparer.Ordinal);
        foreach (Metric latest in snapshot.Data.Metrics.Where(m => m.Step > 0 && !ReportMetrics.IsBound(m.Key) && (wanted is null || wanted.Contains(m.Key))).Take(options.MaxMetrics))
        {
            IReadOnlyList<Metric> history = await tracker.GetMetricHistoryAsync(snapshot.Info.RunId, latest.Key, cancellationToken).ConfigureAwait(false);
            if (history.Count > 1)
            {
                histories[latest.Key] = HistoryDownsampler.Downsample(history, options.MaxHistoryPoints);
            }
        }

        ReportExampleTable? examples = await LoadTableAsync(tracker, snapshot, options, cancellationToken).ConfigureAwait(false);
        return new ReportRun
        {
            RunId = snapshot.Info.RunId,
            Name = string.IsNullOrEmpty(snapshot.Info.RunName) ? snapshot.Info.RunId : snapshot.Info.RunName,
            Params = snapshot.Data.Params.GroupBy(p => p.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal),
            Metrics = metrics,
            MetricHistories = histories,
            Examples = examples,
            ConfusionMatrix = examples is null ? null : CountConfusion(examples),
        };
    }

    private static async Task<ReportExampleTable?> LoadTableAsync(Tracker tracker, RunSnapshot snapshot, RunReportOptions options, CancellationToken cancellationToken)
    {
        string? path = options.ExampleTable ?? ChooseTable(snapshot.Data.Tags.Where(t => t.Key == MlflowTags.LoggedArtifacts).Select(t => t.Value).LastOrDefault());
        if (path is null)
        {
            return null;
        }

        string json;
        try
        {
            using var buffer = new MemoryStream();
            await tracker.DownloadArtifactAsync(snapshot.Info.ArtifactUri, path, buffer, cancellationToken).ConfigureAwait(false);
            json = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (Exception ex) when (ex is MlflowException or IOException)
        {
            return null;
        }

        List<PandasColumn> columns;
        int rowCount;
        try
        {
            columns = PandasReadJson.Read(json, out rowCount);
        }
        catch (FormatException)
        {
            return null;
        }

        var rows = new List<IReadOnlyList<object?>>(rowCount);
        for (int r = 0; r < rowCount; r++)
        {
            var row = new object?[columns.Count];
            for (int c = 0; c < columns.Count; c++)
            {
                row[c] = Plain(columns[c].Values[r]);
            }

            rows.Add(row);
        }

        return new ReportExampleTable([.. columns.Select(c => c.Name)], rows);
    }

    /// <summary>The table to read from the <c>mlflow.loggedArtifacts</c> tag: the evaluation's table, else the first listed.</summary>
    private static string? ChooseTable(string? loggedArtifacts)
    {
        if (string.IsNullOrEmpty(loggedArtifacts))
        {
            return null;
        }

        var paths = new List<string>();
        try
        {
            using var document = JsonDocument.Parse(loggedArtifacts);
            if (document.RootElement.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement entry in document.RootElement.EnumerateArray())
                {
                    if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("path", out JsonElement p) && p.ValueKind == JsonValueKind.String)
                    {
                        paths.Add(p.GetString()!);
                    }
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return paths.FirstOrDefault(p => p == DefaultTable || p.EndsWith("/" + DefaultTable, StringComparison.Ordinal)) ?? paths.FirstOrDefault();
    }

    private static object? Plain(object? value) => value switch
    {
        null or string or long or double or bool => value,
        RawJsonValue raw => raw.Json,
        PandasTimestamp stamp => DateTimeOffset.FromUnixTimeMilliseconds(stamp.Nanoseconds / 1_000_000).ToString("u", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    /// <summary>Counts the confusion matrix of a classification table (<c>target</c>, <c>prediction</c> and <c>correct</c> columns).</summary>
    internal static ReportConfusionMatrix? CountConfusion(ReportExampleTable table)
    {
        int target = IndexOf(table, "target");
        int prediction = IndexOf(table, "prediction");
        if (target < 0 || prediction < 0 || IndexOf(table, EvaluationMetricKeys.Classification.CorrectColumn) < 0)
        {
            return null;
        }

        var pairs = table.Rows.Where(r => r[target] is not null && r[prediction] is not null)
            .Select(r => (ReportText.Cell(r[target]), ReportText.Cell(r[prediction]))).ToList();
        string[] labels = [.. pairs.SelectMany(p => new[] { p.Item1, p.Item2 }).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        if (labels.Length is 0 or > 30)
        {
            return null;
        }

        var index = labels.Select((l, i) => (l, i)).ToDictionary(x => x.l, x => x.i, StringComparer.Ordinal);
        var counts = labels.Select(_ => new long[labels.Length]).ToArray();
        foreach ((string t, string p) in pairs)
        {
            counts[index[t]][index[p]]++;
        }

        return new ReportConfusionMatrix(labels, counts);
    }

    internal static int IndexOf(ReportExampleTable table, string column)
    {
        for (int i = 0; i < table.Columns.Count; i++)
        {
            if (table.Columns[i] == column)
            {
                return i;
            }
        }

        return -1;
    }
}
