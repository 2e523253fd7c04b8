using System.Text;

namespace LlmTrack.Reports;

/// <summary>
/// The report's side-by-side table, as data: the run names, the params whose values differ between the runs, each
/// metric's value and interval per run and — when the report has a <see cref="RunComparison"/> — each cell's delta
/// against the baseline with the paired test, and the comparison's warnings.
/// </summary>
/// <param name="RunNames">The column headings, one per run.</param>
/// <param name="Params">Params whose value is not the same in every run (absent = <see langword="null"/>).</param>
/// <param name="Metrics">Metric rows.</param>
/// <param name="Comparison">The runs' comparison, or <see langword="null"/>.</param>
/// <param name="RunIds">The run ids, one per column (to find a run's cell in <paramref name="Comparison"/>).</param>
internal sealed record ComparisonTable(
    IReadOnlyList<string> RunNames,
    IReadOnlyList<(string Key, IReadOnlyList<string?> Values)> Params,
    IReadOnlyList<(string Key, IReadOnlyList<MetricValue> Values)> Metrics,
    RunComparison? Comparison,
    IReadOnlyList<string> RunIds)
{
    /// <summary>Builds the table of <paramref name="runs"/> for <paramref name="metrics"/>, with their comparison when there is one.</summary>
    public static ComparisonTable FromRuns(IReadOnlyList<ReportRun> runs, IReadOnlyList<string> metrics, RunComparison? comparison = null)
    {
        var paramKeys = runs.SelectMany(r => r.Params.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var differing = new List<(string, IReadOnlyList<string?>)>();
        foreach (string key in paramKeys)
        {
            string?[] values = [.. runs.Select(r => r.Params.TryGetValue(key, out string? v) ? v : null)];
            if (values.Distinct(StringComparer.Ordinal).Skip(1).Any())
            {
                differing.Add((key, values));
            }
        }

        var metricRows = metrics.Select(k => (k, (IReadOnlyList<MetricValue>)[.. runs.Select(r => ReportMetrics.Value(r, k))])).ToList();
        return new ComparisonTable([.. runs.Select(r => r.Name)], differing, metricRows, comparison, [.. runs.Select(r => r.RunId)]);
    }

    /// <summary>Writes the table as an HTML <c>&lt;table&gt;</c> inside a container that scrolls sideways on its own.</summary>
    public void WriteHtml(StringBuilder html)
    {
        html.Append("<p class=\"note\">Params that differ between the runs, and each metric with its 95% bootstrap interval [lower, upper] when one was logged.");
        if (Comparison is { } comparison)
        {
            var baseline = RunIds.ToList().IndexOf(comparison.BaselineRunId);
            html.Append(" Δ is the difference from the baseline run").Append(baseline >= 0 ? " (" + ReportText.Html(RunNames[baseline]) + ")" : string.Empty)
                .Append("; p is the paired bootstrap test on the per-example scores, * when significant at α = ")
                .Append(ReportText.Number(comparison.Alpha)).Append('.');
        }

        html.Append("</p>\n");
        html.Append("<div class=\"scroll\" role=\"region\" aria-label=\"Comparison table\" tabindex=\"0\">\n<table class=\"comparison\">\n");
        html.Append("<caption class=\"hidden\">Params and metrics by run</caption>\n");
        html.Append("<thead><tr><th scope=\"col\"></th>");
        foreach (string name in RunNames)
        {
            html.Append("<th scope=\"col\">").Append(ReportText.Html(name)).Append("</th>");
        }

        html.Append("</tr></thead>\n<tbody>\n");
        if (Params.Count > 0)
        {
            html.Append("<tr class=\"group\"><th scope=\"rowgroup\" colspan=\"").Append(RunNames.Count + 1).Append("\">Params that differ</th></tr>\n");
        }

        foreach ((string key, IReadOnlyList<string?> values) in Params)
        {
            html.Append("<tr><th scope=\"row\">").Append(ReportText.Html(key)).Append("</th>");
            foreach (string? value in values)
            {
                html.Append(value is null ? "<td class=\"missing\">—</td>" : "<td>" + ReportText.Html(value) + "</td>");
            }

            html.Append("</tr>\n");
        }

        if (Metrics.Count > 0)
        {
            html.Append("<tr class=\"group\"><th scope=\"rowgroup\" colspan=\"").Append(RunNames.Count + 1).Append("\">Metrics</th></tr>\n");
        }

        foreach ((string key, IReadOnlyList<MetricValue> values) in Metrics)
        {
            html.Append("<tr><th scope=\"row\">").Append(ReportText.Html(key)).Append("</th>");
            for (var column = 0; column < values.Count; column++)
            {
                MetricValue value = values[column];
                if (value.Value is not double v)
                {
                    html.Append("<td class=\"missing\">—</td>");
                    continue;
                }

                html.Append("<td class=\"num\">").Append(ReportText.Number(v));
                if (value.Lower is double lo && value.Upper is double hi)
                {
                    html.Append("<span class=\"ci\"> [").Append(ReportText.Number(lo)).Append(", ").Append(ReportText.Number(hi)).Append("]</span>");
                }

                WriteDelta(html, key, column);

                html.Append("</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table>\n</div>\n");
        if (Comparison is { Warnings.Count: > 0 } withWarnings)
        {
            html.Append("<ul class=\"warnings\" aria-label=\"Comparison warnings\">\n");
            foreach (ComparisonWarning warning in withWarnings.Warnings)
            {
                html.Append("<li>").Append(ReportText.Html(warning.Message)).Append("</li>\n");
            }

            html.Append("</ul>\n");
        }
    }

    // "Δ +0.012 · p 0.004 *" under a cell of a run that is not the baseline.
    private void WriteDelta(StringBuilder html, string metric, int column)
    {
        MetricCell? cell = Comparison?.FindMetric(metric)?.Values.FirstOrDefault(c => c.RunId == RunIds[column]);
        if (cell?.Delta is not double delta)
        {
            return;
        }

        html.Append("<span class=\"delta\">Δ ").Append(delta >= 0 ? "+" : "−").Append(ReportText.Number(Math.Abs(delta)));
        if (cell.PairedTest is { } test)
        {
            html.Append(" · p ").Append(ReportText.Number(test.PValue)).Append(test.IsSignificant ? " *" : string.Empty);
        }

        html.Append("</span>");
    }
}
