using LlmTrack.Journal;

namespace LlmTrack.Tests.Journal;

public class JournalRecoveryTests
{
    private static Metric[] Batch(TempJournalRoot root, int start, int count) =>
        Enumerable.Range(start, count).Select(i => new Metric("metric-" + (i % 5), i, root.Now + i, i)).ToArray();

    private static List<double> Values(IEnumerable<JournalEntry> entries) =>
        entries.Select(e => e.Record).OfType<MetricsRecord>().SelectMany(r => r.Metrics).Select(m => m.Value).ToList();

    private static void WriteMetrics(TempJournalRoot root, int batches, int perBatch, long segmentSize = 4L * 1024 * 1024)
    {
        root.Options.SegmentSize = segmentSize;
        using var journal = RunJournal.Create(root.Options, root.Created());
        var writer = journal.OpenWriter();
        for (var b = 0; b < batches; b++)
        {
            writer.AppendMetrics(Batch(root, b * perBatch, perBatch));
        }

        writer.FlushToDisk();
    }

    [Fact]
    public void SegmentsRollOverAndReadBackInOrder()
    {
        using var root = new TempJournalRoot();
        WriteMetrics(root, batches: 60, perBatch: 10, segmentSize: 2048);
        var segments = JournalFiles.ListSegments(root.Folder());
        Assert.True(segments.Count >= 3, $"{segments.Count} segments");
        Assert.Equal(Enumerable.Range(1, segments.Count).Select(i => (long)i), segments);
        foreach (var id in segments.SkipLast(1))
        {
            Assert.InRange(new FileInfo(root.SegmentPath(id)).Length, 1024, 2048);
        }

        var entries = root.ReadAll();
        Assert.Equal(Enumerable.Range(0, 600).Select(i => (double)i), Values(entries));
        Assert.Equal(Enumerable.Range(0, 600).Select(i => "metric-" + (i % 5)), entries.Select(e => e.Record).OfType<MetricsRecord>().SelectMany(r => r.Metrics).Select(m => m.Key));
        Assert.Empty(root.Warnings);
    }

    [Fact]
    public void ReaderStartingInTheMiddleOfASegmentRebuildsTheKeyDictionary()
    {
        using var root = new TempJournalRoot();
        WriteMetrics(root, batches: 20, perBatch: 10, segmentSize: 2048);
        var all = root.ReadAll();
        var middle = all[7].Next;
        var rest = root.ReadAll(from: middle);
        Assert.Equal(Values(all.Skip(8)), Values(rest));
        Assert.Equal(all[8].Position, rest[0].Position);
    }

    [Fact]
    public void AcknowledgeMovesTheBookmarkAndDeletesAcknowledgedSegments()
    {
        using var root = new TempJournalRoot();
        root.Options.SegmentSize = 2048;
        using var journal = RunJournal.Create(root.Options, root.Created());
        var writer = journal.OpenWriter();
        for (var b = 0; b < 80; b++)
        {
            writer.AppendMetrics(Batch(root, b * 10, 10));
        }

        writer.FlushToDisk();
        var before = JournalFiles.ListSegments(root.Folder());
        Assert.True(before.Count >= 4);

        using var reader = journal.OpenReader();
        var read = new List<JournalEntry>();
        while (reader.TryRead(out var entry) && entry.Next.SegmentId < 3)
        {
            read.Add(entry);
        }

        var ack = read[^1].Next;
        journal.Acknowledge(ack);
        Assert.Equal(ack, JournalBookmark.Load(root.Folder()));
        Assert.Equal(before.Where(id => id >= ack.SegmentId), JournalFiles.ListSegments(root.Folder()));
        Assert.DoesNotContain(1L, JournalFiles.ListSegments(root.Folder()));

        // Acknowledging an older position changes nothing.
        journal.Acknowledge(read[0].Next);
        Assert.Equal(ack, journal.Bookmark);

        // A new reader starts at the bookmark and sees exactly the rest.
        var rest = root.ReadAll(from: journal.Bookmark);
        Assert.Equal(800, Values(read).Count + Values(rest).Count);
        Assert.Equal(Values(read).Count, (int)Values(rest)[0]);
        Assert.True(journal.PendingBytes() > 0);

        journal.Acknowledge(rest[^1].Next);
        Assert.Equal(0, journal.PendingBytes());
    }

    [Fact]
    public void CompletedJournalIsDeletedOnlyAfterTheRunEndedAndEverythingIsAcknowledged()
    {
        using var root = new TempJournalRoot();
        var journal = RunJournal.Create(root.Options, root.Created());
        var writer = journal.OpenWriter();
        writer.AppendMetrics(Batch(root, 0, 3));
        writer.Append(new RunEndedRecord(RunStatus.Finished, root.Now));
        writer.Dispose();
        Assert.False(journal.TryDeleteCompleted());
        var entries = root.ReadAll();
        journal.Acknowledge(entries[^2].Next);
        Assert.False(journal.TryDeleteCompleted());
        journal.Acknowledge(entries[^1].Next);
        Assert.True(journal.TryDeleteCompleted());
        Assert.False(Directory.Exists(root.Folder()));
    }

    [Fact]
    public void TruncatedLastRecordIsIgnoredAndTheWriterAppendsCleanlyAfterIt()
    {
        using var root = new TempJournalRoot();
        WriteMetrics(root, batches: 5, perBatch: 10);
        var path = root.SegmentPath(1);
        var full = root.ReadAll();
        var lastStart = full[^1].Position.Offset;
        using (var file = new FileStream(path, FileMode.Open))
        {
            file.SetLength(lastStart + ((file.Length - lastStart) / 2));
        }

        var torn = root.ReadAll();
        Assert.Equal(full.Count - 1, torn.Count);

        using (var journal = RunJournal.Open(root.Options, "run1"))
        {
            var writer = journal.OpenWriter();
            Assert.Equal(lastStart, new FileInfo(path).Length);
            writer.AppendMetrics([new Metric("after", 42, root.Now, 0)]);
            writer.FlushToDisk();
        }

        var after = root.ReadAll();
        Assert.Equal(full.Count, after.Count);
        Assert.Equal(42, Values(after)[^1]);
        Assert.Equal(Values(torn), Values(after).SkipLast(1));
        Assert.False(Directory.Exists(Path.Combine(root.Folder(), JournalFiles.CorruptFolderName)));
        Assert.Contains(root.Warnings, w => w.Contains("torn", StringComparison.Ordinal));
    }

    [Fact]
    public void FlippedByteInTheLastRecordIsIgnoredAndTheWriterAppendsCleanlyAfterIt()
    {
        using var root = new TempJournalRoot();
        WriteMetrics(root, batches: 5, perBatch: 10);
        var path = root.SegmentPath(1);
        var full = root.ReadAll();
        var last = full[^1];
        var bytes = File.ReadAllBytes(path);
        bytes[(int)last.Position.Offset + 20] ^= 0x40;
        File.WriteAllBytes(path, bytes);

        Assert.Equal(full.Count - 1, root.ReadAll().Count);

        using (var journal = RunJournal.Open(root.Options, "run1"))
        {
            var writer = journal.OpenWriter();
            writer.AppendMetrics([new Metric("after", 42, root.Now, 0)]);
            writer.FlushToDisk();
        }

        var after = root.ReadAll();
        Assert.Equal(full.Count, after.Count);
        Assert.Equal(42, Values(after)[^1]);
        Assert.Equal(last.Position, after[^1].Position);
    }

    [Fact]
    public void CorruptionInTheMiddleIsQuarantinedAndReadingContinuesWithTheNextSegment()
    {
        using var root = new TempJournalRoot();
        WriteMetrics(root, batches: 30, perBatch: 10, segmentSize: 2048);
        var full = root.ReadAll();
        var inFirst = full.Where(e => e.Position.SegmentId == 1).ToList();
        var victim = inFirst[inFirst.Count / 2];
        var path = root.SegmentPath(1);
        var bytes = File.ReadAllBytes(path);
        bytes[(int)victim.Position.Offset + 12] ^= 0xFF;
        File.WriteAllBytes(path, bytes);

        var entries = root.ReadAll();
        var expected = full.Where(e => e.Position.SegmentId > 1 || e.Position < victim.Position).ToList();
        Assert.Equal(expected.Select(e => e.Position), entries.Select(e => e.Position));
        Assert.Equal(Values(expected), Values(entries));

        var quarantined = Directory.GetFiles(Path.Combine(root.Folder(), JournalFiles.CorruptFolderName));
        var file = Assert.Single(quarantined);
        Assert.Equal(bytes.Length - victim.Position.Offset, new FileInfo(file).Length);
        Assert.Equal(victim.Position.Offset, new FileInfo(path).Length);
        Assert.Contains(root.Warnings, w => w.Contains("corrupt", StringComparison.Ordinal));

        // Reading again is clean and finds the same records.
        root.Warnings.Clear();
        Assert.Equal(entries.Select(e => e.Position), root.ReadAll().Select(e => e.Position));
        Assert.Empty(root.Warnings);
    }

    [Fact]
    public void CorruptionInTheMiddleOfTheLastSegmentIsQuarantinedWhenTheWriterReopens()
    {
        using var root = new TempJournalRoot();
        WriteMetrics(root, batches: 6, perBatch: 10);
        var full = root.ReadAll();
        var victim = full[3];
        var path = root.SegmentPath(1);
        var bytes = File.ReadAllBytes(path);
        bytes[(int)victim.Position.Offset + 15] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        Assert.Equal(3, root.ReadAll().Count);
        using (var journal = RunJournal.Open(root.Options, "run1"))
        {
            journal.OpenWriter().AppendMetrics([new Metric("after", 42, root.Now, 0)]);
        }

        var after = root.ReadAll();
        Assert.Equal(42, Values(after)[^1]);
        Assert.Single(Directory.GetFiles(Path.Combine(root.Folder(), JournalFiles.CorruptFolderName)));
    }

    [Fact]
    public void WriterStartsANewSegmentWhenTheBookmarkIsBeyondWhatTheDiskKept()
    {
        using var root = new TempJournalRoot();
        WriteMetrics(root, batches: 4, perBatch: 10);
        var full = root.ReadAll();
        JournalBookmark.Save(root.Folder(), full[^1].Next);
        using (var file = new FileStream(root.SegmentPath(1), FileMode.Open))
        {
            file.SetLength(full[^1].Position.Offset);
        }

        using (var journal = RunJournal.Open(root.Options, "run1"))
        {
            journal.OpenWriter().AppendMetrics([new Metric("after", 42, root.Now, 0)]);
        }

        var rest = root.ReadAll(from: JournalBookmark.Load(root.Folder()));
        Assert.Equal([42.0], Values(rest));
    }

    [Fact]
    public void TornSegmentHeaderIsRewritten()
    {
        using var root = new TempJournalRoot();
        WriteMetrics(root, batches: 1, perBatch: 3);
        File.WriteAllBytes(root.SegmentPath(2), [0x4C, 0x4C]);
        Assert.Equal(2, root.ReadAll().Count);
        using (var journal = RunJournal.Open(root.Options, "run1"))
        {
            journal.OpenWriter().AppendMetrics([new Metric("after", 42, root.Now, 0)]);
        }

        Assert.Equal(42, Values(root.ReadAll())[^1]);
    }

    [Fact]
    public void ReaderSeesRecordsAppendedAfterItReachedTheEnd()
    {
        using var root = new TempJournalRoot();
        root.Options.SegmentSize = 2048;
        using var journal = RunJournal.Create(root.Options, root.Created());
        var writer = journal.OpenWriter();
        using var reader = journal.OpenReader();
        Assert.True(reader.TryRead(out _));
        Assert.False(reader.TryRead(out _));
        var seen = new List<double>();
        for (var round = 0; round < 10; round++)
        {
            writer.AppendMetrics(Batch(root, round * 20, 20));
            writer.FlushToDisk();
            while (reader.TryRead(out var entry))
            {
                seen.AddRange(Values([entry]));
            }
        }

        Assert.Equal(Enumerable.Range(0, 200).Select(i => (double)i), seen);
        Assert.Empty(root.Warnings);
    }

    [Fact]
    public async Task ConcurrentWriterAndShipperSeeEveryRecordInOrderWithoutFalseCorruption()
    {
        using var root = new TempJournalRoot();
        root.Options.SegmentSize = 4096;
        root.Options.WriteBufferSize = 512;
        root.Options.MaxUnwrittenBytes = 4096;
        using var journal = RunJournal.Create(root.Options, root.Created());
        var writer = journal.OpenWriter();
        const int total = 20_000;
        var done = false;
        var writing = Task.Run(() =>
        {
            for (var i = 0; i < total; i += 20)
            {
                writer.AppendMetrics(Batch(root, i, 20));
                if (i % 400 == 0)
                {
                    writer.FlushToDisk();
                }
            }

            writer.FlushToDisk();
            Volatile.Write(ref done, true);
        });

        var seen = new List<double>(total);
        using (var reader = journal.OpenReader())
        {
            while (true)
            {
                var finished = Volatile.Read(ref done);
                JournalEntry? last = null;
                while (reader.TryRead(out var entry))
                {
                    seen.AddRange(Values([entry]));
                    last = entry;
                }

                if (last is not null)
                {
                    journal.Acknowledge(last.Next);
                }

                if (finished)
                {
                    break;
                }

                await Task.Yield();
            }
        }

        await writing;
        Assert.Equal(Enumerable.Range(0, total).Select(i => (double)i), seen);
        Assert.Empty(root.Warnings);
        Assert.False(Directory.Exists(Path.Combine(root.Folder(), JournalFiles.CorruptFolderName)));
        Assert.True(JournalFiles.ListSegments(root.Folder()).Count <= 2);
    }
}
