using System.CommandLine;
using System.Globalization;
using System.Text;

namespace LlmTrack.Cli.Reports;

/// <summary>
/// <c>llmtrack report --experiment X [--runs a,b,…] [--metrics …] -o report.html</c>: writes the self-contained HTML
/// report of an experiment's runs (the newest <c>--max-runs</c> when <c>--runs</c> is not given).
/// </summary>
internal static class ReportCommand
{
    /// <summary>Builds the <c>report</c> command.</summary>
    /// <param name="context">The environment to read.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliContext context)
    {
        var experiment = new Option<string>("--experiment", "-e") { Description = "The experiment whose runs are reported (by name).", Required = true };
        var runs = new Option<string>("--runs") { Description = "Comma-separated run ids to report, in order (default: the experiment's newest runs)." };
        var metrics = new Option<string>("--metrics") { Description = "Comma-separated metric keys to show (default: every metric, those with an interval first, at most 12)." };
        var scatter = new Option<string>("--scatter") { Description = "The scatter plot's metrics as X,Y (default the first two shown)." };
        var maxRuns = new Option<int>("--max-runs") { Description = "Without --runs: how many of the newest runs (default 20).", DefaultValueFactory = _ => 20 };
        var title = new Option<string>("--title") { Description = "The report's title (default \"<experiment> runs\")." };
        var trackingUri = new Option<string>("--tracking-uri") { Description = "The tracking store (default MLFLOW_TRACKING_URI, else sqlite:///mlflow.db)." };
        var output = new Option<string>("--output", "-o") { Description = "The HTML file to write.", Required = true };
        var command = new Command("report", "Write one self-contained HTML report comparing an experiment's runs: params that differ, metrics with intervals, bars, histories, confusion matrices, a scatter plot and the examples where the runs disagree most.")
        {
            experiment, runs, metrics, scatter, maxRuns, title, trackingUri, output,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            TextWriter stdout = parseResult.InvocationConfiguration.Output;
            TextWriter stderr = parseResult.InvocationConfiguration.Error;
            string name = parseResult.GetValue(experiment)!;
            string? scatterValue = parseResult.GetValue(scatter);
            string[]? scatterPair = scatterValue is null ? null : Split(scatterValue);
            if (scatterPair is { Length: not 2 })
            {
                await stderr.WriteLineAsync("llmtrack: error: --scatter takes two metrics, X,Y.").ConfigureAwait(false);
                return CliApp.UsageError;
            }

            var options = new LlmTrackOptions { TrackingUri = parseResult.GetValue(trackingUri) }.ApplyEnvironment(context.Environment);
            try
            {
                var tracker = new Tracker(options);
                await using var disposeTracker = tracker.ConfigureAwait(false);
                Experiment? found = await tracker.GetExperimentByNameAsync(name, cancellationToken).ConfigureAwait(false);
                if (found is null)
                {
                    await stderr.WriteLineAsync($"llmtrack: error: no experiment named '{name}'.").ConfigureAwait(false);
                    return CliApp.InputError;
                }

                IReadOnlyList<string> ids = parseResult.GetValue(runs) is { } list
                    ? Split(list)
                    : await NewestRunsAsync(tracker, found.ExperimentId, parseResult.GetValue(maxRuns), cancellationToken).ConfigureAwait(false);
                if (ids.Count == 0)
                {
                    await stderr.WriteLineAsync($"llmtrack: error: experiment '{name}' has no runs.").ConfigureAwait(false);
                    return CliApp.InputError;
                }

                var reportOptions = new RunReportOptions
                {
                    Title = parseResult.GetValue(title) ?? name + " runs",
                    Metrics = parseResult.GetValue(metrics) is { } m ? Split(m) : null,
                    ScatterX = scatterPair?[0],
                    ScatterY = scatterPair?[1],
                };
                string html = await RunReport.BuildAsync(tracker, ids, reportOptions, cancellationToken).ConfigureAwait(false);
                string file = parseResult.GetValue(output)!;
                await File.WriteAllTextAsync(file, html, new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Wrote the report of {ids.Count} runs to {file} ({html.Length / 1024} KiB).")).ConfigureAwait(false);
                return CliApp.Success;
            }
            catch (MlflowException e) when (e.ErrorCode is MlflowErrorCode.ResourceDoesNotExist or MlflowErrorCode.InvalidParameterValue)
            {
                await stderr.WriteLineAsync($"llmtrack: error: {e.Message}").ConfigureAwait(false);
                return CliApp.InputError;
            }
            catch (Exception e) when (e is MlflowException or IOException or HttpRequestException or UnauthorizedAccessException)
            {
                await stderr.WriteLineAsync($"llmtrack: error: the report could not be written: {e.Message}").ConfigureAwait(false);
                return CliApp.Incomplete;
            }
        });
        return command;
    }

    private static string[] Split(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static async Task<IReadOnlyList<string>> NewestRunsAsync(Tracker tracker, string experimentId, int max, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        await foreach (RunSnapshot run in tracker.SearchRunsAsync([experimentId], orderBy: ["attributes.start_time DESC"], pageSize: Math.Clamp(max, 1, 1000), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            ids.Add(run.Info.RunId);
            if (ids.Count >= max)
            {
                break;
            }
        }

        // Oldest first reads like a timeline.
        ids.Reverse();
        return ids;
    }
}
