using LlmTrack.Sweeps;

namespace LlmTrack;

/// <summary>
/// Hyper-parameter (or prompt) sweeps: <see cref="SweepAsync"/> runs one child run per trial under a parent run and
/// records the best trial on the parent, as MLflow's tuning examples do (<c>best_run_id</c> tag, <c>best_&lt;metric&gt;</c>).
/// </summary>
public static class TrackerSweepExtensions
{
    /// <summary>The parent's tag naming the best child run: <c>best_run_id</c>.</summary>
    public const string BestRunIdTag = "best_run_id";

    /// <summary>The prefix of the parent's best objective metric and best params: <c>best_</c> (e.g. <c>best_accuracy</c>, <c>best_smoothing</c>).</summary>
    public const string BestPrefix = "best_";

    /// <summary>The parent's tag with the objective metric: <c>sweep.objective</c>.</summary>
    public const string ObjectiveTag = "sweep.objective";

    /// <summary>The parent's tag with the direction (<c>minimize</c>/<c>maximize</c>): <c>sweep.direction</c>.</summary>
    public const string DirectionTag = "sweep.direction";

    /// <summary>The parent's tag with the strategy (<c>grid</c>/<c>random</c>): <c>sweep.strategy</c>.</summary>
    public const string StrategyTag = "sweep.strategy";

    /// <summary>The parent's tag with the number of trials run: <c>sweep.trials</c>.</summary>
    public const string TrialsTag = "sweep.trials";

    /// <summary>The parent's tag saying whether early stopping ended the sweep (<c>true</c>/<c>false</c>): <c>sweep.stopped_early</c>.</summary>
    public const string StoppedEarlyTag = "sweep.stopped_early";

    /// <summary>A child's tag with its trial number: <c>sweep.trial</c>.</summary>
    public const string TrialTag = "sweep.trial";

    /// <summary>A failed child's tag with the exception type and message: <c>sweep.error</c>.</summary>
    public const string ErrorTag = "sweep.error";

    /// <summary>
    /// Sweeps <paramref name="space"/>: starts a parent run, then for each trial a child run (<c>mlflow.parentRunId</c>
    /// set, the trial's values logged as params, tag <c>sweep.trial</c>), calls <paramref name="body"/> and logs the
    /// objective value it returns. A trial that throws ends FAILED with its error in the <c>sweep.error</c> tag and the
    /// sweep goes on. At the end the parent gets <c>best_run_id</c>, the metric <c>best_&lt;objective&gt;</c> and the params
    /// <c>best_&lt;name&gt;</c>. When <paramref name="cancellationToken"/> is cancelled no trial starts, running trials and
    /// the parent end KILLED, and the call throws <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <param name="tracker">The tracker.</param>
    /// <param name="space">The parameter space.</param>
    /// <param name="body">Runs one trial and returns its objective value.</param>
    /// <param name="options">Objective, direction, strategy, limits.</param>
    /// <param name="cancellationToken">Cancels the sweep.</param>
    /// <returns>Every trial and the best one.</returns>
    /// <exception cref="ArgumentException">When the space is empty, or random search has no <see cref="SweepOptions.MaxTrials"/>.</exception>
    public static Task<SweepResult> SweepAsync(this Tracker tracker, SweepSpace space, Func<SweepTrial, CancellationToken, Task<double>> body, SweepOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Objective, nameof(options));
        if (space.Parameters.Count == 0)
        {
            throw new ArgumentException("The space has no parameter.", nameof(space));
        }

        if (options.Strategy == SweepStrategy.Random && options.MaxTrials is null)
        {
            throw new ArgumentException("Random search needs SweepOptions.MaxTrials.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxParallelism, nameof(options));
        return new SweepRunner(tracker, space, body, options).RunAsync(cancellationToken);
    }
}
