namespace LlmTrack.Journal;

/// <summary>
/// One run's journal: the folder <c>&lt;root&gt;/&lt;localRunId&gt;/</c> (0700) with its segments, <c>run.json</c>,
/// <c>bookmark</c>, <c>dead-letters.jsonl</c> and <c>journal.lock</c>. An instance holds the journal's lock for its
/// lifetime, so at most one process (and one instance) writes and ships a journal at a time.
/// </summary>
/// <remarks>
/// <para>Wiring (logging → journal → shipper → store):</para>
/// <list type="number">
/// <item><b>Start a run</b>: <see cref="Create"/> with a <see cref="RunCreatedRecord"/> (durable when it returns),
/// its <see cref="OpenWriter"/> is the run's writer, owned by the run's background writer task.</item>
/// <item><b>Background writer task</b> (single writer): drain the in-memory queue into
/// <see cref="JournalWriter.AppendMetrics"/>/<see cref="JournalWriter.AppendParams"/>/<see cref="JournalWriter.AppendTags"/>/
/// <see cref="JournalWriter.Append(JournalRecord)"/>; call <see cref="JournalWriter.FlushToDisk"/> when the user calls
/// <c>Flush()</c> and <see cref="JournalWriter.FlushIfDue"/> after each drain (durable within
/// <see cref="JournalOptions.FlushInterval"/>); append <see cref="RunEndedRecord"/> at <c>End()</c>.</item>
/// <item><b>Shipper task</b>: <see cref="OpenReader"/> (starts at the bookmark); for each <see cref="JournalEntry"/>:
/// <see cref="RunCreatedRecord"/> → <c>CreateRunAsync</c> unless <see cref="State"/> has a server run id, then
/// <see cref="MapServerRun"/> (durable at once; a <see cref="RunMappedRecord"/> appended by the writer task has the same effect); metrics/params/tags → <c>LogBatchAsync</c> (records are already
/// within one batch's limits); data sets → <c>LogInputsAsync</c>; <see cref="RunEndedRecord"/> → <c>UpdateRunAsync</c>.
/// After the server accepted, <see cref="Acknowledge"/>(<see cref="JournalEntry.Next"/>). A batch rejected for its
/// content is split until the bad item is isolated; it goes to <see cref="DeadLetters"/> and is acknowledged.</item>
/// <item><b>End</b>: dispose the writer, let the shipper drain, then <see cref="TryDeleteCompleted"/>.</item>
/// <item><b>Next process / <c>llmtrack sync</c></b>: <see cref="JournalDirectory.Scan"/>; for each journal with
/// <see cref="RunJournalStatus.CanTakeOver"/>, <see cref="TryOpen"/> it, ship it as above, and if the run never ended
/// and its owner is dead, append <c>RunEndedRecord(Failed, LastActivity)</c> first.</item>
/// </list>
/// <para>Thread-safety: the writer belongs to one task, the reader to one (other) task; <see cref="Acknowledge"/>
/// and <see cref="Bookmark"/> may be used by the shipper while the writer appends.</para>
/// </remarks>
internal sealed class RunJournal : IDisposable
{
    private readonly object _gate = new();
    private readonly object _saveGate = new();
    private JournalLock? _lock;
    private JournalWriter? _writer;
    private JournalPosition _bookmark;
    private RunJournalState _state;

    private RunJournal(JournalOptions options, string folder, JournalLock journalLock, RunJournalState state)
    {
        Options = options;
        Folder = folder;
        _lock = journalLock;
        _state = state;
        _bookmark = JournalBookmark.Load(folder);
        DeadLetters = new DeadLetterFile(folder, options.TimeProvider);
    }

    /// <summary>The options.</summary>
    public JournalOptions Options { get; }

    /// <summary>The journal's folder.</summary>
    public string Folder { get; }

    /// <summary>The local run id.</summary>
    public string LocalRunId => State.LocalRunId;

    /// <summary>The run's identity and lifecycle as last written.</summary>
    public RunJournalState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>The position up to which the server has accepted the records.</summary>
    public JournalPosition Bookmark
    {
        get
        {
            lock (_gate)
            {
                return _bookmark;
            }
        }
    }

    /// <summary>The rejected items of this run.</summary>
    public DeadLetterFile DeadLetters { get; }

    /// <summary>The folder of run <paramref name="localRunId"/> under <paramref name="root"/>.</summary>
    public static string FolderOf(string root, string localRunId)
    {
        ValidateRunId(localRunId);
        return Path.Combine(root, localRunId);
    }

    /// <summary>
    /// Creates the journal of a new run, takes its lock and writes <paramref name="created"/> durably.
    /// </summary>
    /// <exception cref="JournalException">The folder cannot be created or written, or a journal of that run exists and is locked.</exception>
    public static RunJournal Create(JournalOptions options, RunCreatedRecord created)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(created);
        options.Validate();
        var folder = FolderOf(options.Root, created.LocalRunId);
        JournalFiles.CreatePrivateFolder(options.Root);
        JournalFiles.CreatePrivateFolder(folder);
        var journalLock = JournalLock.TryAcquire(folder) ?? throw LockedError(folder);
        if (JournalFiles.ListSegments(folder).Count > 0)
        {
            journalLock.Dispose();
            throw new JournalException(JournalErrorKind.IOError, folder, $"LlmTrack journal: a journal of run '{created.LocalRunId}' already exists at '{folder}'; open it instead of creating it.");
        }

        var journal = new RunJournal(options, folder, journalLock, RunJournalState.From(created));
        try
        {
            var initial = journal._state;
            journal.UpdateState(_ => initial);
            var writer = journal.OpenWriter();
            writer.Append(created);
            writer.FlushToDisk();
            return journal;
        }
        catch
        {
            journal.Dispose();
            throw;
        }
    }

    /// <summary>Opens an existing journal (e.g. of a dead process) and takes its lock.</summary>
    /// <exception cref="JournalException">Another process holds it (<see cref="JournalErrorKind.Locked"/>), or it cannot be read.</exception>
    public static RunJournal Open(JournalOptions options, string localRunId) =>
        TryOpen(options, localRunId) ?? throw LockedError(FolderOf(options.Root, localRunId));

    /// <summary>Opens an existing journal, or returns <see langword="null"/> when another holder has its lock.</summary>
    /// <exception cref="JournalException">The journal does not exist or holds no run identity.</exception>
    public static RunJournal? TryOpen(JournalOptions options, string localRunId)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var folder = FolderOf(options.Root, localRunId);
        if (!Directory.Exists(folder))
        {
            throw new JournalException(JournalErrorKind.IOError, folder, $"LlmTrack journal: no journal of run '{localRunId}' at '{folder}'.");
        }

        var journalLock = JournalLock.TryAcquire(folder);
        if (journalLock is null)
        {
            return null;
        }

        try
        {
            var state = JournalDirectory.LoadState(folder, options) ?? throw new JournalException(
                JournalErrorKind.Corrupt,
                folder,
                $"LlmTrack journal: '{folder}' has neither a readable run.json nor a RunCreated record; it cannot be delivered.");
            return new RunJournal(options, folder, journalLock, state);
        }
        catch
        {
            journalLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The journal's single writer, opened on first use (opening repairs a torn tail of the last segment).
    /// <see cref="Create"/> opens it already; after the writer was disposed, this opens a new one.
    /// </summary>
    public JournalWriter OpenWriter()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_lock is null, this);
            return _writer ??= new JournalWriter(this);
        }
    }

    /// <summary>A reader from the bookmark, which quarantines corruption in the middle.</summary>
    public JournalReader OpenReader()
    {
        ObjectDisposedException.ThrowIf(_lock is null, this);
        return new JournalReader(Folder, Bookmark, Options, repair: true);
    }

    /// <summary>
    /// Records durably that the server accepted everything before <paramref name="upTo"/> (a
    /// <see cref="JournalEntry.Next"/>), and deletes the segments that are now fully acknowledged.
    /// Positions at or before the current bookmark are ignored.
    /// </summary>
    public void Acknowledge(JournalPosition upTo)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_lock is null, this);
            if (upTo <= _bookmark)
            {
                return;
            }

            JournalBookmark.Save(Folder, upTo);
            _bookmark = upTo;
        }

        foreach (var id in JournalFiles.ListSegments(Folder))
        {
            if (id >= upTo.SegmentId)
            {
                break;
            }

            JournalFiles.TryDelete(Path.Combine(Folder, JournalFiles.SegmentFileName(id)));
        }
    }

    /// <summary>Bytes of records not yet acknowledged (from the files on disk; call after a flush).</summary>
    public long PendingBytes() => JournalDirectory.PendingBytes(Folder, Bookmark);

    /// <summary>
    /// Deletes the journal folder when the run ended and the server accepted everything; returns whether it
    /// did. Dead letters and quarantined data keep the folder (without segments) for inspection.
    /// </summary>
    public bool TryDeleteCompleted()
    {
        lock (_gate)
        {
            if (_lock is null || _writer is not null || _state.EndStatus is null || JournalDirectory.PendingBytes(Folder, _bookmark) > 0)
            {
                return false;
            }
        }

        var keep = File.Exists(DeadLetters.Path) || Directory.Exists(Path.Combine(Folder, JournalFiles.CorruptFolderName));
        foreach (var id in JournalFiles.ListSegments(Folder))
        {
            JournalFiles.TryDelete(Path.Combine(Folder, JournalFiles.SegmentFileName(id)));
        }

        if (keep)
        {
            return true;
        }

        Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw JournalException.From(ex, Folder, "delete the completed journal");
        }

        return true;
    }

    /// <summary>Disposes the writer (flushing what it can) and releases the lock.</summary>
    public void Dispose()
    {
        JournalWriter? writer;
        lock (_gate)
        {
            writer = _writer;
        }

        writer?.Dispose();
        lock (_gate)
        {
            _lock?.Dispose();
            _lock = null;
        }
    }

    /// <summary>
    /// Records durably (in <c>run.json</c>, before it returns) that the server created the run: the local
    /// run maps to <paramref name="serverRunId"/>. The shipper calls it right after <c>CreateRunAsync</c>, so a
    /// later process never creates the run twice.
    /// </summary>
    /// <exception cref="ArgumentException">The artifact URI contains user info (credentials).</exception>
    public void MapServerRun(string serverRunId, string? artifactUri)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverRunId);
        JournalArtifactUri.RejectCredentials(artifactUri);
        ObjectDisposedException.ThrowIf(_lock is null, this);
        UpdateState(state => state.Apply(new RunMappedRecord(serverRunId, artifactUri)));
    }

    /// <summary>Changes <c>run.json</c> atomically; changes from several tasks are serialized.</summary>
    internal void UpdateState(Func<RunJournalState, RunJournalState> change)
    {
        lock (_saveGate)
        {
            var next = change(State);
            JournalFiles.WriteAtomically(Path.Combine(Folder, JournalFiles.ManifestFileName), next.ToJson());
            lock (_gate)
            {
                _state = next;
            }
        }
    }

    internal void WriterClosed(JournalWriter writer)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_writer, writer))
            {
                _writer = null;
            }
        }
    }

    /// <summary>Local run ids name folders: 1–64 characters of letters, digits, <c>-</c> and <c>_</c>.</summary>
    internal static void ValidateRunId(string localRunId)
    {
        ArgumentException.ThrowIfNullOrEmpty(localRunId);
        if (localRunId.Length > 64 || !localRunId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException($"A local run id must be 1–64 letters, digits, '-' or '_'; got '{localRunId}'.", nameof(localRunId));
        }
    }

    private static JournalException LockedError(string folder) => new(
        JournalErrorKind.Locked,
        folder,
        $"LlmTrack journal: '{folder}' is in use by another process (its lock file is held); it is delivered by that process.");
}
