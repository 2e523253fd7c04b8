using System.Globalization;

namespace LlmTrack.Sweeps;

/// <summary>
/// Runs a sweep: a parent run, one child run per trial (bounded parallelism), failures recorded on the child, early
/// stopping, and the best trial written on the parent.
/// </summary>
internal sealed class SweepRunner
{
    private const int MaxErrorLength = 5000;

    private readonly Tracker _tracker;
    private readonly SweepSpace _space;
    private readonly Func<SweepTrial, CancellationToken, Task<double>> _body;
    private readonly SweepOptions _options;
    private readonly List<SweepTrialResult> _results = [];
    private readonly object _sync = new();
    private SweepTrialResult? _best;
    private int _sinceImprovement;
    private volatile bool _stop;

    public SweepRunner(Tracker tracker, SweepSpace space, Func<SweepTrial, CancellationToken, Task<double>> body, SweepOptions options)
    {
        _tracker = tracker;
        _space = space;
        _body = body;
        _options = options;
    }

    public async Task<SweepResult> RunAsync(CancellationToken cancellationToken)
    {
        string name = _options.RunName ?? "sweep-" + _options.Objective;
        Run parent = await _tracker.StartRunAsync(new RunOptions
        {
            ExperimentName = _options.ExperimentName,
            RunName = name,
            Tags =
            {
                [TrackerSweepExtensions.ObjectiveTag] = _options.Objective,
                [TrackerSweepExtensions.DirectionTag] = _options.Direction == SweepDirection.Minimize ? "minimize" : "maximize",
                [TrackerSweepExtensions.StrategyTag] = _options.Strategy == SweepStrategy.Grid ? "grid" : "random",
            },
        }, cancellationToken).ConfigureAwait(false);

        var running = new List<Task>();
        bool stoppedEarly = false;
        using var gate = new SemaphoreSlim(Math.Max(1, _options.MaxParallelism));
        try
        {
            int number = 0;
            foreach (IReadOnlyDictionary<string, object> parameters in SweepTrials.Generate(_space, _options))
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (_stop)
                {
                    gate.Release();
                    stoppedEarly = true;
                    break;
                }

                int n = number++;
                running.Add(RunGuardedAsync(parent, name, n, parameters, gate, cancellationToken));
            }

            await Task.WhenAll(running).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await Task.WhenAll(running.Select(t => t.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default))).ConfigureAwait(false);
            await parent.EndAsync(RunStatus.Killed, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        SweepTrialResult[] trials = [.. _results.OrderBy(t => t.Number)];
        parent.SetTag(TrackerSweepExtensions.TrialsTag, trials.Length.ToString(CultureInfo.InvariantCulture));
        parent.SetTag(TrackerSweepExtensions.StoppedEarlyTag, stoppedEarly ? "true" : "false");
        if (_best is { } best)
        {
            parent.SetTag(TrackerSweepExtensions.BestRunIdTag, best.RunId);
            parent.LogMetric(TrackerSweepExtensions.BestPrefix + _options.Objective, best.Value!.Value);
            parent.LogParams(best.Parameters.Select(p => KeyValuePair.Create(TrackerSweepExtensions.BestPrefix + p.Key, SweepParameter.Format(p.Value))));
        }

        await parent.EndAsync(RunStatus.Finished, CancellationToken.None).ConfigureAwait(false);
        return new SweepResult(parent.RunId, trials, _best, stoppedEarly);
    }

    private async Task RunGuardedAsync(Run parent, string name, int number, IReadOnlyDictionary<string, object> parameters, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        try
        {
            // Parallel trials run off the caller's thread; with one at a time the order is the caller's.
            if (_options.MaxParallelism > 1)
            {
                await Task.Yield();
            }

            await RunTrialAsync(parent, name, number, parameters, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task RunTrialAsync(Run parent, string name, int number, IReadOnlyDictionary<string, object> parameters, CancellationToken cancellationToken)
    {
        Run child = await _tracker.StartRunAsync(new RunOptions
        {
            ExperimentId = parent.ExperimentId,
            RunName = name + "-trial-" + number.ToString(CultureInfo.InvariantCulture),
            Parent = parent,
            Tags = { [TrackerSweepExtensions.TrialTag] = number.ToString(CultureInfo.InvariantCulture) },
        }, cancellationToken).ConfigureAwait(false);
        child.LogParams(parameters.Select(p => KeyValuePair.Create(p.Key, SweepParameter.Format(p.Value))));
        double value;
        try
        {
            value = await _body(new SweepTrial(number, parameters, child), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            await child.EndAsync(RunStatus.Killed, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        catch (Exception ex)
        {
            string error = ex.GetType().Name + ": " + ex.Message;
            error = error.Length > MaxErrorLength ? error[..MaxErrorLength] : error;
            child.SetTag(TrackerSweepExtensions.ErrorTag, error);
            await child.FailAsync(ex, CancellationToken.None).ConfigureAwait(false);
            Record(new SweepTrialResult(number, child.RunId, parameters, null, error));
            return;
        }

        child.LogMetric(_options.Objective, value);
        await child.EndAsync(RunStatus.Finished, CancellationToken.None).ConfigureAwait(false);
        Record(new SweepTrialResult(number, child.RunId, parameters, value, null));
    }

    /// <summary>Adds a finished trial; a failed or non-improving trial counts towards early stopping.</summary>
    private void Record(SweepTrialResult result)
    {
        lock (_sync)
        {
            _results.Add(result);
            if (result.Value is double v && !double.IsNaN(v) && (_best is null || Better(v, _best.Value!.Value)))
            {
                _best = result;
                _sinceImprovement = 0;
            }
            else
            {
                _sinceImprovement++;
            }

            if (_options.EarlyStopAfter is int patience && _sinceImprovement >= patience)
            {
                _stop = true;
            }
        }
    }

    private bool Better(double candidate, double best) =>
        _options.Direction == SweepDirection.Minimize ? candidate < best : candidate > best;
}
