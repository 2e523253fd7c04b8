using System.Text;
using System.Text.Json;
using LlmTrack.Model;
using LlmTrack.Metrics.Text;

namespace LlmTrack.Evaluation.Tables;

/// <summary>
/// The <c>mlflow.loggedArtifacts</c> run tag: a JSON list of <c>{"path": …, "type": "table"}</c>
/// entries that makes the MLflow UI show a run's tables in its evaluation view. Values are
/// produced exactly as the official client's <c>log_table</c> does (<c>json.dumps</c> of the
/// parsed list with the new entry appended when it is not there yet).
/// </summary>
internal static class LoggedArtifactsTag
{
    /// <summary>The tag key.</summary>
    public const string Key = MlflowTags.LoggedArtifacts;

    /// <summary>
    /// Returns the tag value after logging a table at <paramref name="path"/>: the existing value
    /// unchanged when it already lists that table, otherwise the list with the entry appended.
    /// </summary>
    /// <param name="existingTagValue">The run's current tag value, or <see langword="null"/> when the tag is not set.</param>
    /// <param name="path">The table's artifact path, e.g. <c>tables/eval.json</c>.</param>
    public static string Add(string? existingTagValue, string path) =>
        TryAdd(existingTagValue, path, out string newValue) ? newValue : existingTagValue!;

    /// <summary>
    /// Computes the new tag value; returns <see langword="false"/> when the table is already listed
    /// (the official client then does not set the tag).
    /// </summary>
    /// <param name="existingTagValue">The run's current tag value, or <see langword="null"/>.</param>
    /// <param name="path">The table's artifact path.</param>
    /// <param name="newTagValue">The value to set when the method returns <see langword="true"/>.</param>
    /// <exception cref="FormatException">When the existing value is not a JSON list.</exception>
    public static bool TryAdd(string? existingTagValue, string path, out string newTagValue)
    {
        ArgumentNullException.ThrowIfNull(path);
        var sb = new StringBuilder();
        sb.Append('[');
        bool any = false;
        if (existingTagValue is not null)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(existingTagValue);
            }
            catch (JsonException ex)
            {
                throw new FormatException($"The {Key} tag is not valid JSON: {ex.Message}", ex);
            }

            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Array)
                {
                    throw new FormatException($"The {Key} tag is not a JSON list.");
                }

                foreach (JsonElement item in document.RootElement.EnumerateArray())
                {
                    if (IsEntryFor(item, path))
                    {
                        newTagValue = existingTagValue;
                        return false;
                    }

                    if (any)
                    {
                        sb.Append(", ");
                    }

                    PythonJson.WriteElement(sb, item);
                    any = true;
                }
            }
        }

        if (any)
        {
            sb.Append(", ");
        }

        sb.Append("{\"path\": ");
        PythonJson.WriteString(sb, path);
        sb.Append(", \"type\": \"table\"}]");
        newTagValue = sb.ToString();
        return true;
    }

    /// <summary>Python dict equality with <c>{"path": path, "type": "table"}</c>.</summary>
    private static bool IsEntryFor(JsonElement item, string path)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        // json.loads keeps the last value of a repeated key.
        var properties = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (JsonProperty property in item.EnumerateObject())
        {
            properties[property.Name] = property.Value;
        }

        return properties.Count == 2
            && properties.TryGetValue("path", out JsonElement p) && p.ValueKind == JsonValueKind.String && p.GetString() == path
            && properties.TryGetValue("type", out JsonElement t) && t.ValueKind == JsonValueKind.String && t.GetString() == "table";
    }
}
