namespace LlmTrack.Cli;

/// <summary>What commands take from the process besides their arguments, so tests can run them in-process.</summary>
/// <param name="Stdin">Standard input.</param>
internal sealed record CliContext(TextReader Stdin);
