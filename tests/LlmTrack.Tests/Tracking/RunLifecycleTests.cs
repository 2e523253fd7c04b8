using System.Text.RegularExpressions;
using LlmTrack.Tests.Fakes;

namespace LlmTrack.Tests.Tracking;

public class RunLifecycleTests
{
    [Fact]
    public async Task TheReadmeExampleFlushesAndEndsFinished()
    {
        using var t = new TestTracker();
        var file = Path.Combine(Path.GetTempPath(), $"confusion_matrix_{Guid.NewGuid():N}.svg");
        File.WriteAllText(file, "<svg/>");
        string runId;
        long start;
        using (var run = t.Tracker.StartRun("sentiment-eval", runName: "bert-base-v1"))
        {
            runId = run.RunId;
            start = t.NowMs;
            run.LogParam("model_name", "bert-base-uncased");
            run.LogMetric("accuracy", 0.913);
            run.LogMetric("loss", 0.31, step: 10);
            run.SetTag("team", "nlp");
            run.LogArtifact(file, artifactPath: "plots");
            t.Time.Advance(TimeSpan.FromSeconds(3));
            Assert.Equal(RunStatus.Running, run.Status);
        }

        File.Delete(file);
        var stored = t.Store.Run(runId);
        Assert.Equal(RunStatus.Finished, stored.Info.Status);
        Assert.Equal(start + 3000, stored.Info.EndTime);
        Assert.Equal("bert-base-v1", stored.Info.RunName);
        Assert.Equal("bert-base-uncased", stored.Params["model_name"]);
        Assert.Equal(0.913, stored.Latest["accuracy"].Value);
        Assert.Equal(10, stored.Latest["loss"].Step);
        Assert.Equal("nlp", stored.Tags["team"]);
        Assert.Equal("bert-base-v1", stored.Tags["mlflow.runName"]);
        Assert.Equal("<svg/>"u8.ToArray(), t.Store.Artifacts[$"{stored.Info.ArtifactUri}/plots/{Path.GetFileName(file)}"]);
        var experiment = (await t.Store.GetExperimentByNameAsync("sentiment-eval", default))!;
        Assert.Equal(experiment.ExperimentId, stored.Info.ExperimentId);
    }

    [Fact]
    public async Task DisposeIsIdempotentAndEndsOnce()
    {
        using var t = new TestTracker();
        var run = await t.Tracker.StartRunAsync();
        run.LogMetric("m", 1);
        await run.DisposeAsync();
        run.Dispose();
        await run.DisposeAsync();
        Assert.Single(t.Store.Updates);
        Assert.True(run.IsEnded);
        Assert.Equal(RunStatus.Finished, run.Status);
        Assert.Single(t.Store.SingleRun().History);
        Assert.Throws<InvalidOperationException>(() => run.LogMetric("m", 2));
        Assert.Throws<InvalidOperationException>(() => run.LogParam("p", "v"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => run.LogTextAsync("x", "a.txt"));
        Assert.Empty(t.Tracker.ActiveRuns);
    }

    [Fact]
    public void DisposeNeverThrowsDeliveryOrStatusErrors()
    {
        using var t = new TestTracker();
        t.Store.BeforeLogBatch = _ => throw new MlflowException(MlflowErrorCode.Unavailable, "down", 503);
        t.Store.UpdateRunFailure = new MlflowException(MlflowErrorCode.Unavailable, "down", 503);
        var run = t.Tracker.StartRun();
        run.LogMetric("m", 1);
        run.Dispose();
        Assert.Equal(1, run.Counters.Failed);
        Assert.Equal(RunStatus.Finished, run.Status);
    }

    [Fact]
    public async Task EndReturnsTheUnreportedFailuresAndThrowsWhenTheStatusUpdateFails()
    {
        using var t = new TestTracker();
        t.Store.BeforeLogBatch = _ => throw new MlflowException(MlflowErrorCode.Unavailable, "down", 503);
        var run = t.Tracker.StartRun();
        run.LogMetric("m", 1);
        var report = await run.EndAsync(RunStatus.Killed);
        Assert.False(report.IsSuccess);
        Assert.Equal(RunStatus.Killed, t.Store.SingleRun().Info.Status);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => run.EndAsync(RunStatus.Running));

        t.Store.UpdateRunFailure = new MlflowException(MlflowErrorCode.Unavailable, "down", 503);
        var other = t.Tracker.StartRun();
        await Assert.ThrowsAsync<MlflowException>(() => other.EndAsync());
    }

    [Fact]
    public void FailEndsTheRunFailedAfterSendingWhatWasLogged()
    {
        using var t = new TestTracker();
        using var run = t.Tracker.StartRun();
        run.LogMetric("m", 1);
        run.Fail(new InvalidOperationException("boom"));
        var stored = t.Store.SingleRun();
        Assert.Equal(RunStatus.Failed, stored.Info.Status);
        Assert.Equal(t.NowMs, stored.Info.EndTime);
        Assert.Single(stored.History);
        Assert.DoesNotContain(stored.Tags.Values, v => v.Contains("boom")); // MLflow records only the status
    }

    [Fact]
    public async Task RunAsyncFinishesReturnsAndFailsOrKills()
    {
        using var t = new TestTracker();
        var value = await t.Tracker.RunAsync(async run =>
        {
            run.LogMetric("m", 1);
            await Task.Yield();
            return 42;
        });
        Assert.Equal(42, value);
        Assert.Equal(RunStatus.Finished, t.Store.SingleRun().Info.Status);

        var thrown = await Assert.ThrowsAsync<InvalidDataException>(() => t.Tracker.RunAsync(
            _ => throw new InvalidDataException("bad"),
            new RunOptions { RunName = "failing" }));
        Assert.Equal("bad", thrown.Message);
        Assert.Equal(RunStatus.Failed, t.Store.AllRuns().Single(r => r.Info.RunName == "failing").Info.Status);

        using var cts = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => t.Tracker.RunAsync(
            async run =>
            {
                run.LogMetric("m", 1);
                await cts.CancelAsync();
                cts.Token.ThrowIfCancellationRequested();
            },
            new RunOptions { RunName = "cancelled" },
            cts.Token));
        var cancelled = t.Store.AllRuns().Single(r => r.Info.RunName == "cancelled");
        Assert.Equal(RunStatus.Killed, cancelled.Info.Status);
        Assert.Equal(t.NowMs, cancelled.Info.EndTime);
        Assert.Single(cancelled.History);

        // Cancelled token with another exception type still counts as KILLED.
        using var cts2 = new CancellationTokenSource();
        await Assert.ThrowsAsync<TimeoutException>(() => t.Tracker.RunAsync(
            async _ =>
            {
                await cts2.CancelAsync();
                throw new TimeoutException();
            },
            new RunOptions { RunName = "timed-out" },
            cts2.Token));
        Assert.Equal(RunStatus.Killed, t.Store.AllRuns().Single(r => r.Info.RunName == "timed-out").Info.Status);
    }

    [Fact]
    public void ChildRunsDescriptionAndTagsAreSetAtStart()
    {
        using var t = new TestTracker();
        using var parent = t.Tracker.StartRun("exp");
        using var child = t.Tracker.StartRun("exp", runName: "fold-1", parent: parent, description: "first fold",
            tags: new Dictionary<string, string> { ["team"] = "nlp", ["mlflow.user"] = "override" });
        var stored = t.Store.Run(child.RunId);
        Assert.Equal(parent.RunId, stored.Tags["mlflow.parentRunId"]);
        Assert.Equal("first fold", stored.Tags["mlflow.note.content"]);
        Assert.Equal("nlp", stored.Tags["team"]);
        Assert.Equal("override", stored.Tags["mlflow.user"]); // user tags win over automatic ones
        Assert.Equal("fold-1", stored.Tags["mlflow.runName"]);
        Assert.Equal(parent.ExperimentId, child.ExperimentId);
        Assert.Equal(TestTracker.Start.ToUnixTimeMilliseconds(), stored.Info.StartTime);

        var byId = t.Tracker.StartRun(new RunOptions { ParentRunId = parent.RunId });
        Assert.Equal(parent.RunId, t.Store.Run(byId.RunId).Tags["mlflow.parentRunId"]);
        Assert.Throws<MlflowValidationException>(() => t.Tracker.StartRun(tags: new Dictionary<string, string> { ["../x"] = "v" }));
    }

    [Fact]
    public void AutomaticTagsAndAGeneratedNameAreSet()
    {
        using var t = new TestTracker(contextTags: [new Tag("mlflow.user", "ada"), new Tag("mlflow.source.name", "/app/x.dll"), new Tag("mlflow.source.type", "LOCAL"), new Tag("mlflow.source.git.commit", new string('a', 40))]);
        using var run = t.Tracker.StartRun();
        var tags = t.Store.SingleRun().Tags;
        Assert.Equal("ada", tags["mlflow.user"]);
        Assert.Equal("/app/x.dll", tags["mlflow.source.name"]);
        Assert.Equal("LOCAL", tags["mlflow.source.type"]);
        Assert.Equal(new string('a', 40), tags["mlflow.source.git.commit"]);
        Assert.Matches(new Regex("^[a-z]+-[a-z]+-[0-9]{1,3}$"), run.RunName);
        Assert.Equal(run.RunName, tags["mlflow.runName"]);
        Assert.Equal("0", run.ExperimentId);
    }

    [Fact]
    public void RealProcessContextTagsAreCollected()
    {
        var store = new InMemoryTrackingStore();
        using var tracker = new Tracker(new LlmTrackOptions(), store, TimeProvider.System, null) { Environment = _ => null };
        using var run = tracker.StartRun();
        var tags = store.SingleRun().Tags;
        Assert.Equal(Environment.UserName, tags["mlflow.user"]);
        Assert.Equal("LOCAL", tags["mlflow.source.type"]);
        Assert.False(string.IsNullOrEmpty(tags["mlflow.source.name"]));
        // Inside a work tree (a normal checkout, or this repository's git worktrees) the commit is found.
        var expected = LlmTrack.Tracking.GitCommitReader.FindCommit(AppContext.BaseDirectory)
            ?? LlmTrack.Tracking.GitCommitReader.FindCommit(Environment.CurrentDirectory);
        if (expected is null)
        {
            Assert.False(tags.ContainsKey("mlflow.source.git.commit"));
        }
        else
        {
            Assert.Matches(new Regex("^[0-9a-f]{40}$"), expected);
            Assert.Equal(expected, tags["mlflow.source.git.commit"]);
        }
    }

    [Fact]
    public async Task ResumesARunByIdKeepingItsParamsImmutable()
    {
        using var t = new TestTracker();
        string runId;
        await using (var first = await t.Tracker.StartRunAsync(runName: "first"))
        {
            runId = first.RunId;
            first.LogParam("lr", "0.1");
        }

        Assert.Equal(RunStatus.Finished, t.Store.Run(runId).Info.Status);
        await using var resumed = await t.Tracker.StartRunAsync(new RunOptions { RunId = runId, Description = "resumed", Tags = { ["k"] = "v" } });
        Assert.Equal(runId, resumed.RunId);
        Assert.Equal(RunStatus.Running, t.Store.Run(runId).Info.Status);
        Assert.Contains(t.Store.Updates, u => u.RunId == runId && u.Status == RunStatus.Running);
        resumed.LogParam("lr", "0.1"); // same value: fine
        Assert.Throws<MlflowValidationException>(() => resumed.LogParam("lr", "0.2"));
        await resumed.FlushAsync();
        Assert.Equal("resumed", t.Store.Run(runId).Tags["mlflow.note.content"]);
        Assert.Equal("v", t.Store.Run(runId).Tags["k"]);
    }

    [Fact]
    public async Task ResumesTheRunNamedByMlflowRunIdForTopLevelRunsOnly()
    {
        var store = new InMemoryTrackingStore();
        var existing = (await store.CreateRunAsync("0", "from-env", 1, [], default)).Info.RunId;
        var env = new Dictionary<string, string?> { ["MLFLOW_RUN_ID"] = existing };
        using var tracker = new Tracker(new LlmTrackOptions(), store, TimeProvider.System, null) { Environment = n => env.GetValueOrDefault(n), ContextTags = [] };
        using var run = tracker.StartRun();
        Assert.Equal(existing, run.RunId);
        using var child = tracker.StartRun(parent: run);
        Assert.NotEqual(existing, child.RunId);
    }

    [Fact]
    public async Task ADeletedRunCannotBeResumed()
    {
        using var t = new TestTracker();
        var runId = (await t.Store.CreateRunAsync("0", "r", 1, [], default)).Info.RunId;
        await t.Store.DeleteRunAsync(runId, default);
        var ex = await Assert.ThrowsAsync<MlflowException>(() => t.Tracker.ResumeRunAsync(runId));
        Assert.Equal(MlflowErrorCode.InvalidParameterValue, ex.ErrorCode);
        var missing = await Assert.ThrowsAsync<MlflowException>(() => t.Tracker.ResumeRunAsync("0123456789abcdef0123456789abcdef"));
        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, missing.ErrorCode);
    }

    [Fact]
    public void DisposingTheTrackerEndsOpenRunsAndClosesTheStore()
    {
        var t = new TestTracker();
        var run = t.Tracker.StartRun();
        run.LogMetric("m", 1);
        t.Tracker.Dispose();
        t.Tracker.Dispose();
        Assert.True(t.Store.Disposed);
        Assert.Equal(RunStatus.Finished, t.Store.SingleRun().Info.Status);
        Assert.Single(t.Store.SingleRun().History);
        Assert.Throws<ObjectDisposedException>(() => t.Tracker.StartRun());
    }
}
