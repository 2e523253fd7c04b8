using LlmTrack.Evaluation.Datasets;
using LlmTrack.Metrics.Bootstrap;
using LlmTrack.Metrics.Tokens;

namespace LlmTrack.Evaluation;

/// <summary>The metrics an evaluation computes.</summary>
[Flags]
public enum EvaluationMetrics
{
    /// <summary>Only custom scorers.</summary>
    None = 0,

    /// <summary><c>accuracy</c> with a bootstrap interval.</summary>
    Accuracy = 1,

    /// <summary><c>f1_macro</c> with a bootstrap interval.</summary>
    F1Macro = 2,

    /// <summary><c>f1_weighted</c> with a bootstrap interval.</summary>
    F1Weighted = 4,

    /// <summary><c>f1_class_&lt;label&gt;</c>, <c>precision_class_…</c>, <c>recall_class_…</c>.</summary>
    PerClass = 8,

    /// <summary><c>mcc</c> (Matthews correlation coefficient).</summary>
    MatthewsCorrelation = 16,

    /// <summary><c>cohen_kappa</c>.</summary>
    CohenKappa = 32,

    /// <summary>Corpus <c>bleu</c> (sacreBLEU defaults) with <c>bleu_bp</c>, precisions, interval and signature tag.</summary>
    Bleu = 64,

    /// <summary>Corpus <c>chrf</c> with interval and signature tag.</summary>
    Chrf = 128,

    /// <summary>Mean <c>rougeL</c> F-measure with interval.</summary>
    RougeL = 256,

    /// <summary>SQuAD v1.1 <c>exact_match</c> (percent) with interval.</summary>
    SquadExactMatch = 512,

    /// <summary>SQuAD v1.1 <c>f1</c> (percent) with interval.</summary>
    SquadF1 = 1024,

    /// <summary>Every classification metric, plus the confusion matrix figure.</summary>
    Classification = Accuracy | F1Macro | F1Weighted | PerClass | MatthewsCorrelation | CohenKappa,

    /// <summary>BLEU, chrF and ROUGE-L.</summary>
    Translation = Bleu | Chrf | RougeL,

    /// <summary>SQuAD exact match and F1.</summary>
    QuestionAnswering = SquadExactMatch | SquadF1,
}

/// <summary>A per-example score (mean over the examples, with a bootstrap interval), e.g. "contains the keyword".</summary>
/// <typeparam name="TExample">The example type.</typeparam>
/// <typeparam name="TPrediction">The prediction type.</typeparam>
/// <param name="Name">The metric key (and table column).</param>
/// <param name="Score">Scores one example and its prediction.</param>
public sealed record ExampleScorer<TExample, TPrediction>(string Name, Func<TExample, TPrediction, double> Score);

/// <summary>A text prediction that may carry the token usage the model reported.</summary>
/// <param name="Text">The predicted text.</param>
/// <param name="Usage">Token usage reported by the model, or <see langword="null"/> to count tokens locally.</param>
public sealed record TextPrediction(string Text, TokenUsage? Usage = null)
{
    /// <summary>Returns <see cref="Text"/>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Text;
}

/// <summary>Progress of an evaluation.</summary>
/// <param name="Completed">Examples finished (with or without error).</param>
/// <param name="Total">Examples in total, when known.</param>
/// <param name="Errors">Examples that failed.</param>
/// <param name="Elapsed">Time since the evaluation started.</param>
public readonly record struct EvaluationProgress(long Completed, long? Total, long Errors, TimeSpan Elapsed);

/// <summary>How <c>EvaluateAsync</c> evaluates: targets, metrics, limits and where results go.</summary>
/// <typeparam name="TExample">The example type.</typeparam>
/// <typeparam name="TPrediction">The prediction type.</typeparam>
public sealed class EvaluationOptions<TExample, TPrediction>
{
    /// <summary>The expected prediction of an example (the gold label, or the reference text).</summary>
    public Func<TExample, TPrediction>? Target { get; init; }

    /// <summary>
    /// Several acceptable reference texts per example (SQuAD answers, multi-reference BLEU); used by text metrics
    /// instead of <see cref="Target"/> when set.
    /// </summary>
    public Func<TExample, IReadOnlyList<string>>? References { get; init; }

    /// <summary>The text of an example for the <c>inputs</c> column and prompt token counts (default <c>ToString()</c>).</summary>
    public Func<TExample, string>? InputText { get; init; }

    /// <summary>The text of a prediction for text metrics (default: <see cref="TextPrediction.Text"/>, a string, or <c>ToString()</c>).</summary>
    public Func<TPrediction, string>? PredictionText { get; init; }

    /// <summary>Token usage reported with a prediction (default: <see cref="TextPrediction.Usage"/>).</summary>
    public Func<TPrediction, TokenUsage?>? Usage { get; init; }

    /// <summary>The metrics to compute.</summary>
    public EvaluationMetrics Metrics { get; init; }

    /// <summary>Custom per-example scorers (logged as their mean with an interval, and as table columns).</summary>
    public IReadOnlyList<ExampleScorer<TExample, TPrediction>> Scorers { get; init; } = [];

    /// <summary>
    /// Asynchronous per-example scorers, such as LLM judges (metric <c>&lt;name&gt;/mean</c>, a table column, and feedback on
    /// each example's trace); at most <see cref="MaxConcurrency"/> scorer calls run at once.
    /// </summary>
    public IReadOnlyList<AsyncExampleScorer<TExample, TPrediction>> AsyncScorers { get; init; } = [];

    /// <summary>The most predictor calls in flight at once (default 4).</summary>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>Time allowed per example; an example over it is recorded as an error (default: none).</summary>
    public TimeSpan? ExampleTimeout { get; init; }

    /// <summary>The evaluation fails (run FAILED) when more examples than this fail.</summary>
    public int? MaxErrors { get; init; }

    /// <summary>The evaluation fails (run FAILED) when the share of failed examples exceeds this (0–1).</summary>
    public double? MaxErrorRate { get; init; }

    /// <summary>Receives progress (at most every <see cref="ProgressInterval"/>, and once at the end).</summary>
    public IProgress<EvaluationProgress>? Progress { get; init; }

    /// <summary>How often progress is reported (default 100 ms).</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Bootstrap settings for the confidence intervals (default: 1000 resamples, seed 12345, 95%).</summary>
    public BootstrapOptions? Bootstrap { get; init; }

    /// <summary>Whether to compute confidence intervals (default true).</summary>
    public bool ConfidenceIntervals { get; init; } = true;

    /// <summary>Counts tokens when a prediction reports no usage; default: the <c>gpt-4o</c> encoding for text metrics.</summary>
    public TokenCounter? TokenCounter { get; init; }

    /// <summary>Whether to count tokens (default: when a text metric is chosen or usage is reported).</summary>
    public bool? CountTokens { get; init; }

    /// <summary>The artifact file of the per-example table (default <c>eval_results_table.json</c>).</summary>
    public string TableFile { get; init; } = "eval_results_table.json";

    /// <summary>The data set to record as the run's eval input; by default one is described from the examples.</summary>
    public EvaluationDataset? Dataset { get; init; }

    /// <summary>The name of the data set described from the examples (default <c>evaluation</c>).</summary>
    public string DatasetName { get; init; } = "evaluation";

    /// <summary>A metric key prefix, e.g. <c>test/</c>.</summary>
    public string? Prefix { get; init; }

    /// <summary>
    /// The logged model being evaluated (from <see cref="RunModelExtensions.LogModelAsync"/> or
    /// <see cref="Tracker.GetLoggedModelAsync"/>): the metrics then carry its <c>model_id</c>, and the evaluated data set's
    /// name and digest, and appear on the model (MLflow's <c>log_metric(..., model_id=, dataset=)</c>).
    /// </summary>
    public LoggedModel? Model { get; init; }
}
