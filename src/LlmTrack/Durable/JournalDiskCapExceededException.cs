using System.Globalization;

namespace LlmTrack;

/// <summary>
/// Thrown when an artifact is logged to a run that exists only locally (durable mode, tracking server unreachable at
/// the run's start) and keeping the artifact in the journal folder would take the journal past its disk cap
/// (<see cref="DurabilityOptions.DiskCapBytes"/>). Nothing of the artifact is kept; the run and its journal are
/// unaffected. <see cref="MlflowException.ErrorCode"/> is <see cref="MlflowErrorCode.ResourceLimitExceeded"/>.
/// </summary>
public sealed class JournalDiskCapExceededException : MlflowException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="artifactPath">The artifact's path under the run's artifact root.</param>
    /// <param name="requiredBytes">The bytes the artifact needed (at least; its full length when it was known).</param>
    /// <param name="availableBytes">The bytes left under the cap when it was logged.</param>
    /// <param name="diskCapBytes">The disk cap.</param>
    /// <param name="journalRoot">The journal folder of the tracking server the cap applies to.</param>
    public JournalDiskCapExceededException(string artifactPath, long requiredBytes, long availableBytes, long diskCapBytes, string journalRoot)
        : base(MlflowErrorCode.ResourceLimitExceeded, Describe(artifactPath, requiredBytes, availableBytes, diskCapBytes, journalRoot))
    {
        ArtifactPath = artifactPath;
        RequiredBytes = requiredBytes;
        AvailableBytes = availableBytes;
        DiskCapBytes = diskCapBytes;
        JournalRoot = journalRoot;
    }

    /// <summary>The artifact's path under the run's artifact root.</summary>
    public string ArtifactPath { get; }

    /// <summary>The bytes the artifact needed (at least; its full length when it was known).</summary>
    public long RequiredBytes { get; }

    /// <summary>The bytes left under the cap when it was logged.</summary>
    public long AvailableBytes { get; }

    /// <summary>The disk cap (<see cref="DurabilityOptions.DiskCapBytes"/>).</summary>
    public long DiskCapBytes { get; }

    /// <summary>The journal folder of the tracking server the cap applies to.</summary>
    public string JournalRoot { get; }

    private static string Describe(string artifactPath, long requiredBytes, long availableBytes, long diskCapBytes, string journalRoot) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"The artifact '{artifactPath}' was not logged: the run exists only locally (the tracking server was unreachable when it started), and keeping its {requiredBytes} bytes in the journal would exceed the disk cap of {diskCapBytes} bytes ({Math.Max(0, availableBytes)} bytes left under '{journalRoot}'). Log it again once the server is reachable, raise Durability.DiskCapBytes, or let the journal deliver its backlog first.");
}
