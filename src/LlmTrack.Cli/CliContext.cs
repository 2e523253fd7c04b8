namespace LlmTrack.Cli;

/// <summary>What commands take from the process besides their arguments, so tests can run them in-process.</summary>
/// <param name="Stdin">Standard input.</param>
/// <param name="Environment">Reads an environment variable (tests pass their own instead of the process's).</param>
internal sealed record CliContext(TextReader Stdin, Func<string, string?> Environment);
