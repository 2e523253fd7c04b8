using System.CommandLine;
using System.Globalization;
using LlmTrack.Durable;

namespace LlmTrack.Cli.Sync;

/// <summary>
/// <c>llmtrack sync</c> (without <c>--from</c>/<c>--to</c>) and <c>llmtrack status</c>: deliver and show the durable
/// journals this machine keeps for a tracking server.
/// </summary>
internal static class JournalCommands
{
    /// <summary>Builds <c>status</c>.</summary>
    /// <returns>The command.</returns>
    public static Command CreateStatus()
    {
        var trackingUri = new Option<string>("--tracking-uri") { Description = "The tracking server (default MLFLOW_TRACKING_URI)." };
        var command = new Command("status", "Show what waits in the durable journals for the tracking server: pending items, runs waiting for the server, dead letters.")
        {
            trackingUri, JournalDirectoryOption,
        };
        command.SetAction(parseResult =>
        {
            TextWriter stdout = parseResult.InvocationConfiguration.Output;
            TextWriter stderr = parseResult.InvocationConfiguration.Error;
            try
            {
                var status = JournalSync.GetStatus(Options(parseResult.GetValue(trackingUri), parseResult.GetValue(JournalDirectoryOption)));
                WriteStatus(status, stdout);
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

    /// <summary>Delivers every pending journal of the tracking server.</summary>
    /// <returns>0 when nothing remains, 1 when journals stay on disk or the URI is not remote.</returns>
    public static async Task<int> SyncJournalsAsync(string? trackingUri, string? journalDirectory, bool quiet, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        try
        {
            var options = Options(trackingUri, journalDirectory);
            var progress = quiet ? null : new SyncProgressWriter(stderr);
            var result = await JournalSync.SyncAllAsync(options, progress, cancellationToken: cancellationToken).ConfigureAwait(false);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Delivered {result.Delivered} run journals; {result.Remaining} remain on disk; {result.DeadLetters} items refused by the server (dead letters)."));
            if (result.Remaining > 0)
            {
                stderr.WriteLine("llmtrack: some journals could not be delivered now (server unreachable, or a running process holds them); run `llmtrack sync` again later, or see `llmtrack status`.");
            }

            return result.Remaining == 0 ? CliApp.Success : CliApp.InputError;
        }
        catch (MlflowException e)
        {
            await stderr.WriteLineAsync($"llmtrack: error: {e.Message}").ConfigureAwait(false);
            return CliApp.InputError;
        }
    }

    /// <summary><c>--journal-dir</c>: where the journals are (default <c>LLMTRACK_JOURNAL_DIR</c>, else the per-user data folder).</summary>
    public static Option<string> JournalDirectoryOption { get; } = new("--journal-dir") { Description = "The journal folder (default LLMTRACK_JOURNAL_DIR, else the per-user data folder)." };

    private static LlmTrackOptions Options(string? trackingUri, string? journalDirectory)
    {
        var options = new LlmTrackOptions { TrackingUri = trackingUri }.ApplyEnvironment();
        if (journalDirectory is not null)
        {
            options.Durability.JournalDirectory = journalDirectory;
        }

        return options;
    }

    private static void WriteStatus(JournalStatus status, TextWriter stdout)
    {
        var c = CultureInfo.InvariantCulture;
        stdout.WriteLine($"Tracking server: {status.TrackingUri}");
        stdout.WriteLine($"Journal folder:  {status.Root}");
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
                ? $"delivered {value.LocalRunId} → {value.ServerRunId}"
                : $"left on disk {value.LocalRunId}: {value.Error}");
    }
}
