using LlmTrack.Durable;
using LlmTrack.Journal;

namespace LlmTrack.Tests.Durable;

/// <summary>A delivered journal is deleted, also when a record follows the end that another process delivered.</summary>
public sealed class JournalCompletionTests : IDisposable
{
    private readonly DurableFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task TakenOverJournalWhoseEndWasDeliveredBeforeCompletesAndIsDeleted()
    {
        var server = new SwitchableServer();
        var created = await server.Server.CreateRunAsync("0", "ended-before", 1_700_000_000_000, [], default);
        var deadOwner = new JournalOwner(int.MaxValue - 17, 1_600_000_000_000, Environment.MachineName);
        string folder;
        using (var journal = RunJournal.Create(_fixture.JournalOptions, new RunCreatedRecord("0badc0de0badc0de0badc0de0badc0d", "0", null, "ended-before", 1_700_000_000_000, null, [], deadOwner)))
        {
            folder = journal.Folder;
            journal.MapServerRun(created.Info.RunId, created.Info.ArtifactUri);
            var writer = journal.OpenWriter();
            writer.Append(new RunEndedRecord(RunStatus.Finished, 1_700_000_001_000));
            writer.Append(new ActivityRecord(1_700_000_002_000)); // as an older version could write after the end
            writer.Dispose();

            // The earlier process delivered everything up to the end, then stopped.
            using var reader = journal.OpenReader();
            JournalEntry? entry;
            do
            {
                Assert.True(reader.TryRead(out entry));
            }
            while (entry.Record is not RunEndedRecord);

            journal.Acknowledge(entry.Next);
        }

        using var store = new DurableTrackingStore(server, DurableFixture.TrackingUri, _fixture.Durability, TimeProvider.System, _fixture.LoggerFactory);
        var run = Assert.Single(await store.RecoverAsync(stopWhenUnavailable: false, default));
        await run.Shipped.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(Directory.Exists(folder));
        Assert.Single(server.Server.AllRuns());
    }
}
