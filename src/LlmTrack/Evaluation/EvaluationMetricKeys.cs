namespace LlmTrack.Evaluation;

/// <summary>
/// The metric keys, tag names and table columns that <c>EvaluateAsync</c> and <see cref="RunMetricLoggingExtensions"/>
/// log, one nested class per metric family. Keys are logged with the caller's prefix (e.g. <c>test/</c>) in front.
/// </summary>
public static class EvaluationMetricKeys
{
    /// <summary>The suffix of a bootstrap interval's lower bound: <c>&lt;key&gt;_ci_lower</c>.</summary>
    public const string ConfidenceIntervalLowerSuffix = "_ci_lower";

    /// <summary>The suffix of a bootstrap interval's upper bound: <c>&lt;key&gt;_ci_upper</c>.</summary>
    public const string ConfidenceIntervalUpperSuffix = "_ci_upper";

    /// <summary>Counts of an evaluation.</summary>
    public static class Examples
    {
        /// <summary>Examples that failed (predictor error or timeout): <c>error_count</c>.</summary>
        public const string ErrorCount = "error_count";

        /// <summary>Examples completed, with or without error: <c>example_count</c>.</summary>
        public const string ExampleCount = "example_count";

        /// <summary>The tag set when some examples had no target: <c>evaluation.warning</c>.</summary>
        public const string WarningTag = "evaluation.warning";
    }

    /// <summary>Classification metrics (accuracy, F1, per-class scores, agreement).</summary>
    public static class Classification
    {
        /// <summary><c>accuracy</c>.</summary>
        public const string Accuracy = "accuracy";

        /// <summary><c>precision_macro</c>.</summary>
        public const string PrecisionMacro = "precision_macro";

        /// <summary><c>recall_macro</c>.</summary>
        public const string RecallMacro = "recall_macro";

        /// <summary><c>f1_macro</c>.</summary>
        public const string F1Macro = "f1_macro";

        /// <summary><c>precision_weighted</c>.</summary>
        public const string PrecisionWeighted = "precision_weighted";

        /// <summary><c>recall_weighted</c>.</summary>
        public const string RecallWeighted = "recall_weighted";

        /// <summary><c>f1_weighted</c>.</summary>
        public const string F1Weighted = "f1_weighted";

        /// <summary><c>precision_micro</c>.</summary>
        public const string PrecisionMicro = "precision_micro";

        /// <summary><c>recall_micro</c>.</summary>
        public const string RecallMicro = "recall_micro";

        /// <summary><c>f1_micro</c>.</summary>
        public const string F1Micro = "f1_micro";

        /// <summary>The prefix of a class's F1, followed by the sanitised label: <c>f1_class_</c>.</summary>
        public const string F1ClassPrefix = "f1_class_";

        /// <summary>The prefix of a class's precision: <c>precision_class_</c>.</summary>
        public const string PrecisionClassPrefix = "precision_class_";

        /// <summary>The prefix of a class's recall: <c>recall_class_</c>.</summary>
        public const string RecallClassPrefix = "recall_class_";

        /// <summary>The prefix of a class's support: <c>support_class_</c>.</summary>
        public const string SupportClassPrefix = "support_class_";

        /// <summary>Matthews correlation coefficient: <c>mcc</c>.</summary>
        public const string MatthewsCorrelation = "mcc";

        /// <summary><c>cohen_kappa</c>.</summary>
        public const string CohenKappa = "cohen_kappa";

        /// <summary>The per-example table column saying whether the prediction equals the target: <c>correct</c>.</summary>
        public const string CorrectColumn = "correct";

        /// <summary>The confusion matrix figure's file name under <c>plots/</c> (after the prefix): <c>confusion_matrix.svg</c>.</summary>
        public const string ConfusionMatrixFile = "confusion_matrix.svg";
    }

    /// <summary>BLEU (sacreBLEU).</summary>
    public static class Bleu
    {
        /// <summary>The corpus score (and table column): <c>bleu</c>.</summary>
        public const string Score = "bleu";

        /// <summary>The brevity penalty: <c>bleu_bp</c>.</summary>
        public const string BrevityPenalty = "bleu_bp";

        /// <summary>The hypothesis/reference length ratio: <c>bleu_ratio</c>.</summary>
        public const string Ratio = "bleu_ratio";

        /// <summary>The prefix of the n-gram precisions, followed by n: <c>bleu_precision_</c>.</summary>
        public const string PrecisionPrefix = "bleu_precision_";

        /// <summary>The hypothesis length: <c>bleu_sys_len</c>.</summary>
        public const string SysLen = "bleu_sys_len";

        /// <summary>The reference length: <c>bleu_ref_len</c>.</summary>
        public const string RefLen = "bleu_ref_len";

        /// <summary>The signature tag: <c>bleu.signature</c>.</summary>
        public const string SignatureTag = "bleu.signature";
    }

    /// <summary>chrF / chrF++ (sacreBLEU).</summary>
    public static class Chrf
    {
        /// <summary>The corpus score (and table column): <c>chrf</c>.</summary>
        public const string Score = "chrf";

        /// <summary>The signature tag: <c>chrf.signature</c>.</summary>
        public const string SignatureTag = "chrf.signature";
    }

    /// <summary>TER (sacreBLEU).</summary>
    public static class Ter
    {
        /// <summary>The corpus score: <c>ter</c>.</summary>
        public const string Score = "ter";

        /// <summary>The number of edits: <c>ter_num_edits</c>.</summary>
        public const string NumEdits = "ter_num_edits";

        /// <summary>The reference length: <c>ter_ref_length</c>.</summary>
        public const string RefLength = "ter_ref_length";

        /// <summary>The signature tag: <c>ter.signature</c>.</summary>
        public const string SignatureTag = "ter.signature";
    }

    /// <summary>ROUGE (rouge-score); F-measures are logged under the type's name (<c>rouge1</c>, <c>rougeL</c>, …).</summary>
    public static class Rouge
    {
        /// <summary>The mean ROUGE-L F-measure of an evaluation (and table column): <c>rougeL</c>.</summary>
        public const string RougeL = "rougeL";

        /// <summary>The suffix of a type's precision: <c>&lt;type&gt;_precision</c>.</summary>
        public const string PrecisionSuffix = "_precision";

        /// <summary>The suffix of a type's recall: <c>&lt;type&gt;_recall</c>.</summary>
        public const string RecallSuffix = "_recall";
    }

    /// <summary>SQuAD v1.1 / v2.0 (percentages, as the official scripts print them).</summary>
    public static class Squad
    {
        /// <summary>Exact match (and table column): <c>exact_match</c>.</summary>
        public const string ExactMatch = "exact_match";

        /// <summary>Token F1 (and table column): <c>f1</c>.</summary>
        public const string F1 = "f1";

        /// <summary>v2.0, questions with an answer: <c>has_ans_exact_match</c>.</summary>
        public const string HasAnswerExactMatch = "has_ans_exact_match";

        /// <summary>v2.0, questions with an answer: <c>has_ans_f1</c>.</summary>
        public const string HasAnswerF1 = "has_ans_f1";

        /// <summary>v2.0, questions without an answer: <c>no_ans_exact_match</c>.</summary>
        public const string NoAnswerExactMatch = "no_ans_exact_match";

        /// <summary>v2.0, questions without an answer: <c>no_ans_f1</c>.</summary>
        public const string NoAnswerF1 = "no_ans_f1";
    }

    /// <summary>Latency of the predictor calls, in milliseconds.</summary>
    public static class Latency
    {
        /// <summary>The mean: <c>latency_mean_ms</c>.</summary>
        public const string MeanMs = "latency_mean_ms";

        /// <summary>The median (NumPy's linear interpolation): <c>latency_p50_ms</c>.</summary>
        public const string P50Ms = "latency_p50_ms";

        /// <summary>The 95th percentile: <c>latency_p95_ms</c>.</summary>
        public const string P95Ms = "latency_p95_ms";

        /// <summary>The per-example table column: <c>latency_ms</c>.</summary>
        public const string Column = "latency_ms";
    }

    /// <summary>Token usage (reported by the model, or counted locally); also the per-example table columns.</summary>
    public static class Tokens
    {
        /// <summary><c>prompt_tokens</c>.</summary>
        public const string Prompt = "prompt_tokens";

        /// <summary><c>completion_tokens</c>.</summary>
        public const string Completion = "completion_tokens";

        /// <summary><c>total_tokens</c>.</summary>
        public const string Total = "total_tokens";
    }
}
