using System.CommandLine;
using System.Globalization;
using LlmTrack.Cli.Common;

namespace LlmTrack.Cli.Runs;

/// <summary><c>llmtrack runs ls</c>: lists the runs of experiments with MLflow's filter and order_by, chosen columns, as a table, JSON or CSV.</summary>
internal static class RunsListCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext context)
    {
        var trackingUri = RunsCli.TrackingUriOption();
        var experiments = RunsCli.ExperimentOption();
        var filter = new Option<string>("--filter") { Description = "MLflow search filter, e.g. \"metrics.accuracy > 0.8 AND params.model = 'a'\"." };
        var orderBy = new Option<string[]>("--order-by") { Description = "Order keys, e.g. \"metrics.accuracy DESC\" (repeatable; default attributes.start_time DESC).", AllowMultipleArgumentsPerToken = true };
        var columns = new Option<string>("--columns") { Description = "Extra columns, comma-separated: metrics.KEY, params.KEY, tags.KEY." };
        var max = new Option<int>("--max") { Description = "At most this many runs (default 100).", DefaultValueFactory = _ => 100 };
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json", "csv");
        var command = new Command("ls", "List runs (MLflow filter and order_by) with chosen metric, param and tag columns.")
        {
            trackingUri, experiments, filter, orderBy, columns, max, format,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var extra = (parseResult.GetValue(columns) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var column in extra)
            {
                if (!(column.StartsWith("metrics.", StringComparison.Ordinal) || column.StartsWith("params.", StringComparison.Ordinal) || column.StartsWith("tags.", StringComparison.Ordinal)))
                {
                    await stderr.WriteLineAsync($"llmtrack: error: column '{column}' must be metrics.KEY, params.KEY or tags.KEY.").ConfigureAwait(false);
                    return CliApp.UsageError;
                }
            }

            var limit = parseResult.GetValue(max);
            if (limit < 1)
            {
                await stderr.WriteLineAsync("llmtrack: error: --max must be at least 1.").ConfigureAwait(false);
                return CliApp.UsageError;
            }

            try
            {
                using var tracker = RunsCli.Open(parseResult.GetValue(trackingUri), context);
                var ids = await RunsCli.ExperimentIdsAsync(tracker, parseResult.GetValue(experiments), cancellationToken).ConfigureAwait(false);
                var order = parseResult.GetValue(orderBy);
                var runs = new List<RunSnapshot>();
                await foreach (var run in tracker.SearchRunsAsync(ids, parseResult.GetValue(filter), ViewType.ActiveOnly, order is { Length: > 0 } ? order : null, Math.Min(limit, 1000), cancellationToken).ConfigureAwait(false))
                {
                    runs.Add(run);
                    if (runs.Count == limit)
                    {
                        break;
                    }
                }

                Write(stdout, parseResult.GetValue(format)!, runs, extra);
                return CliApp.Success;
            }
            catch (MlflowException e) when (e.ErrorCode is MlflowErrorCode.InvalidParameterValue or MlflowErrorCode.ResourceDoesNotExist)
            {
                await stderr.WriteLineAsync($"llmtrack: error: {e.Message}").ConfigureAwait(false);
                return CliApp.UsageError;
            }
            catch (Exception e) when (e is MlflowException or HttpRequestException or IOException or TimeoutException)
            {
                await stderr.WriteLineAsync($"llmtrack: error: could not list runs: {e.Message}").ConfigureAwait(false);
                return CliApp.Incomplete;
            }
        });
        return command;
    }

    private static void Write(TextWriter output, string format, List<RunSnapshot> runs, string[] extra)
    {
        string[] header = ["run_id", "run_name", "status", "start_time", .. extra];
        var rows = runs.Select(r => (IReadOnlyList<string>)[
            r.Info.RunId,
            r.Info.RunName ?? "",
            r.Info.Status.ToString().ToUpperInvariant(),
            DateTimeOffset.FromUnixTimeMilliseconds(r.Info.StartTime).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            .. extra.Select(c => Cell(r, c)),
        ]).ToList();
        switch (format)
        {
            case "json":
                JsonOutput.Write(output, w =>
                {
                    w.WriteStartArray();
                    foreach (var run in runs)
                    {
                        w.WriteStartObject();
                        w.WriteString("run_id", run.Info.RunId);
                        w.WriteString("run_name", run.Info.RunName);
                        w.WriteString("status", run.Info.Status.ToString().ToUpperInvariant());
                        w.WriteNumber("start_time", run.Info.StartTime);
                        foreach (var column in extra)
                        {
                            if (column.StartsWith("metrics.", StringComparison.Ordinal))
                            {
                                var metric = Metric(run, column);
                                if (metric is { } m)
                                {
                                    w.WriteNumberOrNull(column, m);
                                }
                                else
                                {
                                    w.WriteNull(column);
                                }
                            }
                            else
                            {
                                w.WriteString(column, Text(run, column));
                            }
                        }

                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                });
                break;
            case "csv":
                output.WriteLine(string.Join(',', header.Select(RunsCli.Csv)));
                foreach (var row in rows)
                {
                    output.WriteLine(string.Join(',', row.Select(RunsCli.Csv)));
                }

                break;
            default:
                RunsCli.WriteTable(output, header, rows);
                break;
        }
    }

    private static string Cell(RunSnapshot run, string column) =>
        column.StartsWith("metrics.", StringComparison.Ordinal) ? RunsCli.Number(Metric(run, column)) : Text(run, column) ?? "";

    private static double? Metric(RunSnapshot run, string column)
    {
        var key = column["metrics.".Length..];
        return run.Data.Metrics.Where(m => m.Key == key).Select(m => (double?)m.Value).LastOrDefault();
    }

    private static string? Text(RunSnapshot run, string column) => column.StartsWith("params.", StringComparison.Ordinal)
        ? run.Data.Params.Where(p => p.Key == column["params.".Length..]).Select(p => p.Value).LastOrDefault()
        : run.Data.Tags.Where(t => t.Key == column["tags.".Length..]).Select(t => t.Value).LastOrDefault();
}
