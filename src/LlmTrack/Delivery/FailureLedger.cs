using Microsoft.Extensions.Logging;

namespace LlmTrack.Delivery;

/// <summary>
/// The values of one run the store did not accept: counted, logged as a warning, and kept (up to
/// <see cref="DeliveryReport.MaxFailuresKept"/> batches; beyond that only counted) until the next report takes them.
/// </summary>
internal sealed class FailureLedger
{
    private readonly object _gate = new();
    private readonly string _runId;
    private readonly ILogger _logger;

    // Guarded by _gate.
    private readonly List<DeliveryFailure> _failures = [];
    private long _notListed;

    // Updated with Interlocked.
    private long _failed;

    /// <summary>Creates an empty ledger.</summary>
    /// <param name="runId">The run, for the log.</param>
    /// <param name="logger">Where each failure is logged.</param>
    public FailureLedger(string runId, ILogger logger)
    {
        _runId = runId;
        _logger = logger;
    }

    /// <summary>Values counted failed since the run started.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Counts, logs and keeps values the store refused. The lists are kept: pass copies.</summary>
    /// <param name="metrics">The refused metric points.</param>
    /// <param name="parameters">The refused params.</param>
    /// <param name="tags">The refused tags.</param>
    /// <param name="error">What the store threw.</param>
    public void Record(List<Metric> metrics, List<Param> parameters, List<Tag> tags, Exception error)
    {
        var count = metrics.Count + parameters.Count + tags.Count;

        // Counted before it is listed: a report never lists a failure its counters do not include.
        Interlocked.Add(ref _failed, count);
        _logger.LogWarning(error, "The store refused {Count} value(s) of run {RunId}: {Message}", count, _runId, error.Message);
        lock (_gate)
        {
            if (_failures.Count < DeliveryReport.MaxFailuresKept)
            {
                _failures.Add(new DeliveryFailure(error, metrics, parameters, tags));
            }
            else
            {
                _notListed += count;
            }
        }
    }

    /// <summary>Takes the failures recorded since the last call, and how many failed values were not listed.</summary>
    /// <returns>The failures and the count of values beyond them.</returns>
    public (DeliveryFailure[] Failures, long NotListed) Take()
    {
        lock (_gate)
        {
            var failures = _failures.ToArray();
            var notListed = _notListed;
            _failures.Clear();
            _notListed = 0;
            return (failures, notListed);
        }
    }
}
