using System.Diagnostics;

namespace LlmTrack.Journal;

/// <summary>The kinds of journal records (the byte stored in each record's header; never renumber).</summary>
internal enum JournalRecordType : byte
{
    /// <summary>A run was started locally (<see cref="RunCreatedRecord"/>).</summary>
    RunCreated = 1,

    /// <summary>The run was created on the server (<see cref="RunMappedRecord"/>).</summary>
    RunMapped = 2,

    /// <summary>A batch of metric points (<see cref="MetricsRecord"/>).</summary>
    Metrics = 3,

    /// <summary>A batch of params (<see cref="ParamsRecord"/>).</summary>
    Params = 4,

    /// <summary>A batch of run tags (<see cref="TagsRecord"/>).</summary>
    Tags = 5,

    /// <summary>Data set inputs (<see cref="DatasetInputsRecord"/>).</summary>
    DatasetInputs = 6,

    /// <summary>The run ended (<see cref="RunEndedRecord"/>).</summary>
    RunEnded = 7,

    /// <summary>A heartbeat: the writing process was active at a time (<see cref="ActivityRecord"/>).</summary>
    Activity = 8,

    /// <summary>An artifact file was spooled into the run's journal folder while the run existed only locally (<see cref="ArtifactSpooledRecord"/>).</summary>
    ArtifactSpooled = 9,
}

/// <summary>
/// The process that created a journal: enough for another process to tell whether it is still alive
/// (a process id can be reused, so its start time is kept too).
/// </summary>
/// <param name="ProcessId">The operating-system process id.</param>
/// <param name="ProcessStartTime">The process's start time, Unix epoch milliseconds (UTC).</param>
/// <param name="MachineName">The machine the process ran on.</param>
internal readonly record struct JournalOwner(int ProcessId, long ProcessStartTime, string MachineName)
{
    private static readonly Lazy<JournalOwner> CurrentOwner = new(() =>
    {
        using var process = Process.GetCurrentProcess();
        return new JournalOwner(Environment.ProcessId, ProcessStartMilliseconds(process), Environment.MachineName);
    });

    /// <summary>This process.</summary>
    public static JournalOwner Current => CurrentOwner.Value;

    /// <summary>A process's start time in Unix epoch milliseconds.</summary>
    internal static long ProcessStartMilliseconds(Process process) =>
        new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero).ToUnixTimeMilliseconds();
}

/// <summary>One record of a run journal. Every record is immutable once written.</summary>
internal abstract record JournalRecord
{
    /// <summary>The record's kind.</summary>
    public abstract JournalRecordType Type { get; }
}

/// <summary>
/// First record of a run journal: the run as started locally, before the server knows it.
/// </summary>
/// <param name="LocalRunId">The id the process uses for the run until (and after) the server assigns its own; also the journal folder's name.</param>
/// <param name="ExperimentId">The experiment id, when the run named one.</param>
/// <param name="ExperimentName">The experiment name, when the run named one instead of an id.</param>
/// <param name="RunName">The run's display name.</param>
/// <param name="StartTime">Start time, Unix epoch milliseconds.</param>
/// <param name="ParentLocalRunId">The local run id of the parent run of a nested run.</param>
/// <param name="Tags">Tags given at creation (sent with <c>runs/create</c>).</param>
/// <param name="Owner">The process that writes the journal.</param>
internal sealed record RunCreatedRecord(
    string LocalRunId,
    string? ExperimentId,
    string? ExperimentName,
    string? RunName,
    long StartTime,
    string? ParentLocalRunId,
    IReadOnlyList<Tag> Tags,
    JournalOwner Owner) : JournalRecord
{
    /// <inheritdoc/>
    public override JournalRecordType Type => JournalRecordType.RunCreated;
}

/// <summary>The server created the run: the local run maps to <paramref name="ServerRunId"/>.</summary>
/// <param name="ServerRunId">The server's run id.</param>
/// <param name="ArtifactUri">The run's artifact root on the server (never with user info).</param>
internal sealed record RunMappedRecord(string ServerRunId, string? ArtifactUri) : JournalRecord
{
    /// <inheritdoc/>
    public override JournalRecordType Type => JournalRecordType.RunMapped;
}

/// <summary>Metric points, at most <see cref="Delivery.BatchLimits.MaxMetrics"/> per record.</summary>
/// <param name="Metrics">The points, values bit-exact (NaN payloads, ±∞, −0.0).</param>
internal sealed record MetricsRecord(IReadOnlyList<Metric> Metrics) : JournalRecord
{
    /// <inheritdoc/>
    public override JournalRecordType Type => JournalRecordType.Metrics;
}

/// <summary>Params, at most <see cref="Delivery.BatchLimits.MaxParams"/> per record.</summary>
/// <param name="Params">The params.</param>
internal sealed record ParamsRecord(IReadOnlyList<Param> Params) : JournalRecord
{
    /// <inheritdoc/>
    public override JournalRecordType Type => JournalRecordType.Params;
}

/// <summary>Run tags, at most <see cref="Delivery.BatchLimits.MaxTags"/> per record.</summary>
/// <param name="Tags">The tags.</param>
internal sealed record TagsRecord(IReadOnlyList<Tag> Tags) : JournalRecord
{
    /// <inheritdoc/>
    public override JournalRecordType Type => JournalRecordType.Tags;
}

/// <summary>Data set inputs (stored as JSON text, one document per input).</summary>
/// <param name="Inputs">The inputs.</param>
internal sealed record DatasetInputsRecord(IReadOnlyList<DatasetInput> Inputs) : JournalRecord
{
    /// <inheritdoc/>
    public override JournalRecordType Type => JournalRecordType.DatasetInputs;
}

/// <summary>The run ended.</summary>
/// <param name="Status">The final status.</param>
/// <param name="EndTime">End time, Unix epoch milliseconds.</param>
internal sealed record RunEndedRecord(RunStatus Status, long EndTime) : JournalRecord
{
    /// <inheritdoc/>
    public override JournalRecordType Type => JournalRecordType.RunEnded;
}

/// <summary>A heartbeat: the writing process was active at <paramref name="Time"/>.</summary>
/// <param name="Time">Unix epoch milliseconds.</param>
internal sealed record ActivityRecord(long Time) : JournalRecord
{
    /// <inheritdoc/>
    public override JournalRecordType Type => JournalRecordType.Activity;
}

/// <summary>
/// An artifact logged while the run existed only locally: its content was written (fsynced, renamed into place) to
/// <c>&lt;run folder&gt;/artifacts/&lt;RelativePath&gt;</c> before this record was appended. The shipper uploads that file
/// to the run's artifact root on the server, then acknowledges the record and deletes the file.
/// </summary>
/// <param name="RelativePath">The artifact's path under the run's artifact root (<c>/</c>-separated, validated).</param>
/// <param name="Length">The file's length in bytes when it was spooled.</param>
internal sealed record ArtifactSpooledRecord(string RelativePath, long Length) : JournalRecord
{
    /// <inheritdoc/>
    public override JournalRecordType Type => JournalRecordType.ArtifactSpooled;
}

/// <summary>
/// A position in a run journal: a segment and a byte offset in it. Positions order records; the
/// bookmark stores one. <see cref="Start"/> (0, 0) means "before the first record".
/// </summary>
/// <param name="SegmentId">The segment (1, 2, …).</param>
/// <param name="Offset">The byte offset within the segment.</param>
internal readonly record struct JournalPosition(long SegmentId, long Offset) : IComparable<JournalPosition>
{
    /// <summary>Before the first record.</summary>
    public static JournalPosition Start => default;

    /// <inheritdoc/>
    public int CompareTo(JournalPosition other)
    {
        var bySegment = SegmentId.CompareTo(other.SegmentId);
        return bySegment != 0 ? bySegment : Offset.CompareTo(other.Offset);
    }

    /// <summary>Whether <paramref name="left"/> comes before <paramref name="right"/>.</summary>
    public static bool operator <(JournalPosition left, JournalPosition right) => left.CompareTo(right) < 0;

    /// <summary>Whether <paramref name="left"/> comes after <paramref name="right"/>.</summary>
    public static bool operator >(JournalPosition left, JournalPosition right) => left.CompareTo(right) > 0;

    /// <summary>Whether <paramref name="left"/> comes before or equals <paramref name="right"/>.</summary>
    public static bool operator <=(JournalPosition left, JournalPosition right) => left.CompareTo(right) <= 0;

    /// <summary>Whether <paramref name="left"/> comes after or equals <paramref name="right"/>.</summary>
    public static bool operator >=(JournalPosition left, JournalPosition right) => left.CompareTo(right) >= 0;
}

/// <summary>A record read from a journal, with where it starts and where the next one starts.</summary>
/// <param name="Record">The record.</param>
/// <param name="Position">Where the record starts.</param>
/// <param name="Next">Where the next record starts: acknowledge this position once the server accepted the record.</param>
internal sealed record JournalEntry(JournalRecord Record, JournalPosition Position, JournalPosition Next);
