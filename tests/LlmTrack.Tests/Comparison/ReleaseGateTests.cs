using LlmTrack.Tests.Sqlite;

namespace LlmTrack.Tests.Comparison;

/// <summary>ReleaseGate with --significance: a drop beyond the limit fails only when the paired test says it is real.</summary>
public sealed class ReleaseGateTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly Tracker _tracker;

    public ReleaseGateTests()
    {
        _tracker = new Tracker(new LlmTrackOptions { TrackingUri = _folder.TrackingUri });
    }

    public void Dispose()
    {
        _tracker.Dispose();
        _folder.Dispose();
    }

    private async Task<string> LogRunAsync(bool[] correct)
    {
        var run = await _tracker.StartRunAsync("gate");
        run.LogMetric("accuracy", correct.Count(c => c) / (double)correct.Length);
        await run.LogTableAsync(new Dictionary<string, IReadOnlyList<object?>> { ["correct"] = [.. correct.Select(c => (object?)c)] }, "eval_results_table.json");
        await run.LogInputAsync(new Dataset { Name = "eval", Digest = "same", SourceType = "code", Source = "{}" });
        await run.EndAsync();
        return run.RunId;
    }

    private static bool[] Correct(int total, Func<int, bool> right) => [.. Enumerable.Range(0, total).Select(right)];

    private Task<GateVerdict> GateAsync(string baseline, string candidate, double? significance) => ReleaseGate.EvaluateAsync(_tracker, new GateOptions
    {
        Candidate = RunReference.Parse(candidate),
        Baseline = RunReference.Parse(baseline),
        MaxDrops = [GateMaxDrop.Parse("accuracy=0.01")],
        Significance = significance,
    });

    [Fact]
    public async Task ASmallNoisyDropPassesWhenSignificanceIsAskedAndFailsOtherwise()
    {
        // 100 examples; the candidate loses 11 and gains 9: accuracy 0.50 → 0.48.
        var baseline = await LogRunAsync(Correct(100, i => i < 50));
        var candidate = await LogRunAsync(Correct(100, i => (i < 50 && i >= 11) || (i >= 50 && i < 59)));

        var strict = await GateAsync(baseline, candidate, null);
        Assert.Equal(GateOutcome.Fail, strict.Outcome);

        var tested = await GateAsync(baseline, candidate, 0.05);
        Assert.Equal(GateOutcome.Pass, tested.Outcome);
        Assert.Contains("not significant", tested.Rules[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALargeDropFailsEvenWhenSignificanceIsAsked()
    {
        var baseline = await LogRunAsync(Correct(200, i => i % 10 < 9));
        var candidate = await LogRunAsync(Correct(200, i => i % 10 < 6));
        var verdict = await GateAsync(baseline, candidate, 0.05);
        Assert.Equal(GateOutcome.Fail, verdict.Outcome);
        Assert.Contains("significant", verdict.Rules[0].Detail, StringComparison.Ordinal);
        Assert.Equal(baseline, verdict.BaselineRunId);
    }

    [Fact]
    public void RuleTextsParseAsDocumented()
    {
        Assert.Equal(new GateRequirement("accuracy", GateComparator.GreaterOrEqual, 0.85), GateRequirement.Parse("accuracy>=0.85"));
        Assert.Equal(new GateRequirement("test/f1", GateComparator.Less, 2), GateRequirement.Parse("test/f1 < 2"));
        Assert.Equal(new GateRequirement("acc", GateComparator.Equal, 1), GateRequirement.Parse("acc==1"));
        Assert.Equal(new GateMaxDrop("f1_macro", 0.01, false), GateMaxDrop.Parse("f1_macro=0.01"));
        Assert.Equal(new GateMaxDrop("f1_macro", 0.02, true), GateMaxDrop.Parse("f1_macro=2%"));
        Assert.Equal(new RunReference(RunReferenceKind.ModelAlias, "models:/clf@champion", "clf", "champion"), RunReference.Parse("models:/clf@champion"));
        Assert.Equal(RunReferenceKind.RunId, RunReference.Parse("0123456789abcdef0123456789abcdef").Kind);
        Assert.Equal(RunReferenceKind.Filter, RunReference.Parse("tags.stage = 'prod'").Kind);
        Assert.Throws<FormatException>(() => RunReference.Parse("models:/clf/3"));
        Assert.Throws<FormatException>(() => GateRequirement.Parse("accuracy"));
    }
}
