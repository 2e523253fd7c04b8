using LlmTrack.Tests.Sqlite;

namespace LlmTrack.Tests.Comparison;

/// <summary>CompareRunsAsync over the local SQLite store (runs, inputs, tables as local artifacts).</summary>
public sealed class CompareRunsTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly Tracker _tracker;

    public CompareRunsTests()
    {
        _tracker = new Tracker(new LlmTrackOptions { TrackingUri = _folder.TrackingUri });
    }

    public void Dispose()
    {
        _tracker.Dispose();
        _folder.Dispose();
    }

    private async Task<string> LogRunAsync(string name, double accuracy, string model, bool[]? correct = null, string digest = "d1", string? bleuSignature = null, Action<Run>? more = null)
    {
        var run = await _tracker.StartRunAsync("cmp", name);
        run.LogParam("model", model);
        run.LogParam("seed", "1");
        run.LogMetric("accuracy", accuracy);
        run.LogMetric("accuracy_ci_lower", accuracy - 0.05);
        run.LogMetric("accuracy_ci_upper", accuracy + 0.05);
        if (bleuSignature is not null)
        {
            run.LogMetric("bleu", 30);
            run.SetTag("bleu.signature", bleuSignature);
        }

        more?.Invoke(run);
        if (correct is not null)
        {
            await run.LogTableAsync(
                new Dictionary<string, IReadOnlyList<object?>>
                {
                    ["inputs"] = [.. correct.Select((_, i) => (object?)$"q{i}")],
                    ["correct"] = [.. correct.Select(c => (object?)c)],
                },
                "eval_results_table.json");
        }

        await run.LogInputAsync(new Dataset { Name = "eval", Digest = digest, SourceType = "code", Source = "{}" });
        await run.EndAsync();
        return run.RunId;
    }

    private static bool[] Correct(int total, int right) => [.. Enumerable.Range(0, total).Select(i => i < right)];

    [Fact]
    public async Task MetricsSitSideBySideWithIntervalsAndDeltasAgainstTheBaseline()
    {
        var a = await LogRunAsync("a", 0.80, "m1");
        var b = await LogRunAsync("b", 0.84, "m2");
        var comparison = await _tracker.CompareRunsAsync([a, b]);

        Assert.Equal(a, comparison.BaselineRunId);
        Assert.Equal(["a", "b"], comparison.Runs.Select(r => r.Name));
        Assert.Equal(RunStatus.Finished, comparison.Runs[0].Status);
        var accuracy = Assert.Single(comparison.Metrics);
        Assert.Equal("accuracy", accuracy.Key);
        Assert.Equal(0.84, accuracy.Values[1].Value);
        Assert.Equal(0.79, accuracy.Values[1].CiLower!.Value, 12);
        Assert.Equal(0.89, accuracy.Values[1].CiUpper!.Value, 12);
        Assert.Equal(0.04, accuracy.Values[1].Delta!.Value, 12);
        Assert.Equal(0.05, accuracy.Values[1].RelativeDelta!.Value, 12);
        Assert.Null(accuracy.Values[0].Delta);
        Assert.Equal("model", Assert.Single(comparison.DifferingParams).Key);
        Assert.Equal(["m1", "m2"], comparison.DifferingParams[0].Values);
        Assert.Equal("seed", Assert.Single(comparison.EqualParams).Key);
        Assert.Empty(comparison.Warnings);
    }

    [Fact]
    public async Task ABaselineGivenLaterInTheListIsTheReference()
    {
        var a = await LogRunAsync("a", 0.80, "m1");
        var b = await LogRunAsync("b", 0.60, "m1");
        var comparison = await _tracker.CompareRunsAsync([a, b], baseline: b);
        Assert.Equal(0.20, comparison.FindMetric("accuracy")!.Values[0].Delta!.Value, 12);
        Assert.Equal(1.0 / 3, comparison.FindMetric("accuracy")!.Values[0].RelativeDelta!.Value, 12);
    }

    [Fact]
    public async Task RunsOnTheSameDataSetWithTablesGetAPairedTest()
    {
        var a = await LogRunAsync("a", 0.60, "m1", Correct(200, 120));
        var b = await LogRunAsync("b", 0.90, "m2", Correct(200, 180));
        var comparison = await _tracker.CompareRunsAsync([a, b]);
        var test = comparison.FindMetric("accuracy")!.Values[1].PairedTest!;
        Assert.Equal("correct", test.ScoreName);
        Assert.Equal(200, test.ExampleCount);
        Assert.Equal(0.3, test.ObservedDifference, 12);
        Assert.True(test.IsSignificant);
        Assert.Equal(1.0 / 1001, test.PValue, 12);
        Assert.Null(comparison.FindMetric("accuracy")!.Values[0].PairedTest);
    }

    [Fact]
    public async Task DifferentDataSetsAreWarnedAboutAndNotTested()
    {
        var a = await LogRunAsync("a", 0.60, "m1", Correct(10, 6), digest: "d1");
        var b = await LogRunAsync("b", 0.90, "m2", Correct(10, 9), digest: "d2");
        var comparison = await _tracker.CompareRunsAsync([a, b]);
        var warning = Assert.Single(comparison.Warnings);
        Assert.Equal(ComparisonWarningKind.DifferentDatasets, warning.Kind);
        Assert.Equal([a, b], warning.RunIds);
        Assert.Null(comparison.FindMetric("accuracy")!.Values[1].PairedTest);
    }

    [Fact]
    public async Task DifferentSignaturesAndMissingMetricsAreWarnedAbout()
    {
        var a = await LogRunAsync("a", 0.6, "m1", bleuSignature: "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.4.3");
        var b = await LogRunAsync("b", 0.7, "m1", bleuSignature: "nrefs:1|case:mixed|eff:no|tok:intl|smooth:exp|version:2.4.3", more: r => r.LogMetric("f1", 0.5));
        var comparison = await _tracker.CompareRunsAsync([a, b]);
        var signature = Assert.Single(comparison.Warnings, w => w.Kind == ComparisonWarningKind.DifferentMetricSignatures);
        Assert.Equal("bleu", signature.MetricKey);
        var missing = Assert.Single(comparison.Warnings, w => w.Kind == ComparisonWarningKind.MissingMetric);
        Assert.Equal("f1", missing.MetricKey);
        Assert.Equal([a], missing.RunIds);
        Assert.Null(comparison.FindMetric("f1")!.Values[0].Value);
        Assert.Contains("tok:intl", comparison.FindMetric("bleu")!.Values[1].Signature, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TablesOfDifferentLengthAreNotPaired()
    {
        var a = await LogRunAsync("a", 0.6, "m1", Correct(10, 6));
        var b = await LogRunAsync("b", 0.7, "m1", Correct(12, 8));
        var comparison = await _tracker.CompareRunsAsync([a, b]);
        Assert.Equal(ComparisonWarningKind.TablesNotAligned, Assert.Single(comparison.Warnings).Kind);
    }

    [Fact]
    public async Task AnUnknownRunFailsWithResourceDoesNotExist()
    {
        var a = await LogRunAsync("a", 0.6, "m1");
        var error = await Assert.ThrowsAsync<MlflowException>(() => _tracker.CompareRunsAsync([a, "0123456789abcdef0123456789abcdef"]));
        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, error.ErrorCode);
    }
}
