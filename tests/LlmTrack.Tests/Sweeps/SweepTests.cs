using LlmTrack.Tests.Fakes;

namespace LlmTrack.Tests.Sweeps;

public sealed class SweepTests
{
    private static SweepOptions Maximize(string objective = "score") => new() { Objective = objective, ExperimentName = "sweeps" };

    private static InMemoryTrackingStore.StoredRun Parent(TestTracker t, SweepResult result) => t.Store.Run(result.ParentRunId);

    [Fact]
    public async Task AGridSweepRunsEveryCombinationAsChildRunsAndRecordsTheBestOnTheParent()
    {
        using var t = new TestTracker();
        var space = new SweepSpace().Choice("smoothing", 0.5, 1.0).IntRange("k", 1, 3);
        SweepResult result = await t.Tracker.SweepAsync(space, (trial, _) => Task.FromResult(trial.GetDouble("smoothing") * trial.GetInt64("k")), Maximize());

        Assert.Equal(6, result.Trials.Count);
        Assert.Equal(["0.5/1", "0.5/2", "0.5/3", "1.0/1", "1.0/2", "1.0/3"], result.Trials.Select(r => SweepTrialText(r)));
        Assert.Equal(5, result.Best!.Number);
        Assert.False(result.StoppedEarly);
        var parent = Parent(t, result);
        Assert.Equal(result.Best.RunId, parent.Tags["best_run_id"]);
        Assert.Equal(3.0, parent.Latest["best_score"].Value);
        Assert.Equal("1.0", parent.Params["best_smoothing"]);
        Assert.Equal("3", parent.Params["best_k"]);
        Assert.Equal("6", parent.Tags["sweep.trials"]);
        Assert.Equal("maximize", parent.Tags["sweep.direction"]);
        Assert.Equal(RunStatus.Finished, parent.Info.Status);
        foreach (SweepTrialResult trial in result.Trials)
        {
            var child = t.Store.Run(trial.RunId);
            Assert.Equal(result.ParentRunId, child.Tags["mlflow.parentRunId"]);
            Assert.Equal(trial.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), child.Tags["sweep.trial"]);
            Assert.Equal(trial.Value, child.Latest["score"].Value);
            Assert.Equal(RunStatus.Finished, child.Info.Status);
        }

        Assert.Equal("0.5", t.Store.Run(result.Trials[0].RunId).Params["smoothing"]);
    }

    private static string SweepTrialText(SweepTrialResult r) =>
        System.FormattableString.Invariant($"{(r.Parameters["smoothing"] is double d && d == 1 ? "1.0" : r.Parameters["smoothing"])}/{r.Parameters["k"]}");

    [Fact]
    public async Task RandomSearchIsTheSameForTheSameSeedAndStaysInsideTheSpace()
    {
        using var t = new TestTracker();
        var space = new SweepSpace().LogUniform("lr", 1e-4, 1e-1).DoubleRange("threshold", 0.2, 0.8).Choice("tokenizer", "words", "chars");
        var options = Maximize() with { Strategy = SweepStrategy.Random, MaxTrials = 12, Seed = 42 };
        SweepResult first = await t.Tracker.SweepAsync(space, (trial, _) => Task.FromResult(trial.GetDouble("threshold")), options);
        SweepResult second = await t.Tracker.SweepAsync(space, (trial, _) => Task.FromResult(trial.GetDouble("threshold")), options);
        SweepResult other = await t.Tracker.SweepAsync(space, (trial, _) => Task.FromResult(trial.GetDouble("threshold")), options with { Seed = 7 });

        Assert.Equal(12, first.Trials.Count);
        Assert.Equal(first.Trials.Select(r => string.Join(",", r.Parameters.Values)), second.Trials.Select(r => string.Join(",", r.Parameters.Values)));
        Assert.NotEqual(first.Trials.Select(r => string.Join(",", r.Parameters.Values)), other.Trials.Select(r => string.Join(",", r.Parameters.Values)));
        Assert.All(first.Trials, r => Assert.InRange((double)r.Parameters["lr"], 1e-4, 1e-1));
        Assert.All(first.Trials, r => Assert.InRange((double)r.Parameters["threshold"], 0.2, 0.8));
        Assert.Contains(first.Trials, r => (double)r.Parameters["lr"] < 1e-2);
        Assert.Equal(first.Trials.Max(r => r.Value), first.Best!.Value);
    }

    [Fact]
    public async Task AFailingTrialEndsFailedWithItsErrorAndTheSweepGoesOn()
    {
        using var t = new TestTracker();
        var space = new SweepSpace().IntRange("k", 0, 3);
        SweepResult result = await t.Tracker.SweepAsync(space, (trial, _) =>
            trial.GetInt64("k") == 1 ? throw new InvalidOperationException("diverged") : Task.FromResult(-(double)trial.GetInt64("k")), Maximize() with { Direction = SweepDirection.Minimize });

        Assert.Equal(4, result.Trials.Count);
        SweepTrialResult failed = result.Trials[1];
        Assert.Null(failed.Value);
        Assert.Equal("InvalidOperationException: diverged", failed.Error);
        Assert.Equal(RunStatus.Failed, t.Store.Run(failed.RunId).Info.Status);
        Assert.Equal("InvalidOperationException: diverged", t.Store.Run(failed.RunId).Tags["sweep.error"]);
        Assert.Equal(3, result.Best!.Number);
        Assert.Equal(-3.0, Parent(t, result).Latest["best_score"].Value);
    }

    [Fact]
    public async Task EarlyStoppingEndsTheSweepAfterNTrialsWithoutImprovement()
    {
        using var t = new TestTracker();
        var space = new SweepSpace().IntRange("k", 0, 9);
        double[] scores = [0.5, 0.7, 0.6, 0.65, 0.69, 0.9, 0.1, 0.2, 0.3, 0.4];
        SweepResult result = await t.Tracker.SweepAsync(space, (trial, _) => Task.FromResult(scores[trial.GetInt64("k")]), Maximize() with { EarlyStopAfter = 3 });

        Assert.Equal([0, 1, 2, 3, 4], result.Trials.Select(r => r.Number));
        Assert.True(result.StoppedEarly);
        Assert.Equal(1, result.Best!.Number);
        Assert.Equal("true", Parent(t, result).Tags["sweep.stopped_early"]);
    }

    [Fact]
    public async Task NoMoreTrialsRunAtOnceThanTheParallelismAllows()
    {
        using var t = new TestTracker();
        int active = 0;
        int peak = 0;
        SweepResult result = await t.Tracker.SweepAsync(new SweepSpace().IntRange("k", 1, 8), async (trial, _) =>
        {
            int now = Interlocked.Increment(ref active);
            InterlockedMax(ref peak, now);
            for (int i = 0; i < 20; i++)
            {
                await Task.Yield();
            }

            Interlocked.Decrement(ref active);
            return trial.GetInt64("k");
        }, Maximize() with { MaxParallelism = 2 });

        Assert.Equal(8, result.Trials.Count);
        Assert.InRange(peak, 1, 2);
        Assert.Equal(8.0, result.Best!.Value);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    [Fact]
    public async Task CancellingEndsTheRunningTrialAndTheParentKilledAndStartsNoMoreTrials()
    {
        using var t = new TestTracker();
        using var cts = new CancellationTokenSource();
        var started = new List<string>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => t.Tracker.SweepAsync(new SweepSpace().IntRange("k", 0, 5), (trial, ct) =>
        {
            started.Add(trial.Run.RunId);
            if (trial.Number == 1)
            {
                cts.Cancel();
                ct.ThrowIfCancellationRequested();
            }

            return Task.FromResult(1.0);
        }, Maximize(), cts.Token));

        Assert.Equal(2, started.Count);
        Assert.Equal(RunStatus.Finished, t.Store.Run(started[0]).Info.Status);
        Assert.Equal(RunStatus.Killed, t.Store.Run(started[1]).Info.Status);
        var parent = t.Store.Run(t.Store.Run(started[0]).Tags["mlflow.parentRunId"]);
        Assert.Equal(RunStatus.Killed, parent.Info.Status);
        Assert.Equal(3, t.Store.AllRuns().Count);
    }

    [Fact]
    public async Task ABadSpaceOrRandomSearchWithoutATrialLimitIsRefused()
    {
        using var t = new TestTracker();
        Assert.Throws<ArgumentException>(() => new SweepSpace().Choice("a", 1).Choice("a", 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SweepSpace().LogUniform("lr", 0, 1));
        await Assert.ThrowsAsync<ArgumentException>(() => t.Tracker.SweepAsync(new SweepSpace().Choice("a", 1), (_, _) => Task.FromResult(0.0), Maximize() with { Strategy = SweepStrategy.Random }));
    }
}
