using System.Globalization;

namespace LlmTrack;

/// <summary>
/// A typed parameter space for <see cref="TrackerSweepExtensions.SweepAsync"/>: discrete choices, integer and real
/// ranges and log-uniform ranges, in the order they are added (grid search varies the last one fastest).
/// </summary>
public sealed class SweepSpace
{
    private readonly List<SweepParameter> _parameters = [];

    /// <summary>The parameters, in the order they were added.</summary>
    internal IReadOnlyList<SweepParameter> Parameters => _parameters;

    /// <summary>Adds a discrete parameter taking one of <paramref name="values"/> (strings, numbers or booleans).</summary>
    /// <param name="name">The param name (logged as a run param).</param>
    /// <param name="values">The values, at least one.</param>
    /// <returns>This space.</returns>
    public SweepSpace Choice(string name, params object[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length == 0 || values.Any(v => v is null))
        {
            throw new ArgumentException("A choice needs at least one value, and no null.", nameof(values));
        }

        return Add(new SweepParameter(name, SweepParameterKind.Choice, 0, 0, values.Length, values));
    }

    /// <summary>Adds an integer parameter in [<paramref name="min"/>, <paramref name="max"/>] (grid: every <paramref name="step"/>-th value; random: uniform).</summary>
    /// <param name="name">The param name.</param>
    /// <param name="min">The lowest value.</param>
    /// <param name="max">The highest value.</param>
    /// <param name="step">The grid spacing (default 1).</param>
    /// <returns>This space.</returns>
    public SweepSpace IntRange(string name, long min, long max, long step = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(step);
        return Add(new SweepParameter(name, SweepParameterKind.Int, min, max, (int)Math.Min(int.MaxValue, ((max - min) / step) + 1), [step]));
    }

    /// <summary>Adds a real parameter in [<paramref name="min"/>, <paramref name="max"/>] (grid: <paramref name="gridPoints"/> evenly spaced values; random: uniform).</summary>
    /// <param name="name">The param name.</param>
    /// <param name="min">The lowest value.</param>
    /// <param name="max">The highest value.</param>
    /// <param name="gridPoints">The number of grid values, ends included (default 5).</param>
    /// <returns>This space.</returns>
    public SweepSpace DoubleRange(string name, double min, double max, int gridPoints = 5) =>
        AddRange(name, SweepParameterKind.Double, min, max, gridPoints);

    /// <summary>
    /// Adds a positive real parameter sampled log-uniformly in [<paramref name="min"/>, <paramref name="max"/>] (grid:
    /// <paramref name="gridPoints"/> values evenly spaced in log scale; random: exp of a uniform log value).
    /// </summary>
    /// <param name="name">The param name.</param>
    /// <param name="min">The lowest value (positive).</param>
    /// <param name="max">The highest value.</param>
    /// <param name="gridPoints">The number of grid values, ends included (default 5).</param>
    /// <returns>This space.</returns>
    public SweepSpace LogUniform(string name, double min, double max, int gridPoints = 5)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(min);
        return AddRange(name, SweepParameterKind.LogUniform, min, max, gridPoints);
    }

    private SweepSpace AddRange(string name, SweepParameterKind kind, double min, double max, int gridPoints)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || max < min)
        {
            throw new ArgumentException("The range needs finite bounds with min <= max.", nameof(max));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(gridPoints);
        return Add(new SweepParameter(name, kind, min, max, min == max ? 1 : gridPoints, []));
    }

    private SweepSpace Add(SweepParameter parameter)
    {
        if (string.IsNullOrEmpty(parameter.Name) || _parameters.Any(p => p.Name == parameter.Name))
        {
            throw new ArgumentException("A parameter needs a name not used yet in the space: '" + parameter.Name + "'.", nameof(parameter));
        }

        _parameters.Add(parameter);
        return this;
    }
}

/// <summary>The kinds of sweep parameters.</summary>
internal enum SweepParameterKind
{
    Choice,
    Int,
    Double,
    LogUniform,
}

/// <summary>One parameter of a space: its grid values and how it is sampled.</summary>
internal sealed record SweepParameter(string Name, SweepParameterKind Kind, double Min, double Max, int GridSize, object[] Values)
{
    /// <summary>The <paramref name="index"/>-th grid value.</summary>
    public object GridValue(int index) => Kind switch
    {
        SweepParameterKind.Choice => Values[index],
        SweepParameterKind.Int => (long)Min + (index * (long)Values[0]),
        SweepParameterKind.Double => GridSize == 1 || index == 0 ? Min : index == GridSize - 1 ? Max : Min + ((Max - Min) * index / (GridSize - 1)),
        _ => GridSize == 1 || index == 0 ? Min : index == GridSize - 1 ? Max : Math.Exp(Math.Log(Min) + ((Math.Log(Max) - Math.Log(Min)) * index / (GridSize - 1))),
    };

    /// <summary>A random value drawn with <paramref name="random"/>.</summary>
    public object Sample(Random random) => Kind switch
    {
        SweepParameterKind.Choice => Values[random.Next(Values.Length)],
        SweepParameterKind.Int => (long)Min + (random.NextInt64(GridSize) * (long)Values[0]),
        SweepParameterKind.Double => Min + ((Max - Min) * random.NextDouble()),
        _ => Math.Exp(Math.Log(Min) + ((Math.Log(Max) - Math.Log(Min)) * random.NextDouble())),
    };

    /// <summary>A value as logged in a run param (numbers invariant; reals round-trip, with ".0" when whole, as Python prints them).</summary>
    public static string Format(object value) => value switch
    {
        double d when double.IsFinite(d) && d == Math.Floor(d) && Math.Abs(d) < 1e16 => d.ToString("F1", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "True" : "False",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
