using System.CommandLine;
using System.Globalization;

namespace LlmTrack.Cli.Runs;

/// <summary>What <c>runs ls</c>, <c>runs compare</c> and <c>gate</c> share: the tracking URI option, opening a tracker, finding experiments.</summary>
internal static class RunsCli
{
    /// <summary>Builds the <c>--tracking-uri</c> option.</summary>
    public static Option<string> TrackingUriOption() => new("--tracking-uri") { Description = "Tracking store, e.g. http://127.0.0.1:5000 or sqlite:///mlflow.db (default MLFLOW_TRACKING_URI, else sqlite:///mlflow.db)." };

    /// <summary>Builds the <c>--experiment</c> option.</summary>
    public static Option<string[]> ExperimentOption() => new("--experiment", "-e") { Description = "Experiment name or id (repeatable; default MLFLOW_EXPERIMENT_NAME/ID, else Default).", AllowMultipleArgumentsPerToken = true };

    /// <summary>Opens a tracker on the URI (or the environment's).</summary>
    public static Tracker Open(string? trackingUri, CliContext context) =>
        new(new LlmTrackOptions { TrackingUri = trackingUri }.ApplyEnvironment(context.Environment));

    /// <summary>The ids of the experiments named (by name first, then as an id), or the default experiment's.</summary>
    public static async Task<List<string>> ExperimentIdsAsync(Tracker tracker, string[]? experiments, CancellationToken cancellationToken)
    {
        var names = experiments is { Length: > 0 } ? experiments : [tracker.Options.ExperimentId ?? tracker.Options.ExperimentName ?? "Default"];
        var ids = new List<string>();
        foreach (var name in names)
        {
            if (await tracker.GetExperimentByNameAsync(name, cancellationToken).ConfigureAwait(false) is { } experiment)
            {
                ids.Add(experiment.ExperimentId);
            }
            else if (long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                ids.Add(name);
            }
            else
            {
                throw new MlflowException(MlflowErrorCode.ResourceDoesNotExist, $"No experiment named '{name}'.");
            }
        }

        return ids;
    }

    /// <summary>A number as the CLI shows it: up to 6 significant digits, invariant culture.</summary>
    public static string Number(double? value) => value is { } v ? v.ToString("G6", CultureInfo.InvariantCulture) : "";

    /// <summary>Writes rows as a left-aligned text table with a header.</summary>
    public static void WriteTable(TextWriter output, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>> { header };
        all.AddRange(rows);
        var widths = header.Select((_, i) => all.Max(r => i < r.Count ? r[i].Length : 0)).ToArray();
        foreach (var row in all)
        {
            output.WriteLine(string.Join("  ", row.Select((cell, i) => i == row.Count - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
        }
    }

    /// <summary>A CSV field, quoted when it holds a comma, quote or line break.</summary>
    public static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
