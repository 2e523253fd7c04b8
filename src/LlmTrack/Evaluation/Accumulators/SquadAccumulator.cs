using LlmTrack.Metrics.Bootstrap;
using LlmTrack.Metrics.QuestionAnswering;

namespace LlmTrack.Evaluation.Accumulators;

/// <summary>SQuAD v1.1 exact match and F1 of an evaluation (percentages), per example and averaged with intervals.</summary>
internal sealed class SquadAccumulator
{
    private readonly bool _exactMatch;
    private readonly bool _f1;
    private readonly List<SquadExampleScore> _scores = [];

    /// <summary>Creates the accumulator for the requested metrics.</summary>
    /// <param name="metrics">The requested metrics.</param>
    public SquadAccumulator(EvaluationMetrics metrics)
    {
        _exactMatch = (metrics & EvaluationMetrics.SquadExactMatch) != 0;
        _f1 = (metrics & EvaluationMetrics.SquadF1) != 0;
    }

    /// <summary>Whether either SQuAD metric is requested.</summary>
    public bool IsRequested => _exactMatch || _f1;

    /// <summary>Adds the table columns this accumulator fills.</summary>
    /// <param name="columns">The table's columns so far.</param>
    public void AddColumns(List<string> columns)
    {
        if (_exactMatch)
        {
            columns.Add(EvaluationMetricKeys.Squad.ExactMatch);
        }

        if (_f1)
        {
            columns.Add(EvaluationMetricKeys.Squad.F1);
        }
    }

    /// <summary>Records one example.</summary>
    /// <param name="prediction">The predicted answer.</param>
    /// <param name="references">The gold answers.</param>
    /// <param name="row">The table row.</param>
    /// <param name="column">The next column to fill; advanced past this accumulator's columns.</param>
    public void Add(string prediction, string[] references, object?[] row, ref int column)
    {
        if (!IsRequested)
        {
            return;
        }

        var squad = SquadMetrics.ScoreV1(prediction, references);
        _scores.Add(squad);
        if (_exactMatch)
        {
            row[column++] = squad.ExactMatch * 100.0;
        }

        if (_f1)
        {
            row[column++] = squad.F1 * 100.0;
        }
    }

    /// <summary>Adds the averaged metrics.</summary>
    /// <param name="sink">Where the metrics go.</param>
    public void Log(EvaluationMetricSink sink)
    {
        if (_scores.Count == 0)
        {
            return;
        }

        if (_exactMatch)
        {
            sink.Add(EvaluationMetricKeys.Squad.ExactMatch, 100.0 * _scores.Average(s => s.ExactMatch));
            sink.AddWithInterval(EvaluationMetricKeys.Squad.ExactMatch, _scores.Count, MetricSampleScorers.SquadExactMatch(_scores));
        }

        if (_f1)
        {
            sink.Add(EvaluationMetricKeys.Squad.F1, 100.0 * _scores.Average(s => s.F1));
            sink.AddWithInterval(EvaluationMetricKeys.Squad.F1, _scores.Count, MetricSampleScorers.SquadF1(_scores));
        }
    }
}
