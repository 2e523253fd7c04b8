using System.CommandLine;

namespace LlmTrack.Cli.Common;

/// <summary>Runs a command body and turns bad input into a message on stderr and exit code 1.</summary>
internal static class CommandRunner
{
    /// <summary>Sets <paramref name="body"/> as the action of <paramref name="command"/>.</summary>
    /// <param name="command">The command.</param>
    /// <param name="body">Computes and writes the result; returns the exit code.</param>
    public static void SetAction(Command command, Func<ParseResult, TextWriter, TextWriter, int> body)
    {
        command.SetAction(parseResult =>
        {
            TextWriter stdout = parseResult.InvocationConfiguration.Output;
            TextWriter stderr = parseResult.InvocationConfiguration.Error;
            try
            {
                return body(parseResult, stdout, stderr);
            }
            catch (CliInputException e)
            {
                stderr.WriteLine($"llmtrack: error: {e.Message}");
                return CliApp.InputError;
            }
            catch (ArgumentException e)
            {
                // The metrics library validates its input with ArgumentException (e.g. a label set that does not fit
                // the chosen average); the message names the rule.
                string suffix = $" (Parameter '{e.ParamName}')";
                string message = e.ParamName is not null && e.Message.EndsWith(suffix, StringComparison.Ordinal) ? e.Message[..^suffix.Length] : e.Message;
                stderr.WriteLine($"llmtrack: error: {message}");
                return CliApp.InputError;
            }
        });
    }
}
