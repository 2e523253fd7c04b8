using LlmTrack.Delivery;
using LlmTrack.Tracking;
using Microsoft.Extensions.Logging;

namespace LlmTrack;

// Part of the public class Tracker: closing — ending the runs still open, draining the journals, the delivery summary.
public sealed partial class Tracker
{
    /// <summary>Ends the runs still open and closes the tracker; see <see cref="CloseAsync"/>. Never throws.</summary>
    public void Dispose() => SyncOverAsync.Run(ct => CloseAsync(ct), CancellationToken.None);

    /// <summary>Ends the runs still open and closes the tracker; see <see cref="CloseAsync"/>. Never throws.</summary>
    /// <returns>A task that completes when everything is closed.</returns>
    public async ValueTask DisposeAsync() => await CloseAsync().ConfigureAwait(false);

    /// <summary>Closes the tracker; see <see cref="CloseAsync"/>. Blocks the calling thread.</summary>
    /// <param name="cancellationToken">Stops waiting for the server (what is left stays on disk and is reported).</param>
    /// <returns>What was delivered, and what was not.</returns>
    public DeliverySummary Close(CancellationToken cancellationToken = default) => SyncOverAsync.Run(CloseAsync, cancellationToken);

    /// <summary>
    /// Ends the runs still open (FINISHED, after sending what they logged), waits for the tracking server to acknowledge
    /// everything (in durable mode: for as long as delivery makes progress, see <see cref="DurabilityOptions.DrainStallTimeout"/>
    /// and <see cref="DurabilityOptions.DrainTimeout"/>), closes the store and says what was delivered. When something was
    /// not, a warning says how much, for which runs, where it is kept and the command that delivers it — through the
    /// tracker's logger, or on standard error when it was given none. Later calls return the first call's summary.
    /// Never throws.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for the server (what is left stays on disk and is reported).</param>
    /// <returns>What was delivered, and what was not (<see cref="DeliverySummary.IsFullyDelivered"/>).</returns>
    public Task<DeliverySummary> CloseAsync(CancellationToken cancellationToken = default)
    {
        Task<DeliverySummary> closing;
        lock (_closeGate)
        {
            closing = _closing ??= CloseCoreAsync(cancellationToken);
        }

        return closing;
    }

    private async Task<DeliverySummary> CloseCoreAsync(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _disposed, 1);
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        CloseTracing();
        foreach (var run in _activeRuns.Keys.ToList())
        {
            await run.DisposeAsync().ConfigureAwait(false);
        }

        IReadOnlyList<UndeliveredJournal> undelivered = [];
        if (_journaling is { } journaling)
        {
            try
            {
                undelivered = await journaling.DrainAsync(cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Closing never throws; what could not be waited for stays on disk.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _logger.LogWarning(ex, "LlmTrack: waiting for the tracking server to take the journals stopped: {Message}", ex.Message);
            }
        }

        var summary = _warnings.Summarize(_runs, undelivered);
        try
        {
            if (_store is IAsyncDisposable asyncStore)
            {
                await asyncStore.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                _store.Dispose();
            }
        }
#pragma warning disable CA1031 // Dispose never throws.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.LogError(ex, "The tracking store could not be closed.");
        }

        if (!summary.IsFullyDelivered)
        {
            _warnings.Warn(summary.ToString());
        }

        return summary;
    }

    /// <summary>
    /// The process is exiting without the tracker having been closed (durable mode): nothing can be waited for any more,
    /// but what is not delivered is said, with where it is and the command that delivers it.
    /// </summary>
    private void OnProcessExit(object? sender, EventArgs e)
    {
        if (Volatile.Read(ref _closing) is null)
        {
            _warnings.AtProcessExit(_runs);
        }
    }
}
