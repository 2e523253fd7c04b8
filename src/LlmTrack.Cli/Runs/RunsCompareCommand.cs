using System.CommandLine;

namespace LlmTrack.Cli.Runs;

/// <summary><c>llmtrack runs compare A B [C…] [--baseline A]</c>: runs side by side with deltas, intervals and paired tests.</summary>
internal static class RunsCompareCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext context)
    {
        var trackingUri = RunsCli.TrackingUriOption();
        var runs = new Argument<string[]>("run-ids") { Description = "The runs to compare (two or more).", Arity = new ArgumentArity(2, 1000) };
        var baseline = new Option<string>("--baseline") { Description = "The baseline run id (default the first run)." };
        var alpha = new Option<double>("--alpha") { Description = "Significance level of the paired tests (default 0.05).", DefaultValueFactory = _ => 0.05 };
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json", "markdown", "html");
        var command = new Command("compare", "Compare runs: differing params, every metric with its interval and delta against the baseline, paired bootstrap tests on per-example tables, warnings.")
        {
            runs, trackingUri, baseline, alpha, format,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var level = parseResult.GetValue(alpha);
            if (level is <= 0 or >= 1)
            {
                await stderr.WriteLineAsync("llmtrack: error: --alpha must be between 0 and 1.").ConfigureAwait(false);
                return CliApp.UsageError;
            }

            try
            {
                using var tracker = RunsCli.Open(parseResult.GetValue(trackingUri), context);
                var comparison = await tracker.CompareRunsAsync(parseResult.GetValue(runs)!, parseResult.GetValue(baseline), new CompareOptions { Alpha = level }, cancellationToken).ConfigureAwait(false);
                ComparisonOutput.Write(stdout, parseResult.GetValue(format)!, comparison);
                return CliApp.Success;
            }
            catch (MlflowException e) when (e.ErrorCode is MlflowErrorCode.InvalidParameterValue or MlflowErrorCode.ResourceDoesNotExist)
            {
                await stderr.WriteLineAsync($"llmtrack: error: {e.Message}").ConfigureAwait(false);
                return CliApp.UsageError;
            }
            catch (Exception e) when (e is MlflowException or HttpRequestException or IOException or TimeoutException)
            {
                await stderr.WriteLineAsync($"llmtrack: error: could not compare the runs: {e.Message}").ConfigureAwait(false);
                return CliApp.Incomplete;
            }
        });
        return command;
    }
}
