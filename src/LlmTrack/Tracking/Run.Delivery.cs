// Part of the public class Run (one type, so a partial): flushing and ending, which wait for the store and report what
// was delivered. Run.cs holds the logging hot path and the internal seam the evaluation layer builds on.
using LlmTrack.Tracking;
using Microsoft.Extensions.Logging;

namespace LlmTrack;

/// <content>Flushing and ending a run, and the delivery report they return.</content>
public sealed partial class Run
{
    /// <summary>Waits until the store acknowledged everything logged before the call; see <see cref="FlushAsync(CancellationToken)"/>.</summary>
    /// <param name="cancellationToken">Stops the wait (not the sending).</param>
    /// <returns>The report: the counters (how much is delivered, how much is still pending) and no failure.</returns>
    public DeliveryReport Flush(CancellationToken cancellationToken = default) => SyncOverAsync.Run(ct => FlushAsync(ct), cancellationToken);

    /// <summary>Waits at most <paramref name="timeout"/>; see <see cref="FlushAsync(TimeSpan, CancellationToken)"/>.</summary>
    /// <param name="timeout">How long to wait at most.</param>
    /// <param name="cancellationToken">Stops the wait (not the sending).</param>
    /// <returns>The report (nothing failed).</returns>
    public DeliveryReport Flush(TimeSpan timeout, CancellationToken cancellationToken = default) => SyncOverAsync.Run(ct => FlushAsync(timeout, ct), cancellationToken);

    /// <summary>
    /// Waits until the tracking store acknowledged every value logged before the call (values logged during the wait
    /// are not waited for), as MLflow's own flush does. In durable mode the values are first forced to disk, then the
    /// wait goes on for as long as delivery makes progress (<see cref="DurabilityOptions.DrainStallTimeout"/>, at most
    /// <see cref="DurabilityOptions.DrainTimeout"/>); the report then says how much is delivered
    /// (<see cref="DeliveryCounters.Delivered"/>) and how much is only on disk (<see cref="DeliveryCounters.Pending"/>,
    /// <see cref="DeliveryReport.JournalFolder"/>). Each failure is reported once, by the first flush that sees it.
    /// </summary>
    /// <param name="cancellationToken">Stops the wait (not the sending).</param>
    /// <returns>The counters and an empty failure list.</returns>
    /// <exception cref="DeliveryException">The store refused some values since the last flush; the report lists them.</exception>
    public Task<DeliveryReport> FlushAsync(CancellationToken cancellationToken = default) => FlushCoreAsync(null, waitForServer: true, cancellationToken);

    /// <summary>Like <see cref="FlushAsync(CancellationToken)"/>, waiting at most <paramref name="timeout"/> in all.</summary>
    /// <param name="timeout">How long to wait at most (measured with the tracker's <see cref="TimeProvider"/>).</param>
    /// <param name="cancellationToken">Stops the wait (not the sending).</param>
    /// <returns>The counters and an empty failure list; in durable mode values still on disk when the time is up are counted in <see cref="DeliveryCounters.Pending"/>.</returns>
    /// <exception cref="TimeoutException">The values did not even reach the store (in durable mode: the journal) in time; they stay queued.</exception>
    /// <exception cref="DeliveryException">The store refused some values since the last flush.</exception>
    public Task<DeliveryReport> FlushAsync(TimeSpan timeout, CancellationToken cancellationToken = default) => FlushCoreAsync(timeout, waitForServer: true, cancellationToken);

    /// <summary>
    /// The cheaper flush: waits until every value logged before the call is safe on local disk (durable mode: written
    /// to the journal and fsynced; otherwise: acknowledged by the store), without waiting for the server.
    /// </summary>
    /// <param name="cancellationToken">Stops the wait (not the sending).</param>
    /// <returns>The counters (<see cref="DeliveryCounters.Durable"/> covers everything logged before the call) and no failure.</returns>
    /// <exception cref="DeliveryException">The store refused some values since the last flush.</exception>
    public Task<DeliveryReport> FlushToDiskAsync(CancellationToken cancellationToken = default) => FlushCoreAsync(null, waitForServer: false, cancellationToken);

    /// <summary>Waits until everything logged before the call is on local disk; see <see cref="FlushToDiskAsync"/>.</summary>
    /// <param name="cancellationToken">Stops the wait (not the sending).</param>
    /// <returns>The report.</returns>
    public DeliveryReport FlushToDisk(CancellationToken cancellationToken = default) => SyncOverAsync.Run(ct => FlushToDiskAsync(ct), cancellationToken);

    /// <summary>
    /// Ends the run: refuses further values, sends everything queued, then sets <paramref name="status"/> and the end
    /// time (<c>runs/update</c>). Later calls return the first call's outcome.
    /// </summary>
    /// <param name="status">The final status (default FINISHED).</param>
    /// <param name="cancellationToken">Stops waiting (the run still ends in the background).</param>
    /// <returns>
    /// The delivery report: the run's counters after the end (in durable mode, after waiting for the journal to be
    /// delivered for as long as delivery makes progress) and the failures not reported by a flush before.
    /// <see cref="DeliveryReport.IsFullyDelivered"/> says whether everything reached the store.
    /// </returns>
    /// <exception cref="MlflowException">The store refused the status update.</exception>
    public Task<DeliveryReport> EndAsync(RunStatus status = RunStatus.Finished, CancellationToken cancellationToken = default)
    {
        if (status is RunStatus.Running or RunStatus.Scheduled)
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "A run ends FINISHED, FAILED or KILLED.");
        }

        Task<DeliveryReport> ending;
        lock (_endGate)
        {
            ending = _ending ??= EndCoreAsync(status);
        }

        return ending.WaitAsync(cancellationToken);
    }

    /// <summary>Ends the run with <paramref name="status"/>; see <see cref="EndAsync"/>. Blocks the calling thread.</summary>
    /// <param name="status">The final status (default FINISHED).</param>
    /// <param name="cancellationToken">Stops waiting (the run still ends in the background).</param>
    /// <returns>The delivery report of the values not reported by a flush before.</returns>
    public DeliveryReport End(RunStatus status = RunStatus.Finished, CancellationToken cancellationToken = default) => SyncOverAsync.Run(ct => EndAsync(status, ct), cancellationToken);

    /// <summary>Ends the run FAILED (after sending what was logged) and logs <paramref name="exception"/>. Never throws.</summary>
    /// <param name="exception">Why the run failed (logged, not stored: MLflow records only the status).</param>
    /// <param name="cancellationToken">Stops waiting (the run still ends in the background).</param>
    public void Fail(Exception? exception = null, CancellationToken cancellationToken = default) => SyncOverAsync.Run(ct => FailAsync(exception, ct), cancellationToken);

    /// <summary>Ends the run FAILED and logs <paramref name="exception"/>. Never throws.</summary>
    /// <param name="exception">Why the run failed.</param>
    /// <param name="cancellationToken">Stops waiting (the run still ends in the background).</param>
    /// <returns>A task that completes when the run has ended.</returns>
    public Task FailAsync(Exception? exception = null, CancellationToken cancellationToken = default) => EndQuietlyAsync(RunStatus.Failed, exception).WaitAsync(cancellationToken);

    /// <summary>Sends everything, then ends the run FINISHED (unless it ended already). Never throws.</summary>
    public void Dispose() => SyncOverAsync.Run(_ => EndQuietlyAsync(RunStatus.Finished, null), CancellationToken.None);

    /// <summary>Sends everything, then ends the run FINISHED (unless it ended already). Never throws.</summary>
    /// <returns>A task that completes when the run has ended.</returns>
    public ValueTask DisposeAsync() => new(EndQuietlyAsync(RunStatus.Finished, null));

    private async Task<DeliveryReport> FlushCoreAsync(TimeSpan? timeout, bool waitForServer, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        var report = await _queue.FlushAsync(timeout, cancellationToken).ConfigureAwait(false);
        if (_journaling is { } journaling)
        {
            // Durable mode: everything logged before the flush goes on disk (fsync), then (unless only the disk was asked
            // for) the wait goes on until the server acknowledged it, or delivery stalls or the time is up.
            await journaling.FlushToDiskAsync(RunId, cancellationToken).ConfigureAwait(false);
            if (waitForServer)
            {
                var left = timeout is { } limit && limit != Timeout.InfiniteTimeSpan ? limit - _timeProvider.GetElapsedTime(started) : (TimeSpan?)null;
                if (left is null || left > TimeSpan.Zero)
                {
                    await journaling.WaitForDeliveryAsync(RunId, left, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        report = Truthful(report);
        return report.IsSuccess ? report : throw new DeliveryException(report);
    }

    /// <summary>The queue's report with the run's true counters and, while values wait on disk, the journal folder.</summary>
    private DeliveryReport Truthful(DeliveryReport report)
    {
        var counters = Counters;
        return report with
        {
            Counters = counters,
            JournalFolder = counters.Pending > 0 ? _journaling?.JournalFolderOf(RunId) : null,
        };
    }

    private async Task<DeliveryReport> EndCoreAsync(RunStatus status)
    {
        DeliveryReport report;
        try
        {
            report = await _queue.CloseAsync().ConfigureAwait(false);
            if (!report.IsSuccess)
            {
                _logger.LogWarning("Run {RunId} ends with {Failed} value(s) the store refused.", RunId, report.FailedCount);
            }

            var endTime = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            try
            {
                // In durable mode this waits for the journal to be delivered, for as long as delivery makes progress.
                var updated = await _store.UpdateRunAsync(RunId, status, endTime, null, CancellationToken.None).ConfigureAwait(false);
                Volatile.Write(ref _info, updated with { Status = status, EndTime = updated.EndTime ?? endTime });
            }
            catch
            {
                Volatile.Write(ref _info, _info with { Status = status, EndTime = endTime });
                throw;
            }

            report = Truthful(report);
        }
        finally
        {
            _tracker.OnRunEnded(this);
        }

        if (!report.IsFullyDelivered)
        {
            _tracker.WarnNotDelivered(this, report);
        }

        return report;
    }

    private async Task EndQuietlyAsync(RunStatus status, Exception? cause)
    {
        if (cause is not null)
        {
            _logger.LogError(cause, "Run {RunId} failed.", RunId);
        }

        try
        {
            await EndAsync(status).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Ending a run must never throw from Dispose or from a catch block.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.LogError(ex, "Run {RunId} could not be ended {Status}.", RunId, status);
        }
    }
}
