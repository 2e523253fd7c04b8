using LlmTrack.Model;
using System.Globalization;
using LlmTrack.Evaluation.Accumulators;
using LlmTrack.Evaluation.Datasets;
using LlmTrack.Evaluation.Figures;
using LlmTrack.Evaluation.Tables;
using LlmTrack.Evaluation.Tracing;

namespace LlmTrack.Evaluation;

// Part of EvaluationRunner: one finished example into the accumulators, the table row, its trace and assessments.
internal sealed partial class EvaluationRunner<TExample, TPrediction>
{
    private void RecordQuietly(Outcome outcome)
    {
        try
        {
            Record(outcome);
        }
        catch (EvaluationFailedException)
        {
            // Already failing: the remaining in-flight examples are still recorded.
        }
    }

    private void Record(Outcome outcome)
    {
        if (outcome.Cancelled)
        {
            throw new OperationCanceledException();
        }

        _completed++;
        var example = outcome.Example;
        var input = _options.InputText is { } inputText ? inputText(example) : example?.ToString() ?? string.Empty;
        var hasTarget = _options.Target is not null;
        var target = hasTarget ? _options.Target!(example) : default;
        var references = _text ? ReferencesOf(example, target) : null;
        var targetText = references is { Length: 1 } ? references[0]
            : references is not null ? string.Join(" ||| ", references)
            : hasTarget ? RunMetricLoggingExtensions.LabelText(target) : null;
        _digest.AddString(input);
        _digest.AddString(targetText);
        _digest.EndRow();
        Array.Clear(_row);
        _latencyTokens.AddLatency(outcome.LatencyMs, _row);
        var c = 0;
        _row[c++] = input;
        if (outcome.Error is not null)
        {
            _errors++;
            _row[c++] = null;
            _row[c++] = targetText;
            _row[_traces is null ? ^1 : ^2] = outcome.Error;
            RecordTrace(outcome, input, null, targetText, null, Assessments(outcome, references, hasTarget ? targetText : null, -1));
            _table.AddRow(_row);
            if (_options.MaxErrors is { } maxErrors && _errors > maxErrors)
            {
                throw Failed($"{_errors} examples failed, more than MaxErrors = {maxErrors}.");
            }

            CheckErrorRate(final: false);
            ReportProgress(force: false);
            return;
        }

        var prediction = outcome.Prediction!;
        var predictionText = PredictionText(prediction);
        _row[c++] = predictionText;
        _row[c++] = targetText;
        _classification?.Add(prediction, target, _row, ref c);
        if (_text)
        {
            _textOverlap.Add(predictionText, references!, _row, ref c);
            _squad.Add(predictionText, references!, _row, ref c);
        }

        var customStart = c;
        _custom.Add(example, prediction, _row, ref c);
        _async.Add(outcome.Feedback ?? [], _row, ref c);
        _latencyTokens.AddTokens(prediction, input, predictionText, _row);
        RecordTrace(outcome, input, predictionText, targetText, (_options.Usage ?? (p => p is TextPrediction t ? t.Usage : null))(prediction), Assessments(outcome, references, hasTarget ? targetText : null, customStart));
        _table.AddRow(_row);
        ReportProgress(force: false);
    }

    private void RecordTrace(Outcome outcome, string input, string? prediction, string? target, Metrics.Tokens.TokenUsage? usage, IReadOnlyList<Assessment>? assessments)
    {
        if (_traces is not null && outcome.Trace is { } trace)
        {
            _row[^1] = _traces.Complete(trace, input, prediction, target, outcome.Error, usage, assessments);
        }
    }

    /// <summary>The example's feedback (scorer results read back from the row) and expectation, when the store keeps assessments.</summary>
    private IReadOnlyList<Assessment>? Assessments(Outcome outcome, string[]? references, string? target, int customStart)
    {
        if (_traces is not { StoresAssessments: true } || outcome.Trace is null)
        {
            return null;
        }

        var assessments = new ExampleAssessments(_run.RunId, _user ??= UserOf(_run));
        if (customStart >= 0)
        {
            for (var i = 0; i < _options.Scorers.Count; i++)
            {
                assessments.AddScore(_options.Scorers[i].Name, (double)_row[customStart + i]!);
            }
        }

        var feedback = outcome.Feedback ?? [];
        for (var i = 0; i < feedback.Length; i++)
        {
            assessments.AddFeedback(_options.AsyncScorers[i].Name, feedback[i]);
        }

        if (references is { Length: > 0 })
        {
            assessments.AddExpectation(references);
        }
        else if (target is not null)
        {
            assessments.AddExpectation([target]);
        }

        return assessments.Items;
    }

    private static string UserOf(Run run) =>
        run.Tracker.TraceSourceTags.Where(t => t.Key == MlflowTags.User).Select(t => t.Value).FirstOrDefault() ?? Environment.UserName;

    private string[] ReferencesOf(TExample example, TPrediction? target)
    {
        if (_options.References is { } references)
        {
            return [.. references(example)];
        }

        return [target is null ? string.Empty : PredictionText(target)];
    }

    private string PredictionText(TPrediction prediction) => _options.PredictionText is { } text ? text(prediction) : prediction switch
    {
        string s => s,
        TextPrediction t => t.Text,
        _ => RunMetricLoggingExtensions.LabelText(prediction),
    };
}
