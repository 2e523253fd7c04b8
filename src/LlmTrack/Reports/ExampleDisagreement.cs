using LlmTrack.Evaluation;

namespace LlmTrack.Reports;

/// <summary>
/// The examples where the runs disagree most. Examples are matched across runs by the key column (<c>inputs</c>; the
/// n-th occurrence of a repeated key matches the n-th occurrence in the other runs), or by row position when a table
/// lacks it. An example's disagreement is the spread (highest minus lowest) of its per-example score across the runs
/// that have it — the <c>correct</c> column (true = 1) for classification, else the chosen or first shared numeric
/// column — and, as the tie-break, how many different predictions the runs made. Examples only one run has, or
/// where every run agrees, are left out; the rest are ranked by spread, then distinct predictions, then table order.
/// </summary>
internal static class ExampleDisagreement
{
    /// <summary>The ranked examples, at most <see cref="RunReportOptions.MaxExamples"/>; empty when fewer than two runs have a table.</summary>
    public static DisagreementTable Find(IReadOnlyList<ReportRun> runs, RunReportOptions options)
    {
        var withTables = runs.Where(r => r.Examples is { Rows.Count: > 0 }).ToList();
        if (withTables.Count < 2)
        {
            return DisagreementTable.Empty;
        }

        string? scoreColumn = options.ExampleScoreColumn ?? ChooseScoreColumn(withTables.Select(r => r.Examples!).ToList(), options.ExampleKeyColumn);
        var examples = new Dictionary<string, Example>(StringComparer.Ordinal);
        var order = new List<string>();
        for (int r = 0; r < runs.Count; r++)
        {
            ReportExampleTable? table = runs[r].Examples;
            if (table is null)
            {
                continue;
            }

            int key = ReportLoader.IndexOf(table, options.ExampleKeyColumn);
            int score = scoreColumn is null ? -1 : ReportLoader.IndexOf(table, scoreColumn);
            int prediction = ReportLoader.IndexOf(table, "prediction");
            int target = ReportLoader.IndexOf(table, "target");
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < table.Rows.Count; i++)
            {
                IReadOnlyList<object?> row = table.Rows[i];
                string text = key >= 0 ? ReportText.Cell(row[key]) : "#" + i;
                int occurrence = seen.TryGetValue(text, out int n) ? n + 1 : 0;
                seen[text] = occurrence;
                string id = occurrence == 0 ? text : text + "\u0000" + occurrence;
                if (!examples.TryGetValue(id, out Example? example))
                {
                    example = new Example(text, target >= 0 ? ReportText.Cell(row[target]) : null, runs.Count);
                    examples[id] = example;
                    order.Add(id);
                }

                example.Scores[r] = score >= 0 ? ReportText.Score(row[score]) : double.NaN;
                example.Predictions[r] = prediction >= 0 ? ReportText.Cell(row[prediction]) : null;
                example.Present[r] = true;
            }
        }

        var ranked = order.Select((id, position) => (Example: examples[id], Position: position))
            .Where(x => x.Example.Present.Count(p => p) >= 2)
            .Select(x => (x.Example, x.Position, Spread: x.Example.Spread(), Distinct: x.Example.DistinctPredictions()))
            .Where(x => x.Spread > 0 || x.Distinct > 1)
            .OrderByDescending(x => x.Spread).ThenByDescending(x => x.Distinct).ThenBy(x => x.Position)
            .Take(Math.Max(0, options.MaxExamples))
            .Select(x => new DisagreementRow(x.Example.Key, x.Example.Target, x.Spread, x.Example.Predictions, x.Example.Scores, x.Example.Present))
            .ToList();
        return new DisagreementTable(scoreColumn, withTables.Any(t => ReportLoader.IndexOf(t.Examples!, "prediction") >= 0), ranked);
    }

    private static string? ChooseScoreColumn(List<ReportExampleTable> tables, string keyColumn)
    {
        string correct = EvaluationMetricKeys.Classification.CorrectColumn;
        if (tables.All(t => ReportLoader.IndexOf(t, correct) >= 0))
        {
            return correct;
        }

        ReportExampleTable first = tables[0];
        for (int c = 0; c < first.Columns.Count; c++)
        {
            string name = first.Columns[c];
            if (name is "target" or "prediction" || name == keyColumn || tables.Any(t => ReportLoader.IndexOf(t, name) < 0))
            {
                continue;
            }

            if (tables.All(t => t.Rows.Take(50).Any(row => row[ReportLoader.IndexOf(t, name)] is double or long or bool)))
            {
                return name;
            }
        }

        return null;
    }

    private sealed class Example(string key, string? target, int runs)
    {
        public string Key { get; } = key;

        public string? Target { get; } = target;

        public double[] Scores { get; } = [.. Enumerable.Repeat(double.NaN, runs)];

        public string?[] Predictions { get; } = new string?[runs];

        public bool[] Present { get; } = new bool[runs];

        public double Spread()
        {
            var finite = Scores.Where((s, i) => Present[i] && double.IsFinite(s)).ToList();
            return finite.Count >= 2 ? finite.Max() - finite.Min() : 0;
        }

        public int DistinctPredictions() => Predictions.Where((p, i) => Present[i] && p is not null).Distinct(StringComparer.Ordinal).Count();
    }
}

/// <summary>The ranked examples where the runs disagree.</summary>
/// <param name="ScoreColumn">The per-example score column compared, or <see langword="null"/> when there is none.</param>
/// <param name="HasPredictions">Whether the tables have a <c>prediction</c> column.</param>
/// <param name="Rows">The examples, most disagreement first.</param>
internal sealed record DisagreementTable(string? ScoreColumn, bool HasPredictions, IReadOnlyList<DisagreementRow> Rows)
{
    public static DisagreementTable Empty { get; } = new(null, false, []);
}

/// <summary>One example: its key text, target, spread, and each run's prediction and score (index = run).</summary>
internal sealed record DisagreementRow(string Key, string? Target, double Spread, IReadOnlyList<string?> Predictions, IReadOnlyList<double> Scores, IReadOnlyList<bool> Present);
