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
    public static void Validate(ArgumentResult result) => Check(result.Tokens, result.AddError);

    /// <summary>Validates the file values of an option that takes several (<c>-i SYS1 SYS2</c>).</summary>
    /// <param name="result">The option result.</param>
    public static void Validate(OptionResult result) => Check(result.Tokens, result.AddError);

    /// <summary>Reports every value that looks like an option and is not a file.</summary>
    /// <param name="values">File values.</param>
    /// <param name="addError">Adds a parse error.</param>
    public static void Check(IEnumerable<string> values, Action<string> addError)
    {
        foreach (string value in values)
        {
            if (value.Length > 1 && value[0] == '-' && !File.Exists(value))
            {
                addError($"unrecognized option '{value}'.");
            }
        }
    }

    private static void Check(IReadOnlyList<Token> tokens, Action<string> addError) =>
        Check(tokens.Select(t => t.Value), addError);
}
