using System.CommandLine;
using LlmTrack.Cli.Score;
using LlmTrack.Cli.Sync;
using LlmTrack.Cli.Traces;

namespace LlmTrack.Cli;

/// <summary>The root command and its command groups; add a new group here.</summary>
internal static class CliCommands
{
    /// <summary>Builds the <c>llmtrack</c> root command with every command group.</summary>
    /// <param name="context">What the commands need from the process (standard input).</param>
    /// <returns>The root command.</returns>
    public static RootCommand CreateRoot(CliContext context) => new("llmtrack: track and evaluate language models.")
    {
        ScoreCommand.Create(context),
        SyncCommand.Create(context),
        JournalCommands.CreateStatus(context),
        TracesCommand.Create(context),
    };
}
