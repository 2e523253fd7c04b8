namespace LlmTrack.Tests.Tracking;

/// <summary>
/// <c>memory:</c> is the public in-process store an application's own tests use: written as such a test would be,
/// through public API only.
/// </summary>
public sealed class InMemoryTrackingUriTests
{
    [Fact]
    public async Task WhatARunLoggedCanBeReadBackThroughTheTracker()
    {
        await using var tracker = new Tracker(new LlmTrackOptions { TrackingUri = "memory:", ExperimentName = "unit" });
        string runId;
        await using (var run = await tracker.StartRunAsync(runName: "trial"))
        {
            runId = run.RunId;
            run.LogParam("lr", "0.1");
            run.LogMetric("loss", 0.5, step: 1);
            run.LogMetric("loss", 0.25, step: 2);
            run.SetTag("team", "nlp");
            await run.LogTextAsync("hello", "notes/hello.txt");
        }

        var stored = await tracker.GetRunAsync(runId);
        Assert.Equal("trial", stored.Info.RunName);
        Assert.Equal(RunStatus.Finished, stored.Info.Status);
        Assert.Contains(new Param("lr", "0.1"), stored.Data.Params);
        Assert.Contains(stored.Data.Tags, t => t.Key == "team" && t.Value == "nlp");
        var history = await tracker.GetMetricHistoryAsync(runId, "loss");
        Assert.Equal([0.5, 0.25], history.OrderBy(m => m.Step).Select(m => m.Value));

        var found = new List<RunSnapshot>();
        var experiment = await tracker.GetExperimentByNameAsync("unit");
        await foreach (var r in tracker.SearchRunsAsync([experiment!.ExperimentId], "params.lr = '0.1'"))
        {
            found.Add(r);
        }

        Assert.Equal(runId, Assert.Single(found).Info.RunId);
        var artifact = Path.Combine(new Uri(stored.Info.ArtifactUri).LocalPath, "notes", "hello.txt");
        Assert.Equal("hello", await File.ReadAllTextAsync(artifact));
    }

    [Fact]
    public async Task EachTrackerHasItsOwnStoreAndDisposingDeletesItsArtifacts()
    {
        string artifactUri;
        await using (var first = new Tracker(new LlmTrackOptions { TrackingUri = "memory:" }))
        {
            await using var run = await first.StartRunAsync();
            artifactUri = run.Info.ArtifactUri;
            await run.LogTextAsync("x", "x.txt");
            await run.EndAsync();

            await using var second = new Tracker(new LlmTrackOptions { TrackingUri = "MEMORY:" });
            var error = await Assert.ThrowsAsync<MlflowException>(() => second.GetRunAsync(run.RunId));
            Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, error.ErrorCode);
        }

        Assert.False(Directory.Exists(new Uri(artifactUri).LocalPath));
    }
}
