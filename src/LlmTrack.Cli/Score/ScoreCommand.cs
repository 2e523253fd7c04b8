using System.CommandLine;

namespace LlmTrack.Cli.Score;

/// <summary>The <c>llmtrack score</c> command group: one subcommand per metric.</summary>
internal static class ScoreCommand
{
    /// <summary>Builds <c>score</c> with bleu, chrf, ter, rouge, squad, classification and perplexity.</summary>
    /// <returns>The command.</returns>
    public static Command Create() => new("score", "Score files with an evaluation metric (sacreBLEU-compatible BLEU, chrF and TER; ROUGE; SQuAD; classification; perplexity).")
    {
        SacreBleuCommands.CreateBleu(),
        SacreBleuCommands.CreateChrf(),
        SacreBleuCommands.CreateTer(),
        RougeCommand.Create(),
        SquadCommand.Create(),
        ClassificationCommand.Create(),
        PerplexityCommand.Create(),
    };
}
