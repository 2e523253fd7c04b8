using System.Collections.Concurrent;
using LlmTrack.Evaluation;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;
using MeaiEvaluationResult = Microsoft.Extensions.AI.Evaluation.EvaluationResult;

namespace LlmTrack.AI;

/// <summary>
/// Uses a Microsoft.Extensions.AI.Evaluation <see cref="IEvaluator"/> (relevance, coherence, groundedness, … or your
/// own) as async scorers of <c>EvaluateAsync</c>: one scorer per metric the evaluator reports, all served by one
/// evaluator call per example. Each metric becomes the run metric <c>&lt;metric&gt;/mean</c> and feedback on the
/// example's trace: a <see cref="NumericMetric"/> a number, a <see cref="BooleanMetric"/> a boolean, a
/// <see cref="StringMetric"/> a string; the metric's reason is the rationale; its interpretation (rating, failed,
/// reason) and metadata are the assessment's metadata; a metric with error diagnostics and no value is a
/// <c>SCORER_ERROR</c> feedback. The source is <c>LLM_JUDGE</c>/&lt;judge model&gt; when the model is known (the
/// metric's <c>eval-model</c> metadata, or the chat configuration's client), else <c>CODE</c>/&lt;evaluator type&gt;.
/// </summary>
public static class AIEvaluatorScorers
{
    /// <summary>The metric metadata key in which Microsoft.Extensions.AI.Evaluation records the judge model.</summary>
    private const string ModelMetadataKey = "eval-model";

    /// <summary>Makes the async scorers of an evaluator (one per entry of <see cref="IEvaluator.EvaluationMetricNames"/>).</summary>
    /// <typeparam name="TExample">The example type.</typeparam>
    /// <param name="evaluator">The evaluator.</param>
    /// <param name="messages">The conversation an example's prediction answers (e.g. the user's question).</param>
    /// <param name="chatConfiguration">The judge's chat client, for evaluators that use a model.</param>
    /// <param name="context">Extra context an evaluator needs for an example (e.g. grounding documents), if any.</param>
    /// <returns>The scorers, for <see cref="EvaluationOptions{TExample, TPrediction}.AsyncScorers"/>.</returns>
    public static IReadOnlyList<AsyncExampleScorer<TExample, TextPrediction>> Create<TExample>(
        IEvaluator evaluator,
        Func<TExample, IEnumerable<ChatMessage>> messages,
        ChatConfiguration? chatConfiguration = null,
        Func<TExample, IEnumerable<EvaluationContext>>? context = null)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(messages);
        var names = evaluator.EvaluationMetricNames;
        if (names.Count == 0)
        {
            throw new ArgumentException("The evaluator reports no metric names.", nameof(evaluator));
        }

        var shared = new SharedEvaluation<TExample>(evaluator, messages, chatConfiguration, context, names.Count);
        var fallbackModel = chatConfiguration?.ChatClient.GetService<ChatClientMetadata>()?.DefaultModelId;
        var fallback = fallbackModel is null
            ? new AssessmentSource(AssessmentSourceType.Code, evaluator.GetType().Name)
            : new AssessmentSource(AssessmentSourceType.LlmJudge, fallbackModel);
        return [.. names.Select(name => new AsyncExampleScorer<TExample, TextPrediction>(
            RunMetricLoggingExtensions.SanitizeKey(name),
            async (example, prediction, ct) => FeedbackOf(name, await shared.GetAsync(example, prediction, ct).ConfigureAwait(false), fallback)) { Source = fallback })];
    }

    /// <summary>The feedback of one metric of an evaluation result.</summary>
    /// <param name="name">The metric's name.</param>
    /// <param name="result">The evaluator's result.</param>
    /// <param name="fallback">The source when the metric does not name its judge model.</param>
    /// <returns>The feedback.</returns>
    internal static ScorerFeedback FeedbackOf(string name, MeaiEvaluationResult result, AssessmentSource fallback)
    {
        if (!result.Metrics.TryGetValue(name, out var metric))
        {
            return ScorerFeedback.Failed(AsyncScorerErrorCode, $"The evaluator reported no metric '{name}'.");
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in metric.Metadata ?? new Dictionary<string, string>())
        {
            metadata[key] = value;
        }

        if (metric.Interpretation is { } interpretation)
        {
            metadata["interpretation.rating"] = interpretation.Rating.ToString();
            metadata["interpretation.failed"] = interpretation.Failed ? "true" : "false";
            if (interpretation.Reason is not null)
            {
                metadata["interpretation.reason"] = interpretation.Reason;
            }
        }

        var source = metadata.TryGetValue(ModelMetadataKey, out var model) && !string.IsNullOrEmpty(model) ? new AssessmentSource(AssessmentSourceType.LlmJudge, model) : fallback;
        var feedback = metric switch
        {
            NumericMetric { Value: { } number } => ScorerFeedback.Of(number, metric.Reason),
            BooleanMetric { Value: { } flag } => ScorerFeedback.Of(flag, metric.Reason),
            StringMetric { Value: { } text } => ScorerFeedback.Of(text, metric.Reason),
            _ => ScorerFeedback.Failed(AsyncScorerErrorCode, ErrorsOf(metric) ?? $"The metric '{name}' has no value."),
        };
        return feedback with { Source = source, Metadata = metadata.Count > 0 ? metadata : null };
    }

    private const string AsyncScorerErrorCode = "SCORER_ERROR";

    private static string? ErrorsOf(EvaluationMetric metric)
    {
        var errors = (metric.Diagnostics ?? []).Where(d => d.Severity == EvaluationDiagnosticSeverity.Error).Select(d => d.Message).ToList();
        return errors.Count > 0 ? string.Join("; ", errors) : null;
    }

    /// <summary>One evaluator call per example, shared by the scorers of its metrics and forgotten once each has read it.</summary>
    private sealed class SharedEvaluation<TExample>(
        IEvaluator evaluator,
        Func<TExample, IEnumerable<ChatMessage>> messages,
        ChatConfiguration? chatConfiguration,
        Func<TExample, IEnumerable<EvaluationContext>>? context,
        int readers)
    {
        private readonly ConcurrentDictionary<(TExample, TextPrediction), Entry> _calls = new();

        public async Task<MeaiEvaluationResult> GetAsync(TExample example, TextPrediction prediction, CancellationToken cancellationToken)
        {
            var key = (example, prediction);
            var entry = _calls.GetOrAdd(key, _ => new Entry(readers));
            try
            {
                return await entry.Result(() => evaluator.EvaluateAsync(
                    messages(example),
                    new ChatResponse(new ChatMessage(ChatRole.Assistant, prediction.Text)),
                    chatConfiguration,
                    context?.Invoke(example),
                    cancellationToken).AsTask()).ConfigureAwait(false);
            }
            finally
            {
                if (Interlocked.Decrement(ref entry.Remaining) <= 0)
                {
                    _calls.TryRemove(new KeyValuePair<(TExample, TextPrediction), Entry>(key, entry));
                }
            }
        }

        private sealed class Entry(int readers)
        {
            private readonly object _gate = new();
            private Task<MeaiEvaluationResult>? _task;
            public int Remaining = readers;

            public Task<MeaiEvaluationResult> Result(Func<Task<MeaiEvaluationResult>> start)
            {
                lock (_gate)
                {
                    return _task ??= start();
                }
            }
        }
    }
}
