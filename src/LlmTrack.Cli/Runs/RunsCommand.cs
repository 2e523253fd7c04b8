using System.CommandLine;

namespace LlmTrack.Cli.Runs;

/// <summary>The <c>llmtrack runs</c> group: <c>ls</c> and <c>compare</c>.</summary>
internal static class RunsCommand
{
    /// <summary>Builds the group.</summary>
    public static Command Create(CliContext context) => new("runs", "Find and compare runs of any tracking store.")
    {
        RunsListCommand.Create(context),
        RunsCompareCommand.Create(context),
    };
}
