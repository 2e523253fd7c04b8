using System.Text.RegularExpressions;
using LlmTrack.Reports;
using LlmTrack.Tests.Sqlite;

namespace LlmTrack.Tests.Reports;

public sealed class RunReportTests
{
    [Fact]
    public async Task LoadingReadsParamsMetricsHistoriesTablesAndCountsTheConfusionMatrix()
    {
        using var folder = new TempFolder();
        await using var tracker = ReportRuns.Open(folder);
        var ids = await ReportRuns.LogAsync(tracker);
        ReportInput input = await RunReport.LoadAsync(tracker, ids);
        Assert.Equal(["model-a", "model-b", "model-c"], input.Runs.Select(r => r.Name));
        ReportRun a = input.Runs[0];
        Assert.Equal("0.5", a.Params["smoothing"]);
        Assert.Equal(40, a.MetricHistories["loss"].Count);
        Assert.Equal(8, a.Examples!.Rows.Count);
        Assert.Equal(["neg", "pos"], a.ConfusionMatrix!.Labels);
        // model-a is wrong on the even examples: 0 (pos), 2 (neg), 4 (neg), 6 (pos).
        Assert.Equal([2L, 2L], a.ConfusionMatrix.Counts[0]);
        Assert.Equal([2L, 2L], a.ConfusionMatrix.Counts[1]);
        Assert.Equal(0.5, a.Metrics["accuracy"]);
    }

    [Fact]
    public async Task TheHtmlHasEverySectionOnlyTheDifferingParamsAndNoScriptOrNetworkReference()
    {
        using var folder = new TempFolder();
        await using var tracker = ReportRuns.Open(folder);
        var ids = await ReportRuns.LogAsync(tracker);
        string html = await RunReport.BuildAsync(tracker, ids, new RunReportOptions { Title = "Sentiment runs" });
        foreach (string id in new[] { "runs", "comparison", "metrics", "history", "confusion", "scatter", "disagreements" })
        {
            Assert.Contains("<section id=\"" + id + "\"", html, StringComparison.Ordinal);
        }

        Assert.Contains("<th scope=\"row\">smoothing</th>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<th scope=\"row\">tokenizer</th>", html, StringComparison.Ordinal);
        Assert.Contains("0.5<span class=\"ci\"> [0.4, 0.58]</span>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        var urls = Regex.Matches(html, "(?:https?:)?//[^\"' )]+").Select(m => m.Value).Distinct().ToList();
        Assert.Equal(["http://www.w3.org/2000/svg"], urls);
        Assert.Equal(3, Regex.Count(html, "id=\"cm-scale-\\d\""));
    }

    [Fact]
    public async Task TheComparisonTableShowsEachRunsDeltaAgainstTheFirstRunFromTheRunComparison()
    {
        using var folder = new TempFolder();
        await using var tracker = ReportRuns.Open(folder);
        var ids = await ReportRuns.LogAsync(tracker);
        ReportInput input = await RunReport.LoadAsync(tracker, ids);
        RunComparison comparison = Assert.IsType<RunComparison>(input.Comparison);
        Assert.Equal(ids[0], comparison.BaselineRunId);
        double delta = comparison.FindMetric("accuracy")!.Values.Single(c => c.RunId == ids[1]).Delta!.Value;
        Assert.Equal(input.Runs[1].Metrics["accuracy"] - input.Runs[0].Metrics["accuracy"], delta, 12);

        string html = RunReport.Render(input);
        string cell = (delta >= 0 ? "+" : "−") + ReportTextNumber(Math.Abs(delta));
        Assert.Contains("<span class=\"delta\">Δ " + cell, html, StringComparison.Ordinal);
        Assert.Contains("difference from the baseline run (model-a)", html, StringComparison.Ordinal);

        // A single run has nothing to compare with.
        Assert.Null((await RunReport.LoadAsync(tracker, [ids[0]])).Comparison);
    }

    private static string ReportTextNumber(double value) => LlmTrack.Reports.ReportText.Number(value);

    [Fact]
    public void TheExamplesWhereTheRunsDisagreeComeFirstAndAgreementsAreLeftOut()
    {
        static ReportRun Run(string name, params bool[] correct) => new()
        {
            RunId = name,
            Name = name,
            Examples = new ReportExampleTable(["inputs", "prediction", "target", "correct"],
                [.. correct.Select((c, i) => (IReadOnlyList<object?>)["x" + i, c ? "y" : "n", "y", c])]),
        };

        var runs = new[] { Run("a", true, true, false, true), Run("b", true, false, false, false), Run("c", true, false, false, true) };
        DisagreementTable table = ExampleDisagreement.Find(runs, new RunReportOptions());
        Assert.Equal("correct", table.ScoreColumn);
        Assert.Equal(["x1", "x3"], table.Rows.Select(r => r.Key));
        Assert.Equal([1.0, 0.0, 0.0], table.Rows[0].Scores);
    }

    [Fact]
    public void LongHistoriesAreBoundedAndKeepTheirExtremesAndLastPoint()
    {
        var history = Enumerable.Range(0, 10_000).Select(s => new Metric("loss", s == 4321 ? 99 : Math.Sin(s / 100.0), 0, s)).ToList();
        var kept = HistoryDownsampler.Downsample(history, 300);
        Assert.True(kept.Count <= 301, "kept " + kept.Count);
        Assert.Contains(kept, m => m.Step == 4321);
        Assert.Equal(9999, kept[^1].Step);
        Assert.Equal(0, kept[0].Step);
    }

    [Fact]
    public async Task LogReportStoresTheHtmlAsAnArtifactOfTheRun()
    {
        using var folder = new TempFolder();
        await using var tracker = ReportRuns.Open(folder);
        var ids = await ReportRuns.LogAsync(tracker, runs: 2, steps: 2);
        string artifactUri;
        await using (var summary = await tracker.StartRunAsync("report-tests", runName: "summary"))
        {
            await summary.LogReportAsync(ids);
            artifactUri = summary.ArtifactUri;
        }

        string file = Path.Combine(new Uri(artifactUri).LocalPath, "report.html");
        string html = await File.ReadAllTextAsync(file);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("model-b", html, StringComparison.Ordinal);
    }
}

public sealed class RunReportSizeTests
{
    [Fact]
    public void TwentyRunsWithTenThousandRowTablesAndLongHistoriesStayUnderFiveMegabytes()
    {
        var runs = Enumerable.Range(0, 20).Select(r => new ReportRun
        {
            RunId = "run" + r,
            Name = "run-" + r,
            Metrics = new Dictionary<string, double> { ["accuracy"] = r / 20.0, ["loss"] = 1.0 / (r + 1) },
            MetricHistories = new Dictionary<string, IReadOnlyList<Metric>> { ["loss"] = [.. Enumerable.Range(0, 50_000).Select(s => new Metric("loss", 1.0 / (s + r + 1), 0, s))] },
            Examples = new ReportExampleTable(["inputs", "prediction", "target", "correct"],
                [.. Enumerable.Range(0, 10_000).Select(i => (IReadOnlyList<object?>)[new string('w', 400) + i, (i + r) % 3 == 0 ? "a" : "b", "a", (i + r) % 3 == 0])]),
        }).ToList();
        string html = RunReport.Render(new ReportInput("big", runs));
        Assert.True(html.Length < 5 * 1024 * 1024, $"{html.Length} characters");
        Assert.Equal(20, System.Text.RegularExpressions.Regex.Count(html, "<td class=\"text\">"));
    }
}
