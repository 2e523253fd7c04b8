using System.Globalization;
using LlmTrack.Gating;

namespace LlmTrack;

/// <summary>
/// A release gate for CI/CD: checks a candidate run against thresholds (<see cref="GateOptions.Requirements"/>) and
/// against a baseline (<see cref="GateOptions.MaxDrops"/>, optionally only significant drops), and records the verdict on
/// the candidate as <c>llmtrack.gate.*</c> tags.
/// </summary>
public static class ReleaseGate
{
    /// <summary>Tag with the outcome: <c>pass</c>, <c>fail</c> or <c>could_not_evaluate</c>.</summary>
    public const string OutcomeTag = "llmtrack.gate.outcome";

    /// <summary>Tag with the baseline run's id (when there was a baseline).</summary>
    public const string BaselineRunIdTag = "llmtrack.gate.baseline_run_id";

    /// <summary>Tag with the rules checked, separated by <c>; </c>.</summary>
    public const string RulesTag = "llmtrack.gate.rules";

    /// <summary>Tag with the rules that failed or could not be evaluated, separated by <c>; </c> (only when some did).</summary>
    public const string FailedRulesTag = "llmtrack.gate.failed_rules";

    /// <summary>Tag with when the gate ran (ISO 8601, UTC).</summary>
    public const string EvaluatedAtTag = "llmtrack.gate.evaluated_at";

    private const int MaxTagLength = 8000;

    /// <summary>Evaluates the gate.</summary>
    /// <param name="tracker">The tracker of the store holding the runs.</param>
    /// <param name="options">The candidate, baseline and rules.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The verdict (also recorded as tags on the candidate unless <see cref="GateOptions.RecordTags"/> is off).</returns>
    /// <exception cref="ArgumentException">When there are no rules, drops without a baseline, or a filter without experiments.</exception>
    /// <exception cref="MlflowException">A bad filter (<c>INVALID_PARAMETER_VALUE</c>), an unresolvable <c>models:/</c> reference, a missing run, or the store's errors.</exception>
    public static async Task<GateVerdict> EvaluateAsync(Tracker tracker, GateOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        var candidate = await ResolveAsync(tracker, options.Candidate, options.ExperimentIds, null, cancellationToken).ConfigureAwait(false);
        if (candidate is null)
        {
            return new GateVerdict { Outcome = GateOutcome.CouldNotEvaluate, Rules = [], Problem = $"No run matches the candidate filter '{options.Candidate.Text}'." };
        }

        string? baseline = null;
        if (options.Baseline is { } baselineReference)
        {
            baseline = await ResolveAsync(tracker, baselineReference, options.ExperimentIds, candidate, cancellationToken).ConfigureAwait(false);
            if (baseline is null)
            {
                return await RecordAsync(tracker, options, new GateVerdict
                {
                    Outcome = GateOutcome.CouldNotEvaluate,
                    CandidateRunId = candidate,
                    Rules = [],
                    Problem = $"No run other than the candidate matches the baseline filter '{baselineReference.Text}'.",
                }, cancellationToken).ConfigureAwait(false);
            }
        }

        var compareOptions = (options.Comparison ?? new CompareOptions()) with
        {
            Alpha = options.Significance ?? options.Comparison?.Alpha ?? 0.05,
            PairedTests = options.Significance is not null,
        };
        var comparison = await tracker.CompareRunsAsync(baseline is null ? [candidate] : [baseline, candidate], baseline ?? candidate, compareOptions, cancellationToken).ConfigureAwait(false);
        var rules = new List<GateRuleResult>();
        rules.AddRange(options.Requirements.Select(r => Check(r, comparison, candidate)));
        rules.AddRange(options.MaxDrops.Select(d => Check(d, comparison, candidate, options.Significance)));
        var outcome = rules.Any(r => r.Outcome == GateOutcome.Fail) ? GateOutcome.Fail
            : rules.Any(r => r.Outcome == GateOutcome.CouldNotEvaluate) ? GateOutcome.CouldNotEvaluate
            : GateOutcome.Pass;
        var runs = comparison.Runs.ToDictionary(r => r.RunId, StringComparer.Ordinal);
        var verdict = new GateVerdict
        {
            Outcome = outcome,
            CandidateRunId = candidate,
            CandidateRunName = runs[candidate].Name,
            BaselineRunId = baseline,
            BaselineRunName = baseline is null ? null : runs[baseline].Name,
            Rules = rules,
            Comparison = baseline is null ? null : comparison,
        };
        return await RecordAsync(tracker, options, verdict, cancellationToken).ConfigureAwait(false);
    }

    private static void Validate(GateOptions options)
    {
        if (options.Requirements.Count == 0 && options.MaxDrops.Count == 0)
        {
            throw new ArgumentException("A gate needs at least one rule: a requirement (e.g. accuracy>=0.85) or a max drop (e.g. f1_macro=0.01).", nameof(options));
        }

        if (options.MaxDrops.Count > 0 && options.Baseline is null)
        {
            throw new ArgumentException("A max-drop rule needs a baseline (a run id, models:/name@alias, or a filter).", nameof(options));
        }

        if (options.Significance is { } alpha && alpha is <= 0 or >= 1)
        {
            throw new ArgumentException($"The significance level must be between 0 and 1 (got {alpha.ToString(CultureInfo.InvariantCulture)}).", nameof(options));
        }

        if (options.ExperimentIds.Count == 0 && (options.Candidate.Kind == RunReferenceKind.Filter || options.Baseline?.Kind == RunReferenceKind.Filter))
        {
            throw new ArgumentException("A filter names the latest matching run of some experiments: give the experiment(s) to search.", nameof(options));
        }
    }

    /// <summary>The run id a reference names (null when a filter matches no run other than <paramref name="exclude"/>).</summary>
    private static async Task<string?> ResolveAsync(Tracker tracker, RunReference reference, IReadOnlyList<string> experimentIds, string? exclude, CancellationToken cancellationToken)
    {
        switch (reference.Kind)
        {
            case RunReferenceKind.RunId:
                return reference.Text;
            case RunReferenceKind.ModelAlias:
                return await ModelReferenceResolver.ResolveRunIdAsync(tracker, reference, cancellationToken).ConfigureAwait(false);
            default:
                var page = await tracker.SearchRunsPageAsync(experimentIds, reference.Text, ViewType.ActiveOnly, exclude is null ? 1 : 2, ["attributes.start_time DESC"], null, cancellationToken).ConfigureAwait(false);
                return page.Items.Select(r => r.Info.RunId).FirstOrDefault(id => id != exclude);
        }
    }

    private static GateRuleResult Check(GateRequirement requirement, RunComparison comparison, string candidate)
    {
        var value = comparison.FindMetric(requirement.Metric)?.Values.First(c => c.RunId == candidate).Value;
        return value is not { } v
            ? new GateRuleResult(requirement.ToString(), GateOutcome.CouldNotEvaluate, $"the candidate has no metric '{requirement.Metric}'")
            : new GateRuleResult(requirement.ToString(), requirement.IsSatisfiedBy(v) ? GateOutcome.Pass : GateOutcome.Fail, GateMarkdown.Number(v));
    }

    private static GateRuleResult Check(GateMaxDrop drop, RunComparison comparison, string candidate, double? significance)
    {
        var row = comparison.FindMetric(drop.Metric);
        var baselineValue = row?.Values.First(c => c.RunId == comparison.BaselineRunId).Value;
        var cell = row?.Values.First(c => c.RunId == candidate);
        if (baselineValue is not { } b || cell?.Value is not { } v)
        {
            var who = baselineValue is null ? "the baseline" : "the candidate";
            return new GateRuleResult(drop.ToString(), GateOutcome.CouldNotEvaluate, $"{who} has no metric '{drop.Metric}'");
        }

        var fell = b - v;
        var allowed = drop.AllowedDrop(b);
        var detail = $"{GateMarkdown.Number(b)} → {GateMarkdown.Number(v)} (drop {GateMarkdown.Number(fell)}, allowed {GateMarkdown.Number(allowed)})";
        if (fell <= allowed || candidate == comparison.BaselineRunId)
        {
            return new GateRuleResult(drop.ToString(), GateOutcome.Pass, detail);
        }

        if (significance is null)
        {
            return new GateRuleResult(drop.ToString(), GateOutcome.Fail, detail);
        }

        if (cell.PairedTest is not { } test)
        {
            return new GateRuleResult(drop.ToString(), GateOutcome.CouldNotEvaluate, detail + "; no paired test possible (the runs need per-example tables of the same data set)");
        }

        detail += string.Create(CultureInfo.InvariantCulture, $"; paired bootstrap on '{test.ScoreName}' ({test.ExampleCount} examples): p = {GateMarkdown.Number(test.PValue)}");
        return new GateRuleResult(drop.ToString(), test.IsSignificant ? GateOutcome.Fail : GateOutcome.Pass, detail + (test.IsSignificant ? ", significant" : ", not significant"));
    }

    private static async Task<GateVerdict> RecordAsync(Tracker tracker, GateOptions options, GateVerdict verdict, CancellationToken cancellationToken)
    {
        if (!options.RecordTags || verdict.CandidateRunId is not { } runId)
        {
            return verdict;
        }

        var tags = new List<Tag>
        {
            new(OutcomeTag, verdict.Outcome switch { GateOutcome.Pass => "pass", GateOutcome.Fail => "fail", _ => "could_not_evaluate" }),
            new(EvaluatedAtTag, tracker.Time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
        };
        if (verdict.BaselineRunId is { } baseline)
        {
            tags.Add(new Tag(BaselineRunIdTag, baseline));
        }

        if (verdict.Rules.Count > 0)
        {
            tags.Add(new Tag(RulesTag, Clip(string.Join("; ", verdict.Rules.Select(r => r.Rule)))));
        }

        var failed = verdict.Rules.Where(r => r.Outcome != GateOutcome.Pass).Select(r => r.Rule).ToList();
        if (failed.Count > 0)
        {
            tags.Add(new Tag(FailedRulesTag, Clip(string.Join("; ", failed))));
        }

        await tracker.SetRunTagsAsync(runId, tags, cancellationToken).ConfigureAwait(false);
        return verdict;
    }

    private static string Clip(string value) => value.Length <= MaxTagLength ? value : value[..(MaxTagLength - 1)] + "…";
}
