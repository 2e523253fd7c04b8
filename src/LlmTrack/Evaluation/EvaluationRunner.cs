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
internal sealed partial class EvaluationRunner<TExample, TPrediction> : IDisposable
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


    private readonly record struct Outcome(TExample Example, TPrediction? Prediction, string? Error, double LatencyMs, bool Cancelled, ExampleTrace? Trace = null, ScorerFeedback[]? Feedback = null);
}
