using System.CommandLine;

namespace LlmTrack.Cli.Score;

/// <summary>The <c>llmtrack score</c> command group: one subcommand per metric.</summary>
internal static class ScoreCommand
{
    /// <summary>Builds <c>score</c> with bleu, chrf, ter, rouge, squad, classification and perplexity.</summary>
    /// <param name="context">Standard input for hypotheses piped in.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliContext context) => new("score", "Score files with an evaluation metric (sacreBLEU-compatible BLEU, chrF and TER; ROUGE; SQuAD; classification; perplexity).")
    {
        SacreBleuCommands.CreateBleu(context),
        SacreBleuCommands.CreateChrf(context),
        SacreBleuCommands.CreateTer(context),
        RougeCommand.Create(),
        SquadCommand.Create(),
        ClassificationCommand.Create(),
        PerplexityCommand.Create(),
    };
}
