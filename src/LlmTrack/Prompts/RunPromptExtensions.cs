using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using LlmTrack.Metrics.Text;
using LlmTrack.Model;

namespace LlmTrack;

/// <summary>Links prompt versions to a run: run tag <c>mlflow.linkedPrompts</c>, as MLflow's Python client writes it.</summary>
public static class RunPromptExtensions
{
    private static readonly ConditionalWeakTable<Run, SemaphoreSlim> Gates = [];

    /// <summary>
    /// Records that the run used <paramref name="prompts"/>: reads the run's <c>mlflow.linkedPrompts</c> tag, appends the
    /// versions not listed yet and writes it back (a JSON list of <c>{"name", "version"}</c> with Python's spacing), so
    /// the MLflow UI shows the prompts on the run and the run on the prompts.
    /// </summary>
    /// <param name="run">The run.</param>
    /// <param name="prompts">The prompt versions.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the tag is written.</returns>
    public static async Task LinkPromptsAsync(this Run run, IEnumerable<PromptVersion> prompts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(prompts);
        var added = prompts.Select(p => (p.Name, Version: p.Version.ToString(CultureInfo.InvariantCulture))).ToList();
        var gate = Gates.GetValue(run, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var snapshot = await run.Store.GetRunAsync(run.RunId, cancellationToken).ConfigureAwait(false);
            var current = snapshot.Data.Tags.FirstOrDefault(t => t.Key == MlflowTags.LinkedPrompts).Value;
            var links = ParseLinks(current);
            var changed = false;
            foreach (var link in added.Where(link => !links.Contains(link)))
            {
                links.Add(link);
                changed = true;
            }

            if (changed)
            {
                await run.Store.SetTagAsync(run.RunId, MlflowTags.LinkedPrompts, LinksJson(links), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Links prompt versions to the run (see <see cref="LinkPromptsAsync(Run, IEnumerable{PromptVersion}, CancellationToken)"/>).</summary>
    /// <param name="run">The run.</param>
    /// <param name="prompts">The prompt versions.</param>
    /// <returns>A task that completes when the tag is written.</returns>
    public static Task LinkPromptsAsync(this Run run, params PromptVersion[] prompts) => LinkPromptsAsync(run, prompts, CancellationToken.None);

    internal static string LinksJson(IEnumerable<(string Name, string Version)> links)
    {
        var json = new StringBuilder("[");
        foreach (var (name, version) in links)
        {
            json.Append(json.Length > 1 ? ", " : "").Append("{\"name\": ");
            PythonJson.WriteString(json, name);
            json.Append(", \"version\": ");
            PythonJson.WriteString(json, version);
            json.Append('}');
        }

        return json.Append(']').ToString();
    }

    private static List<(string Name, string Version)> ParseLinks(string? json)
    {
        var links = new List<(string, string)>();
        if (string.IsNullOrWhiteSpace(json))
        {
            return links;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            foreach (var item in document.RootElement.EnumerateArray())
            {
                if (item.TryGetProperty("name", out var name) && item.TryGetProperty("version", out var version))
                {
                    links.Add((name.GetString() ?? "", version.ValueKind == JsonValueKind.String ? version.GetString() ?? "" : version.ToString()));
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // A tag that is not MLflow's list is replaced, as the Python client does when it cannot parse it.
            links.Clear();
        }

        return links;
    }
}
