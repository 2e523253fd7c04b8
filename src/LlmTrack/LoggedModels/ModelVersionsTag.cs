using System.Globalization;
using System.Text;
using System.Text.Json;
using LlmTrack.Metrics.Text;

namespace LlmTrack.LoggedModels;

/// <summary>
/// The logged-model tag <c>mlflow.modelVersions</c>: a JSON list of <c>{"name": …, "version": N}</c>, one entry per
/// registered version made from the model, written with Python's <c>json.dumps</c> spacing as MLflow's client does.
/// </summary>
internal static class ModelVersionsTag
{
    /// <summary>The tag's value with <paramref name="name"/> version <paramref name="version"/> appended (once).</summary>
    /// <param name="existing">The current value, or <see langword="null"/>/unreadable for none.</param>
    /// <param name="name">The registered model.</param>
    /// <param name="version">The new version.</param>
    public static string Append(string? existing, string name, int version)
    {
        var entries = new List<(string Name, string Version)>();
        if (!string.IsNullOrEmpty(existing))
        {
            try
            {
                using var document = JsonDocument.Parse(existing);
                foreach (var item in document.RootElement.EnumerateArray())
                {
                    if (item.TryGetProperty("name", out var n) && item.TryGetProperty("version", out var v))
                    {
                        entries.Add((n.GetString() ?? "", v.ValueKind == JsonValueKind.Number ? v.GetRawText() : v.GetString() ?? ""));
                    }
                }
            }
            catch (JsonException)
            {
                // An unreadable value is replaced by a well-formed one.
            }
            catch (InvalidOperationException)
            {
                // Not a list of objects: replaced as well.
            }
        }

        var text = version.ToString(CultureInfo.InvariantCulture);
        if (!entries.Contains((name, text)))
        {
            entries.Add((name, text));
        }

        var json = new StringBuilder("[");
        for (var i = 0; i < entries.Count; i++)
        {
            json.Append(i == 0 ? "{\"name\": " : ", {\"name\": ");
            PythonJson.WriteString(json, entries[i].Name);
            json.Append(", \"version\": ").Append(entries[i].Version).Append('}');
        }

        return json.Append(']').ToString();
    }
}
