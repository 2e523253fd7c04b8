using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using LlmTrack.Evaluation.Tables;
using LlmTrack.Metrics;
using LlmTrack.Metrics.Bleu;
using LlmTrack.Metrics.Bootstrap;
using LlmTrack.Metrics.Chrf;
using LlmTrack.Metrics.Classification;
using LlmTrack.Metrics.QuestionAnswering;
using LlmTrack.Metrics.Rouge;
using LlmTrack.Metrics.Tokens;

namespace LlmTrack.Evaluation;

/// <summary>Evaluates a predictor over a data set and logs everything to a run.</summary>
public static class RunEvaluationExtensions
{
    /// <summary>
    /// Runs <paramref name="predictor"/> over <paramref name="examples"/> (at most
    /// <see cref="EvaluationOptions{TExample, TPrediction}.MaxConcurrency"/> calls in flight), then logs the metrics with
    /// bootstrap intervals, latency and token metrics, signatures as tags, the per-example table, the data set input and,
    /// for classification, the confusion matrix. A failing example is recorded and counted (<c>error_count</c>) and the
    /// metrics are computed over the examples that succeeded. Over the error limit the run ends FAILED and
    /// <see cref="EvaluationFailedException"/> is thrown; on cancellation the run ends KILLED after logging what was done.
    /// </summary>
    /// <typeparam name="TExample">The example type.</typeparam>
    /// <typeparam name="TPrediction">The prediction type (a label, a string, a <see cref="TextPrediction"/> …).</typeparam>
    /// <param name="run">The run to log to.</param>
    /// <param name="examples">The examples.</param>
    /// <param name="predictor">Produces a prediction; receives a token cancelled on timeout or cancellation.</param>
    /// <param name="options">Targets, metrics and limits.</param>
    /// <param name="cancellationToken">Stops the evaluation (the run ends KILLED).</param>
    /// <returns>The metrics and intervals.</returns>
    public static Task<EvaluationResult> EvaluateAsync<TExample, TPrediction>(
        this Run run,
        IReadOnlyList<TExample> examples,
        Func<TExample, CancellationToken, Task<TPrediction>> predictor,
        EvaluationOptions<TExample, TPrediction> options,
        CancellationToken cancellationToken = default)
        where TPrediction : notnull
    {
        ArgumentNullException.ThrowIfNull(examples);
        return EvaluateAsync(run, ToAsync(examples, CancellationToken.None), predictor, options, examples.Count, cancellationToken);
    }

    /// <summary>Evaluates a streamed data set; see the <see cref="IReadOnlyList{T}"/> overload.</summary>
    /// <typeparam name="TExample">The example type.</typeparam>
    /// <typeparam name="TPrediction">The prediction type.</typeparam>
    /// <param name="run">The run to log to.</param>
    /// <param name="examples">The examples, read once.</param>
    /// <param name="predictor">Produces a prediction.</param>
    /// <param name="options">Targets, metrics and limits.</param>
    /// <param name="totalCount">The number of examples if known (for progress and the error rate).</param>
    /// <param name="cancellationToken">Stops the evaluation (the run ends KILLED).</param>
    /// <returns>The metrics and intervals.</returns>
    public static async Task<EvaluationResult> EvaluateAsync<TExample, TPrediction>(
        this Run run,
        IAsyncEnumerable<TExample> examples,
        Func<TExample, CancellationToken, Task<TPrediction>> predictor,
        EvaluationOptions<TExample, TPrediction> options,
        long? totalCount = null,
        CancellationToken cancellationToken = default)
        where TPrediction : notnull
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrency, 1, nameof(options));
        var evaluation = new Evaluation<TExample, TPrediction>(run, predictor, options, totalCount);
        using (evaluation)
        {
            return await evaluation.RunAsync(examples, cancellationToken).ConfigureAwait(false);
        }
    }

#pragma warning disable CS1998 // Adapts a list to the streamed overload without awaiting.
    private static async IAsyncEnumerable<T> ToAsync<T>(IReadOnlyList<T> items, [EnumeratorCancellation] CancellationToken cancellationToken = default)
#pragma warning restore CS1998
    {
        for (var i = 0; i < items.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return items[i];
        }
    }

    private sealed class Evaluation<TExample, TPrediction> : IDisposable
        where TPrediction : notnull
    {
        private readonly Run _run;
        private readonly Func<TExample, CancellationToken, Task<TPrediction>> _predictor;
        private readonly EvaluationOptions<TExample, TPrediction> _options;
        private readonly long? _total;
        private readonly TimeProvider _time;
        private readonly SemaphoreSlim _slots;
        private readonly EvaluationTable _table;
        private readonly IncrementalHash _digest = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        private readonly bool _classification;
        private readonly bool _text;
        private readonly bool _countTokens;
        private readonly List<TPrediction> _predicted = [];
        private readonly List<TPrediction> _gold = [];
        private readonly List<string> _hypotheses = [];
        private readonly List<string[]> _references = [];
        private readonly List<double> _rouge = [];
        private readonly List<SquadExampleScore> _squad = [];
        private readonly List<double>[] _custom;
        private readonly List<double> _latencies = [];
        private readonly RougeScorer? _rougeScorer;
        private readonly object?[] _row;
        private byte[] _digestBuffer = new byte[256];
        private TokenCounter? _tokenCounter;
        private long _completed;
        private long _errors;
        private long _promptTokens;
        private long _completionTokens;
        private bool _targetMissing;
        private long _startedAt;
        private long _lastProgress;
        private long _reported = -1;

        public Evaluation(Run run, Func<TExample, CancellationToken, Task<TPrediction>> predictor, EvaluationOptions<TExample, TPrediction> options, long? total)
        {
            _run = run;
            _predictor = predictor;
            _options = options;
            _total = total;
            _time = run.TimeProvider;
            _slots = new SemaphoreSlim(options.MaxConcurrency, options.MaxConcurrency);
            var m = options.Metrics;
            _classification = (m & EvaluationMetrics.Classification) != 0;
            _text = (m & (EvaluationMetrics.Translation | EvaluationMetrics.QuestionAnswering)) != 0;
            if ((_classification || _text) && options.Target is null && (options.References is null || _classification))
            {
                throw new ArgumentException("The chosen metrics need a Target (or References for text metrics).", nameof(options));
            }

            _countTokens = options.CountTokens ?? _text;
            _tokenCounter = options.TokenCounter;
            _custom = [.. options.Scorers.Select(_ => new List<double>())];
            if ((m & EvaluationMetrics.RougeL) != 0)
            {
                _rougeScorer = new RougeScorer([RougeType.RougeL]);
            }

            var columns = new List<string> { "inputs", "prediction", "target" };
            if (_classification)
            {
                columns.Add("correct");
            }

            if ((m & EvaluationMetrics.Bleu) != 0)
            {
                columns.Add("bleu");
            }

            if ((m & EvaluationMetrics.Chrf) != 0)
            {
                columns.Add("chrf");
            }

            if ((m & EvaluationMetrics.RougeL) != 0)
            {
                columns.Add("rougeL");
            }

            if ((m & EvaluationMetrics.SquadExactMatch) != 0)
            {
                columns.Add("exact_match");
            }

            if ((m & EvaluationMetrics.SquadF1) != 0)
            {
                columns.Add("f1");
            }

            columns.AddRange(options.Scorers.Select(s => s.Name));
            columns.Add("latency_ms");
            if (_countTokens)
            {
                columns.Add("prompt_tokens");
                columns.Add("completion_tokens");
            }

            columns.Add("error");
            _table = new EvaluationTable(columns);
            _row = new object?[columns.Count];
            AppendDigest("llmtrack-dataset-v1\n");
            AppendDigest("C" + Counted("inputs") + "\n");
            AppendDigest("C" + Counted("target") + "\n");
        }

        public void Dispose()
        {
            _table.Dispose();
            _digest.Dispose();
            _slots.Dispose();
        }

        public async Task<EvaluationResult> RunAsync(IAsyncEnumerable<TExample> examples, CancellationToken cancellationToken)
        {
            _startedAt = _time.GetTimestamp();
            _lastProgress = _startedAt;
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
                await _run.FailAsync(failure).ConfigureAwait(false);
                throw failure;
            }

            return result;
        }

        private async Task<Outcome> RunOneAsync(TExample example, CancellationToken cancellationToken)
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
            AppendCountedValue(input);
            if (targetText is null)
            {
                AppendDigest("N;");
            }
            else
            {
                AppendCountedValue(targetText);
            }

            AppendDigest("\n");
            _latencies.Add(outcome.LatencyMs);
            Array.Clear(_row);
            var c = 0;
            _row[c++] = input;
            if (outcome.Error is not null)
            {
                _errors++;
                _row[c++] = null;
                _row[c++] = targetText;
                _row[^1] = outcome.Error;
                SetLatencyColumn(outcome.LatencyMs);
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
            if (_classification)
            {
                if (target is null)
                {
                    _targetMissing = true;
                }
                else
                {
                    _predicted.Add(prediction);
                    _gold.Add(target);
                }

                _row[c++] = target is not null && EqualityComparer<TPrediction>.Default.Equals(prediction, target);
            }

            var m = _options.Metrics;
            if (_text)
            {
                var refs = references!;
                if ((m & (EvaluationMetrics.Bleu | EvaluationMetrics.Chrf)) != 0)
                {
                    _hypotheses.Add(predictionText);
                    _references.Add(refs);
                }

                if ((m & EvaluationMetrics.Bleu) != 0)
                {
                    _row[c++] = BleuScorer.SentenceScore(predictionText, refs).Score;
                }

                if ((m & EvaluationMetrics.Chrf) != 0)
                {
                    _row[c++] = ChrfScorer.SentenceScore(predictionText, refs).Score;
                }

                if (_rougeScorer is not null)
                {
                    var rouge = _rougeScorer.ScoreMulti(refs, predictionText)[RougeType.RougeL].FMeasure;
                    _rouge.Add(rouge);
                    _row[c++] = rouge;
                }

                if ((m & EvaluationMetrics.QuestionAnswering) != 0)
                {
                    var squad = SquadMetrics.ScoreV1(predictionText, refs);
                    _squad.Add(squad);
                    if ((m & EvaluationMetrics.SquadExactMatch) != 0)
                    {
                        _row[c++] = squad.ExactMatch * 100.0;
                    }

                    if ((m & EvaluationMetrics.SquadF1) != 0)
                    {
                        _row[c++] = squad.F1 * 100.0;
                    }
                }
            }

            for (var i = 0; i < _options.Scorers.Count; i++)
            {
                var score = _options.Scorers[i].Score(example, prediction);
                _custom[i].Add(score);
                _row[c++] = score;
            }

            SetLatencyColumn(outcome.LatencyMs);
            if (_countTokens)
            {
                var usage = (_options.Usage ?? DefaultUsage)(prediction);
                if (usage is null)
                {
                    _tokenCounter ??= TokenCounter.ForModel("gpt-4o");
                    usage = new TokenUsage(_tokenCounter.CountTokens(input), _tokenCounter.CountTokens(predictionText));
                }

                _promptTokens += usage.PromptTokens;
                _completionTokens += usage.CompletionTokens;
                _row[^3] = usage.PromptTokens;
                _row[^2] = usage.CompletionTokens;
            }

            _table.AddRow(_row);
            ReportProgress(force: false);
        }

        private void SetLatencyColumn(double latencyMs) => _row[_countTokens ? ^4 : ^2] = latencyMs;

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

        private static TokenUsage? DefaultUsage(TPrediction prediction) => prediction is TextPrediction t ? t.Usage : null;

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

        private async Task<EvaluationResult> LogResultsAsync(CancellationToken cancellationToken)
        {
            var p = _options.Prefix ?? string.Empty;
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
            var intervals = new Dictionary<string, BootstrapConfidenceInterval>(StringComparer.Ordinal);
            var signatures = new Dictionary<string, string>(StringComparer.Ordinal);
            var bootstrap = _options.Bootstrap;
            void Add(string key, double value) => metrics[key] = value;
            void AddWithInterval(string key, int count, SampleScorer scorer)
            {
                if (_options.ConfidenceIntervals && count > 0)
                {
                    var ci = BootstrapResampling.ConfidenceInterval(count, scorer, bootstrap);
                    intervals[key] = ci;
                    metrics[key + "_ci_lower"] = ci.Lower;
                    metrics[key + "_ci_upper"] = ci.Upper;
                }
            }

            var m = _options.Metrics;
            Figures.Figure? confusionFigure = null;
            if (_classification && _gold.Count > 0)
            {
                var gold = _gold.ToArray();
                var predicted = _predicted.ToArray();
                if ((m & EvaluationMetrics.Accuracy) != 0)
                {
                    Add("accuracy", ClassificationMetrics.Accuracy<TPrediction>(gold, predicted));
                    AddWithInterval("accuracy", gold.Length, MetricSampleScorers.Accuracy<TPrediction>(gold, predicted));
                }

                if ((m & EvaluationMetrics.F1Macro) != 0)
                {
                    Add("f1_macro", ClassificationMetrics.F1Score<TPrediction>(gold, predicted, Average.Macro).Value);
                    AddWithInterval("f1_macro", gold.Length, MetricSampleScorers.MacroF1<TPrediction>(gold, predicted));
                }

                if ((m & EvaluationMetrics.F1Weighted) != 0)
                {
                    Add("f1_weighted", ClassificationMetrics.F1Score<TPrediction>(gold, predicted, Average.Weighted).Value);
                    AddWithInterval("f1_weighted", gold.Length, MetricSampleScorers.FBetaScore<TPrediction>(gold, predicted, 1.0, Average.Weighted));
                }

                if ((m & EvaluationMetrics.PerClass) != 0)
                {
                    var report = ClassificationMetrics.Report<TPrediction>(gold, predicted);
                    var used = new HashSet<string>(StringComparer.Ordinal);
                    for (var i = 0; i < report.Labels.Count; i++)
                    {
                        var label = RunMetricLoggingExtensions.UniqueLabelKey(RunMetricLoggingExtensions.LabelText(report.Labels[i]), used);
                        Add("f1_class_" + label, report.FScore[i]);
                        Add("precision_class_" + label, report.Precision[i]);
                        Add("recall_class_" + label, report.Recall[i]);
                    }
                }

                if ((m & EvaluationMetrics.MatthewsCorrelation) != 0)
                {
                    Add("mcc", ClassificationMetrics.MatthewsCorrelation<TPrediction>(gold, predicted));
                }

                if ((m & EvaluationMetrics.CohenKappa) != 0)
                {
                    Add("cohen_kappa", ClassificationMetrics.CohenKappa<TPrediction>(gold, predicted));
                }

                confusionFigure = RunMetricLoggingExtensions.ConfusionFigure(ClassificationMetrics.ConfusionMatrix<TPrediction>(gold, predicted));
            }

            if (_hypotheses.Count > 0)
            {
                var streams = Math.Max(1, _references.Max(r => r.Length));
                var refStreams = new IReadOnlyList<string?>[streams];
                for (var k = 0; k < streams; k++)
                {
                    var stream = new string?[_references.Count];
                    for (var i = 0; i < stream.Length; i++)
                    {
                        stream[i] = k < _references[i].Length ? _references[i][k] : null;
                    }

                    refStreams[k] = stream;
                }

                if ((m & EvaluationMetrics.Bleu) != 0)
                {
                    var corpus = BleuScorer.Prepare(_hypotheses, refStreams);
                    var bleu = corpus.Corpus();
                    Add("bleu", bleu.Score);
                    Add("bleu_bp", bleu.BrevityPenalty);
                    for (var i = 0; i < bleu.Precisions.Count; i++)
                    {
                        Add("bleu_precision_" + (i + 1).ToString(CultureInfo.InvariantCulture), bleu.Precisions[i]);
                    }

                    Add("bleu_sys_len", bleu.SysLen);
                    Add("bleu_ref_len", bleu.RefLen);
                    signatures["bleu.signature"] = bleu.Signature;
                    AddWithInterval("bleu", corpus.SegmentCount, corpus.CreateSampleScorer());
                }

                if ((m & EvaluationMetrics.Chrf) != 0)
                {
                    var corpus = ChrfScorer.Prepare(_hypotheses, refStreams);
                    var chrf = corpus.Corpus();
                    Add("chrf", chrf.Score);
                    signatures["chrf.signature"] = chrf.Signature;
                    AddWithInterval("chrf", corpus.SegmentCount, corpus.CreateSampleScorer());
                }
            }

            if (_rouge.Count > 0)
            {
                AddMean("rougeL", _rouge, 1.0);
            }

            if (_squad.Count > 0)
            {
                if ((m & EvaluationMetrics.SquadExactMatch) != 0)
                {
                    Add("exact_match", 100.0 * _squad.Average(s => s.ExactMatch));
                    AddWithInterval("exact_match", _squad.Count, MetricSampleScorers.SquadExactMatch(_squad));
                }

                if ((m & EvaluationMetrics.SquadF1) != 0)
                {
                    Add("f1", 100.0 * _squad.Average(s => s.F1));
                    AddWithInterval("f1", _squad.Count, MetricSampleScorers.SquadF1(_squad));
                }
            }

            for (var i = 0; i < _options.Scorers.Count; i++)
            {
                if (_custom[i].Count > 0)
                {
                    AddMean(_options.Scorers[i].Name, _custom[i], 1.0);
                }
            }

            Add("error_count", _errors);
            Add("example_count", _completed);
            if (_latencies.Count > 0)
            {
                var sorted = _latencies.ToArray();
                Array.Sort(sorted);
                Add("latency_mean_ms", sorted.Average());
                Add("latency_p50_ms", Percentile(sorted, 0.50));
                Add("latency_p95_ms", Percentile(sorted, 0.95));
            }

            if (_countTokens)
            {
                Add("prompt_tokens", _promptTokens);
                Add("completion_tokens", _completionTokens);
                Add("total_tokens", _promptTokens + _completionTokens);
            }

            foreach (var (key, value) in metrics)
            {
                _run.LogMetric(p + key, value);
            }

            foreach (var (key, value) in signatures)
            {
                _run.SetTag(p + key, value);
            }

            if (_targetMissing)
            {
                _run.SetTag(p + "evaluation.warning", "Some examples had no target and were left out of the classification metrics.");
            }

            await _run.LogTableAsync(_table, _options.TableFile, cancellationToken).ConfigureAwait(false);
            if (confusionFigure is not null)
            {
                await _run.LogFigureAsync(confusionFigure, "plots/" + p.Replace('/', '_') + "confusion_matrix.svg", cancellationToken).ConfigureAwait(false);
            }

            if (_options.Dataset is { } dataset)
            {
                await _run.LogInputAsync(dataset, "eval", null, cancellationToken).ConfigureAwait(false);
            }
            else if (_completed > 0)
            {
                var digest = Convert.ToHexString(_digest.GetHashAndReset())[..8].ToLowerInvariant();
                var record = new Dataset
                {
                    Name = _options.DatasetName,
                    Digest = digest,
                    SourceType = "code",
                    Source = "{}",
                    Schema = "{\"mlflow_colspec\": [{\"type\": \"string\", \"name\": \"inputs\", \"required\": true}, {\"type\": \"string\", \"name\": \"target\", \"required\": "
                        + (_options.Target is null && _options.References is null ? "false" : "true") + "}]}",
                    Profile = string.Create(CultureInfo.InvariantCulture, $"{{\"num_rows\": {_completed}, \"num_elements\": {_completed * 2}}}"),
                };
                await _run.LogInputAsync(record, "eval", null, cancellationToken).ConfigureAwait(false);
            }

            return new EvaluationResult(metrics, intervals, signatures, _completed, _errors, _time.GetElapsedTime(_startedAt));

            void AddMean(string key, List<double> values, double scale)
            {
                var array = values.ToArray();
                Add(key, scale * array.Average());
                AddWithInterval(key, array.Length, indices =>
                {
                    double sum = 0;
                    foreach (var i in indices)
                    {
                        sum += array[i];
                    }

                    return scale * sum / indices.Length;
                });
            }
        }

        private static double Percentile(double[] sorted, double q)
        {
            // NumPy's default (linear interpolation between closest ranks).
            var position = q * (sorted.Length - 1);
            var lower = (int)Math.Floor(position);
            var upper = Math.Min(lower + 1, sorted.Length - 1);
            return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
        }

        private void AppendDigest(ReadOnlySpan<char> text)
        {
            var max = Encoding.UTF8.GetMaxByteCount(text.Length);
            if (_digestBuffer.Length < max)
            {
                _digestBuffer = new byte[Math.Max(max, _digestBuffer.Length * 2)];
            }

            var count = Encoding.UTF8.GetBytes(text, _digestBuffer);
            _digest.AppendData(_digestBuffer, 0, count);
        }

        // "S<utf-8 byte count>:<text>;" as EvaluationDataset.WriteCanonical writes a string value.
        private void AppendCountedValue(string text)
        {
            Span<char> number = stackalloc char[12];
            Encoding.UTF8.GetByteCount(text).TryFormat(number, out var written, provider: CultureInfo.InvariantCulture);
            AppendDigest("S");
            AppendDigest(number[..written]);
            AppendDigest(":");
            AppendDigest(text);
            AppendDigest(";");
        }

        private static string Counted(string text) =>
            Encoding.UTF8.GetByteCount(text).ToString(CultureInfo.InvariantCulture) + ":" + text;

        private readonly record struct Outcome(TExample Example, TPrediction? Prediction, string? Error, double LatencyMs, bool Cancelled);
    }
}
