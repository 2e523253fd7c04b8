using LlmTrack.Journal;
using LlmTrack.Tests.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace LlmTrack.Tests.Journal;

/// <summary>A journal root in a <see cref="TempFolder"/>, with options on a fake clock.</summary>
internal sealed class TempJournalRoot : IDisposable
{
    private readonly TempFolder _folder = new();

    public TempJournalRoot()
    {
        Root = _folder.PathOf("journal");
        Time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        Options = new JournalOptions { Root = Root, TimeProvider = Time, OnWarning = Warnings.Add };
    }

    public string Root { get; }

    public FakeTimeProvider Time { get; }

    public JournalOptions Options { get; }

    public List<string> Warnings { get; } = [];

    public long Now => Time.GetUtcNow().ToUnixTimeMilliseconds();

    public RunCreatedRecord Created(string localRunId = "run1", JournalOwner? owner = null) => new(
        localRunId,
        "7",
        null,
        "my-run",
        Now,
        null,
        [new Tag("mlflow.user", "ann")],
        owner ?? JournalOwner.Current);

    public string Folder(string localRunId = "run1") => Path.Combine(Root, localRunId);

    public string SegmentPath(long id, string localRunId = "run1") => Path.Combine(Folder(localRunId), JournalFiles.SegmentFileName(id));

    public List<JournalEntry> ReadAll(string localRunId = "run1", JournalPosition? from = null, bool repair = true)
    {
        using var reader = new JournalReader(Folder(localRunId), from ?? JournalPosition.Start, Options, repair);
        var entries = new List<JournalEntry>();
        while (reader.TryRead(out var entry))
        {
            entries.Add(entry);
        }

        return entries;
    }

    public void Dispose() => _folder.Dispose();
}
