using LlmTrack.Evaluation.Tables;
using LlmTrack.Tests.Sqlite;

namespace LlmTrack.Tests.Reports;

/// <summary>Three classifier runs in a local store: params, metrics with intervals, a loss history and per-example tables.</summary>
internal static class ReportRuns
{
    public static readonly string[] Texts =
    [
        "great film, loved it", "terrible plot", "fine acting but a dull script", "an instant classic",
        "I want my money back", "surprisingly moving", "not bad at all", "boring and far too long",
    ];

    public static readonly string[] Targets = ["pos", "neg", "neg", "pos", "neg", "pos", "pos", "neg"];

    /// <summary>Run r gets example i right unless (i + r) % (r + 2) == 0, so the runs disagree on some examples.</summary>
    public static async Task<IReadOnlyList<string>> LogAsync(Tracker tracker, string experiment = "report-tests", int runs = 3, int steps = 40)
    {
        var ids = new List<string>();
        for (int r = 0; r < runs; r++)
        {
            await using var run = await tracker.StartRunAsync(experiment, runName: "model-" + (char)('a' + r));
            run.LogParam("smoothing", (0.5 * (r + 1)).ToString(System.Globalization.CultureInfo.InvariantCulture));
            run.LogParam("tokenizer", "words");
            using var table = new EvaluationTable("inputs", "prediction", "target", "correct");
            int right = 0;
            for (int i = 0; i < Texts.Length; i++)
            {
                bool correct = (i + r) % (r + 2) != 0;
                right += correct ? 1 : 0;
                string prediction = correct ? Targets[i] : (Targets[i] == "pos" ? "neg" : "pos");
                table.AddRow(Texts[i], prediction, Targets[i], correct);
            }

            double accuracy = right / (double)Texts.Length;
            run.LogMetric("accuracy", accuracy);
            run.LogMetric("accuracy_ci_lower", accuracy - 0.1);
            run.LogMetric("accuracy_ci_upper", Math.Min(1, accuracy + 0.08));
            run.LogMetric("f1_macro", accuracy - 0.02);
            for (int s = 0; s < steps; s++)
            {
                run.LogMetric("loss", 1.0 / (1 + s + r), s);
            }

            await run.LogTableAsync(table, "eval_results_table.json");
            ids.Add(run.RunId);
        }

        return ids;
    }

    public static Tracker Open(TempFolder folder) => new(new LlmTrackOptions { TrackingUri = folder.TrackingUri });
}
