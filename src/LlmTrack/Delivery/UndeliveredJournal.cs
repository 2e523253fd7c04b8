namespace LlmTrack;

/// <summary>A run journal that was still not fully delivered to the tracking server when the tracker closed.</summary>
/// <param name="RunId">The run's id as this process knew it (the server's id once the run exists there, else the local id).</param>
/// <param name="Folder">The journal folder that keeps the values.</param>
/// <param name="PendingBytes">Journal bytes the server has not acknowledged (-1 when they could not be measured).</param>
/// <param name="PendingValues">Values (metric points, params, tags) of this process not acknowledged; <see langword="null"/> for a journal taken over from an earlier process.</param>
public sealed record UndeliveredJournal(string RunId, string Folder, long PendingBytes, long? PendingValues);
