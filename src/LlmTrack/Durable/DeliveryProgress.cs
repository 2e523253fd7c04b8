namespace LlmTrack.Durable;

/// <summary>
/// The progress of delivering one journal as a signal that completes at each step (values acknowledged or refused, a
/// record delivered, the end of shipping), and the liveness-aware wait built on such signals: a wait gives up after a
/// stall without progress, where a server that still answers (a request being retried) counts as progress too.
/// </summary>
internal sealed class DeliveryProgress
{
    /// <summary>How often a wait for delivery looks whether the server answered anything (its liveness).</summary>
    internal static readonly TimeSpan LivenessCheckInterval = TimeSpan.FromSeconds(1);

    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next sign of progress.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>Completes the current signal (waking its waiters) and starts the next one.</summary>
    public void Signal() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>
    /// Waits until the probe says done, for as long as delivery makes progress: at most <paramref name="stallTimeout"/>
    /// without any and at most <paramref name="limit"/> in all (both measured with <paramref name="time"/>).
    /// </summary>
    /// <param name="probe">Takes the progress signal first, then checks: progress made in between completes the signal already taken.</param>
    /// <param name="stallTimeout">The longest wait without progress.</param>
    /// <param name="limit">The longest wait in all.</param>
    /// <param name="time">The clock.</param>
    /// <param name="serverAnswers">The number of answers the server gave so far; a change counts as progress.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether the probe said done before a limit ran out.</returns>
    public static async Task<bool> WaitAsync(Func<(Task Signal, bool Done)> probe, TimeSpan stallTimeout, TimeSpan limit, TimeProvider time, Func<long> serverAnswers, CancellationToken cancellationToken)
    {
        var start = time.GetTimestamp();
        var lastProgress = start;
        var answers = serverAnswers();
        while (true)
        {
            var (signal, done) = probe();
            if (done)
            {
                return true;
            }

            var now = time.GetTimestamp();
            var wait = Min(stallTimeout - time.GetElapsedTime(lastProgress, now), limit - time.GetElapsedTime(start, now));
            if (wait <= TimeSpan.Zero)
            {
                return probe().Done;
            }

            try
            {
                await signal.WaitAsync(Min(wait, LivenessCheckInterval), time, cancellationToken).ConfigureAwait(false);
                lastProgress = time.GetTimestamp();
            }
            catch (TimeoutException)
            {
                // A server that answers (even with errors, while a request is retried) is alive: that is progress too.
                var seen = serverAnswers();
                if (seen != answers)
                {
                    answers = seen;
                    lastProgress = time.GetTimestamp();
                }
            }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
