namespace LlmTrack.Cli.Common;

/// <summary>Bad input found while running a command (missing file, mismatched lines, bad JSON); exit code 1.</summary>
internal sealed class CliInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message shown to the user after <c>llmtrack: error:</c>.</param>
    public CliInputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">The message shown to the user.</param>
    /// <param name="innerException">The cause.</param>
    public CliInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public CliInputException()
        : base("Invalid input.")
    {
    }
}
