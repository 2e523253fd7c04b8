using System.CommandLine;

namespace LlmTrack.Cli;

/// <summary>Runs the <c>llmtrack</c> command line in-process.</summary>
internal static class CliApp
{
    /// <summary>Exit code of a successful run.</summary>
    public const int Success = 0;

    /// <summary>Exit code of bad input: a missing or unreadable file, mismatched line counts, bad JSON, invalid data.</summary>
    public const int InputError = 1;

    /// <summary>Exit code of a bad command line: unknown command or option, missing argument, unknown option value.</summary>
    public const int UsageError = 2;

    /// <summary>
    /// Exit code of <c>sync</c> when not everything was delivered: runs that failed to copy, journals left on disk (server
    /// not answering, no server recorded, held by a running process), an interrupted copy. Running the same command again
    /// resumes.
    /// </summary>
    public const int Incomplete = 3;

    /// <summary>Parses <paramref name="args"/>, runs the command and returns its exit code.</summary>
    /// <param name="args">The command-line arguments (without the program name).</param>
    /// <param name="stdout">Where results go.</param>
    /// <param name="stderr">Where errors and warnings go.</param>
    /// <param name="stdin">Where a hypothesis given as <c>-</c> (or no <c>-i</c>) is read from; null for <see cref="Console.In"/>.</param>
    /// <param name="environment">Reads environment variables (<c>MLFLOW_TRACKING_*</c>, <c>LLMTRACK_JOURNAL_DIR</c>); null for the process environment.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>0 on success, 1 on bad input, 2 on a bad command line, 3 when a sync left something undelivered.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, TextReader? stdin = null, Func<string, string?>? environment = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        RootCommand root = CliCommands.CreateRoot(new CliContext(stdin ?? Console.In, environment ?? Environment.GetEnvironmentVariable));
        ParseResult parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
            {
                await stderr.WriteLineAsync($"llmtrack: error: {error.Message}").ConfigureAwait(false);
            }

            string commandPath = string.Join(' ', EnumerateCommandPath(parseResult.CommandResult.Command, root));
            await stderr.WriteLineAsync($"Run '{commandPath} --help' for usage.").ConfigureAwait(false);
            return UsageError;
        }

        var configuration = new InvocationConfiguration { Output = stdout, Error = stderr };
        return await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    private static Stack<string> EnumerateCommandPath(Command command, RootCommand root)
    {
        var names = new Stack<string>();
        for (Command? current = command; current is not null; current = current.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Push(ReferenceEquals(current, root) ? "llmtrack" : current.Name);
        }

        return names;
    }
}
