using LlmTrack.Tests.Fakes;

namespace LlmTrack.Tests.Comparison;

/// <summary>Comparison and gate over the in-memory test store (no data sets or tables: deltas and rules only).</summary>
public sealed class InMemoryStoreComparisonTests : IDisposable
{
    private readonly TestTracker _t = new();

    public void Dispose() => _t.Dispose();

    private async Task<string> LogRunAsync(string name, double f1, double? bleu = null)
    {
        var run = await _t.Tracker.StartRunAsync("mem", name);
        run.LogParam("lr", name);
        run.LogMetric("f1", f1);
        if (bleu is { } b)
        {
            run.LogMetric("bleu", b);
        }

        await run.EndAsync();
        return run.RunId;
    }

    [Fact]
    public async Task ThreeRunsAreComparedAgainstTheChosenBaseline()
    {
        var a = await LogRunAsync("a", 0.5, 20);
        var b = await LogRunAsync("b", 0.6);
        var c = await LogRunAsync("c", 0.4, 25);
        var comparison = await _t.Tracker.CompareRunsAsync([a, b, c], baseline: c);

        var f1 = comparison.FindMetric("f1")!;
        Assert.Equal([0.1, 0.2, null], f1.Values.Select(v => v.Delta is { } d ? Math.Round(d, 12) : (double?)null));
        Assert.Equal(0.5, f1.Values[1].RelativeDelta!.Value, 12);
        Assert.Equal(-5, comparison.FindMetric("bleu")!.Values[0].Delta!.Value, 12);
        Assert.Equal([b], Assert.Single(comparison.Warnings).RunIds);
        Assert.Equal(["a", "b", "c"], Assert.Single(comparison.DifferingParams).Values);
    }

    [Fact]
    public async Task TheGateWritesItsTagsWithoutReopeningTheRun()
    {
        var baseline = await LogRunAsync("old", 0.60);
        var candidate = await LogRunAsync("new", 0.55);
        var updatesBefore = _t.Store.Updates.Count;
        var verdict = await ReleaseGate.EvaluateAsync(_t.Tracker, new GateOptions
        {
            Candidate = RunReference.Parse(candidate),
            Baseline = RunReference.Parse(baseline),
            Requirements = [GateRequirement.Parse("f1>=0.5")],
            MaxDrops = [GateMaxDrop.Parse("f1=0.01")],
        });

        Assert.Equal(GateOutcome.Fail, verdict.Outcome);
        Assert.Equal([GateOutcome.Pass, GateOutcome.Fail], verdict.Rules.Select(r => r.Outcome));
        var tags = (await _t.Tracker.GetRunAsync(candidate)).Data.Tags;
        Assert.Contains(new Tag(ReleaseGate.OutcomeTag, "fail"), tags);
        Assert.Contains(new Tag(ReleaseGate.FailedRulesTag, "f1 max drop 0.01"), tags);
        Assert.Contains(new Tag(ReleaseGate.EvaluatedAtTag, "2026-01-02T03:04:05Z"), tags);
        Assert.Equal(updatesBefore, _t.Store.Updates.Count);
        Assert.Contains("❌ Release gate: FAIL", verdict.ToMarkdown(), StringComparison.Ordinal);
    }
}
