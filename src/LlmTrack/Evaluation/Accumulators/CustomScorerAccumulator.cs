namespace LlmTrack.Evaluation.Accumulators;

/// <summary>The caller's <see cref="ExampleScorer{TExample, TPrediction}"/>s: one column and one mean (with interval) each.</summary>
/// <typeparam name="TExample">The example type.</typeparam>
/// <typeparam name="TPrediction">The prediction type.</typeparam>
internal sealed class CustomScorerAccumulator<TExample, TPrediction>
{
    private readonly IReadOnlyList<ExampleScorer<TExample, TPrediction>> _scorers;
    private readonly List<double>[] _scores;

    /// <summary>Creates the accumulator.</summary>
    /// <param name="scorers">The scorers.</param>
    public CustomScorerAccumulator(IReadOnlyList<ExampleScorer<TExample, TPrediction>> scorers)
    {
        _scorers = scorers;
        _scores = [.. scorers.Select(_ => new List<double>())];
    }

    /// <summary>Adds the table columns (the scorers' names).</summary>
    /// <param name="columns">The table's columns so far.</param>
    public void AddColumns(List<string> columns) => columns.AddRange(_scorers.Select(s => s.Name));

    /// <summary>Scores one example with every scorer.</summary>
    /// <param name="example">The example.</param>
    /// <param name="prediction">Its prediction.</param>
    /// <param name="row">The table row.</param>
    /// <param name="column">The next column to fill; advanced past this accumulator's columns.</param>
    public void Add(TExample example, TPrediction prediction, object?[] row, ref int column)
    {
        for (var i = 0; i < _scorers.Count; i++)
        {
            var score = _scorers[i].Score(example, prediction);
            _scores[i].Add(score);
            row[column++] = score;
        }
    }

    /// <summary>Adds each scorer's mean.</summary>
    /// <param name="sink">Where the metrics go.</param>
    public void Log(EvaluationMetricSink sink)
    {
        for (var i = 0; i < _scorers.Count; i++)
        {
            if (_scores[i].Count > 0)
            {
                sink.AddMean(_scorers[i].Name, _scores[i], 1.0);
            }
        }
    }
}
