using LlmTrack.Durable;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmTrack.Tests.Durable;

public sealed class JournalServerRecordTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "llmtrack-server-record-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void CreatingTheJournalOptionsRecordsTheServerWithoutCredentials()
    {
        const string uri = "https://alice:s3cr%40t@MLflow.example:8443/base/";
        var options = JournalRoot.CreateJournalOptions(uri, new DurabilityOptions { JournalDirectory = _root }, TimeProvider.System, NullLogger.Instance);

        var file = Path.Combine(options.Root, JournalServerRecord.FileName);
        var text = File.ReadAllText(file);
        Assert.DoesNotContain("alice", text, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr", text, StringComparison.Ordinal);
        var recorded = JournalServerRecord.TryRead(options.Root);
        Assert.Equal("https://MLflow.example:8443/base/", recorded);
        Assert.Equal(options.Root, JournalRoot.ServerRoot(_root, recorded!));
        Assert.Empty(Directory.GetFiles(options.Root, "*.tmp"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(options.Root));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public void StatusOfOneServerDoesNotCreateItsFolder()
    {
        var status = JournalSync.GetStatus(new LlmTrackOptions { TrackingUri = "http://127.0.0.1:9", Durability = { JournalDirectory = _root } });
        Assert.Empty(status.Runs);
        Assert.False(Directory.Exists(_root));
    }

    [Fact]
    public void AMissingOrBrokenRecordReadsAsNone()
    {
        Directory.CreateDirectory(_root);
        Assert.Null(JournalServerRecord.TryRead(_root));
        File.WriteAllText(Path.Combine(_root, JournalServerRecord.FileName), "{ not json");
        Assert.Null(JournalServerRecord.TryRead(_root));
        File.WriteAllText(Path.Combine(_root, JournalServerRecord.FileName), """{"format": 1}""");
        Assert.Null(JournalServerRecord.TryRead(_root));
    }

    [Fact]
    public void StatusWithoutATrackingUriListsEveryRecordedServerAndFoldersWithJournals()
    {
        var durability = new DurabilityOptions { JournalDirectory = _root };
        var a = JournalRoot.CreateJournalOptions("http://127.0.0.1:5001", durability, TimeProvider.System, NullLogger.Instance).Root;
        var b = JournalRoot.CreateJournalOptions("http://user:pw@127.0.0.1:5002", durability, TimeProvider.System, NullLogger.Instance).Root;
        Directory.CreateDirectory(Path.Combine(_root, "empty-old-folder"));

        var statuses = PendingJournals.GetStatus(new LlmTrackOptions { Durability = durability });

        Assert.Equal([a, b], statuses.Select(s => s.Root).Order(StringComparer.Ordinal));
        Assert.Equal(["http://127.0.0.1:5001", "http://127.0.0.1:5002"], statuses.Select(s => s.TrackingUri!).Order(StringComparer.Ordinal));
        Assert.All(statuses, s => Assert.Empty(s.Runs));
        Assert.Equal(Path.GetFullPath(_root), PendingJournals.GetJournalRoot(new LlmTrackOptions { Durability = durability }));
    }

    [Fact]
    public async Task DeliverWithoutATrackingUriOfAnEmptyRootDeliversNothing()
    {
        var result = await PendingJournals.DeliverAsync(new LlmTrackOptions { Durability = { JournalDirectory = _root } });
        Assert.Equal((0, 0, 0L), (result.Delivered, result.Remaining, result.DeadLetters));
        Assert.Empty(result.Servers);
    }
}
