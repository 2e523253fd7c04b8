using System.CommandLine;
using System.Globalization;

namespace LlmTrack.Cli.Sync;

/// <summary>
/// <c>llmtrack sync</c> (without <c>--from</c>/<c>--to</c>) and <c>llmtrack status</c>: deliver and show the durable
/// journals this machine keeps, for one tracking server (<c>--tracking-uri</c> or <c>MLFLOW_TRACKING_URI</c>) or, without
/// one, for every server folder under the journal root (each delivered to the server its <c>server.json</c> records).
/// </summary>
internal static class JournalCommands
{
    private const string JournalDirEnvironmentVariable = "LLMTRACK_JOURNAL_DIR";

    /// <summary><c>--journal-dir</c>: where the journals are (default <c>LLMTRACK_JOURNAL_DIR</c>, else the per-user data folder).</summary>
    public static Option<string> JournalDirectoryOption { get; } = new("--journal-dir") { Description = "The journal root (default LLMTRACK_JOURNAL_DIR, else the per-user data folder)." };

    /// <summary>Builds <c>status</c>.</summary>
    /// <param name="context">The environment to read.</param>
    /// <returns>The command.</returns>
    public static Command CreateStatus(CliContext context)
    {
        var trackingUri = new Option<string>("--tracking-uri") { Description = "The tracking server (default MLFLOW_TRACKING_URI; without either: every server under the journal root)." };
        var command = new Command("status", "Show what waits in the durable journals: pending items, runs waiting for the server, dead letters (of one tracking server, or of every server under the journal root).")
        {
            trackingUri, JournalDirectoryOption,
        };
        command.SetAction(parseResult =>
        {
            TextWriter stdout = parseResult.InvocationConfiguration.Output;
            TextWriter stderr = parseResult.InvocationConfiguration.Error;
            try
            {
                var options = Options(parseResult.GetValue(trackingUri), parseResult.GetValue(JournalDirectoryOption), context);
                var statuses = PendingJournals.GetStatus(options);
                if (options.TrackingUri is null)
                {
                    var root = PendingJournals.GetJournalRoot(options);
                    stdout.WriteLine($"Journal root: {root}");
                    if (statuses.Count == 0)
                    {
                        stdout.WriteLine("No journals of any tracking server.");
                    }
                }

                foreach (var status in statuses)
                {
                    WriteStatus(status, stdout);
                }

                return CliApp.Success;
            }
            catch (MlflowException e)
            {
                stderr.WriteLine($"llmtrack: error: {e.Message}");
                return CliApp.InputError;
            }
        });
        return command;
    }

    /// <summary>Delivers every pending journal of the tracking server, or of every server under the journal root.</summary>
    /// <returns>0 when nothing remains, 3 when journals stay on disk, 1 when the URI is not remote or the root cannot be read.</returns>
    public static async Task<int> SyncJournalsAsync(string? trackingUri, string? journalDirectory, bool quiet, CliContext context, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        try
        {
            var options = Options(trackingUri, journalDirectory, context);
            var progress = quiet ? null : new SyncProgressWriter(stderr);
            var result = await PendingJournals.DeliverAsync(options, progress, cancellationToken: cancellationToken).ConfigureAwait(false);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Delivered {result.Delivered} run journals; {result.Remaining} remain on disk; {result.DeadLetters} items refused by the server (dead letters)."));
            foreach (var server in result.Servers.Where(s => s.Remaining > 0))
            {
                var name = server.TrackingUri ?? "unknown tracking server";
                await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"llmtrack: {name} ({server.Root}): {server.Remaining} run journals left on disk: {server.Error}")).ConfigureAwait(false);
            }

            if (result.Remaining > 0)
            {
                await stderr.WriteLineAsync("llmtrack: some journals could not be delivered now (server not answering, no server recorded, or a running process holds them); run `llmtrack sync` again later, or see `llmtrack status`.").ConfigureAwait(false);
            }

            return result.Remaining == 0 ? CliApp.Success : CliApp.Incomplete;
        }
        catch (MlflowException e)
        {
            await stderr.WriteLineAsync($"llmtrack: error: {e.Message}").ConfigureAwait(false);
            return CliApp.InputError;
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync("llmtrack: interrupted; what was not delivered stays on disk: run `llmtrack sync` again.").ConfigureAwait(false);
            return CliApp.Incomplete;
        }
    }

    private static LlmTrackOptions Options(string? trackingUri, string? journalDirectory, CliContext context)
    {
        var options = new LlmTrackOptions { TrackingUri = string.IsNullOrWhiteSpace(trackingUri) ? null : trackingUri }.ApplyEnvironment(context.Environment);
        var root = journalDirectory ?? context.Environment(JournalDirEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(root))
        {
            options.Durability.JournalDirectory = root;
        }

        return options;
    }

    private static void WriteStatus(JournalStatus status, TextWriter stdout)
    {
        var c = CultureInfo.InvariantCulture;
        stdout.WriteLine($"Tracking server: {status.TrackingUri ?? "unknown (the folder has no server.json: made by an older version)"}");
        stdout.WriteLine($"Journal folder:  {status.Root}");
        if (status.TrackingUri is null)
        {
            stdout.WriteLine("  deliver these journals with `llmtrack sync --tracking-uri <uri>` (the server they were logged to).");
        }

        stdout.WriteLine(string.Create(c, $"{status.Runs.Count} run journals, {status.PendingRecords} records pending, {status.RunsWaitingForServer} runs waiting for the server, {status.DeadLetters} dead letters."));
        foreach (var run in status.Runs)
        {
            var state = run.InUse ? "in use by a running process" : run.Abandoned ? "abandoned (will end FAILED)" : run.Ended ? "ended" : "open";
            var lastActivity = DateTimeOffset.FromUnixTimeMilliseconds(run.LastActivity).ToString("u", c);
            stdout.WriteLine(string.Create(c,
                $"  {run.LocalRunId} → {run.ServerRunId ?? "(not on the server yet)"}: {state}, {run.PendingRecords} records / {run.PendingBytes} bytes pending, {run.DeadLetters} dead letters, last activity {lastActivity}"));
            if (run.PendingArtifacts > 0)
            {
                stdout.WriteLine(string.Create(c, $"    spooled artifacts pending: {run.PendingArtifacts} ({run.PendingArtifactBytes} bytes) in {Path.Combine(run.Folder, "artifacts")}"));
            }

            if (run.DeadLetters > 0)
            {
                stdout.WriteLine($"    dead letters: {Path.Combine(run.Folder, "dead-letters.jsonl")}");
            }
        }
    }

    private sealed class SyncProgressWriter(TextWriter writer) : IProgress<JournalSyncProgress>
    {
        public void Report(JournalSyncProgress value) =>
            writer.WriteLine(value.Delivered
                ? $"delivered {value.LocalRunId} → {value.ServerRunId} ({value.TrackingUri})"
                : $"left on disk {value.LocalRunId} ({value.TrackingUri}): {value.Error}");
    }
}
