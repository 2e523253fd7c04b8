using System.Globalization;
using LlmTrack.Resilience;
using LlmTrack.Stores;

namespace LlmTrack.Rest;

/// <summary>
/// Recovery of a lost <c>runs/create</c>: once an attempt failed ambiguously, the server may have created the run
/// already; it is found by searching the experiment for a run with the same name and start time (to the millisecond).
/// </summary>
internal static class RunCreateReconciler
{
    /// <summary>The run an earlier attempt of <c>runs/create</c> may have created: same experiment, name and start time.</summary>
    public static async Task<RunSnapshot?> FindCreatedRunAsync(ITrackingStore store, TransportCounters counters, string experimentId, string runName, long startTime, CancellationToken cancellationToken)
    {
        // MLflow's filter strings have no escape character: quote the name with a quote it does not contain.
        var quote = !runName.Contains('\'', StringComparison.Ordinal) ? "'" : !runName.Contains('"', StringComparison.Ordinal) ? "\"" : null;
        if (quote is null)
        {
            return null;
        }

        var filter = "attributes.run_name = " + quote + runName + quote + " and attributes.start_time = " +
            startTime.ToString(CultureInfo.InvariantCulture);
        var page = await store.SearchRunsAsync([experimentId], filter, ViewType.All, 2, null, null, cancellationToken).ConfigureAwait(false);
        if (page.Items.Count == 1)
        {
            counters.AddRecoveredRunCreation();
            return page.Items[0];
        }

        return null;
    }
}
