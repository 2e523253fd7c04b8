namespace LlmTrack.Journal;

/// <summary>Settings of the durable journal (all have defaults).</summary>
internal sealed class JournalOptions
{
    /// <summary>The environment variable that overrides the default journal root.</summary>
    public const string RootEnvironmentVariable = "LLMTRACK_JOURNAL_DIR";

    /// <summary>
    /// The folder holding one sub-folder per run journal. Default: <c>LLMTRACK_JOURNAL_DIR</c>, else
    /// <see cref="DefaultRoot"/>.
    /// </summary>
    public string Root { get; set; } = ResolveRoot(null);

    /// <summary>Size at which the writer starts a new segment (default 4 MiB).</summary>
    public long SegmentSize { get; set; } = 4L * 1024 * 1024;

    /// <summary>
    /// The most bytes all segment files and spooled artifact files under <see cref="Root"/> may take together (default 1 GiB).
    /// When a data record (metrics, params, tags, data sets) would exceed it, the writer does not write it:
    /// <see cref="JournalWriter.Append(JournalRecord)"/> returns <see cref="JournalAppendResult.DroppedDiskCap"/> and the items
    /// are counted in <see cref="JournalWriter.DroppedItems"/>. Lifecycle records (run created, mapped, ended,
    /// heartbeats) are always written: they are tiny and without them a run could not be recovered. An artifact that
    /// would take the total past the cap is refused when it is logged (nothing of it is kept).
    /// </summary>
    public long MaxTotalBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Bytes buffered in memory before the writer writes them to the segment file (default 256 KiB).</summary>
    public int WriteBufferSize { get; set; } = 256 * 1024;

    /// <summary>
    /// The most bytes held in memory while the disk refuses writes (full disk, I/O error); past it, data
    /// records are dropped with <see cref="JournalAppendResult.DroppedWriteFailing"/> (default 16 MiB).
    /// </summary>
    public int MaxUnwrittenBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// The longest an appended record stays not durable while the writer is active: see
    /// <see cref="JournalWriter.FlushIfDue"/> (default 200 ms). <c>Flush()</c> makes values durable at once.
    /// </summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How often <see cref="JournalWriter.FlushToDisk"/> adds a heartbeat (<see cref="ActivityRecord"/>) while
    /// data is being written (default 5 s). The last heartbeat becomes the end time of a run whose process died.
    /// </summary>
    public TimeSpan ActivityInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The clock (default the system clock).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Receives warnings (quarantined corrupt data, repaired torn records); default none.</summary>
    public Action<string>? OnWarning { get; set; }

    /// <summary>
    /// The per-user default root: <c>&lt;LocalApplicationData&gt;/llmtrack/journal</c>, i.e.
    /// <c>~/.local/share/llmtrack/journal</c> on Linux, <c>~/Library/Application Support/llmtrack/journal</c> on
    /// macOS, <c>%LOCALAPPDATA%\llmtrack\journal</c> on Windows. Falls back to the temporary folder when the
    /// user has no home folder.
    /// </summary>
    public static string DefaultRoot()
    {
        var data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        if (string.IsNullOrEmpty(data))
        {
            data = Path.Combine(Path.GetTempPath(), "llmtrack-" + Environment.UserName);
        }

        return Path.Combine(data, "llmtrack", "journal");
    }

    /// <summary>The root to use: <paramref name="configured"/>, else <c>LLMTRACK_JOURNAL_DIR</c>, else <see cref="DefaultRoot"/>.</summary>
    public static string ResolveRoot(string? configured, Func<string, string?>? environment = null)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        var fromEnvironment = (environment ?? Environment.GetEnvironmentVariable)(RootEnvironmentVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment) ? DefaultRoot() : Path.GetFullPath(fromEnvironment);
    }

    internal void Validate()
    {
        if (SegmentSize < JournalSegment.HeaderSize + 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(SegmentSize), SegmentSize, "The segment size must be at least 1 KiB.");
        }

        if (MaxTotalBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTotalBytes), MaxTotalBytes, "The disk cap must be positive.");
        }

        if (WriteBufferSize <= 0 || MaxUnwrittenBytes < WriteBufferSize)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxUnwrittenBytes), MaxUnwrittenBytes, "Buffer sizes must be positive, and MaxUnwrittenBytes at least WriteBufferSize.");
        }
    }
}
