using System.CommandLine;
using LlmTrack.Cli.Gate;
using LlmTrack.Cli.Runs;
using LlmTrack.Cli.Reports;
using LlmTrack.Cli.Models;
using LlmTrack.Cli.Prompts;
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
        RunsCommand.Create(context),
        GateCommand.Create(context),
        ReportCommand.Create(context),
        ModelsCommand.Create(context),
        PromptsCommand.Create(context),
        TracesCommand.Create(context),
    };
}
