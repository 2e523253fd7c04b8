using LlmTrack.Tests.Fakes;

namespace LlmTrack.Tests.Tracking;

public class ExperimentTests
{
    [Fact]
    public async Task GetOrCreateSurvivesAConcurrentCreator()
    {
        using var t = new TestTracker();
        t.Store.BeforeCreateExperiment = name =>
        {
            t.Store.BeforeCreateExperiment = null;
            t.Store.AddExperiment(name); // another process wins the race
        };
        var id = await t.Tracker.GetOrCreateExperimentAsync("raced");
        Assert.Equal((await t.Store.GetExperimentByNameAsync("raced", default))!.ExperimentId, id);
    }

    [Fact]
    public async Task ExperimentsAreCreatedOnceAndCached()
    {
        using var t = new TestTracker();
        using var a = await t.Tracker.StartRunAsync("eval");
        using var b = await t.Tracker.StartRunAsync("eval");
        Assert.Equal(a.ExperimentId, b.ExperimentId);
        Assert.Equal(1, t.Store.CreateExperimentCalls);
    }

    [Fact]
    public async Task ADeletedExperimentIsRefused()
    {
        using var t = new TestTracker();
        t.Store.AddExperiment("gone", lifecycleStage: "deleted");
        var ex = await Assert.ThrowsAsync<MlflowException>(() => t.Tracker.StartRunAsync("gone"));
        Assert.Equal(MlflowErrorCode.InvalidParameterValue, ex.ErrorCode);
    }

    [Fact]
    public async Task DefaultExperimentComesFromOptionsThenDefault()
    {
        using (var byName = new TestTracker(o => o.ExperimentName = "from-options"))
        {
            await using var run = await byName.Tracker.StartRunAsync();
            Assert.Equal((await byName.Store.GetExperimentByNameAsync("from-options", default))!.ExperimentId, run.ExperimentId);
        }

        using (var byId = new TestTracker(o => o.ExperimentId = "0"))
        {
            await using var run = await byId.Tracker.StartRunAsync();
            Assert.Equal("0", run.ExperimentId);
        }

        using (var conflicting = new TestTracker(o =>
        {
            o.ExperimentName = "named";
            o.ExperimentId = "0";
        }))
        {
            await Assert.ThrowsAsync<MlflowException>(() => conflicting.Tracker.StartRunAsync());
        }

        using var explicitId = new TestTracker(o => o.ExperimentName = "ignored");
        explicitId.Store.AddExperiment("chosen");
        await using var chosen = await explicitId.Tracker.StartRunAsync(new RunOptions { ExperimentId = "1" });
        Assert.Equal("1", chosen.ExperimentId);
    }

    [Fact]
    public async Task ReadApiDelegatesToTheStore()
    {
        using var t = new TestTracker();
        string runId;
        await using (var run = await t.Tracker.StartRunAsync("read"))
        {
            runId = run.RunId;
            run.LogMetric("m", 1, step: 0);
            run.LogMetric("m", 2, step: 1);
        }

        var snapshot = await t.Tracker.GetRunAsync(runId);
        Assert.Equal(2, snapshot.Data.Metrics.Single().Value);
        Assert.Equal([1.0, 2.0], (await t.Tracker.GetMetricHistoryAsync(runId, "m")).Select(m => m.Value));
        var experiment = await t.Tracker.GetExperimentByNameAsync("read");
        Assert.NotNull(experiment);
        Assert.Null(await t.Tracker.GetExperimentByNameAsync("nope"));
        var page = await t.Tracker.SearchRunsPageAsync([experiment.ExperimentId]);
        Assert.Equal(runId, page.Items.Single().Info.RunId);
    }
}
