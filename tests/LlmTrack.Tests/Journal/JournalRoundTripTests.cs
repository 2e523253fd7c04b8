using LlmTrack.Journal;

namespace LlmTrack.Tests.Journal;

public class JournalRoundTripTests
{
    private static readonly double NaNWithPayload = BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_0123);

    [Fact]
    public void EveryRecordTypeRoundTripsBitExact()
    {
        using var root = new TempJournalRoot();
        var created = root.Created() with { ParentLocalRunId = "parent_1", ExperimentName = "exp ü" };
        var metrics = new[]
        {
            new Metric("loss", 0.25, root.Now, 0),
            new Metric("loss", double.NaN, root.Now + 1, 1),
            new Metric("损失/λ", NaNWithPayload, root.Now - 5_000, -3),
            new Metric("acc 🚀", double.PositiveInfinity, long.MaxValue, long.MaxValue),
            new Metric("acc 🚀", double.NegativeInfinity, long.MinValue, long.MinValue),
            new Metric("zero", -0.0, 0, 0),
            new Metric("zero", double.Epsilon, 1, 2),
        };
        var parameters = new[] { new Param("lr", "0.001"), new Param("modèle", new string('x', 6000)) };
        var tags = new[] { new Tag("team", "ml"), new Tag("ключ", "значение") };
        var dataset = new DatasetInput(
            new Dataset { Name = "eval", Digest = "abcd1234", SourceType = "local", Source = "{\"uri\":\"data/eval.tsv\"}", Schema = "{\"mlflow_colspec\":[]}", Profile = null },
            [new Tag("mlflow.data.context", "eval")]);

        using (var journal = RunJournal.Create(root.Options, created))
        {
            var writer = journal.OpenWriter();
            Assert.Equal(JournalAppendResult.Appended, writer.AppendMetrics(metrics));
            Assert.Equal(JournalAppendResult.Appended, writer.AppendParams(parameters));
            Assert.Equal(JournalAppendResult.Appended, writer.AppendTags(tags));
            Assert.Equal(JournalAppendResult.Appended, writer.Append(new DatasetInputsRecord([dataset])));
            Assert.Equal(JournalAppendResult.Appended, writer.Append(new RunMappedRecord("0123456789abcdef0123456789abcdef", "mlflow-artifacts:/7/0123/artifacts")));
            Assert.Equal(JournalAppendResult.Appended, writer.Append(new ActivityRecord(root.Now + 10)));
            Assert.Equal(JournalAppendResult.Appended, writer.Append(new RunEndedRecord(RunStatus.Finished, root.Now + 20)));
            writer.FlushToDisk();
        }

        var records = root.ReadAll().Select(e => e.Record).ToList();
        var readCreated = Assert.IsType<RunCreatedRecord>(records[0]);
        Assert.Equal(created with { Tags = readCreated.Tags }, readCreated);
        Assert.Equal(created.Tags, readCreated.Tags);

        var readMetrics = Assert.IsType<MetricsRecord>(records[1]).Metrics;
        Assert.Equal(metrics.Length, readMetrics.Count);
        for (var i = 0; i < metrics.Length; i++)
        {
            Assert.Equal(metrics[i].Key, readMetrics[i].Key);
            Assert.Equal(BitConverter.DoubleToInt64Bits(metrics[i].Value), BitConverter.DoubleToInt64Bits(readMetrics[i].Value));
            Assert.Equal(metrics[i].Timestamp, readMetrics[i].Timestamp);
            Assert.Equal(metrics[i].Step, readMetrics[i].Step);
        }

        Assert.Equal(parameters, Assert.IsType<ParamsRecord>(records[2]).Params);
        Assert.Equal(tags, Assert.IsType<TagsRecord>(records[3]).Tags);
        var readInput = Assert.Single(Assert.IsType<DatasetInputsRecord>(records[4]).Inputs);
        Assert.Equal(dataset.Dataset, readInput.Dataset);
        Assert.Equal(dataset.Tags, readInput.Tags);
        Assert.Equal(new RunMappedRecord("0123456789abcdef0123456789abcdef", "mlflow-artifacts:/7/0123/artifacts"), records[5]);
        Assert.Equal(new ActivityRecord(root.Now + 10), records[6]);
        Assert.Equal(new RunEndedRecord(RunStatus.Finished, root.Now + 20), records[7]);
        Assert.Equal(8, records.Count);

        // Lifecycle records also went to run.json.
        var state = JournalDirectory.LoadState(root.Folder(), root.Options)!;
        Assert.Equal("0123456789abcdef0123456789abcdef", state.ServerRunId);
        Assert.Equal(RunStatus.Finished, state.EndStatus);
        Assert.Equal(root.Now + 20, state.EndTime);
        Assert.Equal("parent_1", state.ParentLocalRunId);
        Assert.Equal(JournalOwner.Current, state.Owner);
    }

    [Fact]
    public void ArtifactSpooledRecordRoundTripsWithANewKindThatLeavesTheOldOnesAlone()
    {
        // Kinds are stored in every record header: the existing ones never move, the artifact record is new.
        Assert.Equal(
            new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 },
            new[]
            {
                JournalRecordType.RunCreated, JournalRecordType.RunMapped, JournalRecordType.Metrics, JournalRecordType.Params, JournalRecordType.Tags,
                JournalRecordType.DatasetInputs, JournalRecordType.RunEnded, JournalRecordType.Activity, JournalRecordType.ArtifactSpooled,
            }.Select(t => (byte)t).ToArray());

        using var root = new TempJournalRoot();
        var spooled = new[]
        {
            new ArtifactSpooledRecord("plots/roc.svg", 0),
            new ArtifactSpooledRecord("données/λ 🚀/model.bin", 5L * 1024 * 1024 * 1024),
            new ArtifactSpooledRecord("x", long.MaxValue),
        };
        using (var journal = RunJournal.Create(root.Options, root.Created()))
        {
            var writer = journal.OpenWriter();
            foreach (var record in spooled)
            {
                Assert.Equal(JournalAppendResult.Appended, writer.Append(record));
            }

            writer.AppendMetrics([new Metric("loss", 0.5, root.Now, 1)]);
            writer.FlushToDisk();
        }

        var records = root.ReadAll().Select(e => e.Record).ToList();
        Assert.Equal(spooled, records.Skip(1).Take(3));
        Assert.Equal(JournalRecordType.ArtifactSpooled, records[1].Type);
        Assert.IsType<MetricsRecord>(records[4]);

        var keys = new JournalKeyDictionary();
        var buffer = new JournalBuffer(64);
        JournalRecordCodec.EncodePayload(buffer, spooled[1], keys);
        Assert.Equal(spooled[1], JournalRecordCodec.Decode(JournalRecordType.ArtifactSpooled, buffer.WrittenSpan, keys));
        Assert.Throws<ArgumentOutOfRangeException>(() => JournalRecordCodec.EncodePayload(new JournalBuffer(64), new ArtifactSpooledRecord("a", -1), keys));

        // A length beyond long.MaxValue or an empty path is corruption.
        var bad = new JournalBuffer(64);
        bad.WriteString("a");
        bad.WriteVarUInt(ulong.MaxValue);
        Assert.Throws<JournalFormatException>(() => JournalRecordCodec.Decode(JournalRecordType.ArtifactSpooled, bad.WrittenSpan, keys));
        var empty = new JournalBuffer(64);
        empty.WriteString("");
        empty.WriteVarUInt(3);
        Assert.Throws<JournalFormatException>(() => JournalRecordCodec.Decode(JournalRecordType.ArtifactSpooled, empty.WrittenSpan, keys));
    }

    [Fact]
    public void StatusCountsPendingSpooledArtifactsUntilAcknowledged()
    {
        using var root = new TempJournalRoot();
        using var journal = RunJournal.Create(root.Options, root.Created());
        var writer = journal.OpenWriter();
        writer.Append(new ArtifactSpooledRecord("a.txt", 10));
        writer.Append(new ArtifactSpooledRecord("b/c.bin", 32));
        writer.FlushToDisk();

        var status = Assert.Single(JournalDirectory.Scan(root.Options));
        Assert.Equal(2, status.PendingArtifacts);
        Assert.Equal(42, status.PendingArtifactBytes);

        var entries = root.ReadAll();
        journal.Acknowledge(entries[1].Next);
        status = Assert.Single(JournalDirectory.Scan(root.Options));
        Assert.Equal(1, status.PendingArtifacts);
        Assert.Equal(32, status.PendingArtifactBytes);
    }

    [Fact]
    public void RepeatedKeysAreInternedPerSegment()
    {
        using var root = new TempJournalRoot();
        using var journal = RunJournal.Create(root.Options, root.Created());
        var writer = journal.OpenWriter();
        var before = writer.Position.Offset;
        var key = "a-rather-long-metric-key/with/a/path/and/more/characters";
        writer.AppendMetrics([new Metric(key, 1, root.Now, 0)]);
        var first = writer.Position.Offset - before;
        before = writer.Position.Offset;
        writer.AppendMetrics([new Metric(key, 2, root.Now, 1)]);
        var second = writer.Position.Offset - before;
        Assert.True(second < first - key.Length, $"second record {second} bytes, first {first}");
        Assert.True(second <= 9 + 1 + 1 + 1 + 8 + 1 + 11, $"second record {second} bytes");
    }

    [Fact]
    public void LargeBatchesAreSplitIntoRecordsWithinBatchLimits()
    {
        using var root = new TempJournalRoot();
        using (var journal = RunJournal.Create(root.Options, root.Created()))
        {
            var writer = journal.OpenWriter();
            writer.AppendMetrics(Enumerable.Range(0, 2500).Select(i => new Metric("m" + (i % 7), i, root.Now + i, i)).ToArray());
            writer.AppendParams(Enumerable.Range(0, 150).Select(i => new Param("p" + i, "v")).ToArray());
            writer.AppendTags(Enumerable.Range(0, 101).Select(i => new Tag("t" + i, "v")).ToArray());
        }

        var records = root.ReadAll().Select(e => e.Record).ToList();
        Assert.Equal([1000, 1000, 500], records.OfType<MetricsRecord>().Select(r => r.Metrics.Count));
        Assert.Equal([100, 50], records.OfType<ParamsRecord>().Select(r => r.Params.Count));
        Assert.Equal([100, 1], records.OfType<TagsRecord>().Select(r => r.Tags.Count));
        Assert.Equal(Enumerable.Range(0, 2500).Select(i => (double)i), records.OfType<MetricsRecord>().SelectMany(r => r.Metrics).Select(m => m.Value));
    }

    [Fact]
    public void ArtifactUriWithCredentialsIsRefused()
    {
        using var root = new TempJournalRoot();
        using var journal = RunJournal.Create(root.Options, root.Created());
        var writer = journal.OpenWriter();
        Assert.Throws<ArgumentException>(() => writer.Append(new RunMappedRecord("abc", "https://user:secret@host/artifacts")));
        Assert.DoesNotContain("secret", File.ReadAllText(root.SegmentPath(1)));
    }

    [Fact]
    public void CreatingAJournalThatExistsFails()
    {
        using var root = new TempJournalRoot();
        RunJournal.Create(root.Options, root.Created()).Dispose();
        var error = Assert.Throws<JournalException>(() => RunJournal.Create(root.Options, root.Created()));
        Assert.Contains("already exists", error.Message, StringComparison.Ordinal);
        using var reopened = RunJournal.Open(root.Options, "run1");
        Assert.Single(root.ReadAll());
    }

    [Fact]
    public void InvalidRunIdsAreRejected()
    {
        using var root = new TempJournalRoot();
        Assert.Throws<ArgumentException>(() => RunJournal.Create(root.Options, root.Created("../escape")));
        Assert.Throws<ArgumentException>(() => RunJournal.Create(root.Options, root.Created(new string('a', 65))));
    }

    [Fact]
    public void HeartbeatIsWrittenAtFlushAfterTheInterval()
    {
        using var root = new TempJournalRoot();
        using (var journal = RunJournal.Create(root.Options, root.Created()))
        {
            var writer = journal.OpenWriter();
            writer.AppendMetrics([new Metric("m", 1, root.Now, 0)]);
            writer.FlushToDisk();
            root.Time.Advance(TimeSpan.FromSeconds(6));
            writer.AppendMetrics([new Metric("m", 2, root.Now - 6000, 1)]);
            writer.FlushToDisk();
            writer.FlushToDisk();
        }

        var activities = root.ReadAll().Select(e => e.Record).OfType<ActivityRecord>().ToList();
        Assert.Single(activities);
        Assert.Equal(root.Now, activities[0].Time);
    }

    [Fact]
    public void RunEndedIsTheLastRecordADueHeartbeatGoesBeforeItSoTheDeliveredJournalCanBeDeleted()
    {
        using var root = new TempJournalRoot();
        using (var journal = RunJournal.Create(root.Options, root.Created()))
        {
            var writer = journal.OpenWriter();
            writer.AppendMetrics([new Metric("m", 1, root.Now, 0)]);
            writer.FlushToDisk();

            // Idle longer than the heartbeat interval, then the run ends (the end flushes, and closing flushes again).
            root.Time.Advance(TimeSpan.FromSeconds(6));
            writer.Append(new RunEndedRecord(RunStatus.Finished, root.Now));
            writer.Dispose();

            var entries = root.ReadAll();
            Assert.IsType<RunEndedRecord>(entries[^1].Record);
            Assert.Equal(root.Now, Assert.IsType<ActivityRecord>(entries[^2].Record).Time);

            // Acknowledging the end acknowledges everything: the journal is complete and can go.
            journal.Acknowledge(entries[^1].Next);
            Assert.True(journal.TryDeleteCompleted());
        }

        Assert.False(Directory.Exists(root.Folder()));
    }

    [Fact]
    public void FlushIfDueFlushesOnlyAfterTheIntervalAndWhenSomethingIsPending()
    {
        using var root = new TempJournalRoot();
        using var journal = RunJournal.Create(root.Options, root.Created());
        var writer = journal.OpenWriter();
        root.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(writer.FlushIfDue());
        writer.AppendMetrics([new Metric("m", 1, root.Now, 0)]);
        var length = new FileInfo(root.SegmentPath(1)).Length;
        root.Time.Advance(TimeSpan.FromMilliseconds(100));
        writer.FlushToDisk();
        writer.AppendMetrics([new Metric("m", 2, root.Now, 1)]);
        Assert.False(writer.FlushIfDue());
        root.Time.Advance(TimeSpan.FromMilliseconds(199));
        Assert.False(writer.FlushIfDue());
        root.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(writer.FlushIfDue());
        Assert.True(new FileInfo(root.SegmentPath(1)).Length > length);
        Assert.Equal(3, root.ReadAll().Count);
    }

    [Fact]
    public async Task MapServerRunIsDurableAtOnceAndConcurrentWithTheWriter()
    {
        using var root = new TempJournalRoot();
        using (var journal = RunJournal.Create(root.Options, root.Created()))
        {
            var writer = journal.OpenWriter();
            var mapping = Task.Run(() => journal.MapServerRun("server-run", "mlflow-artifacts:/1/server-run/artifacts"));
            for (var i = 0; i < 50; i++)
            {
                writer.AppendMetrics([new Metric("m", i, root.Now + i, i)]);
                writer.FlushToDisk();
            }

            await mapping;
            Assert.Equal("server-run", JournalDirectory.LoadState(root.Folder(), root.Options)!.ServerRunId);
            writer.Append(new RunEndedRecord(RunStatus.Finished, root.Now + 100));
            Assert.Throws<ArgumentException>(() => journal.MapServerRun("x", "https://u:p@host/a"));
        }

        var state = JournalDirectory.LoadState(root.Folder(), root.Options)!;
        Assert.Equal("server-run", state.ServerRunId);
        Assert.Equal("mlflow-artifacts:/1/server-run/artifacts", state.ArtifactUri);
        Assert.Equal(RunStatus.Finished, state.EndStatus);
        Assert.Equal(root.Now + 100, state.LastActivity);
    }
}
