using System.CommandLine;
using System.Globalization;

namespace LlmTrack.Cli.Sync;

/// <summary>
/// <c>llmtrack sync</c>: delivers the durable journals left on this machine for the tracking server
/// (<c>--tracking-uri</c> or <c>MLFLOW_TRACKING_URI</c>; without either, for every server under the journal root);
/// <c>llmtrack sync --from URI --to URI</c> copies one tracking store into another (e.g. the local
/// <c>sqlite:///mlflow.db</c> to a server) directly, idempotently — a second run creates nothing twice and resumes a
/// copy that failed.
/// </summary>
internal static class SyncCommand
{
    /// <summary>Builds the <c>sync</c> command.</summary>
    /// <param name="context">The environment to read.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliContext context)
    {
        var from = new Option<string>("--from") { Description = "Source tracking URI, e.g. sqlite:///mlflow.db (with --to: copy a store)." };
        var to = new Option<string>("--to") { Description = "Target tracking URI, e.g. http://127.0.0.1:5000 (credentials from MLFLOW_TRACKING_* variables)." };
        var trackingUri = new Option<string>("--tracking-uri") { Description = "Without --from/--to: the server whose pending journals to deliver (default MLFLOW_TRACKING_URI; without either: every server under the journal root)." };
        var experiments = new Option<string[]>("--experiment") { Description = "Copy only these experiments (by name; repeatable).", AllowMultipleArgumentsPerToken = true };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress bar." };
        var command = new Command("sync", "Deliver pending durable journals to the tracking server, or (with --from and --to) copy runs from one tracking store to another (params, tags, full metric histories, data sets, artifacts, status and times), idempotently.")
        {
            from, to, trackingUri, JournalCommands.JournalDirectoryOption, experiments, quiet,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(from) is null) != (result.GetValue(to) is null))
            {
                result.AddError("--from and --to go together.");
            }
        });
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            TextWriter stdout = parseResult.InvocationConfiguration.Output;
            TextWriter stderr = parseResult.InvocationConfiguration.Error;
            if (parseResult.GetValue(from) is null)
            {
                return await JournalCommands.SyncJournalsAsync(parseResult.GetValue(trackingUri), parseResult.GetValue(JournalCommands.JournalDirectoryOption), parseResult.GetValue(quiet), context, stdout, stderr, cancellationToken).ConfigureAwait(false);
            }

            var targetOptions = new LlmTrackOptions { TrackingUri = parseResult.GetValue(to) }.ApplyEnvironment(context.Environment);
            var names = parseResult.GetValue(experiments);
            var syncOptions = new SyncOptions { ExperimentNames = names is { Length: > 0 } ? names : null };
            var progress = parseResult.GetValue(quiet) ? null : new ProgressBar(stderr);
            try
            {
                var report = await TrackingStoreCopy.CopyAsync(parseResult.GetValue(from)!, targetOptions, syncOptions, progress, cancellationToken).ConfigureAwait(false);
                progress?.Complete();
                WriteReport(report, stdout, stderr);
                if (!report.Succeeded)
                {
                    await stderr.WriteLineAsync(ResumeHint).ConfigureAwait(false);
                }

                return report.Succeeded ? CliApp.Success : CliApp.Incomplete;
            }
            catch (MlflowException e) when (e.ErrorCode is MlflowErrorCode.InvalidParameterValue or MlflowErrorCode.ResourceDoesNotExist)
            {
                // A bad URI or experiment name: nothing was copied.
                progress?.Complete();
                await stderr.WriteLineAsync($"llmtrack: error: {e.Message}").ConfigureAwait(false);
                return CliApp.InputError;
            }
            catch (OperationCanceledException)
            {
                progress?.Complete();
                await stderr.WriteLineAsync("llmtrack: error: the copy was interrupted.").ConfigureAwait(false);
                await stderr.WriteLineAsync(ResumeHint).ConfigureAwait(false);
                return CliApp.Incomplete;
            }
            catch (Exception e) when (e is MlflowException or IOException or HttpRequestException or InvalidOperationException or UnauthorizedAccessException)
            {
                // The copy stopped before it could report per run (e.g. the source could not be listed).
                progress?.Complete();
                await stderr.WriteLineAsync($"llmtrack: error: the copy stopped: {e.Message}").ConfigureAwait(false);
                await stderr.WriteLineAsync(ResumeHint).ConfigureAwait(false);
                return CliApp.Incomplete;
            }
        });
        return command;
    }

    private static void WriteReport(SyncReport report, TextWriter stdout, TextWriter stderr)
    {
        var c = CultureInfo.InvariantCulture;
        stdout.WriteLine(string.Create(c, $"Synced {report.RunsTotal} runs from {report.SourceStoreId}: {report.RunsCreated} created, {report.RunsUpdated} updated, {report.RunsUnchanged} unchanged, {report.RunsSkipped} skipped, {report.Failures.Count} failed."));
        stdout.WriteLine(string.Create(c, $"  {report.ExperimentsCreated} experiments created; {report.MetricPointsSent} metric points sent ({report.MetricPointsSkipped} already there); {report.ParamsSent} params, {report.TagsSent} tags, {report.DatasetInputsSent} data set inputs; {report.ArtifactsUploaded} artifacts uploaded ({report.ArtifactBytes} bytes, {report.ArtifactsSkipped} already there)."));
        foreach (var conflict in report.Conflicts)
        {
            stderr.WriteLine($"llmtrack: conflict: run {conflict.SourceRunId} → {conflict.TargetRunId}: {conflict.Kind} '{conflict.Key}' is '{conflict.TargetValue}' on the target, '{conflict.SourceValue}' in the source (target kept).");
        }

        foreach (var note in report.Notes)
        {
            stderr.WriteLine($"llmtrack: note: run {note.SourceRunId}: {note.Message}");
        }

        foreach (var failure in report.Failures)
        {
            var points = failure.MetricPointsMissing is { } missing ? missing.ToString(c) : "an unknown number of";
            var copy = failure.TargetRunId is null ? "no copy on the target yet" : $"its copy {failure.TargetRunId} stays incomplete (status and end time not set)";
            stderr.WriteLine(string.Create(c,
                $"llmtrack: error: run {failure.SourceRunId} (experiment '{failure.ExperimentName}') was not copied completely: {failure.Error}"));
            stderr.WriteLine(string.Create(c,
                $"llmtrack:   missing on the target: {points} metric points, {failure.ParamsMissing} params, {failure.TagsMissing} tags; {copy}."));
        }
    }

    private const string ResumeHint =
        "llmtrack: the copy is incomplete; run the same command again to resume it (it is idempotent: what the target has is not sent or created twice).";

    /// <summary>A one-line text progress bar on standard error.</summary>
    private sealed class ProgressBar(TextWriter writer) : IProgress<SyncProgress>
    {
        private const int Width = 30;
        private readonly object _gate = new();
        private bool _drawn;

        public void Report(SyncProgress value)
        {
            lock (_gate)
            {
                var fraction = value.RunsTotal == 0 ? 1.0 : (double)value.RunsDone / value.RunsTotal;
                var filled = (int)Math.Round(fraction * Width);
                writer.Write(string.Create(CultureInfo.InvariantCulture,
                    $"\r[{new string('#', filled)}{new string('.', Width - filled)}] {value.RunsDone}/{value.RunsTotal} runs, {value.MetricPointsSent} points, {value.ArtifactBytes / 1024} KiB "));
                _drawn = true;
            }
        }

        public void Complete()
        {
            lock (_gate)
            {
                if (_drawn)
                {
                    writer.WriteLine();
                    _drawn = false;
                }
            }
        }
    }
}
