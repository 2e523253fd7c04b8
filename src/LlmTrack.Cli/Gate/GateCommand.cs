using System.CommandLine;
using System.Text;
using LlmTrack.Cli.Runs;

namespace LlmTrack.Cli.Gate;

/// <summary>
/// <c>llmtrack gate</c>: checks a candidate run against thresholds and a baseline, prints a Markdown verdict (appended to
/// <c>$GITHUB_STEP_SUMMARY</c> when set), records it on the candidate as <c>llmtrack.gate.*</c> tags. Exit codes: 0 pass,
/// 1 fail, 2 usage error, 3 could not evaluate (missing metric, no matching run, unreachable server).
/// </summary>
internal static class GateCommand
{
    /// <summary>Exit code: every rule holds.</summary>
    public const int Pass = 0;

    /// <summary>Exit code: a rule does not hold.</summary>
    public const int Fail = 1;

    /// <summary>Exit code: a rule or the gate could not be evaluated.</summary>
    public const int CouldNotEvaluate = 3;

    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext context)
    {
        var trackingUri = RunsCli.TrackingUriOption();
        var experiments = RunsCli.ExperimentOption();
        var candidate = new Option<string>("--candidate") { Description = "Run id, or a filter: the latest run of --experiment matching it.", Required = true };
        var baseline = new Option<string>("--baseline") { Description = "Run id, models:/name@alias, or a filter (its latest match other than the candidate)." };
        var require = new Option<string[]>("--require") { Description = "A threshold, e.g. \"accuracy>=0.85\" (>=, >, <=, <, ==; repeatable)." };
        var maxDrop = new Option<string[]>("--max-drop") { Description = "Largest allowed drop below the baseline, e.g. \"f1_macro=0.01\" (absolute) or \"f1_macro=2%\" (relative; repeatable)." };
        var significance = new Option<double?>("--significance") { Description = "Fail a drop only when a paired bootstrap test finds it significant at this level, e.g. 0.05." };
        var noTags = new Option<bool>("--no-tags") { Description = "Do not record the verdict on the candidate run." };
        var command = new Command("gate", "Gate a release: check a candidate run's metrics against thresholds and a baseline. Exit 0 pass, 1 fail, 2 usage error, 3 could not evaluate.")
        {
            trackingUri, experiments, candidate, baseline, require, maxDrop, significance, noTags,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            GateOptions options;
            try
            {
                options = new GateOptions
                {
                    Candidate = RunReference.Parse(parseResult.GetValue(candidate)!),
                    Baseline = parseResult.GetValue(baseline) is { } b ? RunReference.Parse(b) : null,
                    Requirements = [.. (parseResult.GetValue(require) ?? []).Select(GateRequirement.Parse)],
                    MaxDrops = [.. (parseResult.GetValue(maxDrop) ?? []).Select(GateMaxDrop.Parse)],
                    Significance = parseResult.GetValue(significance),
                    RecordTags = !parseResult.GetValue(noTags),
                };
            }
            catch (FormatException e)
            {
                return await UsageAsync(stderr, e.Message).ConfigureAwait(false);
            }

            GateVerdict verdict;
            try
            {
                using var tracker = RunsCli.Open(parseResult.GetValue(trackingUri), context);
                var names = parseResult.GetValue(experiments);
                var needsExperiments = options.Candidate.Kind == RunReferenceKind.Filter || options.Baseline?.Kind == RunReferenceKind.Filter;
                var ids = needsExperiments ? await RunsCli.ExperimentIdsAsync(tracker, names, cancellationToken).ConfigureAwait(false) : [];
                verdict = await ReleaseGate.EvaluateAsync(tracker, options with { ExperimentIds = ids }, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                return await UsageAsync(stderr, e.Message.Replace(" (Parameter 'options')", "", StringComparison.Ordinal)).ConfigureAwait(false);
            }
            catch (MlflowException e) when (e.ErrorCode == MlflowErrorCode.InvalidParameterValue)
            {
                return await UsageAsync(stderr, e.Message).ConfigureAwait(false);
            }
            catch (Exception e) when (e is MlflowException or HttpRequestException or IOException or TimeoutException)
            {
                await stderr.WriteLineAsync($"llmtrack: error: the gate could not be evaluated: {e.Message}").ConfigureAwait(false);
                verdict = new GateVerdict { Outcome = GateOutcome.CouldNotEvaluate, Rules = [], Problem = e.Message };
            }

            var markdown = verdict.ToMarkdown();
            await stdout.WriteAsync(markdown).ConfigureAwait(false);
            if (context.Environment("GITHUB_STEP_SUMMARY") is { Length: > 0 } summary)
            {
                await File.AppendAllTextAsync(summary, markdown + "\n", new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
            }

            return verdict.Outcome switch
            {
                GateOutcome.Pass => Pass,
                GateOutcome.Fail => Fail,
                _ => CouldNotEvaluate,
            };
        });
        return command;
    }

    private static async Task<int> UsageAsync(TextWriter stderr, string message)
    {
        await stderr.WriteLineAsync($"llmtrack: error: {message}").ConfigureAwait(false);
        await stderr.WriteLineAsync("Run 'llmtrack gate --help' for usage.").ConfigureAwait(false);
        return CliApp.UsageError;
    }
}
