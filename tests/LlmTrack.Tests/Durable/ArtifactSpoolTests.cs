using System.Text;
using LlmTrack.Durable;
using LlmTrack.Journal;
using LlmTrack.Stores;
using Microsoft.Extensions.Logging.Abstractions;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace LlmTrack.Tests.Durable;

/// <summary>
/// Artifacts of a run started while the server was unreachable: spooled durably into the run's journal folder,
/// readable while pending, uploaded once the run exists on the server (live, after a restart, after a crash), kept and
/// reported when refused, and refused at the call when they would exceed the disk cap.
/// </summary>
public sealed class ArtifactSpoolTests : IDisposable
{
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly DurableFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task ServerDownAtStartArtifactsAreSpooledDurablyThenUploadedWithIdenticalBytesAndSpoolEmptied()
    {
        var server = new SwitchableServer { Down = true };
        var weights = Bytes(300_000, seed: 1);
        var localFile = WriteInputFile("weights.bin", weights);
        var raw = Bytes(1_000, seed: 2);
        const string Text = "héllo wörld — spooled while the server was down";
        var (tracker, store) = _fixture.NewTracker(server);
        using (tracker)
        {
            var run = tracker.StartRun("artifact-exp", runName: "spooled");
            Assert.StartsWith(DurableTrackingStore.LocalArtifactScheme, run.ArtifactUri);
            run.LogArtifact(localFile, "models");
            await run.LogTextAsync(Text, "notes/summary.txt");
            run.LogBytes(raw, "raw.bin");

            // Durable when the calls returned: the files and their records are on disk, nothing reached the server.
            var folder = Assert.Single(_fixture.RunFolders());
            var spooled = Path.Combine(folder, JournalFiles.ArtifactsFolderName, "models", "weights.bin");
            Assert.Equal(weights, File.ReadAllBytes(spooled));
            Assert.Equal(Encoding.UTF8.GetBytes(Text), File.ReadAllBytes(Path.Combine(folder, "artifacts", "notes", "summary.txt")));
            Assert.Equal(raw, File.ReadAllBytes(Path.Combine(folder, "artifacts", "raw.bin")));
            var pending = Assert.Single(JournalSync.GetStatus(_fixture.Options()).Runs);
            Assert.Equal(3, pending.PendingArtifacts);
            Assert.Equal(weights.Length + raw.Length + Encoding.UTF8.GetByteCount(Text), pending.PendingArtifactBytes);
            Assert.Empty(server.Server.Artifacts);
            Assert.Empty(Directory.GetFiles(Path.Combine(folder, JournalFiles.ArtifactsIncomingFolderName)));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(PrivateFile, File.GetUnixFileMode(spooled));
                Assert.Equal(PrivateFolder, File.GetUnixFileMode(Path.GetDirectoryName(spooled)!));
                Assert.Equal(PrivateFolder, File.GetUnixFileMode(Path.Combine(folder, "artifacts")));
            }

            server.Down = false;
            await server.Server.WaitUntilAsync(s => s.Artifacts.Count == 3);
            var stored = Assert.Single(server.Server.AllRuns());
            var root = stored.Info.ArtifactUri;
            Assert.Equal(weights, server.Server.Artifacts[root + "/models/weights.bin"]);
            Assert.Equal(Encoding.UTF8.GetBytes(Text), server.Server.Artifacts[root + "/notes/summary.txt"]);
            Assert.Equal(raw, server.Server.Artifacts[root + "/raw.bin"]);

            // Each file is deleted once uploaded and its record acknowledged after that.
            await EventuallyAsync(() => JournalSync.GetStatus(_fixture.Options()).Runs.Single().PendingArtifacts == 0);
            Assert.Empty(SpoolFiles(folder));
            Assert.False(Directory.Exists(Path.Combine(folder, "artifacts", "models")));

            // With the spool delivered, artifacts go straight to the server.
            await run.LogTextAsync("later", "after.txt");
            Assert.Equal("later"u8.ToArray(), server.Server.Artifacts[root + "/after.txt"]);
            Assert.Equal(4, server.Server.UploadAttempts);

            await run.EndAsync();
            Assert.Equal(RunStatus.Finished, server.Server.AllRuns().Single().Info.Status);
            Assert.Equal(0, store.DeadLetterCount);
        }

        Assert.Empty(_fixture.RunFolders());
    }

    [Fact]
    public async Task SamePathLoggedTwiceWhilePendingServerEndsWithTheNewestVersion()
    {
        var server = new SwitchableServer { Down = true };
        var (tracker, _) = _fixture.NewTracker(server);
        using (tracker)
        {
            var run = tracker.StartRun("artifact-exp");
            await run.LogTextAsync("version 1", "result.txt");
            await run.LogTextAsync("version 2, longer", "result.txt");
            Assert.Equal(2, JournalSync.GetStatus(_fixture.Options()).Runs.Single().PendingArtifacts);

            server.Down = false;
            await run.EndAsync();
        }

        var stored = Assert.Single(server.Server.AllRuns());
        Assert.Equal(RunStatus.Finished, stored.Info.Status);
        Assert.Equal("version 2, longer"u8.ToArray(), server.Server.Artifacts[stored.Info.ArtifactUri + "/result.txt"]);
        Assert.Empty(_fixture.RunFolders());
        Assert.DoesNotContain(_fixture.Logs.Messages, m => m.Contains("no longer in", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ListAndDownloadWhilePendingServeTheSpooledFiles()
    {
        var server = new SwitchableServer { Down = true };
        var (tracker, store) = _fixture.NewTracker(server);
        using (tracker)
        {
            var run = tracker.StartRun("artifact-exp");
            await run.LogTextAsync("first", "notes/a.txt");
            run.LogBytes(Bytes(123, seed: 3), "b.bin");
            await run.LogTextAsync("second version", "notes/a.txt");
            await run.LogTextAsync("deep", "notes/inner/c.txt");

            var repository = store.GetArtifactRepository(run.ArtifactUri);
            var top = await repository.ListAsync(null, default);
            Assert.Equal(new[] { new ArtifactFile("b.bin", false, 123), new ArtifactFile("notes", true, null) }, top);
            var notes = await repository.ListAsync("notes", default);
            Assert.Equal(new[] { new ArtifactFile("notes/a.txt", false, 14), new ArtifactFile("notes/inner", true, null) }, notes);

            Assert.Equal("second version", await DownloadTextAsync(repository, "notes/a.txt"));
            Assert.Equal("deep", await DownloadTextAsync(repository, "notes/inner/c.txt"));
            var missing = await Assert.ThrowsAsync<MlflowException>(() => DownloadTextAsync(repository, "notes/missing.txt"));
            Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, missing.ErrorCode);
            Assert.Empty(server.Server.Artifacts);

            // Once delivered, the same repository reads from the server.
            server.Down = false;
            await server.Server.WaitUntilAsync(s => s.Artifacts.Count == 3);
            await EventuallyAsync(() => JournalSync.GetStatus(_fixture.Options()).Runs.Single().PendingArtifacts == 0);
            Assert.Equal("second version", await DownloadTextAsync(repository, "notes/a.txt"));
            Assert.Contains(await repository.ListAsync(null, default), f => f.Path == "b.bin");
            await run.EndAsync();
        }
    }

    [Fact]
    public async Task ProcessEndsWhileServerIsDownNextProcessUploadsTheSpooledArtifacts()
    {
        var server = new SwitchableServer { Down = true };
        var model = Bytes(200_000, seed: 4);
        var localFile = WriteInputFile("model.onnx", model);
        var (first, _) = _fixture.NewTracker(server, d => d.DrainTimeout = TimeSpan.FromMilliseconds(100));
        using (first)
        {
            var run = first.StartRun("artifact-exp", runName: "before-restart");
            run.LogArtifact(localFile);
            await run.LogTextAsync("{\"f1\": 0.5}", "eval/scores.json");
            run.LogMetric("loss", 0.25, step: 1);
            run.End(RunStatus.Finished);
        }

        var status = Assert.Single(JournalSync.GetStatus(_fixture.Options()).Runs);
        Assert.Null(status.ServerRunId);
        Assert.Equal(2, status.PendingArtifacts);
        Assert.Empty(server.Server.Artifacts);

        server.Down = false;
        var (second, store) = _fixture.NewTracker(server);
        using (second)
        {
            await store.Recovery;
            await server.Server.WaitUntilAsync(s => s.AllRuns().Any(r => r.Info.Status == RunStatus.Finished));
        }

        var stored = Assert.Single(server.Server.AllRuns());
        Assert.Equal("before-restart", stored.Info.RunName);
        Assert.Equal(model, server.Server.Artifacts[stored.Info.ArtifactUri + "/model.onnx"]);
        Assert.Equal("{\"f1\": 0.5}"u8.ToArray(), server.Server.Artifacts[stored.Info.ArtifactUri + "/eval/scores.json"]);
        Assert.Single(stored.History);
        Assert.Empty(_fixture.RunFolders());
    }

    [Fact]
    public async Task JournalOfKilledProcessSpooledArtifactsAreUploadedHalfWrittenSpoolIsDiscarded()
    {
        var server = new SwitchableServer();
        var content = Bytes(50_000, seed: 5);
        var options = _fixture.JournalOptions;
        var deadOwner = new JournalOwner(int.MaxValue - 11, 1_600_000_000_000, Environment.MachineName);
        string folder;
        using (var journal = RunJournal.Create(options, new RunCreatedRecord("feedfacefeedfacefeedfacefeedface", "0", null, "killed", 1_700_000_000_000, null, [], deadOwner)))
        {
            folder = journal.Folder;
            var spool = new ArtifactSpool(folder);
            var writer = journal.OpenWriter();
            await spool.WriteAsync("plots/roc.bin", _ => Task.FromResult<Stream>(new MemoryStream(content)), content.Length, options, r => writer.Append(r), default);

            // A record whose file a crash removed after its upload (before the acknowledgement): skipped with a warning.
            writer.Append(new ArtifactSpooledRecord("gone.txt", 4));
            writer.FlushToDisk();

            // A spool the killed process was writing: never recorded, so never delivered.
            Directory.CreateDirectory(Path.Combine(folder, JournalFiles.ArtifactsIncomingFolderName));
            File.WriteAllBytes(Path.Combine(folder, JournalFiles.ArtifactsIncomingFolderName, "0123.tmp"), [1, 2, 3]);
            writer.Dispose();
        }

        var (tracker, store) = _fixture.NewTracker(server);
        using (tracker)
        {
            await store.Recovery;
            await server.Server.WaitUntilAsync(s => s.AllRuns().Any(r => r.Info.Status == RunStatus.Failed));
        }

        var stored = Assert.Single(server.Server.AllRuns());
        Assert.Equal(content, server.Server.Artifacts[stored.Info.ArtifactUri + "/plots/roc.bin"]);
        Assert.Single(server.Server.Artifacts);
        Assert.Contains(_fixture.Logs.Messages, m => m.Contains("'gone.txt'", StringComparison.Ordinal) && m.Contains("no longer in", StringComparison.Ordinal));
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task LlmtrackSyncDeliversSpooledArtifactsThroughTheServersArtifactProxy()
    {
        using var mlflow = WireMockServer.Start();
        var options = _fixture.Options();
        options.TrackingUri = mlflow.Urls[0];
        options.Http.MaxRetries = 0;
        var journalOptions = JournalRoot.CreateJournalOptions(options.TrackingUri, options.Durability, TimeProvider.System, NullLogger.Instance);
        var content = Bytes(70_000, seed: 9);
        const long Start = 1_700_000_000_000;
        string folder;
        using (var journal = RunJournal.Create(journalOptions, new RunCreatedRecord("abcabcabcabcabcabcabcabcabcabc12", "0", null, "offline", Start, null, [], new JournalOwner(int.MaxValue - 13, 1_600_000_000_000, Environment.MachineName))))
        {
            folder = journal.Folder;
            var writer = journal.OpenWriter();
            await new ArtifactSpool(folder).WriteAsync("plots/roc curve.bin", _ => Task.FromResult<Stream>(new MemoryStream(content)), null, journalOptions, r => writer.Append(r), default);
            writer.Append(new RunEndedRecord(RunStatus.Finished, Start + 5_000));
            writer.Dispose();
        }

        const string Info = "{\"run_id\":\"srv1\",\"run_uuid\":\"srv1\",\"experiment_id\":\"0\",\"run_name\":\"offline\",\"user_id\":\"\",\"status\":\"RUNNING\",\"start_time\":1700000000000,\"artifact_uri\":\"mlflow-artifacts:/0/srv1/artifacts\",\"lifecycle_stage\":\"active\"}";
        mlflow.Given(Request.Create().WithPath("/api/2.0/mlflow/runs/create").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("{\"run\":{\"info\":" + Info + ",\"data\":{}}}"));
        mlflow.Given(Request.Create().WithPath("/api/2.0/mlflow-artifacts/artifacts/0/srv1/artifacts/plots/roc curve.bin").UsingPut())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("{}"));
        mlflow.Given(Request.Create().WithPath("/api/2.0/mlflow/runs/update").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("{\"run_info\":" + Info.Replace("RUNNING", "FINISHED", StringComparison.Ordinal) + "}"));
        Assert.Equal(1, Assert.Single(JournalSync.GetStatus(options).Runs).PendingArtifacts);

        var result = await JournalSync.SyncAllAsync(options);

        Assert.False(File.Exists(Path.Combine(folder, JournalFiles.DeadLetterFileName)), File.Exists(Path.Combine(folder, JournalFiles.DeadLetterFileName)) ? File.ReadAllText(Path.Combine(folder, JournalFiles.DeadLetterFileName)) : "");
        Assert.Equal(1, result.Delivered);
        Assert.Equal(0, result.Remaining);
        var put = Assert.Single(mlflow.LogEntries, e => e.RequestMessage.Method == "PUT");
        Assert.Equal(content, put.RequestMessage.BodyAsBytes);
        Assert.False(Directory.Exists(folder), string.Join(", ", Directory.Exists(folder) ? Directory.GetFileSystemEntries(folder, "*", SearchOption.AllDirectories) : []));
    }

    [Fact]
    public async Task ArtifactBeyondTheDiskCapIsRefusedAtTheCallNothingKeptJournalIntact()
    {
        var server = new SwitchableServer { Down = true };
        var (tracker, _) = _fixture.NewTracker(server, d => d.DiskCapBytes = 256 * 1024);
        using (tracker)
        {
            var run = tracker.StartRun("artifact-exp");
            run.LogMetric("loss", 1.0, step: 0);
            run.Flush();
            var folder = Assert.Single(_fixture.RunFolders());

            var known = Assert.Throws<JournalDiskCapExceededException>(() => run.LogBytes(Bytes(400_000, seed: 6), "big.bin"));
            Assert.Equal(MlflowErrorCode.ResourceLimitExceeded, known.ErrorCode);
            Assert.Equal("big.bin", known.ArtifactPath);
            Assert.Equal(400_000L, known.RequiredBytes);
            Assert.Equal(256L * 1024, known.DiskCapBytes);
            Assert.Contains("disk cap", known.Message, StringComparison.Ordinal);

            // A stream of unknown length is refused while it is copied, without keeping any part of it.
            var unknown = await Assert.ThrowsAsync<JournalDiskCapExceededException>(() => run.LogArtifactAsync(new NonSeekableStream(Bytes(400_000, seed: 7)), "stream.bin"));
            Assert.True(unknown.RequiredBytes > unknown.AvailableBytes);
            Assert.Empty(SpoolFiles(folder));
            Assert.Equal(0, Assert.Single(JournalSync.GetStatus(_fixture.Options()).Runs).PendingArtifacts);

            // The run goes on: a small artifact fits, and everything is delivered when the server is back.
            await run.LogTextAsync("fits", "small.txt");
            run.LogMetric("loss", 0.5, step: 1);
            server.Down = false;
            await run.EndAsync();
        }

        var stored = Assert.Single(server.Server.AllRuns());
        Assert.Equal(RunStatus.Finished, stored.Info.Status);
        Assert.Equal(2, stored.History.Count);
        var artifact = Assert.Single(server.Server.Artifacts);
        Assert.Equal(stored.Info.ArtifactUri + "/small.txt", artifact.Key);
        Assert.Empty(_fixture.RunFolders());
    }

    [Fact]
    public void SpooledArtifactsCountTowardTheCapOfMetricsToo()
    {
        var server = new SwitchableServer { Down = true };
        var (tracker, _) = _fixture.NewTracker(server, d =>
        {
            d.DiskCapBytes = 256 * 1024;
            d.DrainTimeout = TimeSpan.FromMilliseconds(50);
        });
        using (tracker)
        {
            var run = tracker.StartRun("artifact-exp");
            run.LogBytes(Bytes(200_000, seed: 10), "most-of-the-cap.bin");

            // About 100 KB of points: they would fit without the artifact.
            for (var i = 0; i < 8_000; i++)
            {
                run.LogMetric("loss", i, step: i);
            }

            run.Flush();
            var dropped = run.Counters.Dropped;
            Assert.InRange(dropped, 1, 7_999);
            var folder = Assert.Single(_fixture.RunFolders());
            var used = Directory.GetFiles(folder, "*" + JournalFiles.SegmentExtension).Sum(f => new FileInfo(f).Length)
                + new FileInfo(Path.Combine(folder, "artifacts", "most-of-the-cap.bin")).Length;
            Assert.True(used <= 256 * 1024, $"{used} bytes on disk");
        }
    }

    [Fact]
    public async Task ArtifactRefusedByTheServerGoesToDeadLettersContentKeptRestDelivered()
    {
        var server = new SwitchableServer { Down = true };
        server.Server.ArtifactFailure = (path, _) => path == "bad.txt" ? new MlflowException(MlflowErrorCode.InvalidParameterValue, "Artifact refused (simulated).", 400) : null;
        var (tracker, store) = _fixture.NewTracker(server);
        using (tracker)
        {
            var run = tracker.StartRun("artifact-exp");
            await run.LogTextAsync("poison", "bad.txt");
            await run.LogTextAsync("fine", "good.txt");
            run.LogMetric("acc", 0.9, step: 0);
            server.Down = false;
            await run.EndAsync();
            Assert.Equal(1, store.DeadLetterCount);
        }

        var stored = Assert.Single(server.Server.AllRuns());
        Assert.Equal(RunStatus.Finished, stored.Info.Status);
        Assert.Single(stored.History);
        Assert.Equal("fine"u8.ToArray(), Assert.Single(server.Server.Artifacts).Value);

        var folder = Assert.Single(_fixture.RunFolders());
        var line = Assert.Single(File.ReadAllLines(Path.Combine(folder, JournalFiles.DeadLetterFileName)));
        Assert.Contains("\"artifact\"", line, StringComparison.Ordinal);
        Assert.Contains("\"bad.txt\"", line, StringComparison.Ordinal);
        Assert.Contains("INVALID_PARAMETER_VALUE", line, StringComparison.Ordinal);
        Assert.Equal("poison"u8.ToArray(), File.ReadAllBytes(Path.Combine(folder, JournalFiles.ArtifactsRefusedFolderName, "bad.txt")));
        Assert.Equal(1, JournalSync.GetStatus(_fixture.Options()).DeadLetters);
        Assert.Contains(_fixture.Logs.Messages, m => m.Contains("refused artifact 'bad.txt'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TransientUploadFailureKeepsTheRecordUploadSucceedsOnALaterAttempt()
    {
        var server = new SwitchableServer { Down = true };
        var failures = 0;
        server.Server.ArtifactFailure = (_, _) => Interlocked.Increment(ref failures) <= 4 ? new MlflowException(MlflowErrorCode.Unavailable, "Artifact store busy (simulated).", 503) : null;
        var content = Bytes(10_000, seed: 8);
        var (tracker, store) = _fixture.NewTracker(server);
        using (tracker)
        {
            var run = tracker.StartRun("artifact-exp");
            run.LogBytes(content, "data/sample.bin");
            server.Down = false;
            await run.EndAsync();
            Assert.Equal(0, store.DeadLetterCount);
        }

        var stored = Assert.Single(server.Server.AllRuns());
        Assert.Equal(RunStatus.Finished, stored.Info.Status);
        Assert.Equal(content, server.Server.Artifacts[stored.Info.ArtifactUri + "/data/sample.bin"]);
        Assert.True(server.Server.UploadAttempts >= 5);
        Assert.Empty(_fixture.RunFolders());
    }

    private string WriteInputFile(string name, byte[] content)
    {
        var folder = Path.Combine(_fixture.BaseRoot, "input");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static List<string> SpoolFiles(string runFolder) =>
        [.. new[] { JournalFiles.ArtifactsFolderName, JournalFiles.ArtifactsIncomingFolderName, JournalFiles.ArtifactsOutgoingFolderName }
            .Select(name => Path.Combine(runFolder, name))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.GetFiles(folder, "*", SearchOption.AllDirectories))];

    private static async Task<string> DownloadTextAsync(IArtifactRepository repository, string path)
    {
        using var buffer = new MemoryStream();
        await repository.DownloadAsync(path, buffer, default);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Waits for background delivery to reach a state (polls; fails after 20 s).</summary>
    private static async Task EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The expected state was not reached.");
            await Task.Delay(5);
        }
    }

    private sealed class NonSeekableStream(byte[] content) : Stream
    {
        private readonly MemoryStream _inner = new(content);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
