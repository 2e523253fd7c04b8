using System.CommandLine;
using System.Globalization;
using LlmTrack.Cli.Common;

namespace LlmTrack.Cli.Models;

/// <summary>What the <c>models</c> and <c>prompts</c> commands share: <c>--tracking-uri</c>, <c>--format table|json</c>, the tracker, errors, tables.</summary>
internal static class RegistryCli
{
    /// <summary>Creates <c>--tracking-uri</c> (default <c>MLFLOW_TRACKING_URI</c>, else <c>sqlite:///mlflow.db</c>).</summary>
    public static Option<string> TrackingUriOption() => new("--tracking-uri") { Description = "The tracking server or sqlite:///file.db (default MLFLOW_TRACKING_URI, else sqlite:///mlflow.db)." };

    /// <summary>Creates <c>--format table|json</c> (default table).</summary>
    public static Option<string> FormatOption()
    {
        var option = new Option<string>("--format", "-f") { Description = "Output format: table or json.", DefaultValueFactory = _ => "table" };
        option.AcceptOnlyFromAmong("table", "json");
        return option;
    }

    /// <summary>Sets an async action that opens a tracker and maps MLflow errors to exit code 1.</summary>
    public static void SetAction(Command command, Option<string> trackingUri, CliContext context, Func<ParseResult, Tracker, TextWriter, CancellationToken, Task<int>> body)
    {
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            TextWriter stdout = parseResult.InvocationConfiguration.Output;
            TextWriter stderr = parseResult.InvocationConfiguration.Error;
            try
            {
                var uri = parseResult.GetValue(trackingUri);
                var options = new LlmTrackOptions { TrackingUri = string.IsNullOrWhiteSpace(uri) ? null : uri }.ApplyEnvironment(context.Environment);
                var tracker = new Tracker(options);
                await using (tracker.ConfigureAwait(false))
                {
                    return await body(parseResult, tracker, stdout, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (MlflowException e)
            {
                await stderr.WriteLineAsync($"llmtrack: error: {e.ErrorCode}: {e.Message}").ConfigureAwait(false);
                return CliApp.InputError;
            }
            catch (CliInputException e)
            {
                await stderr.WriteLineAsync($"llmtrack: error: {e.Message}").ConfigureAwait(false);
                return CliApp.InputError;
            }
        });
    }

    /// <summary>Writes rows as left-aligned columns under a header.</summary>
    public static void WriteTable(TextWriter output, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>> { header };
        all.AddRange(rows);
        var widths = Enumerable.Range(0, header.Count).Select(i => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
        {
            output.WriteLine(string.Join("  ", row.Select((cell, i) => i == row.Count - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
        }
    }

    /// <summary>Epoch milliseconds as an ISO-8601 UTC time.</summary>
    public static string Time(long milliseconds) =>
        milliseconds == 0 ? "" : DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Collects an async sequence.</summary>
    public static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items.ConfigureAwait(false))
        {
            list.Add(item);
        }

        return list;
    }
}
