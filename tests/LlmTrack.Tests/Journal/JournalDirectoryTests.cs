using System.Text.Json;
using LlmTrack.Journal;

namespace LlmTrack.Tests.Journal;

public class JournalDirectoryTests
{
    private const int NonExistentPid = 0x3FFF_FFF0;

    [Fact]
    public void FilesAreUserOnlyOnUnix()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var root = new TempJournalRoot();
        using var journal = RunJournal.Create(root.Options, root.Created());
        var writer = journal.OpenWriter();
        writer.AppendMetrics([new Metric("m", 1, root.Now, 0)]);
        writer.FlushToDisk();
        journal.Acknowledge(new JournalPosition(1, JournalSegment.HeaderSize + 1));
        journal.DeadLetters.Append(new Param("p", "v"), new MlflowException(MlflowErrorCode.InvalidParameterValue, "bad", 400));

        const UnixFileMode folderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        const UnixFileMode fileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(folderMode, File.GetUnixFileMode(root.Root));
        Assert.Equal(folderMode, File.GetUnixFileMode(root.Folder()));
        foreach (var name in new[] { JournalFiles.SegmentFileName(1), JournalFiles.ManifestFileName, JournalFiles.BookmarkFileName, JournalFiles.LockFileName, JournalFiles.DeadLetterFileName })
        {
            Assert.Equal(fileMode, File.GetUnixFileMode(Path.Combine(root.Folder(), name)));
        }
    }

    [Fact]
    public void JournalRootAboveTheServerFolderIsCreatedUserOnlyOnUnix()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // DurabilityOptions.JournalDirectory (the journal root) is the parent of the server folder journals are made in.
        var top = Path.Combine(Path.GetTempPath(), "llmtrack-journal-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(top, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        var topMode = File.GetUnixFileMode(top);
        try
        {
            var journalRoot = Path.Combine(top, "llmtrack", "journal");
            var options = new JournalOptions { Root = LlmTrack.Durable.JournalRoot.ServerRoot(journalRoot, "http://127.0.0.1:5000") };
            using var root = new TempJournalRoot();
            using (RunJournal.Create(options, root.Created()))
            {
            }

            const UnixFileMode folderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            Assert.Equal(folderMode, File.GetUnixFileMode(journalRoot));
            Assert.Equal(folderMode, File.GetUnixFileMode(Path.GetDirectoryName(journalRoot)!));
            Assert.Equal(folderMode, File.GetUnixFileMode(options.Root));

            // A folder that existed already keeps its mode.
            Assert.Equal(topMode, File.GetUnixFileMode(top));
        }
        finally
        {
            Directory.Delete(top, recursive: true);
        }
    }

    [Fact]
    public void ExistingRootWithWideModeIsTightened()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var root = new TempJournalRoot();
        Directory.CreateDirectory(root.Root);
        File.SetUnixFileMode(root.Root, (UnixFileMode)0b111_101_101);
        using var journal = RunJournal.Create(root.Options, root.Created());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(root.Root));
    }

    [Fact]
    public void NoCredentialsAreWritten()
    {
        using var root = new TempJournalRoot();
        using (var journal = RunJournal.Create(root.Options, root.Created()))
        {
            journal.OpenWriter().Append(new RunMappedRecord("abc", "mlflow-artifacts:/1/abc/artifacts"));
        }

        var text = string.Concat(Directory.GetFiles(root.Folder()).Select(File.ReadAllText));
        Assert.DoesNotContain("token", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("password", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void DiskCapDropsDataButKeepsLifecycleRecordsAndRecoversWhenSpaceIsFreed()
    {
        using var root = new TempJournalRoot();
        root.Options.SegmentSize = 2048;
        root.Options.MaxTotalBytes = 8192;
        using var journal = RunJournal.Create(root.Options, root.Created());
        var writer = journal.OpenWriter();
        var appended = 0;
        var result = JournalAppendResult.Appended;
        for (var i = 0; i < 1000 && result == JournalAppendResult.Appended; i++)
        {
            result = writer.AppendMetrics([new Metric("m", i, root.Now + i, i)]);
            if (result == JournalAppendResult.Appended)
            {
                appended++;
            }
        }

        Assert.Equal(JournalAppendResult.DroppedDiskCap, result);
        Assert.Equal(1, writer.DroppedItems);
        Assert.Equal(JournalAppendResult.DroppedDiskCap, writer.AppendParams([new Param("a", new string('b', 100)), new Param("c", "d")]));
        Assert.Equal(3, writer.DroppedItems);
        Assert.Equal(JournalAppendResult.Appended, writer.Append(new RunEndedRecord(RunStatus.Finished, root.Now)));
        writer.FlushToDisk();

        var total = JournalFiles.ListSegments(root.Folder()).Sum(id => new FileInfo(root.SegmentPath(id)).Length);
        Assert.InRange(total, 4096, 8192 + 64);
        var entries = root.ReadAll();
        Assert.Equal(appended, entries.Select(e => e.Record).OfType<MetricsRecord>().Sum(r => r.Metrics.Count));
        Assert.IsType<RunEndedRecord>(entries[^1].Record);

        // The shipper delivers and acknowledges everything: old segments are deleted and, once the writer
        // measures again (at most once a second), data is accepted again.
        journal.Acknowledge(entries[^1].Next);
        var dropped = writer.AppendMetrics([new Metric("m", -1, root.Now, 0)]);
        Assert.True(dropped == JournalAppendResult.DroppedDiskCap, $"{dropped} {writer.Position} {string.Join(",", JournalFiles.ListSegments(root.Folder()))}");
        root.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(JournalAppendResult.Appended, writer.AppendMetrics([new Metric("m", -2, root.Now, 0)]));
    }

    [Fact]
    public void DiskCapCountsOtherJournalsUnderTheRoot()
    {
        using var root = new TempJournalRoot();
        using (var other = RunJournal.Create(root.Options, root.Created("other")))
        {
            other.OpenWriter().AppendMetrics(Enumerable.Range(0, 300).Select(i => new Metric("x" + i, i, root.Now, i)).ToArray());
        }

        Assert.True(new FileInfo(root.SegmentPath(1, "other")).Length > 4096);
        root.Options.MaxTotalBytes = 4096;
        using var journal = RunJournal.Create(root.Options, root.Created("run2"));
        Assert.Equal(JournalAppendResult.DroppedDiskCap, journal.OpenWriter().AppendMetrics([new Metric("m", 1, root.Now, 0)]));
    }

    [Fact]
    public void LockFilePreventsASecondWriter()
    {
        using var root = new TempJournalRoot();
        var journal = RunJournal.Create(root.Options, root.Created());
        Assert.Null(RunJournal.TryOpen(root.Options, "run1"));
        var error = Assert.Throws<JournalException>(() => RunJournal.Open(root.Options, "run1"));
        Assert.Equal(JournalErrorKind.Locked, error.Kind);
        Assert.Contains(root.Folder(), error.Message, StringComparison.Ordinal);
        Assert.Throws<JournalException>(() => RunJournal.Create(root.Options, root.Created()));
        Assert.Same(journal.OpenWriter(), journal.OpenWriter());

        var status = Assert.Single(JournalDirectory.Scan(root.Options));
        Assert.True(status.IsLocked);
        Assert.False(status.CanTakeOver);
        Assert.Equal(OwnerLiveness.Alive, status.Owner);

        journal.Dispose();
        using var again = RunJournal.TryOpen(root.Options, "run1");
        Assert.NotNull(again);
    }

    [Fact]
    public void ScanReportsADeadOwnerPendingDataAndLastActivity()
    {
        using var root = new TempJournalRoot();
        var deadOwner = new JournalOwner(NonExistentPid, root.Now - 60_000, Environment.MachineName);
        using (var journal = RunJournal.Create(root.Options, root.Created("dead_run", deadOwner)))
        {
            var writer = journal.OpenWriter();
            writer.Append(new RunMappedRecord("0123456789abcdef0123456789abcdef", null));
            writer.AppendMetrics([new Metric("m", 1, root.Now + 5_000, 0), new Metric("m", 2, root.Now + 9_000, 1)]);
            writer.AppendParams([new Param("p", "1")]);
            writer.FlushToDisk();
            var entries = root.ReadAll("dead_run");
            journal.Acknowledge(entries[1].Next);
            journal.DeadLetters.Append(new Metric("bad", double.NaN, 1, 0), new MlflowException(MlflowErrorCode.InvalidParameterValue, "Invalid metric", 400));
        }

        var status = Assert.Single(JournalDirectory.Scan(root.Options));
        Assert.Equal("dead_run", status.LocalRunId);
        Assert.Equal("0123456789abcdef0123456789abcdef", status.ServerRunId);
        Assert.Equal(OwnerLiveness.Dead, status.Owner);
        Assert.False(status.IsLocked);
        Assert.True(status.CanTakeOver);
        Assert.False(status.Ended);
        Assert.True(status.IsAbandoned);
        Assert.Equal(2, status.PendingRecords);
        Assert.True(status.PendingBytes > 0);
        Assert.Equal(root.Now + 9_000, status.LastActivity);
        Assert.Equal(1, status.DeadLetterCount);
        Assert.Equal(0, status.CorruptFileCount);

        // The next process takes over and ends the run as FAILED at its last activity.
        using (var journal = RunJournal.Open(root.Options, "dead_run"))
        {
            journal.OpenWriter().Append(new RunEndedRecord(RunStatus.Failed, status.LastActivity));
        }

        var after = Assert.Single(JournalDirectory.Scan(root.Options));
        Assert.True(after.Ended);
        Assert.False(after.IsAbandoned);
        Assert.Equal(RunStatus.Failed, after.State.EndStatus);
        Assert.Equal(root.Now + 9_000, after.State.EndTime);
    }

    [Fact]
    public void OwnerLivenessUsesProcessIdStartTimeAndMachine()
    {
        var me = JournalOwner.Current;
        Assert.Equal(OwnerLiveness.Alive, JournalDirectory.CheckOwner(me));
        Assert.Equal(OwnerLiveness.Dead, JournalDirectory.CheckOwner(me with { ProcessStartTime = me.ProcessStartTime - 3_600_000 }));
        Assert.Equal(OwnerLiveness.Dead, JournalDirectory.CheckOwner(me with { ProcessId = NonExistentPid }));
        Assert.Equal(OwnerLiveness.Unknown, JournalDirectory.CheckOwner(me with { MachineName = "another-machine-x" }));
    }

    [Fact]
    public void OwnerOnAnotherMachineCountsAsDeadOnlyWhenStale()
    {
        using var root = new TempJournalRoot();
        var remote = new JournalOwner(1234, 0, "another-machine-x");
        RunJournal.Create(root.Options, root.Created("remote", remote)).Dispose();
        Assert.Equal(OwnerLiveness.Unknown, Assert.Single(JournalDirectory.Scan(root.Options)).Owner);
        root.Time.Advance(TimeSpan.FromHours(25));
        Assert.Equal(OwnerLiveness.Dead, Assert.Single(JournalDirectory.Scan(root.Options)).Owner);
        Assert.Equal(OwnerLiveness.Unknown, Assert.Single(JournalDirectory.Scan(root.Options, TimeSpan.FromDays(2))).Owner);
    }

    [Fact]
    public void StateIsKeptAfterTheSegmentsHoldingItAreDeletedAndRebuiltWhenRunJsonIsMissing()
    {
        using var root = new TempJournalRoot();
        root.Options.SegmentSize = 2048;
        using (var journal = RunJournal.Create(root.Options, root.Created()))
        {
            var writer = journal.OpenWriter();
            writer.Append(new RunMappedRecord("server-id", "mlflow-artifacts:/x"));
            for (var i = 0; i < 40; i++)
            {
                writer.AppendMetrics(Enumerable.Range(0, 10).Select(j => new Metric("k" + j, j, root.Now, i)).ToArray());
            }

            writer.FlushToDisk();
            var entries = root.ReadAll();
            journal.Acknowledge(entries[^1].Next);
            Assert.DoesNotContain(1L, JournalFiles.ListSegments(root.Folder()));
        }

        using (var reopened = RunJournal.Open(root.Options, "run1"))
        {
            Assert.Equal("server-id", reopened.State.ServerRunId);
            Assert.Equal("my-run", reopened.State.RunName);
        }

        using var fresh = new TempJournalRoot();
        RunJournal.Create(fresh.Options, fresh.Created()).Dispose();
        File.Delete(Path.Combine(fresh.Folder(), JournalFiles.ManifestFileName));
        var rebuilt = Assert.Single(JournalDirectory.Scan(fresh.Options));
        Assert.Equal("run1", rebuilt.LocalRunId);
        Assert.Equal("7", rebuilt.State.ExperimentId);
    }

    [Fact]
    public void DeadLettersAreJsonLinesWithTheServerError()
    {
        using var root = new TempJournalRoot();
        using var journal = RunJournal.Create(root.Options, root.Created());
        var error = new MlflowException(MlflowErrorCode.InvalidParameterValue, "Param value too long", 400);
        journal.DeadLetters.Append(new Metric("m", double.NegativeInfinity, 5, 6), error);
        journal.DeadLetters.Append(new Param("p", "v"), error);
        journal.DeadLetters.Append(new Tag("t", "v"), error);
        journal.DeadLetters.Append(new DatasetInput(new Dataset { Name = "d", Digest = "1", SourceType = "local", Source = "{}" }, []), error);

        Assert.Equal(4, journal.DeadLetters.Count());
        var lines = journal.DeadLetters.ReadAll();
        using var metric = JsonDocument.Parse(lines[0]);
        Assert.Equal("metric", metric.RootElement.GetProperty("kind").GetString());
        Assert.Equal("-Infinity", metric.RootElement.GetProperty("item").GetProperty("value").GetString());
        Assert.Equal("fff0000000000000", metric.RootElement.GetProperty("item").GetProperty("value_bits").GetString());
        Assert.Equal("INVALID_PARAMETER_VALUE", metric.RootElement.GetProperty("error").GetProperty("error_code").GetString());
        Assert.Equal(400, metric.RootElement.GetProperty("error").GetProperty("status").GetInt32());
        Assert.Equal(root.Now, metric.RootElement.GetProperty("time").GetInt64());
        using var dataset = JsonDocument.Parse(lines[3]);
        Assert.Equal("d", dataset.RootElement.GetProperty("item").GetProperty("input").GetProperty("dataset").GetProperty("name").GetString());
    }

    [Fact]
    public void FullDiskBecomesAClearJournalException()
    {
        if (!File.Exists("/dev/full"))
        {
            return;
        }

        IOException? io = null;
        try
        {
            using var stream = new FileStream("/dev/full", FileMode.Open, FileAccess.Write);
            stream.Write(new byte[16]);
            stream.Flush();
        }
        catch (IOException ex)
        {
            io = ex;
        }

        Assert.NotNull(io);
        var error = JournalException.From(io!, "/dev/full", "write");
        Assert.Equal(JournalErrorKind.DiskFull, error.Kind);
        Assert.Equal("RESOURCE_EXHAUSTED", error.ErrorCode);
        Assert.Contains("disk is full", error.Message, StringComparison.Ordinal);
        Assert.Contains("/dev/full", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<MlflowException>(error);
    }

    [Fact]
    public void FailedRolloverOnAFullDiskKeepsTheJournalConsistent()
    {
        if (OperatingSystem.IsWindows() || !File.Exists("/dev/full"))
        {
            return;
        }

        using var root = new TempJournalRoot();
        root.Options.SegmentSize = 2048;
        using (var journal = RunJournal.Create(root.Options, root.Created()))
        {
            var writer = journal.OpenWriter();
            File.CreateSymbolicLink(root.SegmentPath(2), "/dev/full");
            for (var i = 0; i < 100; i++)
            {
                Assert.Equal(JournalAppendResult.Appended, writer.AppendMetrics([new Metric("m", i, root.Now, i)]));
            }

            writer.FlushToDisk();
            File.Delete(root.SegmentPath(2));
        }

        var values = root.ReadAll().Select(e => e.Record).OfType<MetricsRecord>().SelectMany(r => r.Metrics).Select(m => m.Value);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (double)i), values);
    }

    [Fact]
    public void PermissionDeniedBecomesAClearJournalException()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var error = JournalException.From(new UnauthorizedAccessException("Access to the path is denied."), "/x/journal", "create the journal folder");
        Assert.Equal(JournalErrorKind.PermissionDenied, error.Kind);
        Assert.Equal(MlflowErrorCode.PermissionDenied, error.ErrorCode);
        Assert.Contains("permission denied", error.Message, StringComparison.Ordinal);

        if (Environment.UserName == "root")
        {
            return;
        }

        using var root = new TempJournalRoot();
        Directory.CreateDirectory(root.Root);
        File.SetUnixFileMode(root.Root, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var thrown = Assert.Throws<JournalException>(() => RunJournal.Create(root.Options, root.Created()));
        Assert.Equal(JournalErrorKind.PermissionDenied, thrown.Kind);
        File.SetUnixFileMode(root.Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    [Fact]
    public void DefaultRootIsPerUserAndOverridable()
    {
        var root = JournalOptions.ResolveRoot(null, _ => null);
        Assert.EndsWith(Path.Combine("llmtrack", "journal"), root, StringComparison.Ordinal);
        Assert.Equal(Path.GetFullPath("/tmp/j1"), JournalOptions.ResolveRoot(null, name => name == JournalOptions.RootEnvironmentVariable ? "/tmp/j1" : null));
        Assert.Equal(Path.GetFullPath("/tmp/j2"), JournalOptions.ResolveRoot("/tmp/j2", _ => "/tmp/j1"));
    }
}
