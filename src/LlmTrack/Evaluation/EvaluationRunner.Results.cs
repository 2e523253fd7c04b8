using LlmTrack.Model;
using System.Globalization;
using LlmTrack.Evaluation.Accumulators;
using LlmTrack.Evaluation.Datasets;
using LlmTrack.Evaluation.Figures;
using LlmTrack.Evaluation.Tables;
using LlmTrack.Evaluation.Tracing;

namespace LlmTrack.Evaluation;

// Part of EvaluationRunner: what is logged at the end — metrics, the table, figures, the data set input.
internal sealed partial class EvaluationRunner<TExample, TPrediction>
{
    private async Task<EvaluationSummary> LogResultsAsync(CancellationToken cancellationToken)
    {
        var p = _options.Prefix ?? string.Empty;
        var sink = new EvaluationMetricSink(_options.ConfidenceIntervals, _options.Bootstrap);
        var confusionFigure = _classification?.Log(sink);
        _textOverlap.Log(sink);
        _squad.Log(sink);
        _custom.Log(sink);
        _async.Log(sink);
        sink.Add(EvaluationMetricKeys.Examples.ErrorCount, _errors);
        sink.Add(EvaluationMetricKeys.Examples.ExampleCount, _completed);
        _latencyTokens.Log(sink);

        // The data set is logged first, so metrics linked to a model can name it (as MLflow's client does).
        var loggedDataset = await LogDatasetInputAsync(cancellationToken).ConfigureAwait(false);
        if (_options.Model is { } model)
        {
            await _run.LogModelMetricsAsync(model, sink.Metrics.Select(m => new KeyValuePair<string, double>(p + m.Key, m.Value)), dataset: loggedDataset, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        else
        {
            foreach (var (key, value) in sink.Metrics)
            {
                _run.LogMetric(p + key, value);
            }
        }

        foreach (var (key, value) in sink.Signatures)
        {
            _run.SetTag(p + key, value);
        }

        if (_classification is { TargetMissing: true })
        {
            _run.SetTag(p + EvaluationMetricKeys.Examples.WarningTag, "Some examples had no target and were left out of the classification metrics.");
        }

        if (_traces is not null)
        {
            await _traces.FinishAsync(cancellationToken).ConfigureAwait(false);
        }

        await _run.LogTableAsync(_table, _options.TableFile, cancellationToken).ConfigureAwait(false);
        if (confusionFigure is not null)
        {
            await _run.LogFigureAsync(confusionFigure, "plots/" + p.Replace('/', '_') + EvaluationMetricKeys.Classification.ConfusionMatrixFile, cancellationToken).ConfigureAwait(false);
        }

        return new EvaluationSummary(sink.Metrics, sink.Intervals, sink.Signatures, _completed, _errors, _time.GetElapsedTime(_startedAt));
    }

    /// <summary>Logs the evaluated data set as an input of the run and returns its record (none when nothing was evaluated).</summary>
    private async Task<Dataset?> LogDatasetInputAsync(CancellationToken cancellationToken)
    {
        if (_options.Dataset is { } dataset)
        {
            var mlflowDataset = dataset.ToMlflowDataset();
            await _run.LogInputAsync(mlflowDataset, "eval", null, cancellationToken).ConfigureAwait(false);
            return mlflowDataset;
        }

        if (_completed > 0)
        {
            var record = new Dataset
            {
                Name = _options.DatasetName,
                Digest = _digest.Finish(),
                SourceType = "code",
                Source = "{}",
                Schema = "{\"mlflow_colspec\": [{\"type\": \"string\", \"name\": \"inputs\", \"required\": true}, {\"type\": \"string\", \"name\": \"target\", \"required\": "
                    + (_options.Target is null && _options.References is null ? "false" : "true") + "}]}",
                Profile = string.Create(CultureInfo.InvariantCulture, $"{{\"num_rows\": {_completed}, \"num_elements\": {_completed * 2}}}"),
            };
            await _run.LogInputAsync(record, "eval", null, cancellationToken).ConfigureAwait(false);
            return record;
        }

        return null;
    }
}
