namespace LlmTrack.Journal;

/// <summary>What went wrong with the on-disk journal.</summary>
internal enum JournalErrorKind
{
    /// <summary>The disk (or the user's quota) is full.</summary>
    DiskFull,

    /// <summary>The journal folder or a file in it may not be read or written by this user.</summary>
    PermissionDenied,

    /// <summary>Another process (or another journal object in this process) holds the journal's lock.</summary>
    Locked,

    /// <summary>The journal is not in a format this version understands.</summary>
    Corrupt,

    /// <summary>Any other I/O failure.</summary>
    IOError,
}

/// <summary>
/// The on-disk journal could not be read or written. Carries the path involved and a
/// <see cref="JournalErrorKind"/>; the message says what to do. The journal itself stays consistent:
/// records not yet written stay in the writer's buffer and are written by the next successful flush.
/// </summary>
internal sealed class JournalException : MlflowException
{
    /// <summary>MLflow's error code for exhausted resources (used for a full disk).</summary>
    internal const string ResourceExhausted = "RESOURCE_EXHAUSTED";

    /// <summary>Creates the exception.</summary>
    public JournalException(JournalErrorKind kind, string path, string message, Exception? innerException = null)
        : base(CodeFor(kind), message, null, innerException)
    {
        Kind = kind;
        Path = path;
    }

    /// <summary>What went wrong.</summary>
    public JournalErrorKind Kind { get; }

    /// <summary>The file or folder involved.</summary>
    public string Path { get; }

    /// <summary>Turns an I/O exception about <paramref name="path"/> into a <see cref="JournalException"/> with a clear message.</summary>
    public static JournalException From(Exception exception, string path, string action)
    {
        if (exception is JournalException journal)
        {
            return journal;
        }

        if (exception is UnauthorizedAccessException)
        {
            return new JournalException(
                JournalErrorKind.PermissionDenied,
                path,
                $"LlmTrack journal: permission denied while trying to {action} '{path}'. Make the folder writable by this user or configure another journal folder.",
                exception);
        }

        if (IsDiskFull(exception))
        {
            return new JournalException(
                JournalErrorKind.DiskFull,
                path,
                $"LlmTrack journal: the disk is full while trying to {action} '{path}'. Free space; the values not yet written stay in memory and are written at the next flush.",
                exception);
        }

        return new JournalException(
            JournalErrorKind.IOError,
            path,
            $"LlmTrack journal: could not {action} '{path}': {exception.Message}",
            exception);
    }

    /// <summary>Whether an exception reports a full disk or an exceeded quota (ENOSPC/EDQUOT, ERROR_DISK_FULL/ERROR_HANDLE_DISK_FULL).</summary>
    public static bool IsDiskFull(Exception exception)
    {
        if (exception is not IOException)
        {
            return false;
        }

        var code = exception.HResult & 0xFFFF;
        if (OperatingSystem.IsWindows())
        {
            return code is 0x70 or 0x27;
        }

        // ENOSPC is 28 on Linux and macOS; EDQUOT is 122 on Linux and 69 on macOS.
        return code == 28 || (OperatingSystem.IsLinux() && code == 122) || (OperatingSystem.IsMacOS() && code == 69);
    }

    private static string CodeFor(JournalErrorKind kind) => kind switch
    {
        JournalErrorKind.DiskFull => ResourceExhausted,
        JournalErrorKind.PermissionDenied => MlflowErrorCode.PermissionDenied,
        JournalErrorKind.Locked => MlflowErrorCode.ResourceAlreadyExists,
        _ => MlflowErrorCode.InternalError,
    };
}
