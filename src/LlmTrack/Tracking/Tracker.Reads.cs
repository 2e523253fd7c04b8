using System.Runtime.CompilerServices;
using LlmTrack.Stores;

namespace LlmTrack;

// Part of the public class Tracker: reading experiments, runs and metric histories back from the store.
public sealed partial class Tracker
{
    /// <summary>Gets an experiment's id by name, creating the experiment when missing (safe against a concurrent creator).</summary>
    /// <param name="name">The experiment name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The experiment id.</returns>
    public async Task<string> GetOrCreateExperimentAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ThrowIfDisposed();
        return await _experiments.GetOrCreateAsync(name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gets an experiment by name (<see langword="null"/> when none has that name).</summary>
    /// <param name="name">The experiment name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The experiment, or <see langword="null"/>.</returns>
    public Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ThrowIfDisposed();
        return _store.GetExperimentByNameAsync(name, cancellationToken);
    }

    /// <summary>Gets a run as stored: metadata, latest metrics, params, tags and inputs.</summary>
    /// <param name="runId">The run's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The run.</returns>
    /// <exception cref="MlflowException"><c>RESOURCE_DOES_NOT_EXIST</c> when there is no such run.</exception>
    public Task<RunSnapshot> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        ThrowIfDisposed();
        return _store.GetRunAsync(runId, cancellationToken);
    }

    /// <summary>
    /// Searches runs of some experiments (MLflow filter syntax, e.g. <c>metrics.accuracy &gt; 0.9</c>; order clauses such as
    /// <c>metrics.accuracy DESC</c>) and returns every match, following the pages as the enumeration goes on.
    /// </summary>
    /// <param name="experimentIds">The experiments to search.</param>
    /// <param name="filter">An MLflow filter, or <see langword="null"/> for all runs.</param>
    /// <param name="viewType">Active, deleted or all runs.</param>
    /// <param name="orderBy">Order clauses; default the store's (start time, newest first).</param>
    /// <param name="pageSize">Runs asked for per request (MLflow's default 1000, at most 50,000).</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The matching runs, in order.</returns>
    public async IAsyncEnumerable<RunSnapshot> SearchRunsAsync(
        IReadOnlyList<string> experimentIds,
        string? filter = null,
        ViewType viewType = ViewType.ActiveOnly,
        IReadOnlyList<string>? orderBy = null,
        int pageSize = 1000,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experimentIds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        ThrowIfDisposed();
        await foreach (var run in _store.SearchAllRunsAsync(experimentIds, filter, viewType, orderBy, pageSize, cancellationToken).ConfigureAwait(false))
        {
            yield return run;
        }
    }

    /// <summary>Searches runs one page at a time (see <see cref="SearchRunsAsync"/>, which follows the pages itself).</summary>
    /// <param name="experimentIds">The experiments to search.</param>
    /// <param name="filter">An MLflow filter, or <see langword="null"/> for all runs.</param>
    /// <param name="viewType">Active, deleted or all runs.</param>
    /// <param name="maxResults">The page size (MLflow's default 1000).</param>
    /// <param name="orderBy">Order clauses, e.g. <c>metrics.accuracy DESC</c>.</param>
    /// <param name="pageToken">The token of the page to get (from the previous page).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One page of runs.</returns>
    public Task<Page<RunSnapshot>> SearchRunsPageAsync(IReadOnlyList<string> experimentIds, string? filter = null, ViewType viewType = ViewType.ActiveOnly, int maxResults = 1000, IReadOnlyList<string>? orderBy = null, string? pageToken = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experimentIds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxResults);
        ThrowIfDisposed();
        return _store.SearchRunsAsync(experimentIds, filter, viewType, maxResults, orderBy, pageToken, cancellationToken);
    }

    /// <summary>
    /// Searches experiments (MLflow filter syntax, e.g. <c>name LIKE 'eval-%'</c>) and returns every match, following
    /// the pages as the enumeration goes on.
    /// </summary>
    /// <param name="filter">An MLflow filter, or <see langword="null"/> for all experiments.</param>
    /// <param name="viewType">Active, deleted or all experiments.</param>
    /// <param name="orderBy">Order clauses, e.g. <c>name</c> or <c>creation_time DESC</c>.</param>
    /// <param name="pageSize">Experiments asked for per request (the server requires one; default 1000).</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The matching experiments, in order.</returns>
    public async IAsyncEnumerable<Experiment> SearchExperimentsAsync(
        string? filter = null,
        ViewType viewType = ViewType.ActiveOnly,
        IReadOnlyList<string>? orderBy = null,
        int pageSize = 1000,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        ThrowIfDisposed();
        await foreach (var experiment in _store.SearchAllExperimentsAsync(filter, viewType, orderBy, pageSize, cancellationToken).ConfigureAwait(false))
        {
            yield return experiment;
        }
    }

    /// <summary>Gets every point of one metric of a run.</summary>
    /// <param name="runId">The run's id.</param>
    /// <param name="key">The metric key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The metric's history.</returns>
    public Task<IReadOnlyList<Metric>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ThrowIfDisposed();
        return _store.GetMetricHistoryAsync(runId, key, cancellationToken);
    }
}
