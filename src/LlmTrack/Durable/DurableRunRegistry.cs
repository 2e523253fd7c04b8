using System.Collections.Concurrent;

namespace LlmTrack.Durable;

/// <summary>
/// The runs of one <see cref="DurableTrackingStore"/> and their ids: the journaled runs still being logged to, every
/// run this process journaled, every journal being shipped (live and taken over), and the mapping of local run ids to
/// the server's run ids and artifact URIs once the runs exist there.
/// </summary>
internal sealed class DurableRunRegistry
{
    private readonly ConcurrentDictionary<string, DurableRun> _open = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _serverIds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DurableRun> _shipping = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DurableRun> _started = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _artifactUris = new(StringComparer.Ordinal);

    /// <summary>The shippers of the journals being delivered right now (live and recovered runs).</summary>
    public DurableRun[] Shipping => [.. _shipping.Values];

    /// <summary>The journaled runs of this process not ended yet, by the id the tracker knows them by.</summary>
    public KeyValuePair<string, DurableRun>[] Open => _open.ToArray();

    /// <summary>Whether <paramref name="runId"/> (the tracker's id) is a journaled run of this process not ended yet.</summary>
    public bool IsOpen(string runId) => _open.ContainsKey(runId);

    /// <summary>The journaled run <paramref name="runId"/> (the tracker's id) when it was not ended yet.</summary>
    public bool TryGetOpen(string runId, out DurableRun run) => _open.TryGetValue(runId, out run!);

    /// <summary>Forgets that <paramref name="runId"/> is open (it ended, or the store drains).</summary>
    public void Close(string runId) => _open.TryRemove(runId, out _);

    /// <summary>The run this process journaled as <paramref name="runId"/> (the tracker's id), ended or not.</summary>
    public bool TryGetStarted(string runId, out DurableRun run) => _started.TryGetValue(runId, out run!);

    /// <summary>The tracker's run ids of this process's journaled runs, by their local run ids.</summary>
    public Dictionary<string, string> StartedByLocalId() => _started.ToDictionary(p => p.Value.LocalRunId, p => p.Key, StringComparer.Ordinal);

    /// <summary>Whether the journal of <paramref name="localRunId"/> is being shipped.</summary>
    public bool IsShipping(string localRunId) => _shipping.ContainsKey(localRunId);

    /// <summary>The shipper of <paramref name="localRunId"/>'s journal while it is being shipped.</summary>
    public DurableRun? ShippingRunOf(string localRunId) => _shipping.TryGetValue(localRunId, out var run) ? run : null;

    /// <summary>Records a journaled run of this process (known to the tracker as <paramref name="runId"/>) and starts shipping it.</summary>
    public void AddLive(string runId, DurableRun run)
    {
        _open[runId] = run;
        _started[runId] = run;
        Ship(run, stopWhenUnavailable: false);
    }

    /// <summary>Starts shipping <paramref name="run"/>; once shipped, it is forgotten and disposed.</summary>
    public void Ship(DurableRun run, bool stopWhenUnavailable)
    {
        _shipping[run.LocalRunId] = run;
        run.StartShipping(stopWhenUnavailable);
        _ = run.Shipped.ContinueWith(
            t =>
            {
                if (t.IsCompletedSuccessfully && _shipping.TryRemove(run.LocalRunId, out _))
                {
                    run.Dispose();
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Stops every shipper (the journals stay on disk) and forgets them.</summary>
    public async ValueTask StopShippingAsync()
    {
        var runs = _shipping.Values.ToArray();
        _shipping.Clear();
        foreach (var run in runs)
        {
            await run.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Records that <paramref name="runId"/> (a local or the tracker's id) is <paramref name="serverRunId"/> on the server.</summary>
    public void MapServerId(string runId, string serverRunId) => _serverIds[runId] = serverRunId;

    /// <summary>Records the server's run (id and artifact URI) of a run once it exists there.</summary>
    public void OnMapped(DurableRun run, RunInfo serverInfo)
    {
        _serverIds[run.LocalRunId] = serverInfo.RunId;
        if (!string.IsNullOrEmpty(serverInfo.ArtifactUri))
        {
            _artifactUris[run.LocalRunId] = serverInfo.ArtifactUri;
        }
    }

    /// <summary>The server's artifact URI of <paramref name="localRunId"/>, once the run exists there.</summary>
    public string? ArtifactUriOf(string localRunId) => _artifactUris.TryGetValue(localRunId, out var uri) ? uri : null;

    /// <summary>The server's run id of a local run id, once the run exists there.</summary>
    public bool TryGetServerRunId(string runId, out string serverRunId)
    {
        if (_serverIds.TryGetValue(runId, out var mapped))
        {
            serverRunId = mapped;
            return true;
        }

        serverRunId = runId;
        return false;
    }

    /// <summary>The server's run id of <paramref name="runId"/> (itself when not mapped).</summary>
    /// <exception cref="MlflowException">The run was started locally and does not exist on the server yet.</exception>
    public string ServerIdOrThrow(string runId)
    {
        if (_serverIds.TryGetValue(runId, out var serverId))
        {
            return serverId;
        }

        if (_shipping.TryGetValue(runId, out var run) && run.ServerRunId is null)
        {
            throw new MlflowException(
                MlflowErrorCode.Unavailable,
                $"Run '{runId}' was started while the tracking server was unreachable and does not exist on the server yet; its data is kept in the journal at '{run.Journal.Folder}' and delivered when the server is back.");
        }

        return runId;
    }
}
