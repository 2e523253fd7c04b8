using LlmTrack.Durable;
using LlmTrack.Journal;

namespace LlmTrack.Tests.Durable;

/// <summary>
/// Durable mode end to end over a server that goes down and comes back: outage at start, process end while the
/// server is down, crash recovery, torn journal tail, and poison values.
/// </summary>
public sealed class DurableModeTests : IDisposable
{
    private readonly DurableFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task ServerDownAtStartRunStartsLocallyThenIsCreatedDeliveredAndFinished()
    {
        var server = new SwitchableServer { Down = true };
        var (tracker, _) = _fixture.NewTracker(server);
        using (tracker)
        {
            var run = tracker.StartRun("outage-exp", runName: "local-first");
            Assert.Matches("^[0-9a-f]{32}$", run.RunId);
            Assert.StartsWith(DurableTrackingStore.LocalArtifactScheme, run.ArtifactUri);
            Assert.Empty(server.Server.AllRuns());
            for (var i = 0; i < 100; i++)
            {
                run.LogMetric("loss", 1.0 / (i + 1), step: i);
            }

            run.LogParam("lr", "0.01");
            run.Flush();
            // Artifacts are spooled into the journal folder while the run exists only locally.
            await run.LogTextAsync("x", "notes.txt");
            Assert.Empty(server.Server.Artifacts);

            server.Down = false;
            await run.EndAsync();

            var stored = Assert.Single(server.Server.AllRuns());
            Assert.Equal(RunStatus.Finished, stored.Info.Status);
            Assert.Equal(run.Info.EndTime, stored.Info.EndTime);
            Assert.Equal(RunStatus.Finished, run.Status);
            Assert.Equal("local-first", stored.Info.RunName);
            Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), stored.History.Select(m => m.Step));
            Assert.Equal("0.01", stored.Params["lr"]);
            Assert.Equal("x"u8.ToArray(), server.Server.Artifacts[stored.Info.ArtifactUri + "/notes.txt"]);
            var experiment = await server.Server.GetExperimentByNameAsync("outage-exp", default);
            Assert.Equal(experiment!.ExperimentId, stored.Info.ExperimentId);
        }

        Assert.Empty(_fixture.RunFolders());
    }

    [Fact]
    public async Task ProcessEndsWhileServerIsDownJournalStaysNextTrackerDeliversIt()
    {
        var server = new SwitchableServer { Down = true };
        long? endTime;
        var (first, _) = _fixture.NewTracker(server, d => d.DrainTimeout = TimeSpan.FromMilliseconds(100));
        using (first)
        {
            var run = first.StartRun(new RunOptions { ExperimentId = "0", RunName = "before-restart" });
            for (var i = 0; i < 50; i++)
            {
                run.LogMetric("acc", i / 50.0, step: i);
            }

            run.SetTag("team", "nlp");
            run.End(RunStatus.Finished);
            endTime = run.Info.EndTime;
        }

        var status = JournalSync.GetStatus(_fixture.Options());
        var pending = Assert.Single(status.Runs);
        Assert.True(pending.Ended);
        Assert.Null(pending.ServerRunId);
        Assert.Equal(1, status.RunsWaitingForServer);
        Assert.True(pending.PendingRecords > 0);
        Assert.Contains(_fixture.Logs.Messages, m => m.Contains("llmtrack sync", StringComparison.Ordinal));

        server.Down = false;
        var (second, store) = _fixture.NewTracker(server);
        using (second)
        {
            await store.Recovery;
            await server.Server.WaitUntilAsync(s => s.AllRuns().Any(r => r.Info.Status == RunStatus.Finished));
        }

        var stored = Assert.Single(server.Server.AllRuns());
        Assert.Equal(endTime, stored.Info.EndTime);
        Assert.Equal(50, stored.History.Count);
        Assert.Equal("nlp", stored.Tags["team"]);
        Assert.Empty(_fixture.RunFolders());
    }

    [Fact]
    public async Task ResumedRunIsJournaledServerDownUntilTheProcessEndsNextTrackerDeliversIt()
    {
        var server = new SwitchableServer();
        string runId;
        var (first, _) = _fixture.NewTracker(server);
        using (first)
        {
            var run = first.StartRun(new RunOptions { ExperimentId = "0", RunName = "resumed" });
            runId = run.RunId;
            for (var i = 0; i < 10; i++)
            {
                run.LogMetric("loss", i, step: i);
            }

            run.End();
        }

        // The first journal is deleted once delivered, on the shipper's thread.
        for (var wait = 0; _fixture.RunFolders().Count > 0 && wait < 2000; wait++)
        {
            await Task.Delay(10);
        }

        Assert.Empty(_fixture.RunFolders());
        long? endTime;
        var (second, _) = _fixture.NewTracker(server, d => d.DrainTimeout = TimeSpan.FromMilliseconds(100));
        using (second)
        {
            var run = second.ResumeRun(runId);
            Assert.Single(_fixture.RunFolders()); // the resumed run has a journal of its own
            server.Down = true;
            for (var i = 10; i < 30; i++)
            {
                run.LogMetric("loss", i, step: i);
            }

            run.SetTag("phase", "resumed");
            var report = run.Flush();
            Assert.Equal(0, report.Counters.Failed);
            run.End();
            endTime = run.Info.EndTime;
        }

        Assert.Single(_fixture.RunFolders()); // the server was down: the values wait on disk
        server.Down = false;
        var (third, store) = _fixture.NewTracker(server);
        using (third)
        {
            await store.Recovery;
            await server.Server.WaitUntilAsync(s => s.Run(runId).History.Count == 30 && s.Run(runId).Info.EndTime == endTime);
        }

        var stored = server.Server.Run(runId);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), stored.History.Select(m => m.Step));
        Assert.Equal("resumed", stored.Tags["phase"]);
        Assert.Equal(RunStatus.Finished, stored.Info.Status);
        Assert.Single(server.Server.AllRuns());
        Assert.Empty(_fixture.RunFolders());
    }

    [Fact]
    public async Task JournalOfDeadProcessIsDeliveredAndEndedFailedAtLastActivity()
    {
        var server = new SwitchableServer();
        var lastActivity = WriteJournalOfDeadProcess("deadbeefdeadbeefdeadbeefdeadbeef", points: 30, tearLastRecord: false);

        var (tracker, store) = _fixture.NewTracker(server);
        using (tracker)
        {
            await store.Recovery;
            await server.Server.WaitUntilAsync(s => s.AllRuns().Any(r => r.Info.Status == RunStatus.Failed));
        }

        var stored = Assert.Single(server.Server.AllRuns());
        Assert.Equal(RunStatus.Failed, stored.Info.Status);
        Assert.Equal(lastActivity, stored.Info.EndTime);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), stored.History.Select(m => m.Step));
        Assert.Equal("crashed", stored.Info.RunName);
        Assert.Contains(_fixture.Logs.Messages, m => m.Contains("FAILED", StringComparison.Ordinal));
        Assert.Empty(_fixture.RunFolders());
    }

    [Fact]
    public async Task LastRecordCutInHalfIsIgnoredRestIsDelivered()
    {
        var server = new SwitchableServer();
        WriteJournalOfDeadProcess("0123456789abcdef0123456789abcdef", points: 20, tearLastRecord: true);

        var (tracker, store) = _fixture.NewTracker(server);
        using (tracker)
        {
            await store.Recovery;
            await server.Server.WaitUntilAsync(s => s.AllRuns().Any(r => r.Info.Status == RunStatus.Failed));
        }

        var stored = Assert.Single(server.Server.AllRuns());
        // The torn record held the points 20..29; the 20 before it are delivered.
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), stored.History.Select(m => m.Step));
    }

    [Fact]
    public async Task PoisonValueGoesToDeadLettersRestIsDeliveredVisibleInCountersLogAndStatus()
    {
        var server = new SwitchableServer();
        server.RejectedMetricKeys.Add("bad");
        var (tracker, store) = _fixture.NewTracker(server);
        Run run;
        using (tracker)
        {
            run = tracker.StartRun(new RunOptions { ExperimentId = "0" });
            for (var i = 0; i < 40; i++)
            {
                run.LogMetric("good", i, step: i);
                if (i == 17)
                {
                    run.LogMetric("bad", 1.5, step: i);
                }
            }

            await run.EndAsync();
            Assert.Equal(1, run.Counters.Failed);
            Assert.Equal(1, store.DeadLetterCount);
        }

        var stored = Assert.Single(server.Server.AllRuns());
        Assert.Equal(RunStatus.Finished, stored.Info.Status);
        // Every good point is stored once (the split may store the refused batch's second half before the first).
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (long)i), stored.History.Select(m => m.Step).Order());
        Assert.DoesNotContain(stored.History, m => m.Key == "bad");

        var folder = Assert.Single(_fixture.RunFolders());
        var line = Assert.Single(File.ReadAllLines(Path.Combine(folder, "dead-letters.jsonl")));
        Assert.Contains("\"bad\"", line);
        Assert.Contains("INVALID_PARAMETER_VALUE", line);
        Assert.Contains("(simulated)", line);
        var status = JournalSync.GetStatus(_fixture.Options());
        Assert.Equal(1, status.DeadLetters);
        Assert.Contains(_fixture.Logs.Messages, m => m.Contains("dead-letters.jsonl", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SyncAllServerUnreachableLeavesJournalOnDiskAndReportsItRemaining()
    {
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var options = _fixture.Options();
        options.TrackingUri = $"http://127.0.0.1:{port}";
        options.Http.MaxRetries = 0;
        options.Http.AttemptTimeout = TimeSpan.FromSeconds(2);
        var journalOptions = JournalRoot.CreateJournalOptions(options.TrackingUri, options.Durability, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        WriteJournalOfDeadProcess("abcdefabcdefabcdefabcdefabcdef12", points: 5, tearLastRecord: false, journalOptions);

        var progress = new List<JournalSyncProgress>();
        var result = await JournalSync.SyncAllAsync(options, new SynchronousProgress<JournalSyncProgress>(progress.Add));

        Assert.Equal(0, result.Delivered);
        Assert.Equal(1, result.Remaining);
        var report = Assert.Single(progress);
        Assert.False(report.Delivered);
        Assert.Contains("could not be reached", report.Error, StringComparison.Ordinal);
        var status = JournalSync.GetStatus(options);
        var run = Assert.Single(status.Runs);
        Assert.True(run.Ended);
        Assert.Null(run.ServerRunId);
        Assert.False(run.InUse);
        Assert.Equal($"http://127.0.0.1:{port}", status.TrackingUri);
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    /// <summary>Writes a journal as a process that died would leave it; returns its last activity.</summary>
    private long WriteJournalOfDeadProcess(string localRunId, int points, bool tearLastRecord, JournalOptions? journalOptions = null)
    {
        var options = journalOptions ?? _fixture.JournalOptions;
        var deadOwner = new JournalOwner(int.MaxValue - 7, 1_600_000_000_000, Environment.MachineName);
        const long start = 1_700_000_000_000;
        using var journal = RunJournal.Create(options, new RunCreatedRecord(localRunId, "0", null, "crashed", start, null, [new Tag("mlflow.runName", "crashed")], deadOwner));
        var writer = journal.OpenWriter();
        writer.AppendMetrics([.. Enumerable.Range(0, points).Select(i => new Metric("loss", i * 0.5, start + 1000 + i, i))]);
        writer.FlushToDisk();
        var segment = Path.Combine(journal.Folder, JournalFiles.SegmentFileName(writer.SegmentId));
        var before = new FileInfo(segment).Length;
        if (tearLastRecord)
        {
            writer.AppendMetrics([.. Enumerable.Range(points, 10).Select(i => new Metric("loss", i * 0.5, start + 1000 + i, i))]);
            writer.FlushToDisk();
        }

        writer.Dispose();
        if (tearLastRecord)
        {
            var after = new FileInfo(segment).Length;
            using var file = new FileStream(segment, FileMode.Open, FileAccess.Write);
            file.SetLength(before + ((after - before) / 2));
        }

        return start + 1000 + points - 1;
    }
}
