using System.Diagnostics;
using System.Reflection;
using LlmTrack.Durable;

namespace LlmTrack.Tests.Durable;

/// <summary>
/// What a program is told about delivery is what the server holds: counters separate durable from delivered, flush and
/// end wait for the server while delivery makes progress, and whatever is left undelivered when the tracker closes is
/// reported (numbers, runs, folder, command) through the logger, or on standard error when there is none.
/// </summary>
[Trait("Category", "Slow")]
public sealed class DeliveryTruthTests : IDisposable
{
    private readonly DurableFixture _fixture = new();

    private static string ChildPath =>
        typeof(DeliveryTruthTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "LlmTrack.TestChild.Path").Value!;

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task FlushWaitsUntilTheServerHoldsEverythingLoggedBeforeIt()
    {
        var server = new SwitchableServer();
        var (tracker, _) = _fixture.NewTracker(server);
        await using (tracker)
        {
            var run = await tracker.StartRunAsync(new RunOptions { ExperimentId = "0" });
            for (var i = 0; i < 5000; i++)
            {
                run.LogMetric("loss", 1.0 / (i + 1), step: i);
            }

            run.LogParam("lr", "0.1");
            var report = await run.FlushAsync();

            // At the moment the flush returns, not later: the server already holds every value it counts as delivered.
            var stored = Assert.Single(server.Server.AllRuns());
            Assert.Equal(5000, stored.History.Count);
            Assert.Equal("0.1", stored.Params["lr"]);
            Assert.Equal(5001, report.Counters.Logged);
            Assert.Equal(5001, report.Counters.Delivered);
            Assert.Equal(5001, report.Counters.Durable);
            Assert.Equal(0, report.Counters.Pending);
            Assert.True(report.IsFullyDelivered);
            Assert.Null(report.JournalFolder);
        }
    }

    [Fact]
    public async Task FlushToDiskReturnsWithoutTheServerAndCountsTheValuesAsDurableNotDelivered()
    {
        var server = new SwitchableServer { Down = true };
        var (tracker, _) = _fixture.NewTracker(server);
        await using (tracker)
        {
            var run = await tracker.StartRunAsync(new RunOptions { ExperimentName = "down" });
            for (var i = 0; i < 100; i++)
            {
                run.LogMetric("loss", i, step: i);
            }

            var report = await run.FlushToDiskAsync();
            Assert.Equal(new DeliveryCounters(100, 100, 0, 0, 0, 0), report.Counters);
            Assert.Equal(100, report.Counters.Pending);
            Assert.False(report.IsFullyDelivered);
            Assert.NotNull(report.JournalFolder);
            Assert.True(Directory.Exists(report.JournalFolder));
            Assert.Contains("Pending = 100", report.Counters.ToString(), StringComparison.Ordinal);
            Assert.Contains("Delivered = 0", report.Counters.ToString(), StringComparison.Ordinal);
            server.Down = false;
        }
    }

    [Fact]
    public async Task ServerGoesDownMidwayEndAndCloseReportExactlyWhatTheServerLacks()
    {
        var server = new SwitchableServer();
        var (tracker, _) = _fixture.NewTracker(server);
        var run = await tracker.StartRunAsync(new RunOptions { ExperimentId = "0", RunName = "half" });
        for (var i = 0; i < 2000; i++)
        {
            run.LogMetric("loss", i, step: i);
        }

        Assert.True((await run.FlushAsync()).IsFullyDelivered);
        server.Down = true;
        for (var i = 2000; i < 3000; i++)
        {
            run.LogMetric("loss", i, step: i);
        }

        run.SetTag("phase", "two");
        var ended = await run.EndAsync();

        var stored = Assert.Single(server.Server.AllRuns());
        Assert.Equal(2000, stored.History.Count);
        Assert.Equal(RunStatus.Running, stored.Info.Status);
        Assert.Equal(stored.History.Count, ended.Counters.Delivered);
        Assert.Equal(3001, ended.Counters.Logged);
        Assert.Equal(3001, ended.Counters.Durable);
        Assert.Equal(1001, ended.Counters.Pending);
        Assert.False(ended.IsFullyDelivered);
        Assert.NotNull(ended.JournalFolder);
        Assert.Contains(_fixture.Logs.Messages, m => m.Contains($"run {run.RunId} ended with values not delivered", StringComparison.Ordinal) && m.Contains("1001 pending", StringComparison.Ordinal));

        var summary = await tracker.CloseAsync();
        Assert.False(summary.IsFullyDelivered);
        var journal = Assert.Single(summary.Undelivered);
        Assert.Equal(run.RunId, journal.RunId);
        Assert.Equal(1001, journal.PendingValues);
        Assert.Equal(ended.JournalFolder, journal.Folder);
        Assert.True(Directory.Exists(journal.Folder));
        Assert.Equal($"llmtrack sync --tracking-uri {DurableFixture.TrackingUri} --journal-dir {_fixture.BaseRoot}", summary.SyncCommand);
        Assert.Equal(1001, Assert.Single(summary.Runs).Counters.Pending);
        Assert.Contains(_fixture.Logs.Messages, m => m.Contains("NOT everything reached the tracking store: 1001 value(s) pending", StringComparison.Ordinal) && m.Contains(journal.Folder, StringComparison.Ordinal) && m.Contains(summary.SyncCommand!, StringComparison.Ordinal));
        Assert.Same(summary, await tracker.CloseAsync());

        // The journal is intact: the next process (server back) delivers the rest exactly once and ends the run.
        server.Down = false;
        var (next, _) = _fixture.NewTracker(server);
        await using (next)
        {
            await server.Server.WaitUntilAsync(s => s.AllRuns().Single().Info.Status == RunStatus.Finished);
        }

        Assert.Equal(Enumerable.Range(0, 3000).Select(i => (long)i), stored.History.OrderBy(m => m.Timestamp).ThenBy(m => m.Step).Select(m => m.Step));
        Assert.Equal("two", stored.Tags["phase"]);
    }

    [Fact]
    public async Task EverythingDeliveredCloseSaysSoAndWarnsNobody()
    {
        var server = new SwitchableServer();
        var options = _fixture.Options();
        var store = new DurableTrackingStore(server, DurableFixture.TrackingUri, options.Durability, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        var warnings = new StringWriter();
        var tracker = new Tracker(options, store, TimeProvider.System, loggerFactory: null) { Environment = _ => null, ContextTags = [], WarningWriter = warnings };
        var run = await tracker.StartRunAsync(new RunOptions { ExperimentId = "0" });
        run.LogMetric("m", 1);
        run.LogMetric("m", double.NaN, step: 1);

        var summary = await tracker.CloseAsync();

        Assert.True(summary.IsFullyDelivered);
        Assert.Empty(summary.Undelivered);
        Assert.Equal(2, summary.Total.Delivered);
        Assert.Equal(RunStatus.Finished, server.Server.AllRuns().Single().Info.Status);
        Assert.Equal("", warnings.ToString());
        Assert.StartsWith("LlmTrack: all 2 values of 1 run(s) were delivered", summary.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoLoggerGivenServerDownTheEndingProcessSaysOnStandardErrorWhatIsUndeliveredAndWhere()
    {
        var uri = UnusedLocalUri();
        var (exitCode, output, errors) = await RunChildAsync("durable-exit", uri, "500");

        Assert.Equal(1, exitCode);
        Assert.Contains("end DeliveryCounters { Logged = 500, Durable = 500, Delivered = 0, Retried = 0, Failed = 0, Dropped = 0, Pending = 500 }", output, StringComparison.Ordinal);
        Assert.Contains("close False", output, StringComparison.Ordinal);
        Assert.Contains("NOT everything reached the tracking store: 500 value(s) pending", errors, StringComparison.Ordinal);
        Assert.Contains($"llmtrack sync --tracking-uri {uri} --journal-dir {_fixture.BaseRoot}", errors, StringComparison.Ordinal);
        var folder = Assert.Single(Directory.GetDirectories(JournalRoot.ServerRoot(_fixture.BaseRoot, uri)));
        Assert.Contains(folder, errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AProgramThatNeverClosesItsTrackerStillSaysOnStandardErrorWhatItLeavesUndelivered()
    {
        var uri = UnusedLocalUri();
        var (exitCode, output, errors) = await RunChildAsync("durable-forget", uri, "300");

        Assert.Equal(0, exitCode);
        Assert.StartsWith("returning ", output, StringComparison.Ordinal);
        Assert.Contains("exiting without closing its tracker", errors, StringComparison.Ordinal);
        Assert.Contains("300 value(s) pending", errors, StringComparison.Ordinal);
        Assert.Contains($"llmtrack sync --tracking-uri {uri} --journal-dir {_fixture.BaseRoot}", errors, StringComparison.Ordinal);
    }

    /// <summary>An address on 127.0.0.1 where nobody listens.</summary>
    private static string UnusedLocalUri()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var uri = $"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}";
        listener.Stop();
        return uri;
    }

    private async Task<(int ExitCode, string Output, string Errors)> RunChildAsync(string mode, string uri, string points)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { ChildPath, mode, uri, _fixture.BaseRoot, points })
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        return (child.ExitCode, await stdout, await stderr);
    }
}
