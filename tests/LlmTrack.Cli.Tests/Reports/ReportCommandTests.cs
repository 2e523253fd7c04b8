namespace LlmTrack.Cli.Tests.Reports;

public sealed class ReportCommandTests
{
    private static async Task<(string Uri, List<string> Ids)> StoreWithRunsAsync(TempFolder files)
    {
        string uri = "sqlite:///" + files.PathOf("mlflow.db");
        var ids = new List<string>();
        await using var tracker = new Tracker(new LlmTrackOptions { TrackingUri = uri });
        for (int i = 0; i < 3; i++)
        {
            await using var run = await tracker.StartRunAsync("cli-report", runName: "run-" + i);
            run.LogParam("threshold", (0.3 + (i / 10.0)).ToString(System.Globalization.CultureInfo.InvariantCulture));
            run.LogMetric("accuracy", 0.6 + (i / 10.0));
            run.LogMetric("f1_macro", 0.5 + (i / 20.0));
            ids.Add(run.RunId);
        }

        return (uri, ids);
    }

    [Fact]
    public async Task ReportWritesTheHtmlOfTheExperimentsRuns()
    {
        using var files = new TempFolder();
        var (uri, ids) = await StoreWithRunsAsync(files);
        string output = files.PathOf("report.html");
        CliRun result = await CliRun.RunAsync("report", "--experiment", "cli-report", "--tracking-uri", uri, "-o", output);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("Wrote the report of 3 runs", result.Stdout, StringComparison.Ordinal);
        string html = await File.ReadAllTextAsync(output);
        Assert.Contains("<h1>cli-report runs</h1>", html, StringComparison.Ordinal);
        Assert.True(html.IndexOf("run-0", StringComparison.Ordinal) < html.IndexOf("run-2", StringComparison.Ordinal), "oldest run first");
        Assert.Contains("<th scope=\"row\">threshold</th>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChosenRunsAndMetricsAreTheOnlyOnesShown()
    {
        using var files = new TempFolder();
        var (uri, ids) = await StoreWithRunsAsync(files);
        string output = files.PathOf("report.html");
        CliRun result = await CliRun.RunAsync("report", "-e", "cli-report", "--tracking-uri", uri, "--runs", ids[2] + "," + ids[0], "--metrics", "f1_macro", "-o", output);
        Assert.True(result.ExitCode == 0, result.Stderr);
        string html = await File.ReadAllTextAsync(output);
        Assert.DoesNotContain("run-1", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<th scope=\"row\">accuracy</th>", html, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"row\">f1_macro</th>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownExperimentOrRunIsAnInputError()
    {
        using var files = new TempFolder();
        var (uri, _) = await StoreWithRunsAsync(files);
        CliRun missing = await CliRun.RunAsync("report", "-e", "nope", "--tracking-uri", uri, "-o", files.PathOf("r.html"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no experiment named 'nope'", missing.Stderr, StringComparison.Ordinal);
        CliRun badRun = await CliRun.RunAsync("report", "-e", "cli-report", "--tracking-uri", uri, "--runs", "0123456789abcdef0123456789abcdef", "-o", files.PathOf("r.html"));
        Assert.Equal(1, badRun.ExitCode);
        CliRun usage = await CliRun.RunAsync("report", "-e", "cli-report", "--tracking-uri", uri);
        Assert.Equal(2, usage.ExitCode);
    }
}
