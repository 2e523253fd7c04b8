namespace LlmTrack;

/// <summary>What <see cref="ReleaseGate.EvaluateAsync"/> checks.</summary>
public sealed record GateOptions
{
    /// <summary>The candidate: a run id or a filter (the latest run matching it in <see cref="ExperimentIds"/>).</summary>
    public required RunReference Candidate { get; init; }

    /// <summary>The baseline for <see cref="MaxDrops"/>: a run id, <c>models:/name@alias</c>, or a filter (its latest match other than the candidate).</summary>
    public RunReference? Baseline { get; init; }

    /// <summary>The experiments that filter references search.</summary>
    public IReadOnlyList<string> ExperimentIds { get; init; } = [];

    /// <summary>Thresholds the candidate must meet.</summary>
    public IReadOnlyList<GateRequirement> Requirements { get; init; } = [];

    /// <summary>How far below the baseline each metric may fall.</summary>
    public IReadOnlyList<GateMaxDrop> MaxDrops { get; init; } = [];

    /// <summary>
    /// When set, a drop beyond <see cref="MaxDrops"/> fails only when the paired test says it is significant at this level;
    /// a drop that cannot be tested (no per-example tables of the same data set) cannot be evaluated.
    /// </summary>
    public double? Significance { get; init; }

    /// <summary>Whether to record the verdict on the candidate run as <c>llmtrack.gate.*</c> tags (default true).</summary>
    public bool RecordTags { get; init; } = true;

    /// <summary>Resamples and seed of the paired tests (its <see cref="CompareOptions.Alpha"/> is replaced by <see cref="Significance"/>).</summary>
    public CompareOptions? Comparison { get; init; }
}

/// <summary>The outcome of a gate or of one of its rules.</summary>
public enum GateOutcome
{
    /// <summary>Every rule holds.</summary>
    Pass,

    /// <summary>A rule does not hold.</summary>
    Fail,

    /// <summary>A rule could not be checked (a metric is missing, no run matched, a drop could not be tested).</summary>
    CouldNotEvaluate,
}

/// <summary>One rule's result.</summary>
/// <param name="Rule">The rule as text.</param>
/// <param name="Outcome">Whether it holds.</param>
/// <param name="Detail">The numbers behind it, for people.</param>
public sealed record GateRuleResult(string Rule, GateOutcome Outcome, string Detail);

/// <summary>The verdict of a release gate.</summary>
public sealed record GateVerdict
{
    /// <summary>Fail when a rule failed; otherwise could-not-evaluate when a rule could not be checked; otherwise pass.</summary>
    public required GateOutcome Outcome { get; init; }

    /// <summary>The candidate run (null when no run matched the candidate's filter).</summary>
    public string? CandidateRunId { get; init; }

    /// <summary>The candidate's name.</summary>
    public string? CandidateRunName { get; init; }

    /// <summary>The baseline run, when there is one.</summary>
    public string? BaselineRunId { get; init; }

    /// <summary>The baseline's name.</summary>
    public string? BaselineRunName { get; init; }

    /// <summary>Each rule's result, requirements first, then drops.</summary>
    public required IReadOnlyList<GateRuleResult> Rules { get; init; }

    /// <summary>Why the gate could not run at all (e.g. no run matched), when it could not.</summary>
    public string? Problem { get; init; }

    /// <summary>The comparison of candidate and baseline the drops were judged on, when there is a baseline.</summary>
    public RunComparison? Comparison { get; init; }

    /// <summary>The verdict as Markdown (a heading and a table of the rules), e.g. for <c>$GITHUB_STEP_SUMMARY</c>.</summary>
    /// <returns>The Markdown.</returns>
    public string ToMarkdown() => Gating.GateMarkdown.Write(this);
}
