using System.Globalization;
using System.Text;

namespace LlmTrack.Gating;

/// <summary>A <see cref="GateVerdict"/> as Markdown: a heading with the outcome, the runs, and a table of the rules.</summary>
internal static class GateMarkdown
{
    /// <summary>Writes the verdict.</summary>
    public static string Write(GateVerdict verdict)
    {
        var md = new StringBuilder();
        md.Append("## ").Append(Badge(verdict.Outcome)).Append(" Release gate: ").Append(Word(verdict.Outcome)).Append("\n\n");
        md.Append("- Candidate: ").Append(Describe(verdict.CandidateRunId, verdict.CandidateRunName)).Append('\n');
        if (verdict.BaselineRunId is not null)
        {
            md.Append("- Baseline: ").Append(Describe(verdict.BaselineRunId, verdict.BaselineRunName)).Append('\n');
        }

        if (verdict.Problem is not null)
        {
            md.Append("- Problem: ").Append(Escape(verdict.Problem)).Append('\n');
        }

        if (verdict.Rules.Count > 0)
        {
            md.Append("\n| Rule | Result | Detail |\n|---|---|---|\n");
            foreach (var rule in verdict.Rules)
            {
                md.Append("| ").Append(Escape(rule.Rule)).Append(" | ").Append(Badge(rule.Outcome)).Append(' ').Append(Word(rule.Outcome).ToLowerInvariant())
                    .Append(" | ").Append(Escape(rule.Detail)).Append(" |\n");
            }
        }

        foreach (var warning in verdict.Comparison?.Warnings ?? [])
        {
            md.Append("\n> ⚠️ ").Append(Escape(warning.Message));
        }

        return md.Append('\n').ToString();
    }

    /// <summary>A number as the gate shows it (up to 6 significant digits, invariant culture).</summary>
    public static string Number(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    private static string Describe(string? id, string? name) => id is null ? "(none)" : name is null ? $"`{id}`" : $"`{id}` ({Escape(name)})";

    private static string Badge(GateOutcome outcome) => outcome switch
    {
        GateOutcome.Pass => "✅",
        GateOutcome.Fail => "❌",
        _ => "⚠️",
    };

    private static string Word(GateOutcome outcome) => outcome switch
    {
        GateOutcome.Pass => "PASS",
        GateOutcome.Fail => "FAIL",
        _ => "COULD NOT EVALUATE",
    };

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
