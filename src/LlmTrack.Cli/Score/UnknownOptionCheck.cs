using System.CommandLine.Parsing;

namespace LlmTrack.Cli.Score;

/// <summary>
/// Reports a misspelled option (<c>--lowercse</c>) that the parser passed on as a file argument, as a usage error
/// instead of a "file not found".
/// </summary>
internal static class UnknownOptionCheck
{
    /// <summary>Validates the file arguments.</summary>
    /// <param name="result">The argument result.</param>
    public static void Validate(ArgumentResult result)
    {
        foreach (var token in result.Tokens)
        {
            string value = token.Value;
            if (value.Length > 1 && value[0] == '-' && !File.Exists(value))
            {
                result.AddError($"unrecognized option '{value}'.");
            }
        }
    }
}
