using LlmTrack.Tracking;
using System.Globalization;
using System.Text;
using LlmTrack.Evaluation.Figures;
using LlmTrack.Metrics.Bleu;
using LlmTrack.Metrics.Bootstrap;
using LlmTrack.Metrics.Chrf;
using LlmTrack.Metrics.Classification;
using LlmTrack.Metrics.QuestionAnswering;
using LlmTrack.Metrics.Rouge;
using LlmTrack.Metrics.Ter;

namespace LlmTrack.Evaluation;

/// <summary>
/// One-call logging of the results of <c>LlmTrack.Metrics</c>: each result becomes metrics with MLflow-valid keys
/// (optionally prefixed, e.g. <c>"test/"</c>), its signature becomes a tag, a confusion matrix becomes an SVG artifact.
/// Metrics go through the run's queue (see <see cref="Run.LogMetric(string, double, long)"/>).
/// </summary>
public static class RunMetricLoggingExtensions
{
    /// <summary>
    /// Logs a BLEU result: <c>bleu</c>, <c>bleu_bp</c>, <c>bleu_ratio</c>, <c>bleu_precision_1</c>…<c>_4</c>,
    /// <c>bleu_sys_len</c>, <c>bleu_ref_len</c> and the tag <c>bleu.signature</c>.
    /// </summary>
    /// <param name="run">The run.</param>
    /// <param name="result">The corpus BLEU.</param>
    /// <param name="prefix">A key prefix, e.g. <c>test/</c>.</param>
    /// <param name="step">The metric step.</param>
    public static void LogBleu(this Run run, BleuResult result, string? prefix = null, long step = 0)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(result);
        var p = prefix ?? string.Empty;
        run.LogMetric(p + EvaluationMetricKeys.Bleu.Score, result.Score, step);
        run.LogMetric(p + EvaluationMetricKeys.Bleu.BrevityPenalty, result.BrevityPenalty, step);
        run.LogMetric(p + EvaluationMetricKeys.Bleu.Ratio, result.Ratio, step);
        for (var i = 0; i < result.Precisions.Count; i++)
        {
            run.LogMetric(p + EvaluationMetricKeys.Bleu.PrecisionPrefix + (i + 1).ToString(CultureInfo.InvariantCulture), result.Precisions[i], step);
        }

        run.LogMetric(p + EvaluationMetricKeys.Bleu.SysLen, result.SysLen, step);
        run.LogMetric(p + EvaluationMetricKeys.Bleu.RefLen, result.RefLen, step);
        run.SetTag(p + EvaluationMetricKeys.Bleu.SignatureTag, result.Signature);
    }

    /// <summary>Logs a chrF result: <c>chrf</c> and the tag <c>chrf.signature</c> (chrF++ included: its signature says so).</summary>
    /// <param name="run">The run.</param>
    /// <param name="result">The corpus chrF.</param>
    /// <param name="prefix">A key prefix.</param>
    /// <param name="step">The metric step.</param>
    public static void LogChrf(this Run run, ChrfResult result, string? prefix = null, long step = 0)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(result);
        var p = prefix ?? string.Empty;
        run.LogMetric(p + EvaluationMetricKeys.Chrf.Score, result.Score, step);
        run.SetTag(p + EvaluationMetricKeys.Chrf.SignatureTag, result.Signature);
    }

    /// <summary>Logs a TER result: <c>ter</c>, <c>ter_num_edits</c>, <c>ter_ref_length</c> and the tag <c>ter.signature</c>.</summary>
    /// <param name="run">The run.</param>
    /// <param name="result">The corpus TER.</param>
    /// <param name="prefix">A key prefix.</param>
    /// <param name="step">The metric step.</param>
    public static void LogTer(this Run run, TerScore result, string? prefix = null, long step = 0)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(result);
        var p = prefix ?? string.Empty;
        run.LogMetric(p + EvaluationMetricKeys.Ter.Score, result.Score, step);
        run.LogMetric(p + EvaluationMetricKeys.Ter.NumEdits, result.NumEdits, step);
        run.LogMetric(p + EvaluationMetricKeys.Ter.RefLength, result.RefLength, step);
        run.SetTag(p + EvaluationMetricKeys.Ter.SignatureTag, result.Signature);
    }

    /// <summary>
    /// Logs ROUGE means: for each type its F-measure under its name (<c>rouge1</c>, <c>rougeL</c>, …) and
    /// <c>&lt;name&gt;_precision</c> / <c>&lt;name&gt;_recall</c>.
    /// </summary>
    /// <param name="run">The run.</param>
    /// <param name="result">The corpus ROUGE.</param>
    /// <param name="prefix">A key prefix.</param>
    /// <param name="step">The metric step.</param>
    public static void LogRouge(this Run run, RougeCorpusResult result, string? prefix = null, long step = 0)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(result);
        var p = prefix ?? string.Empty;
        foreach (var type in result.RougeTypes)
        {
            var mean = result.Mean(type);
            run.LogMetric(p + type.Name, mean.FMeasure, step);
            run.LogMetric(p + type.Name + EvaluationMetricKeys.Rouge.PrecisionSuffix, mean.Precision, step);
            run.LogMetric(p + type.Name + EvaluationMetricKeys.Rouge.RecallSuffix, mean.Recall, step);
        }
    }

    /// <summary>
    /// Logs SQuAD v1.1 results (percentages, as the official script prints them): <c>exact_match</c>, <c>f1</c>.
    /// </summary>
    /// <param name="run">The run.</param>
    /// <param name="result">The SQuAD result.</param>
    /// <param name="prefix">A key prefix.</param>
    /// <param name="step">The metric step.</param>
    public static void LogSquad(this Run run, SquadV1Result result, string? prefix = null, long step = 0)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(result);
        var p = prefix ?? string.Empty;
        run.LogMetric(p + EvaluationMetricKeys.Squad.ExactMatch, result.ExactMatch, step);
        run.LogMetric(p + EvaluationMetricKeys.Squad.F1, result.F1, step);
    }

    /// <summary>Logs SQuAD v2.0 results (percentages): <c>exact_match</c>, <c>f1</c>, and the has-answer / no-answer subsets.</summary>
    /// <param name="run">The run.</param>
    /// <param name="result">The SQuAD v2.0 result.</param>
    /// <param name="prefix">A key prefix.</param>
    /// <param name="step">The metric step.</param>
    public static void LogSquad(this Run run, SquadV2Result result, string? prefix = null, long step = 0)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(result);
        var p = prefix ?? string.Empty;
        run.LogMetric(p + EvaluationMetricKeys.Squad.ExactMatch, result.Exact, step);
        run.LogMetric(p + EvaluationMetricKeys.Squad.F1, result.F1, step);
        if (result.HasAnswer is { } has)
        {
            run.LogMetric(p + EvaluationMetricKeys.Squad.HasAnswerExactMatch, has.Exact, step);
            run.LogMetric(p + EvaluationMetricKeys.Squad.HasAnswerF1, has.F1, step);
        }

        if (result.NoAnswer is { } no)
        {
            run.LogMetric(p + EvaluationMetricKeys.Squad.NoAnswerExactMatch, no.Exact, step);
            run.LogMetric(p + EvaluationMetricKeys.Squad.NoAnswerF1, no.F1, step);
        }
    }

    /// <summary>
    /// Logs a classification report: <c>accuracy</c>; <c>precision_</c>/<c>recall_</c>/<c>f1_</c> with <c>macro</c>,
    /// <c>weighted</c> and <c>micro</c>; per class <c>f1_class_&lt;label&gt;</c>, <c>precision_class_&lt;label&gt;</c>,
    /// <c>recall_class_&lt;label&gt;</c>, <c>support_class_&lt;label&gt;</c> (labels sanitised into MLflow's key
    /// characters). With a confusion matrix, also uploads it as <c>plots/confusion_matrix.svg</c>.
    /// </summary>
    /// <typeparam name="TLabel">The label type.</typeparam>
    /// <param name="run">The run.</param>
    /// <param name="report">The report.</param>
    /// <param name="confusion">The confusion matrix to draw, or <see langword="null"/>.</param>
    /// <param name="prefix">A key prefix.</param>
    /// <param name="step">The metric step.</param>
    public static void LogClassification<TLabel>(this Run run, ClassificationReport<TLabel> report, ConfusionMatrix<TLabel>? confusion = null, string? prefix = null, long step = 0)
        where TLabel : notnull =>
        SyncOverAsync.Run(ct => LogClassificationAsync(run, report, confusion, prefix, step, cancellationToken: ct), CancellationToken.None);

    /// <summary>Logs a classification report and uploads its confusion matrix; see <see cref="LogClassification{TLabel}"/>.</summary>
    /// <typeparam name="TLabel">The label type.</typeparam>
    /// <param name="run">The run.</param>
    /// <param name="report">The report.</param>
    /// <param name="confusion">The confusion matrix to draw, or <see langword="null"/>.</param>
    /// <param name="prefix">A key prefix.</param>
    /// <param name="step">The metric step.</param>
    /// <param name="cancellationToken">Cancels the upload of the figure.</param>
    /// <returns>A task that completes when the figure is stored.</returns>
    public static async Task LogClassificationAsync<TLabel>(
        this Run run, ClassificationReport<TLabel> report, ConfusionMatrix<TLabel>? confusion = null, string? prefix = null, long step = 0, CancellationToken cancellationToken = default)
        where TLabel : notnull
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(report);
        var p = prefix ?? string.Empty;
        run.LogMetric(p + EvaluationMetricKeys.Classification.Accuracy, report.Accuracy, step);
        run.LogMetric(p + EvaluationMetricKeys.Classification.PrecisionMacro, report.Macro.Precision, step);
        run.LogMetric(p + EvaluationMetricKeys.Classification.RecallMacro, report.Macro.Recall, step);
        run.LogMetric(p + EvaluationMetricKeys.Classification.F1Macro, report.Macro.FScore, step);
        run.LogMetric(p + EvaluationMetricKeys.Classification.PrecisionWeighted, report.Weighted.Precision, step);
        run.LogMetric(p + EvaluationMetricKeys.Classification.RecallWeighted, report.Weighted.Recall, step);
        run.LogMetric(p + EvaluationMetricKeys.Classification.F1Weighted, report.Weighted.FScore, step);
        run.LogMetric(p + EvaluationMetricKeys.Classification.PrecisionMicro, report.Micro.Precision, step);
        run.LogMetric(p + EvaluationMetricKeys.Classification.RecallMicro, report.Micro.Recall, step);
        run.LogMetric(p + EvaluationMetricKeys.Classification.F1Micro, report.Micro.FScore, step);

        var used = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < report.Labels.Count; i++)
        {
            var label = UniqueLabelKey(LabelText(report.Labels[i]), used);
            run.LogMetric(p + EvaluationMetricKeys.Classification.F1ClassPrefix + label, report.FScore[i], step);
            run.LogMetric(p + EvaluationMetricKeys.Classification.PrecisionClassPrefix + label, report.Precision[i], step);
            run.LogMetric(p + EvaluationMetricKeys.Classification.RecallClassPrefix + label, report.Recall[i], step);
            run.LogMetric(p + EvaluationMetricKeys.Classification.SupportClassPrefix + label, report.Support[i], step);
        }

        if (confusion is not null)
        {
            await run.LogFigureAsync(ConfusionFigure(confusion), "plots/" + p.Replace('/', '_') + EvaluationMetricKeys.Classification.ConfusionMatrixFile, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Logs a bootstrap interval: <c>&lt;name&gt;_ci_lower</c> and <c>&lt;name&gt;_ci_upper</c>.</summary>
    /// <param name="run">The run.</param>
    /// <param name="name">The metric's key, e.g. <c>bleu</c>.</param>
    /// <param name="interval">The interval.</param>
    /// <param name="step">The metric step.</param>
    public static void LogConfidenceInterval(this Run run, string name, BootstrapConfidenceInterval interval, long step = 0)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(interval);
        run.LogMetric(name + EvaluationMetricKeys.ConfidenceIntervalLowerSuffix, interval.Lower, step);
        run.LogMetric(name + EvaluationMetricKeys.ConfidenceIntervalUpperSuffix, interval.Upper, step);
    }

    /// <summary>
    /// Turns any text into a metric key segment: characters outside MLflow's key alphabet (<c>[\w.\- :]</c>; <c>/</c>
    /// is replaced too so a label never creates a path) become <c>_</c>; the result is at most 100 characters.
    /// </summary>
    /// <param name="text">The label or name.</param>
    /// <returns>The sanitised text (<c>_</c> for an empty one).</returns>
    public static string SanitizeKey(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            var ok = Rune.IsLetterOrDigit(rune) || rune.Value is '_' or '.' or '-' or ' ' or ':'
                || Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.NonSpacingMark
                    or UnicodeCategory.SpacingCombiningMark;
            if (ok)
            {
                sb.Append(rune.ToString());
            }
            else
            {
                sb.Append('_');
            }

            if (sb.Length >= 100)
            {
                break;
            }
        }

        var key = sb.ToString();
        // "." and names starting with ".." are refused by MLflow's path check.
        if (key.Length == 0 || key == "." || key.StartsWith("..", StringComparison.Ordinal))
        {
            key = "_" + key;
        }

        return key;
    }

    internal static string LabelText<TLabel>(TLabel label) =>
        label is IFormattable formattable ? formattable.ToString(null, CultureInfo.InvariantCulture) : label?.ToString() ?? string.Empty;

    internal static string UniqueLabelKey(string label, HashSet<string> used)
    {
        var key = SanitizeKey(label);
        var candidate = key;
        for (var n = 2; !used.Add(candidate); n++)
        {
            candidate = key + "_" + n.ToString(CultureInfo.InvariantCulture);
        }

        return candidate;
    }

    internal static Figure ConfusionFigure<TLabel>(ConfusionMatrix<TLabel> confusion)
        where TLabel : notnull
    {
        var labels = confusion.Labels.Select(LabelText).ToArray();
        var counts = new long[confusion.Size][];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = new long[confusion.Size];
            for (var j = 0; j < counts.Length; j++)
            {
                counts[i][j] = confusion[i, j];
            }
        }

        return SvgFigures.ConfusionMatrix(labels, counts);
    }
}
