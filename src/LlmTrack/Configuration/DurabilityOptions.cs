namespace LlmTrack;

/// <summary>
/// Durable mode for remote tracking (<c>http(s)://</c> tracking URIs): what a run logs is written to a local
/// journal first and shipped to the server from there, so a server outage, a network failure or the end of the
/// process loses nothing that reached the disk. On by default.
/// </summary>
public sealed class DurabilityOptions
{
    /// <summary>Whether durable mode is on for remote tracking (default <see langword="true"/>). Local SQLite stores never use it.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The journal root. Default: <c>LLMTRACK_JOURNAL_DIR</c>, else the per-user data folder
    /// (<c>~/.local/share/llmtrack/journal</c> on Linux, <c>~/Library/Application Support/llmtrack/journal</c> on macOS,
    /// <c>%LOCALAPPDATA%\llmtrack\journal</c> on Windows). Each tracking server gets its own sub-folder.
    /// </summary>
    public string? JournalDirectory { get; set; }

    /// <summary>The most bytes the journal of one tracking server may take on disk (default 1 GiB); past it new values are dropped and counted.</summary>
    public long DiskCapBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>The longest a value written to the journal stays not durable (not fsynced) while logging goes on (default 200 ms).</summary>
    public TimeSpan FlushToDiskInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How long starting a run waits for the server (including resolving the experiment) before it starts the run
    /// locally and creates it on the server later (default 5 s).
    /// </summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The longest that flushing, ending a run or closing the tracker waits for the server to acknowledge the journal,
    /// however much progress delivery makes (default 10 minutes). What is left then stays on disk, is reported (counters,
    /// the report, a warning) and is delivered by this process in the background, by the next process using the same
    /// tracking server, or by <c>llmtrack sync</c>.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long that wait goes on without progress (no value acknowledged, no record delivered) before it gives up
    /// (default 30 s): a healthy but slow or flaky server keeps the wait going, a dead one ends it after this long.
    /// </summary>
    public TimeSpan DrainStallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many metric batches of one run the shipper keeps in flight at once (default 8). Params, tags, data set
    /// inputs, artifacts and the run's end are delivered one at a time, after everything journaled before them; only
    /// metric batches overlap, so one slow retry does not hold up the rest of the run.
    /// </summary>
    public int MaxBatchesInFlight { get; set; } = 8;

    /// <summary>The first wait before shipping is retried after the server was unreachable (default 1 s; doubles up to <see cref="MaxRetryDelay"/>).</summary>
    public TimeSpan MinRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between shipping attempts while the server is unreachable (default 60 s).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);
}
