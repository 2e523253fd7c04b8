using LlmTrack.Tests.Sqlite;

namespace LlmTrack.Tests.Tracking;

/// <summary>Reads that page are enumerated whole: the tracker follows MLflow's page tokens itself.</summary>
public sealed class SearchEnumerationTests
{
    [Fact]
    public async Task SearchRunsAsyncFollowsEveryPageInTheRequestedOrder()
    {
        using var folder = new TempFolder();
        await using var tracker = new Tracker(new LlmTrackOptions { TrackingUri = folder.TrackingUri });
        var started = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            await using var run = await tracker.StartRunAsync("paged", runName: "r" + i);
            run.LogMetric("acc", i / 10.0);
            started.Add(run.RunId);
        }

        var experiment = await tracker.GetExperimentByNameAsync("paged");
        var all = new List<RunSnapshot>();
        await foreach (var run in tracker.SearchRunsAsync([experiment!.ExperimentId], orderBy: ["metrics.acc DESC"], pageSize: 2))
        {
            all.Add(run);
        }

        Assert.Equal(Enumerable.Reverse(started), all.Select(r => r.Info.RunId));
        var firstPage = await tracker.SearchRunsPageAsync([experiment.ExperimentId], maxResults: 2);
        Assert.Equal(2, firstPage.Items.Count);
        Assert.NotNull(firstPage.NextPageToken);

        var filtered = new List<RunSnapshot>();
        await foreach (var run in tracker.SearchRunsAsync([experiment.ExperimentId], filter: "metrics.acc >= 0.3", pageSize: 1))
        {
            filtered.Add(run);
        }

        Assert.Equal(2, filtered.Count);
    }

    [Fact]
    public async Task SearchExperimentsAsyncFollowsEveryPage()
    {
        using var folder = new TempFolder();
        await using var tracker = new Tracker(new LlmTrackOptions { TrackingUri = folder.TrackingUri });
        foreach (var name in new[] { "eval-a", "eval-b", "eval-c", "other" })
        {
            await tracker.GetOrCreateExperimentAsync(name);
        }

        var names = new List<string>();
        await foreach (var experiment in tracker.SearchExperimentsAsync(filter: "name LIKE 'eval-%'", orderBy: ["name"], pageSize: 1))
        {
            names.Add(experiment.Name);
        }

        Assert.Equal(["eval-a", "eval-b", "eval-c"], names);
    }
}
