using System.CommandLine;

namespace LlmTrack.Cli.Traces;

/// <summary>
/// <c>llmtrack traces ls|show</c>: list the traces of an experiment or run, and show one trace as a span tree with
/// types, durations, token usage and assessments (or as JSON). The tracking server is <c>--tracking-uri</c> or
/// <c>MLFLOW_TRACKING_URI</c>.
/// </summary>
internal static class TracesCommand
{
    /// <summary>Builds the <c>traces</c> command group.</summary>
    /// <param name="context">The environment to read.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliContext context) => new("traces", "List and show MLflow traces (MLflow 3 tracking servers).")
    {
        CreateList(context),
        CreateShow(context),
    };

    private static Option<string> TrackingUriOption() => new("--tracking-uri") { Description = "The tracking server (default MLFLOW_TRACKING_URI)." };

    private static Command CreateList(CliContext context)
    {
        var trackingUri = TrackingUriOption();
        var experiment = new Option<string>("--experiment") { Description = "Experiment name or id (default: the run's experiment, else the Default experiment \"0\")." };
        var run = new Option<string>("--run") { Description = "Only traces made in, or linked to, this run." };
        var filter = new Option<string>("--filter") { Description = "MLflow trace filter, e.g. \"trace.status = 'OK'\" or \"span.type = 'CHAT_MODEL'\"." };
        var max = new Option<int>("--max") { Description = "At most this many traces (newest first).", DefaultValueFactory = _ => 25 };
        var format = new Option<string>("--format") { Description = "table or json.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var command = new Command("ls", "List traces, newest first.") { trackingUri, experiment, run, filter, max, format };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            TextWriter stdout = parseResult.InvocationConfiguration.Output;
            TextWriter stderr = parseResult.InvocationConfiguration.Error;
            if (parseResult.GetValue(max) <= 0)
            {
                await stderr.WriteLineAsync("llmtrack: error: --max must be positive.").ConfigureAwait(false);
                return CliApp.InputError;
            }

            return await RunAsync(parseResult.GetValue(trackingUri), context, stderr, async tracker =>
            {
                var runId = parseResult.GetValue(run);
                var experimentId = await ResolveExperimentAsync(tracker, parseResult.GetValue(experiment), runId, cancellationToken).ConfigureAwait(false);
                var traces = new List<TraceInfo>();
                var limit = parseResult.GetValue(max);
                await foreach (var trace in tracker.Traces.SearchAsync([experimentId], parseResult.GetValue(filter), runId, ["timestamp_ms DESC"], Math.Min(limit, 500), cancellationToken).ConfigureAwait(false))
                {
                    traces.Add(trace);
                    if (traces.Count >= limit)
                    {
                        break;
                    }
                }

                if (parseResult.GetValue(format) == "json")
                {
                    TraceOutput.WriteInfosJson(stdout, traces);
                }
                else
                {
                    TraceOutput.WriteTable(stdout, traces);
                }
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static Command CreateShow(CliContext context)
    {
        var trackingUri = TrackingUriOption();
        var traceId = new Argument<string>("TRACE_ID") { Description = "The trace id (tr-…)." };
        var format = new Option<string>("--format") { Description = "tree or json.", DefaultValueFactory = _ => "tree" };
        format.AcceptOnlyFromAmong("tree", "json");
        var command = new Command("show", "Show one trace: its span tree with types, durations and token usage, and its assessments.") { traceId, trackingUri, format };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            TextWriter stdout = parseResult.InvocationConfiguration.Output;
            TextWriter stderr = parseResult.InvocationConfiguration.Error;
            return await RunAsync(parseResult.GetValue(trackingUri), context, stderr, async tracker =>
            {
                var trace = await tracker.Traces.GetAsync(parseResult.GetValue(traceId)!, cancellationToken).ConfigureAwait(false);
                if (parseResult.GetValue(format) == "json")
                {
                    TraceOutput.WriteTraceJson(stdout, trace);
                }
                else
                {
                    TraceOutput.WriteTree(stdout, trace);
                }
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<string> ResolveExperimentAsync(Tracker tracker, string? experiment, string? runId, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(experiment))
        {
            var byName = await tracker.GetExperimentByNameAsync(experiment, cancellationToken).ConfigureAwait(false);
            return byName?.ExperimentId ?? experiment;
        }

        if (!string.IsNullOrWhiteSpace(runId))
        {
            return (await tracker.GetRunAsync(runId, cancellationToken).ConfigureAwait(false)).Info.ExperimentId;
        }

        return "0";
    }

    private static async Task<int> RunAsync(string? trackingUri, CliContext context, TextWriter stderr, Func<Tracker, Task> body)
    {
        var options = new LlmTrackOptions { TrackingUri = string.IsNullOrWhiteSpace(trackingUri) ? null : trackingUri }.ApplyEnvironment(context.Environment);
        try
        {
            var tracker = new Tracker(options);
            await using (tracker.ConfigureAwait(false))
            {
                await body(tracker).ConfigureAwait(false);
            }

            return CliApp.Success;
        }
        catch (MlflowException e)
        {
            await stderr.WriteLineAsync($"llmtrack: error: {e.ErrorCode}: {e.Message}").ConfigureAwait(false);
            return CliApp.InputError;
        }
        catch (ArgumentException e)
        {
            await stderr.WriteLineAsync($"llmtrack: error: {e.Message}").ConfigureAwait(false);
            return CliApp.InputError;
        }
    }
}
