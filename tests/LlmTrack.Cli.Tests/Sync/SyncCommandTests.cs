namespace LlmTrack.Cli.Tests.Sync;

public class SyncCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("llmtrack-cli-sync-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task CopiesALocalStoreAndASecondSyncCreatesNothing()
    {
        var source = "sqlite:///" + Path.Combine(_folder, "source.db");
        var target = "sqlite:///" + Path.Combine(_folder, "target.db");
        using (var tracker = new Tracker(new LlmTrackOptions { TrackingUri = source }))
        using (var run = tracker.StartRun("cli-sync", runName: "r1"))
        {
            run.LogParam("lr", "0.01");
            for (var step = 0; step < 5; step++)
            {
                run.LogMetric("loss", 1.0 / (step + 1), step);
            }

            run.LogMetric("nan_metric", double.NaN);
            run.LogText("hello", "notes/a.txt");
        }

        var first = await CliRun.RunAsync("sync", "--from", source, "--to", target, "--quiet");
        Assert.Equal(0, first.ExitCode);
        Assert.Contains("1 created", first.Stdout);
        Assert.Contains("6 metric points sent", first.Stdout);

        var second = await CliRun.RunAsync("sync", "--from", source, "--to", target, "--quiet");
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("0 created", second.Stdout);
        Assert.Contains("1 unchanged", second.Stdout);
        Assert.Contains("0 metric points sent", second.Stdout);

        using var check = new Tracker(new LlmTrackOptions { TrackingUri = target });
        var experiment = await check.GetExperimentByNameAsync("cli-sync");
        Assert.NotNull(experiment);
        var runs = await check.SearchRunsPageAsync([experiment!.ExperimentId]);
        var copied = Assert.Single(runs.Items);
        Assert.Equal(RunStatus.Finished, copied.Info.Status);
        Assert.Equal(5, (await check.GetMetricHistoryAsync(copied.Info.RunId, "loss")).Count);
        Assert.True(double.IsNaN(Assert.Single(await check.GetMetricHistoryAsync(copied.Info.RunId, "nan_metric")).Value));
    }

    [Fact]
    public async Task AnUnsupportedTargetIsABadInputError()
    {
        var run = await CliRun.RunAsync("sync", "--from", "sqlite:///" + Path.Combine(_folder, "x.db"), "--to", "ftp://nowhere", "--quiet");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("llmtrack: error:", run.Stderr);
    }

}

public class JournalCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("llmtrack-cli-journal-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task StatusOfAnEmptyJournalFolder()
    {
        var run = await CliRun.RunAsync("status", "--tracking-uri", "http://127.0.0.1:9", "--journal-dir", _folder);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("0 run journals, 0 records pending, 0 runs waiting for the server, 0 dead letters.", run.Stdout);
        Assert.Contains("http://127.0.0.1:9", run.Stdout);
    }

    [Fact]
    public async Task SyncWithNothingPendingDeliversNothing()
    {
        var run = await CliRun.RunAsync("sync", "--tracking-uri", "http://127.0.0.1:9", "--journal-dir", _folder, "--quiet");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Delivered 0 run journals; 0 remain on disk", run.Stdout);
    }

    [Fact]
    public async Task JournalsNeedARemoteTrackingUri()
    {
        var run = await CliRun.RunAsync("status", "--tracking-uri", "sqlite:///mlflow.db", "--journal-dir", _folder);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("only for remote tracking", run.Stderr);
    }

    [Fact]
    public async Task FromWithoutToIsAUsageError()
    {
        var run = await CliRun.RunAsync("sync", "--from", "sqlite:///a.db");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--from and --to go together", run.Stderr);
    }
}
