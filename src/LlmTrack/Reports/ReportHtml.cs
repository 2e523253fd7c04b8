using System.Globalization;
using System.Text;
using LlmTrack.Evaluation.Figures;

namespace LlmTrack.Reports;

/// <summary>Writes a report's HTML: one file, inline CSS and SVG, no script, semantic sections.</summary>
internal static class ReportHtml
{
    public static string Render(ReportInput input, RunReportOptions options, DateTimeOffset generated)
    {
        IReadOnlyList<ReportRun> runs = input.Runs;
        IReadOnlyList<string> metrics = ReportMetrics.Choose(runs, options);
        var html = new StringBuilder(64 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<meta name=\"generator\" content=\"LlmTrack\">\n")
            .Append("<title>").Append(ReportText.Html(input.Title)).Append("</title>\n<style>\n").Append(ReportStyles.Css).Append("\n</style>\n</head>\n<body>\n<main>\n");
        html.Append("<header>\n<h1>").Append(ReportText.Html(input.Title)).Append("</h1>\n<p class=\"meta\">")
            .Append(runs.Count.ToString(CultureInfo.InvariantCulture)).Append(runs.Count == 1 ? " run" : " runs")
            .Append(" · generated ").Append(generated.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)).Append(" by LlmTrack</p>\n");
        html.Append("<nav aria-label=\"Sections\"><ul><li><a href=\"#runs\">Runs</a></li><li><a href=\"#comparison\">Comparison</a></li><li><a href=\"#metrics\">Metrics</a></li>")
            .Append("<li><a href=\"#history\">Over steps</a></li><li><a href=\"#confusion\">Confusion matrices</a></li><li><a href=\"#scatter\">Scatter</a></li><li><a href=\"#disagreements\">Disagreements</a></li></ul></nav>\n</header>\n");

        WriteRuns(html, runs);
        html.Append("<section id=\"comparison\" aria-labelledby=\"comparison-h\">\n<h2 id=\"comparison-h\">Comparison</h2>\n");
        ComparisonTable.FromRuns(runs, metrics, input.Comparison).WriteHtml(html);
        html.Append("</section>\n");
        WriteBars(html, runs, metrics);
        WriteHistories(html, runs, metrics, options);
        WriteConfusion(html, runs);
        WriteScatter(html, runs, metrics, options);
        WriteDisagreements(html, runs, options);
        html.Append("</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void WriteRuns(StringBuilder html, IReadOnlyList<ReportRun> runs)
    {
        html.Append("<section id=\"runs\" aria-labelledby=\"runs-h\">\n<h2 id=\"runs-h\">Runs</h2>\n");
        html.Append("<div class=\"scroll\" role=\"region\" aria-label=\"Runs\" tabindex=\"0\">\n<table class=\"runs\">\n<thead><tr><th scope=\"col\">#</th><th scope=\"col\">Run</th><th scope=\"col\">Run id</th><th scope=\"col\">Examples</th></tr></thead>\n<tbody>\n");
        for (int i = 0; i < runs.Count; i++)
        {
            html.Append("<tr><td class=\"num\">").Append(i + 1).Append("</td><th scope=\"row\">").Append(ReportText.Html(runs[i].Name))
                .Append("</th><td><code>").Append(ReportText.Html(runs[i].RunId)).Append("</code></td><td class=\"num\">")
                .Append(runs[i].Examples is { } t ? t.Rows.Count.ToString(CultureInfo.InvariantCulture) : "—").Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n</div>\n</section>\n");
    }

    private static void WriteBars(StringBuilder html, IReadOnlyList<ReportRun> runs, IReadOnlyList<string> metrics)
    {
        html.Append("<section id=\"metrics\" aria-labelledby=\"metrics-h\">\n<h2 id=\"metrics-h\">Metrics by run</h2>\n");
        html.Append("<p class=\"note\">Bars show each run's latest value; whiskers show the 95% bootstrap interval where one was logged.</p>\n<div class=\"grid\">\n");
        foreach (string metric in metrics)
        {
            var bars = runs.Select(r => ReportMetrics.Value(r, metric))
                .Select((v, i) => new ReportFigures.Bar(runs[i].Name, v.Value ?? double.NaN, v.Lower, v.Upper)).ToList();
            Figure(html, ReportFigures.MetricBars(metric, bars), metric + " by run", null);
        }

        html.Append("</div>\n</section>\n");
    }

    private static void WriteHistories(StringBuilder html, IReadOnlyList<ReportRun> runs, IReadOnlyList<string> metrics, RunReportOptions options)
    {
        html.Append("<section id=\"history\" aria-labelledby=\"history-h\">\n<h2 id=\"history-h\">Metrics over steps</h2>\n");
        var shown = metrics.Where(m => runs.Any(r => r.MetricHistories.ContainsKey(m))).ToList();
        if (shown.Count == 0)
        {
            html.Append("<p class=\"note\">No metric was logged at more than one step.</p>\n</section>\n");
            return;
        }

        html.Append("<div class=\"grid\">\n");
        foreach (string metric in shown)
        {
            var series = runs.Select(r => LineSeries.FromMetrics(ReportFigures.ShortName(r.Name, 28),
                r.MetricHistories.TryGetValue(metric, out var h) ? HistoryDownsampler.Downsample(h, options.MaxHistoryPoints) : [])).ToList();
            string svg = SvgFigures.LineChart(series, new LineChartOptions { Title = metric, YLabel = metric, Width = 640, Height = 380, Palette = ReportFigures.Palette }).Svg;
            Figure(html, svg, metric + " over steps", null);
        }

        html.Append("</div>\n</section>\n");
    }

    private static void WriteConfusion(StringBuilder html, IReadOnlyList<ReportRun> runs)
    {
        html.Append("<section id=\"confusion\" aria-labelledby=\"confusion-h\">\n<h2 id=\"confusion-h\">Confusion matrices</h2>\n");
        var withMatrix = runs.Where(r => r.ConfusionMatrix is not null).ToList();
        if (withMatrix.Count == 0)
        {
            html.Append("<p class=\"note\">No run has a classification table.</p>\n</section>\n");
            return;
        }

        html.Append("<p class=\"note\">Rows: true label; columns: predicted label; cells: counts, counted from each run's per-example table.</p>\n<div class=\"grid small\">\n");
        for (int i = 0; i < withMatrix.Count; i++)
        {
            ReportConfusionMatrix matrix = withMatrix[i].ConfusionMatrix!;
            string svg = SvgFigures.ConfusionMatrix(matrix.Labels, matrix.Counts, new ConfusionMatrixOptions { Title = withMatrix[i].Name, Width = 380, Height = 300 }).Svg
                .Replace("cm-scale", "cm-scale-" + i.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
            Figure(html, svg, "Confusion matrix of " + withMatrix[i].Name, null);
        }

        html.Append("</div>\n</section>\n");
    }

    private static void WriteScatter(StringBuilder html, IReadOnlyList<ReportRun> runs, IReadOnlyList<string> metrics, RunReportOptions options)
    {
        html.Append("<section id=\"scatter\" aria-labelledby=\"scatter-h\">\n<h2 id=\"scatter-h\">Scatter</h2>\n");
        string? x = options.ScatterX ?? (metrics.Count > 0 ? metrics[0] : null);
        string? y = options.ScatterY ?? metrics.FirstOrDefault(m => m != x);
        if (x is null || y is null)
        {
            html.Append("<p class=\"note\">A scatter plot needs two metrics.</p>\n</section>\n");
            return;
        }

        var points = runs.Select(r => new ReportFigures.Point(r.Name, ReportMetrics.Value(r, x).Value ?? double.NaN, ReportMetrics.Value(r, y).Value ?? double.NaN)).ToList();
        html.Append("<div class=\"grid\">\n");
        Figure(html, ReportFigures.Scatter(x, y, points), y + " against " + x, "One point per run, labelled with its name.");
        html.Append("</div>\n</section>\n");
    }

    private static void WriteDisagreements(StringBuilder html, IReadOnlyList<ReportRun> runs, RunReportOptions options)
    {
        html.Append("<section id=\"disagreements\" aria-labelledby=\"disagreements-h\">\n<h2 id=\"disagreements-h\">Where the runs disagree most</h2>\n");
        DisagreementTable table = ExampleDisagreement.Find(runs, options);
        if (table.Rows.Count == 0)
        {
            html.Append("<p class=\"note\">").Append(runs.Count(r => r.Examples is not null) < 2
                ? "Fewer than two runs have a per-example table."
                : "The runs agree on every example they share.").Append("</p>\n</section>\n");
            return;
        }

        html.Append("<p class=\"note\">Examples are matched by <code>").Append(ReportText.Html(options.ExampleKeyColumn))
            .Append("</code> and ranked by the spread (highest − lowest) of ")
            .Append(table.ScoreColumn is null ? "their scores" : "<code>" + ReportText.Html(table.ScoreColumn) + "</code>")
            .Append(" across the runs, then by how many different predictions they got. The top ")
            .Append(table.Rows.Count.ToString(CultureInfo.InvariantCulture)).Append(" are shown.</p>\n");
        html.Append("<div class=\"scroll\" role=\"region\" aria-label=\"Examples where the runs disagree\" tabindex=\"0\">\n<table class=\"examples\">\n<thead><tr><th scope=\"col\">Example</th><th scope=\"col\">Target</th><th scope=\"col\">Spread</th>");
        foreach (ReportRun run in runs)
        {
            html.Append("<th scope=\"col\">").Append(ReportText.Html(run.Name)).Append("</th>");
        }

        html.Append("</tr></thead>\n<tbody>\n");
        foreach (DisagreementRow row in table.Rows)
        {
            html.Append("<tr><td class=\"text\">").Append(ReportText.Html(SvgText.Truncate(row.Key, options.MaxCellLength))).Append("</td><td>")
                .Append(ReportText.Html(SvgText.Truncate(row.Target ?? "", options.MaxCellLength))).Append("</td><td class=\"num\">")
                .Append(ReportText.Number(row.Spread)).Append("</td>");
            for (int r = 0; r < runs.Count; r++)
            {
                if (!row.Present[r])
                {
                    html.Append("<td class=\"missing\">—</td>");
                    continue;
                }

                html.Append("<td>");
                if (row.Predictions[r] is string prediction)
                {
                    html.Append(ReportText.Html(SvgText.Truncate(prediction, options.MaxCellLength)));
                }

                if (double.IsFinite(row.Scores[r]))
                {
                    string verdict = table.ScoreColumn == "correct" ? (row.Scores[r] >= 1 ? "✓ correct" : "✗ wrong") : ReportText.Number(row.Scores[r]);
                    string css = table.ScoreColumn == "correct" ? (row.Scores[r] >= 1 ? "good" : "bad") : "ci";
                    html.Append(row.Predictions[r] is null ? "" : "<br>").Append("<span class=\"").Append(css).Append("\">").Append(ReportText.Html(verdict)).Append("</span>");
                }

                html.Append("</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table>\n</div>\n</section>\n");
    }

    /// <summary>Embeds an SVG figure with an accessible name (<c>role="img"</c>, <c>aria-label</c>; its <c>&lt;title&gt;</c> stays).</summary>
    private static void Figure(StringBuilder html, string svg, string label, string? caption)
    {
        html.Append("<figure>\n").Append("<svg role=\"img\" aria-label=\"").Append(ReportText.Html(label)).Append("\" ")
            .Append(svg.AsSpan(svg.IndexOf("<svg ", StringComparison.Ordinal) + 5));
        if (caption is not null)
        {
            html.Append("<figcaption>").Append(ReportText.Html(caption)).Append("</figcaption>\n");
        }

        html.Append("</figure>\n");
    }
}
