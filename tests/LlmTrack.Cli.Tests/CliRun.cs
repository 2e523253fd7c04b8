using System.Globalization;

namespace LlmTrack.Cli.Tests;

/// <summary>Runs the CLI in-process and captures its output.</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public static Task<CliRun> RunAsync(params string[] args) => RunWithStdinAsync("", args);

    public static Task<CliRun> RunWithStdinAsync(string stdin, params string[] args) => RunCoreAsync(stdin, null, args);

    /// <summary>Runs with exactly these environment variables (the process's are not seen).</summary>
    public static Task<CliRun> RunWithEnvironmentAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunCoreAsync("", name => environment.TryGetValue(name, out var value) ? value : null, args);

    private static async Task<CliRun> RunCoreAsync(string stdin, Func<string, string?>? environment, string[] args)
    {
        var stdout = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var stderr = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        int exit = await CliApp.RunAsync(args, stdout, stderr, new StringReader(stdin), environment);
        return new CliRun(exit, stdout.ToString(), stderr.ToString());
    }

    public static string Flores(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "flores", name);

    public static string Data(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);
}
