namespace LlmTrack.Tracking;

/// <summary>
/// The one way the sync forms of the API block on their async twins: the call runs with no
/// <see cref="SynchronizationContext"/>, so a continuation (the library's, or an application callback's such as a token
/// provider that forgets <c>ConfigureAwait(false)</c>) never waits for the UI or request thread that is blocked here.
/// </summary>
internal static class SyncOverAsync
{
    /// <summary>Runs <paramref name="call"/> and blocks until it completes; returns its result or throws its exception.</summary>
    public static T Run<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var context = SynchronizationContext.Current;
        if (context is null)
        {
            return call(cancellationToken).GetAwaiter().GetResult();
        }

        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            return call(cancellationToken).GetAwaiter().GetResult();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }
    }

    /// <summary>Runs <paramref name="call"/> and blocks until it completes; throws its exception.</summary>
    public static void Run(Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        Run<bool>(
            async ct =>
            {
                await call(ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);
}
