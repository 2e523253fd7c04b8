using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using LlmTrack.Cli.Common;

namespace LlmTrack.Cli.Runs;

/// <summary>A <see cref="RunComparison"/> as a text table, JSON, Markdown or a simple self-contained HTML page.</summary>
internal static class ComparisonOutput
{
    /// <summary>Writes the comparison in <paramref name="format"/>.</summary>
    public static void Write(TextWriter output, string format, RunComparison comparison)
    {
        switch (format)
        {
            case "json":
                JsonOutput.Write(output, w => WriteJson(w, comparison));
                break;
            case "markdown":
                output.Write(Markdown(comparison));
                break;
            case "html":
                output.Write(Html(comparison));
                break;
            default:
                WriteText(output, comparison);
                break;
        }
    }

    /// <summary>One metric cell: value, [CI], Δ against the baseline and the paired test's p-value.</summary>
    private static string Cell(MetricCell cell, bool isBaseline)
    {
        if (cell.Value is not { } value)
        {
            return "–";
        }

        var text = new StringBuilder(RunsCli.Number(value));
        if (cell.CiLower is { } lo && cell.CiUpper is { } hi)
        {
            text.Append(" [").Append(RunsCli.Number(lo)).Append(", ").Append(RunsCli.Number(hi)).Append(']');
        }

        if (!isBaseline && cell.Delta is { } delta)
        {
            text.Append(" Δ").Append(delta >= 0 ? "+" : "").Append(RunsCli.Number(delta));
            if (cell.RelativeDelta is { } relative)
            {
                text.Append(string.Create(CultureInfo.InvariantCulture, $" ({relative * 100:+0.##;-0.##;0}%)"));
            }
        }

        if (cell.PairedTest is { } test)
        {
            text.Append(" p=").Append(RunsCli.Number(test.PValue)).Append(test.IsSignificant ? " *" : "");
        }

        return text.ToString();
    }

    private static string RunHeader(ComparedRun run, RunComparison comparison) =>
        (run.Name ?? run.RunId[..8]) + (run.RunId == comparison.BaselineRunId ? " (baseline)" : "");

    private static List<IReadOnlyList<string>> MetricRows(RunComparison comparison) =>
        [.. comparison.Metrics.Select(m => (IReadOnlyList<string>)[m.Key, .. m.Values.Select(c => Cell(c, c.RunId == comparison.BaselineRunId))])];

    private static List<IReadOnlyList<string>> ParamRows(IReadOnlyList<ParamComparison> parameters) =>
        [.. parameters.Select(p => (IReadOnlyList<string>)[p.Key, .. p.Values.Select(v => v ?? "–")])];

    private static void WriteText(TextWriter output, RunComparison comparison)
    {
        string[] header = ["", .. comparison.Runs.Select(r => RunHeader(r, comparison))];
        RunsCli.WriteTable(output, header, [(IReadOnlyList<string>)["run_id", .. comparison.Runs.Select(r => r.RunId)], .. ParamRows(comparison.DifferingParams), .. MetricRows(comparison)]);
        if (comparison.EqualParams.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("Same in every run: " + string.Join(", ", comparison.EqualParams.Select(p => $"{p.Key}={p.Values[0]}")));
        }

        WriteFootnotes(output, comparison, "");
    }

    private static void WriteFootnotes(TextWriter output, RunComparison comparison, string warningPrefix)
    {
        if (comparison.Metrics.Any(m => m.Values.Any(c => c.PairedTest is not null)))
        {
            output.WriteLine();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"p: paired bootstrap on the per-example scores against the baseline; * significant at α = {comparison.Alpha}."));
        }

        foreach (var warning in comparison.Warnings)
        {
            output.WriteLine();
            output.WriteLine($"{warningPrefix}warning ({warning.Kind}): {warning.Message}");
        }
    }

    private static string Markdown(RunComparison comparison)
    {
        static string Escape(string s) => s.Replace("|", "\\|", StringComparison.Ordinal);
        var md = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        md.WriteLine("| | " + string.Join(" | ", comparison.Runs.Select(r => Escape(RunHeader(r, comparison)))) + " |");
        md.WriteLine("|---|" + string.Concat(comparison.Runs.Select(_ => "---|")));
        md.WriteLine("| run_id | " + string.Join(" | ", comparison.Runs.Select(r => $"`{r.RunId}`")) + " |");
        foreach (var row in ParamRows(comparison.DifferingParams).Concat(MetricRows(comparison)))
        {
            md.WriteLine("| " + string.Join(" | ", row.Select(Escape)) + " |");
        }

        if (comparison.EqualParams.Count > 0)
        {
            md.WriteLine();
            md.WriteLine("Same in every run: " + string.Join(", ", comparison.EqualParams.Select(p => $"`{p.Key}={p.Values[0]}`")));
        }

        WriteFootnotes(md, comparison, "> ⚠️ ");
        return md.ToString();
    }

    private static string Html(RunComparison comparison)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Run comparison</title>\n")
            .Append("<style>body{font-family:system-ui,sans-serif;margin:1rem;color:#1a1a1a}table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}")
            .Append("th{background:#f2f2f2}.sig{font-weight:bold;color:#0b5394}.warn{color:#8a4b00}.wrap{overflow-x:auto}</style></head><body>\n<h1>Run comparison</h1>\n<div class=\"wrap\"><table>\n<tr><th></th>");
        foreach (var run in comparison.Runs)
        {
            html.Append("<th>").Append(E(RunHeader(run, comparison))).Append("<br><small>").Append(E(run.RunId)).Append("</small></th>");
        }

        html.Append("</tr>\n");
        foreach (var row in ParamRows(comparison.DifferingParams))
        {
            html.Append("<tr><th>").Append(E(row[0])).Append("</th>").Append(string.Concat(row.Skip(1).Select(c => "<td>" + E(c) + "</td>"))).Append("</tr>\n");
        }

        foreach (var metric in comparison.Metrics)
        {
            html.Append("<tr><th>").Append(E(metric.Key)).Append("</th>");
            foreach (var cell in metric.Values)
            {
                var significant = cell.PairedTest?.IsSignificant == true ? " class=\"sig\"" : "";
                html.Append("<td").Append(significant).Append('>').Append(E(Cell(cell, cell.RunId == comparison.BaselineRunId))).Append("</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</table></div>\n");
        foreach (var warning in comparison.Warnings)
        {
            html.Append("<p class=\"warn\">⚠ ").Append(E(warning.Message)).Append("</p>\n");
        }

        return html.Append("</body></html>\n").ToString();
    }

    private static void WriteJson(Utf8JsonWriter w, RunComparison comparison)
    {
        w.WriteStartObject();
        w.WriteString("baseline_run_id", comparison.BaselineRunId);
        w.WriteNumber("alpha", comparison.Alpha);
        w.WriteStartArray("runs");
        foreach (var run in comparison.Runs)
        {
            w.WriteStartObject();
            w.WriteString("run_id", run.RunId);
            w.WriteString("run_name", run.Name);
            w.WriteString("status", run.Status.ToString().ToUpperInvariant());
            w.WriteNumber("start_time", run.StartTime.ToUnixTimeMilliseconds());
            w.WriteStartArray("dataset_digests");
            foreach (var dataset in run.EvaluationDatasets)
            {
                w.WriteStringValue(dataset.Digest);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        WriteParams(w, "differing_params", comparison.DifferingParams);
        WriteParams(w, "equal_params", comparison.EqualParams);
        w.WriteStartArray("metrics");
        foreach (var metric in comparison.Metrics)
        {
            w.WriteStartObject();
            w.WriteString("key", metric.Key);
            w.WriteStartArray("values");
            foreach (var cell in metric.Values)
            {
                w.WriteStartObject();
                w.WriteString("run_id", cell.RunId);
                Number(w, "value", cell.Value);
                Number(w, "ci_lower", cell.CiLower);
                Number(w, "ci_upper", cell.CiUpper);
                Number(w, "delta", cell.Delta);
                Number(w, "relative_delta", cell.RelativeDelta);
                w.WriteString("signature", cell.Signature);
                if (cell.PairedTest is { } test)
                {
                    w.WriteStartObject("paired_test");
                    w.WriteString("score", test.ScoreName);
                    w.WriteNumber("examples", test.ExampleCount);
                    w.WriteNumberOrNull("observed_difference", test.ObservedDifference);
                    w.WriteNumberOrNull("p_value", test.PValue);
                    w.WriteBoolean("significant", test.IsSignificant);
                    w.WriteNumber("samples", test.Samples);
                    w.WriteNumber("seed", test.Seed);
                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("warnings");
        foreach (var warning in comparison.Warnings)
        {
            w.WriteStartObject();
            w.WriteString("kind", warning.Kind.ToString());
            w.WriteString("message", warning.Message);
            w.WriteString("metric", warning.MetricKey);
            w.WriteStartArray("run_ids");
            foreach (var id in warning.RunIds)
            {
                w.WriteStringValue(id);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteParams(Utf8JsonWriter w, string name, IReadOnlyList<ParamComparison> parameters)
    {
        w.WriteStartArray(name);
        foreach (var param in parameters)
        {
            w.WriteStartObject();
            w.WriteString("key", param.Key);
            w.WriteStartArray("values");
            foreach (var value in param.Values)
            {
                w.WriteStringValue(value);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void Number(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
        {
            w.WriteNumberOrNull(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
