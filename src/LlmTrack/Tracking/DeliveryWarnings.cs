using System.Globalization;
using LlmTrack.Delivery;
using Microsoft.Extensions.Logging;

namespace LlmTrack.Tracking;

/// <summary>
/// What a <see cref="Tracker"/> says about delivery: the <see cref="DeliverySummary"/> of its runs and journals, and the
/// warnings the application must see when something was not delivered — through its logger, or on standard error when
/// it gave none.
/// </summary>
/// <param name="logger">The tracker's logger.</param>
/// <param name="hasLogger">Whether the application gave a logger.</param>
/// <param name="writer">Where warnings go without a logger (read at each warning).</param>
/// <param name="journaling">The durable store, if any (its pending journals and sync command).</param>
internal sealed class DeliveryWarnings(ILogger logger, bool hasLogger, Func<TextWriter> writer, IJournalingStore? journaling)
{
    /// <summary>The summary of <paramref name="runs"/> and the journals not delivered.</summary>
    public DeliverySummary Summarize(IEnumerable<Run> runs, IReadOnlyList<UndeliveredJournal> undelivered) =>
        new([.. runs.Select(r => new RunDeliverySummary(r.RunId, r.Counters))], undelivered, journaling?.SyncCommand);

    /// <summary>Says that a run ended with values not delivered (pending on disk, refused or dropped).</summary>
    public void RunNotDelivered(Run run, DeliveryReport report)
    {
        var c = report.Counters;
        var where = report.JournalFolder is { } folder
            ? $" The pending values are kept in {folder}; delivery goes on in the background while this process runs, and `{journaling?.SyncCommand}` delivers what is left after it ends."
            : "";
        Warn(string.Create(
            CultureInfo.InvariantCulture,
            $"LlmTrack: run {run.RunId} ended with values not delivered to the tracking store: {c.Pending} pending, {c.Failed} refused, {c.Dropped} dropped ({c.Delivered} of {c.Logged} delivered).{where}"));
    }

    /// <summary>
    /// The process is exiting without the tracker having been closed (durable mode): nothing can be waited for any more,
    /// but what is not delivered is said, with where it is and the command that delivers it. Never throws.
    /// </summary>
    public void AtProcessExit(IEnumerable<Run> runs)
    {
        if (journaling is not { } durable)
        {
            return;
        }

        try
        {
            var summary = Summarize(runs, durable.PendingJournals());
            if (!summary.IsFullyDelivered)
            {
                Warn("LlmTrack: the process is exiting without closing its tracker (dispose it, or await tracker.CloseAsync(), to wait for delivery). " + summary);
            }
        }
#pragma warning disable CA1031 // Nothing may escape a process-exit handler.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>A warning the application must see: through its logger, or on standard error when it gave none.</summary>
    public void Warn(string message)
    {
        if (hasLogger)
        {
            logger.LogWarning("{Message}", message);
        }
        else
        {
            writer().WriteLine(message);
        }
    }
}
