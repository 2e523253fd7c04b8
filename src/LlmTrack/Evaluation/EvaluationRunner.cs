using LlmTrack.Model;
using System.Globalization;
using LlmTrack.Evaluation.Accumulators;
using LlmTrack.Evaluation.Datasets;
using LlmTrack.Evaluation.Figures;
using LlmTrack.Evaluation.Tables;
using LlmTrack.Evaluation.Tracing;

namespace LlmTrack.Evaluation;

/// <summary>
/// One evaluation: schedules the predictor over the examples (at most <c>MaxConcurrency</c> calls in flight, a bounded
/// window of finished ones, per-example timeout and cancellation), applies the error limits, reports progress, and
/// hands every outcome to the metric accumulators and the per-example table; at the end it logs what they collected.
/// </summary>
/// <typeparam name="TExample">The example type.</typeparam>
/// <typeparam name="TPrediction">The prediction type.</typeparam>
internal sealed class EvaluationRunner<TExample, TPrediction> : IDisposable
    where TPrediction : notnull
{
    private readonly Run _run;
    private readonly Func<TExample, CancellationToken, Task<TPrediction>> _predictor;
    private readonly EvaluationOptions<TExample, TPrediction> _options;
    private readonly long? _total;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _slots;
    private readonly EvaluationTable _table;
    private readonly DatasetDigest _digest = DatasetDigest.Create(["inputs", "target"]);
    private readonly bool _text;
    private readonly ClassificationAccumulator<TPrediction>? _classification;
    private readonly TextOverlapAccumulator _textOverlap;
    private readonly SquadAccumulator _squad;
    private readonly CustomScorerAccumulator<TExample, TPrediction> _custom;
    private readonly AsyncScorerAccumulator<TExample, TPrediction> _async;
    private readonly LatencyTokensAccumulator<TPrediction> _latencyTokens;
    private readonly object?[] _row;
    private string? _user;
    private readonly ExampleTraceRecorder? _traces;
    private long _completed;
    private long _errors;
    private long _startedAt;
    private long _lastProgress;
    private long _reported = -1;

    /// <summary>Prepares an evaluation.</summary>
    /// <param name="run">The run to log to.</param>
    /// <param name="predictor">Produces a prediction.</param>
    /// <param name="options">Targets, metrics and limits.</param>
    /// <param name="total">The number of examples if known.</param>
    /// <exception cref="ArgumentException">When the chosen metrics need a target the options do not give.</exception>
    public EvaluationRunner(Run run, Func<TExample, CancellationToken, Task<TPrediction>> predictor, EvaluationOptions<TExample, TPrediction> options, long? total)
    {
        _run = run;
        _predictor = predictor;
        _options = options;
        _total = total;
        _time = run.TimeProvider;
        _slots = new SemaphoreSlim(options.MaxConcurrency, options.MaxConcurrency);
        var m = options.Metrics;
        var classification = ClassificationAccumulator<TPrediction>.IsRequested(m);
        _text = (m & (EvaluationMetrics.Translation | EvaluationMetrics.QuestionAnswering)) != 0;
        if ((classification || _text) && options.Target is null && (options.References is null || classification))
        {
            _digest.Dispose();
            _slots.Dispose();
            throw new ArgumentException("The chosen metrics need a Target (or References for text metrics).", nameof(options));
        }

        _classification = classification ? new ClassificationAccumulator<TPrediction>(m) : null;
        _textOverlap = new TextOverlapAccumulator(m);
        _squad = new SquadAccumulator(m);
        _custom = new CustomScorerAccumulator<TExample, TPrediction>(options.Scorers);
        _async = new AsyncScorerAccumulator<TExample, TPrediction>(options.AsyncScorers, options.MaxConcurrency);
        _latencyTokens = new LatencyTokensAccumulator<TPrediction>(options.CountTokens ?? _text, options.TokenCounter, options.Usage);

        // Table columns: inputs, prediction, target, each accumulator's columns in this order, error.
        var columns = new List<string> { "inputs", "prediction", "target" };
        if (_classification is not null)
        {
            ClassificationAccumulator<TPrediction>.AddColumns(columns);
        }

        _textOverlap.AddColumns(columns);
        _squad.AddColumns(columns);
        _custom.AddColumns(columns);
        _async.AddColumns(columns);
        _latencyTokens.AddColumns(columns);
        columns.Add("error");
        _traces = ExampleTraceRecorder.TryCreate(run);
        if (_traces is not null)
        {
            columns.Add(ExampleTraceRecorder.TraceIdColumn);
        }

        _table = new EvaluationTable(columns);
        _row = new object?[columns.Count];
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _traces?.Dispose();
        _async.Dispose();
        _table.Dispose();
        _digest.Dispose();
        _slots.Dispose();
    }

    /// <summary>Runs the evaluation and logs its results; ends the run KILLED or FAILED when it stops early.</summary>
    /// <param name="examples">The examples, read once.</param>
    /// <param name="cancellationToken">Stops the evaluation.</param>
    /// <returns>The metrics and intervals.</returns>
    public async Task<EvaluationSummary> RunAsync(IAsyncEnumerable<TExample> examples, CancellationToken cancellationToken)
    {
        _startedAt = _time.GetTimestamp();
        _lastProgress = _startedAt;
        if (_traces is not null)
        {
            _run.SetTag(MlflowTags.IsEvalRun, "true"); // per-example traces make it a GenAI evaluation run, as mlflow.genai.evaluate marks it
        }

        var window = new Queue<Task<Outcome>>();
        var windowLimit = Math.Max(16, _options.MaxConcurrency * 8);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? failure = null;
        var cancelled = false;
        try
        {
            await foreach (var example in examples.WithCancellation(stop.Token).ConfigureAwait(false))
            {
                await _slots.WaitAsync(stop.Token).ConfigureAwait(false);
                window.Enqueue(RunOneAsync(example, stop.Token));
                while (window.Count > 0 && (window.Peek().IsCompleted || window.Count >= windowLimit))
                {
                    Record(await window.Dequeue().ConfigureAwait(false));
                }
            }

            while (window.Count > 0)
            {
                Record(await window.Dequeue().ConfigureAwait(false));
            }

            CheckErrorRate(final: true);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            cancelled = true;
        }
        catch (EvaluationFailedException ex)
        {
            failure = ex;
        }

        if (cancelled || failure is not null)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            while (window.Count > 0)
            {
                var outcome = await window.Dequeue().ConfigureAwait(false);
                if (!outcome.Cancelled)
                {
                    RecordQuietly(outcome);
                }
            }
        }

        ReportProgress(force: true);
        var result = await LogResultsAsync(cancelled || failure is not null ? CancellationToken.None : cancellationToken).ConfigureAwait(false);
        if (cancelled)
        {
            await _run.EndAsync(RunStatus.Killed, CancellationToken.None).ConfigureAwait(false);
            throw new OperationCanceledException("The evaluation was cancelled; the run ended KILLED with the results so far.", null, cancellationToken);
        }

        if (failure is not null)
        {
            await _run.FailAsync(failure, CancellationToken.None).ConfigureAwait(false);
            throw failure;
        }

        return result;
    }

    private async Task<Outcome> RunOneAsync(TExample example, CancellationToken cancellationToken)
    {
        Outcome outcome;
        if (_traces is null)
        {
            outcome = await PredictAsync(example, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var trace = _traces.Start();
            outcome = await PredictAsync(example, cancellationToken).ConfigureAwait(false);
            trace.Stop();
            outcome = outcome with { Trace = trace };
        }

        if (_async.Scorers.Count == 0 || outcome.Error is not null || outcome.Cancelled)
        {
            return outcome;
        }

        try
        {
            return outcome with { Feedback = await _async.ScoreAsync(example, outcome.Prediction!, cancellationToken).ConfigureAwait(false) };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return outcome with { Cancelled = true };
        }
    }

    private async Task<Outcome> PredictAsync(TExample example, CancellationToken cancellationToken)
    {
        var start = _time.GetTimestamp();
        Task<TPrediction>? call = null;
        CancellationTokenSource? linked = null;
        try
        {
            var token = cancellationToken;
            if (_options.ExampleTimeout is { } timeout)
            {
                linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                token = linked.Token;
                call = _predictor(example, token);
                var prediction = await call.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
                return new Outcome(example, prediction, null, Elapsed(start), false);
            }
            else
            {
                call = _predictor(example, token);
                var prediction = await call.ConfigureAwait(false);
                return new Outcome(example, prediction, null, Elapsed(start), false);
            }
        }
        catch (TimeoutException) when (!cancellationToken.IsCancellationRequested && call is not null && !call.IsCompleted)
        {
            await linked!.CancelAsync().ConfigureAwait(false);
            return new Outcome(example, default, string.Create(CultureInfo.InvariantCulture, $"Timed out after {_options.ExampleTimeout!.Value.TotalMilliseconds} ms."), Elapsed(start), false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new Outcome(example, default, "Cancelled.", Elapsed(start), true);
        }
#pragma warning disable CA1031 // A failing example is recorded, not fatal.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new Outcome(example, default, ex.GetType().Name + ": " + ex.Message, Elapsed(start), false);
        }
        finally
        {
            // The slot is free only when the predictor's call has really ended (even after a timeout).
            if (call is null || call.IsCompleted)
            {
                linked?.Dispose();
                _slots.Release();
            }
            else
            {
                var toDispose = linked;
                _ = call.ContinueWith(
                    static (_, state) =>
                    {
                        var (slots, cts) = ((SemaphoreSlim, CancellationTokenSource?))state!;
                        cts?.Dispose();
                        slots.Release();
                    },
                    (_slots, toDispose),
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }
        }
    }

    private double Elapsed(long start) => _time.GetElapsedTime(start).TotalMilliseconds;

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

    private void CheckErrorRate(bool final)
    {
        if (_options.MaxErrorRate is not { } rate)
        {
            return;
        }

        var denominator = final ? _completed : _total;
        if (denominator is > 0 && (double)_errors / denominator.Value > rate)
        {
            throw Failed(string.Create(CultureInfo.InvariantCulture, $"{_errors} of {denominator} examples failed, more than MaxErrorRate = {rate}."));
        }
    }

    private EvaluationFailedException Failed(string message) => new(message) { Errors = _errors, Completed = _completed };

    private void ReportProgress(bool force)
    {
        if (_options.Progress is not { } progress)
        {
            return;
        }

        var now = _time.GetTimestamp();
        if (!force && _time.GetElapsedTime(_lastProgress, now) < _options.ProgressInterval && _completed != _total)
        {
            return;
        }

        if (force && _reported == _completed)
        {
            return; // the last report already said this
        }

        _lastProgress = now;
        _reported = _completed;
        progress.Report(new EvaluationProgress(_completed, _total, _errors, _time.GetElapsedTime(_startedAt, now)));
    }

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

    private readonly record struct Outcome(TExample Example, TPrediction? Prediction, string? Error, double LatencyMs, bool Cancelled, ExampleTrace? Trace = null, ScorerFeedback[]? Feedback = null);
}
