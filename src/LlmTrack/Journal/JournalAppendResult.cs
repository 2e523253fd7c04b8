namespace LlmTrack.Journal;

/// <summary>What happened to the items of one append.</summary>
internal enum JournalAppendResult
{
    /// <summary>The record is in the journal (in the write buffer until the next write or <see cref="JournalWriter.FlushToDisk"/>).</summary>
    Appended,

    /// <summary>Not written: the disk cap (<see cref="JournalOptions.MaxTotalBytes"/>) is reached. Counted in <see cref="JournalWriter.DroppedItems"/>.</summary>
    DroppedDiskCap,

    /// <summary>Not written: the disk refuses writes and <see cref="JournalOptions.MaxUnwrittenBytes"/> are already waiting. Counted in <see cref="JournalWriter.DroppedItems"/>.</summary>
    DroppedWriteFailing,
}
