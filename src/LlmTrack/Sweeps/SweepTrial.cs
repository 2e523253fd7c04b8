using System.Globalization;

namespace LlmTrack;

/// <summary>One trial of a sweep, given to the trial body: its number, parameter values and child run.</summary>
public sealed class SweepTrial
{
    internal SweepTrial(int number, IReadOnlyDictionary<string, object> parameters, Run run)
    {
        Number = number;
        Parameters = parameters;
        Run = run;
    }

    /// <summary>The trial's number, from 0 in the order trials are generated.</summary>
    public int Number { get; }

    /// <summary>The parameter values (string, long, double or bool, as the space defines them).</summary>
    public IReadOnlyDictionary<string, object> Parameters { get; }

    /// <summary>The trial's child run (params already logged); the body may log more to it.</summary>
    public Run Run { get; }

    /// <summary>A real parameter's value (integers are converted).</summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>The value.</returns>
    public double GetDouble(string name) => Convert.ToDouble(Parameters[name], CultureInfo.InvariantCulture);

    /// <summary>An integer parameter's value.</summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>The value.</returns>
    public long GetInt64(string name) => Convert.ToInt64(Parameters[name], CultureInfo.InvariantCulture);

    /// <summary>A parameter's value as text (as logged in the run param).</summary>
    /// <param name="name">The parameter name.</param>
    /// <returns>The value.</returns>
    public string GetString(string name) => SweepParameter.Format(Parameters[name]);
}

/// <summary>The outcome of one trial.</summary>
/// <param name="Number">The trial's number.</param>
/// <param name="RunId">The child run's id.</param>
/// <param name="Parameters">The parameter values.</param>
/// <param name="Value">The objective value, or <see langword="null"/> when the trial failed.</param>
/// <param name="Error">The failure (exception type and message), or <see langword="null"/>.</param>
public sealed record SweepTrialResult(int Number, string RunId, IReadOnlyDictionary<string, object> Parameters, double? Value, string? Error);

/// <summary>The outcome of a sweep.</summary>
/// <param name="ParentRunId">The parent run's id.</param>
/// <param name="Trials">Every trial run, by number.</param>
/// <param name="Best">The best successful trial, or <see langword="null"/> when none succeeded.</param>
/// <param name="StoppedEarly">Whether early stopping ended the sweep before the space (or <see cref="SweepOptions.MaxTrials"/>) was exhausted.</param>
public sealed record SweepResult(string ParentRunId, IReadOnlyList<SweepTrialResult> Trials, SweepTrialResult? Best, bool StoppedEarly);
