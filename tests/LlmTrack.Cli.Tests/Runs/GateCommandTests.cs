using System.Net;
using System.Net.Sockets;

namespace LlmTrack.Cli.Tests.Runs;

/// <summary><c>llmtrack gate</c> and <c>llmtrack runs</c> over a local SQLite store the test fills through the public API.</summary>
public sealed class GateCommandTests : IDisposable
{
    private readonly TempFolder _files = new();
    private readonly string _uri;

    public GateCommandTests()
    {
        _uri = "sqlite:///" + _files.PathOf("mlflow.db");
    }

    public void Dispose() => _files.Dispose();

    private async Task<string> LogRunAsync(string name, double accuracy, double f1, string model = "m")
    {
        using var tracker = new Tracker(new LlmTrackOptions { TrackingUri = _uri });
        var run = await tracker.StartRunAsync("gate-demo", name);
        run.LogParam("model", model);
        run.LogMetric("accuracy", accuracy);
        run.LogMetric("f1_macro", f1);
        await run.EndAsync();
        return run.RunId;
    }

    private async Task<IReadOnlyList<Tag>> TagsAsync(string runId)
    {
        using var tracker = new Tracker(new LlmTrackOptions { TrackingUri = _uri });
        return (await tracker.GetRunAsync(runId)).Data.Tags;
    }

    private Task<CliRun> GateAsync(params string[] args) => CliRun.RunWithEnvironmentAsync(new Dictionary<string, string>(), ["gate", "--tracking-uri", _uri, .. args]);

    [Fact]
    public async Task APassingGateExitsZeroPrintsMarkdownAndTagsTheCandidate()
    {
        var baseline = await LogRunAsync("old", 0.86, 0.80);
        var candidate = await LogRunAsync("new", 0.88, 0.795);
        var result = await GateAsync("--candidate", candidate, "--baseline", baseline, "--require", "accuracy>=0.85", "--max-drop", "f1_macro=0.01");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("## ✅ Release gate: PASS", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("| accuracy >= 0.85 | ✅ pass | 0.88 |", result.Stdout, StringComparison.Ordinal);
        var tags = await TagsAsync(candidate);
        Assert.Contains(new Tag("llmtrack.gate.outcome", "pass"), tags);
        Assert.Contains(new Tag("llmtrack.gate.baseline_run_id", baseline), tags);
        Assert.Contains(new Tag("llmtrack.gate.rules", "accuracy >= 0.85; f1_macro max drop 0.01"), tags);
        Assert.DoesNotContain(tags, t => t.Key == "llmtrack.gate.failed_rules");
    }

    [Fact]
    public async Task AFailingRuleExitsOneAndIsRecorded()
    {
        var baseline = await LogRunAsync("old", 0.86, 0.80);
        var candidate = await LogRunAsync("new", 0.88, 0.75);
        var result = await GateAsync("--candidate", candidate, "--baseline", baseline, "--max-drop", "f1_macro=2%");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("❌ Release gate: FAIL", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("0.8 → 0.75 (drop 0.05, allowed 0.016)", result.Stdout, StringComparison.Ordinal);
        var tags = await TagsAsync(candidate);
        Assert.Contains(new Tag("llmtrack.gate.outcome", "fail"), tags);
        Assert.Contains(new Tag("llmtrack.gate.failed_rules", "f1_macro max drop 2%"), tags);
    }

    [Fact]
    public async Task AMissingMetricExitsThree()
    {
        var candidate = await LogRunAsync("new", 0.88, 0.75);
        var result = await GateAsync("--candidate", candidate, "--require", "bleu>=30");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("the candidate has no metric 'bleu'", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(new Tag("llmtrack.gate.outcome", "could_not_evaluate"), await TagsAsync(candidate));
    }

    [Fact]
    public async Task AnUnreachableServerExitsThree()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var result = await CliRun.RunWithEnvironmentAsync(
            new Dictionary<string, string> { ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0" },
            "gate", "--tracking-uri", $"http://127.0.0.1:{port}", "--candidate", "0123456789abcdef0123456789abcdef", "--require", "accuracy>=0.8");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("could not be evaluated", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("COULD NOT EVALUATE", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheVerdictIsAppendedToTheGitHubStepSummary()
    {
        var candidate = await LogRunAsync("new", 0.9, 0.8);
        var summary = _files.Write("summary.md", "# earlier step\n");
        var result = await CliRun.RunWithEnvironmentAsync(
            new Dictionary<string, string> { ["GITHUB_STEP_SUMMARY"] = summary },
            "gate", "--tracking-uri", _uri, "--candidate", candidate, "--require", "accuracy>0.85");

        Assert.Equal(0, result.ExitCode);
        var text = await File.ReadAllTextAsync(summary);
        Assert.StartsWith("# earlier step\n## ✅ Release gate: PASS", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheLatestRunMatchingAFilterIsTheCandidate()
    {
        await LogRunAsync("old", 0.70, 0.8, model: "a");
        var latest = await LogRunAsync("new", 0.90, 0.8, model: "a");
        var result = await GateAsync("--experiment", "gate-demo", "--candidate", "params.model = 'a'", "--require", "accuracy>=0.85");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(latest, result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--require", "accuracy=>0.85")]
    [InlineData("--max-drop", "f1_macro")]
    public async Task ABadRuleIsAUsageError(string option, string rule)
    {
        var candidate = await LogRunAsync("new", 0.9, 0.8);
        var result = await GateAsync("--candidate", candidate, "--baseline", candidate, option, rule);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("llmtrack: error: Invalid", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AModelAliasBaselineIsTheRunOfTheVersionTheAliasPointsAt()
    {
        var champion = await LogRunAsync("champion", 0.9, 0.8);
        var worse = await LogRunAsync("worse", 0.7, 0.6);
        using (var tracker = new Tracker(new LlmTrackOptions { TrackingUri = _uri }))
        {
            var version = await tracker.Models.RegisterAsync($"runs:/{champion}/model", "classifier");
            await tracker.Models.SetAliasAsync("classifier", "champion", version.Version);
        }

        var result = await GateAsync("--candidate", worse, "--baseline", "models:/classifier@champion", "--max-drop", "accuracy=0.01");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("0.9 → 0.7", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(await TagsAsync(worse), t => t.Key == "llmtrack.gate.baseline_run_id" && t.Value == champion);

        var unknownAlias = await GateAsync("--candidate", worse, "--baseline", "models:/classifier@nope", "--max-drop", "accuracy=0.01");
        Assert.Equal(2, unknownAlias.ExitCode);
        Assert.Contains("alias nope not found", unknownAlias.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task RunsLsFiltersOrdersAndShowsChosenColumnsAsJsonAndCsv()
    {
        await LogRunAsync("low", 0.6, 0.5);
        await LogRunAsync("high", 0.9, 0.7);
        var json = await CliRun.RunWithEnvironmentAsync(new Dictionary<string, string>(), "runs", "ls", "--tracking-uri", _uri, "-e", "gate-demo", "--filter", "metrics.accuracy > 0.5", "--order-by", "metrics.accuracy ASC", "--columns", "metrics.accuracy,params.model", "--format", "json");
        Assert.Equal(0, json.ExitCode);
        Assert.True(json.Stdout.IndexOf("\"low\"", StringComparison.Ordinal) < json.Stdout.IndexOf("\"high\"", StringComparison.Ordinal));
        Assert.Contains("\"metrics.accuracy\": 0.9", json.Stdout, StringComparison.Ordinal);

        var csv = await CliRun.RunWithEnvironmentAsync(new Dictionary<string, string>(), "runs", "ls", "--tracking-uri", _uri, "-e", "gate-demo", "--columns", "metrics.f1_macro", "--format", "csv", "--max", "1");
        var lines = csv.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("run_id,run_name,status,start_time,metrics.f1_macro", lines[0]);
        Assert.Equal(2, lines.Length);
        Assert.EndsWith(",high,FINISHED," + lines[1].Split(',')[3] + ",0.7", lines[1], StringComparison.Ordinal);

        var bad = await CliRun.RunWithEnvironmentAsync(new Dictionary<string, string>(), "runs", "ls", "--tracking-uri", _uri, "-e", "gate-demo", "--filter", "metrics.accuracy >> 1");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("Invalid comparator '>>'", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsCompareShowsDeltasInMarkdownAndHtml()
    {
        var a = await LogRunAsync("a", 0.80, 0.7, model: "x");
        var b = await LogRunAsync("b", 0.84, 0.7, model: "y");
        var md = await CliRun.RunWithEnvironmentAsync(new Dictionary<string, string>(), "runs", "compare", a, b, "--tracking-uri", _uri, "--format", "markdown");
        Assert.Equal(0, md.ExitCode);
        Assert.Contains("| | a (baseline) | b |", md.Stdout, StringComparison.Ordinal);
        Assert.Contains("| accuracy | 0.8 | 0.84 Δ+0.04 (+5%) |", md.Stdout, StringComparison.Ordinal);
        Assert.Contains("| model | x | y |", md.Stdout, StringComparison.Ordinal);

        var html = await CliRun.RunWithEnvironmentAsync(new Dictionary<string, string>(), "runs", "compare", a, b, "--tracking-uri", _uri, "--format", "html", "--baseline", b);
        Assert.StartsWith("<!DOCTYPE html>", html.Stdout, StringComparison.Ordinal);
        Assert.Contains("b (baseline)", html.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html.Stdout, StringComparison.Ordinal);
    }
}
