using System.ComponentModel;
using System.Diagnostics;

namespace LlmTrack.Journal;

/// <summary>Whether the process that created a journal still runs.</summary>
internal enum OwnerLiveness
{
    /// <summary>It runs (same machine, same process id and start time).</summary>
    Alive,

    /// <summary>It ended (no process with that id, or one that started at another time), or it is on another machine and the journal is stale.</summary>
    Dead,

    /// <summary>It ran on another machine (a shared folder) and the journal was active recently: treat as alive.</summary>
    Unknown,
}

/// <summary>What <see cref="JournalDirectory.Scan"/> knows about one run journal (for recovery, <c>llmtrack sync</c> and <c>status</c>).</summary>
internal sealed record RunJournalStatus
{
    /// <summary>The journal's folder.</summary>
    public required string Folder { get; init; }

    /// <summary>The run's identity and lifecycle (from <c>run.json</c> and the records still on disk).</summary>
    public required RunJournalState State { get; init; }

    /// <summary>The local run id.</summary>
    public string LocalRunId => State.LocalRunId;

    /// <summary>The server's run id once mapped.</summary>
    public string? ServerRunId => State.ServerRunId;

    /// <summary>Whether a <see cref="RunEndedRecord"/> was written.</summary>
    public bool Ended => State.EndStatus is not null;

    /// <summary>Whether a process holds the journal's lock right now.</summary>
    public bool IsLocked { get; init; }

    /// <summary>Whether the creating process still runs.</summary>
    public OwnerLiveness Owner { get; init; }

    /// <summary>Whether this process may open the journal to deliver it (nobody holds its lock).</summary>
    public bool CanTakeOver => !IsLocked;

    /// <summary>Whether the run was left RUNNING by a dead process (deliver it, then end it as FAILED at <see cref="LastActivity"/>).</summary>
    public bool IsAbandoned => !IsLocked && !Ended && Owner == OwnerLiveness.Dead;

    /// <summary>Records not yet accepted by the server.</summary>
    public long PendingRecords { get; init; }

    /// <summary>Bytes of records not yet accepted by the server.</summary>
    public long PendingBytes { get; init; }

    /// <summary>The latest activity: the newest heartbeat, metric timestamp, start or end time (Unix ms).</summary>
    public long LastActivity { get; init; }

    /// <summary>Artifacts spooled while the run existed only locally and not yet accepted by the server.</summary>
    public long PendingArtifacts { get; init; }

    /// <summary>Bytes of those artifacts (their lengths when spooled).</summary>
    public long PendingArtifactBytes { get; init; }

    /// <summary>Items in <c>dead-letters.jsonl</c>.</summary>
    public int DeadLetterCount { get; init; }

    /// <summary>Files of quarantined corrupt data in <c>corrupt/</c>.</summary>
    public int CorruptFileCount { get; init; }
}

/// <summary>
/// Finds the run journals under a root folder and reports their state without changing anything (it
/// briefly probes each journal's lock). Used at startup to deliver journals left by earlier processes,
/// and by <c>llmtrack sync</c> and <c>llmtrack status</c>.
/// </summary>
internal static class JournalDirectory
{
    /// <summary>Default age after which a journal written on another machine counts as abandoned.</summary>
    public static readonly TimeSpan DefaultStaleAfter = TimeSpan.FromHours(24);

    /// <summary>Reports every run journal under <see cref="JournalOptions.Root"/>, oldest start first.</summary>
    /// <param name="options">The root, clock and warnings.</param>
    /// <param name="staleAfter">For journals from another machine: the inactivity after which the owner counts as dead (default 24 h).</param>
    public static IReadOnlyList<RunJournalStatus> Scan(JournalOptions options, TimeSpan? staleAfter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new List<RunJournalStatus>();
        if (!Directory.Exists(options.Root))
        {
            return result;
        }

        var now = options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var stale = (long)(staleAfter ?? DefaultStaleAfter).TotalMilliseconds;
        IEnumerable<string> folders;
        try
        {
            folders = Directory.GetDirectories(options.Root);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw JournalException.From(ex, options.Root, "list");
        }

        foreach (var folder in folders)
        {
            var name = Path.GetFileName(folder);
            if (!IsRunFolderName(name))
            {
                continue;
            }

            var status = ScanOne(folder, options, now, stale);
            if (status is not null)
            {
                result.Add(status);
            }
        }

        result.Sort((a, b) => a.State.StartTime.CompareTo(b.State.StartTime));
        return result;
    }

    /// <summary>Whether the process <paramref name="owner"/> still runs.</summary>
    public static OwnerLiveness CheckOwner(JournalOwner owner)
    {
        if (!string.Equals(owner.MachineName, Environment.MachineName, StringComparison.OrdinalIgnoreCase))
        {
            return OwnerLiveness.Unknown;
        }

        if (owner.ProcessId == Environment.ProcessId)
        {
            return owner.ProcessStartTime == JournalOwner.Current.ProcessStartTime ? OwnerLiveness.Alive : OwnerLiveness.Dead;
        }

        try
        {
            using var process = Process.GetProcessById(owner.ProcessId);
            if (process.HasExited)
            {
                return OwnerLiveness.Dead;
            }

            // A process id may have been reused: the start time tells.
            var started = JournalOwner.ProcessStartMilliseconds(process);
            return Math.Abs(started - owner.ProcessStartTime) <= 1000 ? OwnerLiveness.Alive : OwnerLiveness.Dead;
        }
        catch (ArgumentException)
        {
            return OwnerLiveness.Dead;
        }
        catch (InvalidOperationException)
        {
            return OwnerLiveness.Dead;
        }
        catch (Exception ex) when (ex is Win32Exception or NotSupportedException or UnauthorizedAccessException)
        {
            return OwnerLiveness.Unknown;
        }
    }

    /// <summary>Bytes of records after <paramref name="bookmark"/> in the segments of <paramref name="runFolder"/>.</summary>
    public static long PendingBytes(string runFolder, JournalPosition bookmark)
    {
        long total = 0;
        foreach (var id in JournalFiles.ListSegments(runFolder))
        {
            if (id < bookmark.SegmentId)
            {
                continue;
            }

            long length;
            try
            {
                length = new FileInfo(Path.Combine(runFolder, JournalFiles.SegmentFileName(id))).Length;
            }
            catch (FileNotFoundException)
            {
                continue;
            }

            var from = id == bookmark.SegmentId ? Math.Max(bookmark.Offset, JournalSegment.HeaderSize) : JournalSegment.HeaderSize;
            total += Math.Max(0, length - from);
        }

        return total;
    }

    /// <summary>
    /// The state of a journal: <c>run.json</c>, updated by the lifecycle records still in the segments; rebuilt
    /// from the segments when <c>run.json</c> is missing. <see langword="null"/> when neither exists.
    /// </summary>
    internal static RunJournalState? LoadState(string folder, JournalOptions options) =>
        LoadStateAndCount(folder, options, JournalPosition.Start, out _, out _, out _, out _);

    private static RunJournalState? LoadStateAndCount(string folder, JournalOptions options, JournalPosition bookmark, out long pendingRecords, out long lastActivity, out long pendingArtifacts, out long pendingArtifactBytes)
    {
        long artifacts = 0;
        long artifactBytes = 0;
        var state = JournalFiles.TryReadAll(Path.Combine(folder, JournalFiles.ManifestFileName), out var json) ? RunJournalState.FromJson(json) : null;
        long pending = 0;
        long activity = state?.LastActivity ?? 0;
        foreach (var id in JournalFiles.ListSegments(folder))
        {
            try
            {
                JournalSegment.Scan(Path.Combine(folder, JournalFiles.SegmentFileName(id)), id, null, (record, position) =>
                {
                    if (position >= bookmark)
                    {
                        pending++;
                        if (record is ArtifactSpooledRecord spooled)
                        {
                            artifacts++;
                            artifactBytes += spooled.Length;
                        }
                    }

                    if (record is RunCreatedRecord created)
                    {
                        state ??= RunJournalState.From(created);
                    }
                    else if (state is not null && record is RunMappedRecord or RunEndedRecord)
                    {
                        state = state.Apply(record);
                    }

                    if (JournalRecordCodec.ActivityTime(record) is { } time && time > activity)
                    {
                        activity = time;
                    }
                });
            }
            catch (FileNotFoundException)
            {
                // Acknowledged and deleted meanwhile.
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                options.OnWarning?.Invoke($"LlmTrack journal: could not read '{folder}': {ex.Message}");
            }
        }

        pendingRecords = pending;
        lastActivity = activity;
        pendingArtifacts = artifacts;
        pendingArtifactBytes = artifactBytes;
        return state is null ? null : state with { LastActivity = Math.Max(state.LastActivity, activity) };
    }

    private static RunJournalStatus? ScanOne(string folder, JournalOptions options, long now, long stale)
    {
        var bookmark = JournalBookmark.Load(folder);
        var state = LoadStateAndCount(folder, options, bookmark, out var pendingRecords, out var lastActivity, out var pendingArtifacts, out var pendingArtifactBytes);
        if (state is null)
        {
            return null;
        }

        bool locked;
        try
        {
            locked = JournalLock.IsHeld(folder);
        }
        catch (JournalException)
        {
            locked = true;
        }

        var owner = locked ? OwnerLiveness.Alive : CheckOwner(state.Owner);
        if (owner == OwnerLiveness.Unknown && now - state.LastActivity > stale)
        {
            owner = OwnerLiveness.Dead;
        }

        var corrupt = Path.Combine(folder, JournalFiles.CorruptFolderName);
        return new RunJournalStatus
        {
            Folder = folder,
            State = state,
            IsLocked = locked,
            Owner = owner,
            PendingRecords = pendingRecords,
            PendingBytes = PendingBytes(folder, bookmark),
            PendingArtifacts = pendingArtifacts,
            PendingArtifactBytes = pendingArtifactBytes,
            LastActivity = state.LastActivity,
            DeadLetterCount = new DeadLetterFile(folder, options.TimeProvider).Count(),
            CorruptFileCount = Directory.Exists(corrupt) ? Directory.GetFiles(corrupt).Length : 0,
        };
    }

    private static bool IsRunFolderName(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
