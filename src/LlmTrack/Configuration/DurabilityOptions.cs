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
    /// How long ending a run (and disposing the tracker) waits for the journal to be delivered before it leaves the
    /// rest on disk for the next process or <c>llmtrack sync</c> (default 5 s).
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The first wait before shipping is retried after the server was unreachable (default 1 s; doubles up to <see cref="MaxRetryDelay"/>).</summary>
    public TimeSpan MinRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between shipping attempts while the server is unreachable (default 60 s).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);
}
