namespace LlmTrack;

/// <summary>How a sweep searches its space.</summary>
public enum SweepStrategy
{
    /// <summary>Every combination of the grid values, in order (the last parameter varies fastest).</summary>
    Grid,

    /// <summary>Random samples drawn with a seeded generator (<see cref="SweepOptions.Seed"/>): the same seed gives the same trials.</summary>
    Random,
}

/// <summary>Whether the objective is to be made small or large.</summary>
public enum SweepDirection
{
    /// <summary>Lower is better (a loss, an error rate).</summary>
    Minimize,

    /// <summary>Higher is better (accuracy, F1).</summary>
    Maximize,
}

/// <summary>Options of <see cref="TrackerSweepExtensions.SweepAsync"/>.</summary>
public sealed record SweepOptions
{
    /// <summary>The metric the trial body returns, logged on each child run (e.g. <c>accuracy</c>).</summary>
    public required string Objective { get; init; }

    /// <summary>Whether the objective is minimised or maximised (default maximise).</summary>
    public SweepDirection Direction { get; init; } = SweepDirection.Maximize;

    /// <summary>Grid or random search (default grid).</summary>
    public SweepStrategy Strategy { get; init; } = SweepStrategy.Grid;

    /// <summary>The most trials to run (random search: required; grid search: default the whole grid).</summary>
    public int? MaxTrials { get; init; }

    /// <summary>The seed of random search (default 0).</summary>
    public int Seed { get; init; }

    /// <summary>How many trials run at once (default 1).</summary>
    public int MaxParallelism { get; init; } = 1;

    /// <summary>
    /// Stops starting trials after this many finished trials in a row did not improve on the best (default
    /// <see langword="null"/>: never). Trials already running finish. With parallelism above 1, "in a row" is in order of completion.
    /// </summary>
    public int? EarlyStopAfter { get; init; }

    /// <summary>The experiment of the parent and child runs (default the tracker's).</summary>
    public string? ExperimentName { get; init; }

    /// <summary>The parent run's name (default <c>sweep-&lt;objective&gt;</c>).</summary>
    public string? RunName { get; init; }
}
