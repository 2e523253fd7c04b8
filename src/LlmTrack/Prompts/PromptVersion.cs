using System.Globalization;
using System.Text;
using System.Text.Json;
using LlmTrack.Metrics.Text;
using LlmTrack.Model;
using LlmTrack.Prompts;

namespace LlmTrack;

/// <summary>
/// A version of a prompt of MLflow's prompt registry: a text template or a list of chat messages with
/// <c>{{variable}}</c> placeholders, stored as a model version tagged the way MLflow 3.6 tags it.
/// </summary>
public sealed class PromptVersion
{
    private static readonly HashSet<string> ReservedTags = [MlflowTags.IsPrompt, MlflowTags.PromptText, MlflowTags.PromptType, MlflowTags.PromptResponseFormat, MlflowTags.PromptModelConfig];

    internal PromptVersion(ModelVersion version)
    {
        Name = version.Name;
        Version = version.Version;
        CreationTime = version.CreationTime;
        CommitMessage = string.IsNullOrEmpty(version.Description) ? null : version.Description;
        Aliases = version.Aliases;
        var tags = version.Tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        Template = tags.GetValueOrDefault(MlflowTags.PromptText, "");
        IsChat = tags.GetValueOrDefault(MlflowTags.PromptType) == "chat";
        ResponseFormat = tags.GetValueOrDefault(MlflowTags.PromptResponseFormat);
        Tags = tags.Where(t => !ReservedTags.Contains(t.Key)).ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        Messages = IsChat ? ParseMessages(Template) : [];
        Variables = PromptTemplateText.Variables(Template);
    }

    /// <summary>The prompt's name.</summary>
    public string Name { get; }

    /// <summary>The version number.</summary>
    public int Version { get; }

    /// <summary>The stored template: the text, or for a chat prompt the JSON of its messages (tag <c>mlflow.prompt.text</c>).</summary>
    public string Template { get; }

    /// <summary>Whether this is a chat prompt (<see cref="Messages"/>) rather than a text prompt.</summary>
    public bool IsChat { get; }

    /// <summary>The messages of a chat prompt (empty for a text prompt).</summary>
    public IReadOnlyList<PromptMessage> Messages { get; }

    /// <summary>The template's variables, in order of first appearance.</summary>
    public IReadOnlyList<string> Variables { get; }

    /// <summary>The commit message of the version (stored as the version's description).</summary>
    public string? CommitMessage { get; }

    /// <summary>The JSON schema of the expected response, if one was registered.</summary>
    public string? ResponseFormat { get; }

    /// <summary>The version's own tags (MLflow's reserved prompt tags left out).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; }

    /// <summary>The aliases pointing to this version.</summary>
    public IReadOnlyList<string> Aliases { get; }

    /// <summary>When the version was created (Unix epoch milliseconds).</summary>
    public long CreationTime { get; }

    /// <summary>The version's URI, <c>prompts:/name/version</c>.</summary>
    public string Uri => string.Create(CultureInfo.InvariantCulture, $"prompts:/{Name}/{Version}");

    /// <summary>
    /// Fills a text prompt's variables (values as Python's <c>str()</c> writes them; extra values are ignored).
    /// For a chat prompt, the JSON of the formatted messages; use <see cref="FormatMessages"/> for the list.
    /// </summary>
    /// <param name="variables">The values by variable name.</param>
    /// <param name="allowPartial">Whether variables without a value may stay in the result.</param>
    /// <returns>The prompt text.</returns>
    /// <exception cref="PromptVariablesMissingException">A variable has no value and <paramref name="allowPartial"/> is false.</exception>
    public string Format(IReadOnlyDictionary<string, object?> variables, bool allowPartial = false)
    {
        ArgumentNullException.ThrowIfNull(variables);
        CheckVariables(variables, allowPartial);
        return IsChat ? MessagesJson(FormatMessages(variables, allowPartial: true)) : PromptTemplateText.Format(Template, variables);
    }

    /// <summary>Fills the variables of every message of a chat prompt (a text prompt reads as one user message).</summary>
    /// <param name="variables">The values by variable name.</param>
    /// <param name="allowPartial">Whether variables without a value may stay in the result.</param>
    /// <returns>The formatted messages.</returns>
    /// <exception cref="PromptVariablesMissingException">A variable has no value and <paramref name="allowPartial"/> is false.</exception>
    public IReadOnlyList<PromptMessage> FormatMessages(IReadOnlyDictionary<string, object?> variables, bool allowPartial = false)
    {
        ArgumentNullException.ThrowIfNull(variables);
        CheckVariables(variables, allowPartial);
        return IsChat
            ? [.. Messages.Select(m => m with { Content = PromptTemplateText.Format(m.Content, variables) })]
            : [new PromptMessage("user", PromptTemplateText.Format(Template, variables))];
    }

    /// <inheritdoc />
    public override string ToString() => Uri;

    /// <summary>The JSON MLflow stores for chat messages: Python <c>json.dumps</c> of <c>[{"role", "content"}]</c>.</summary>
    internal static string MessagesJson(IEnumerable<PromptMessage> messages)
    {
        var json = new StringBuilder("[");
        foreach (var message in messages)
        {
            json.Append(json.Length > 1 ? ", " : "").Append("{\"role\": ");
            PythonJson.WriteString(json, message.Role);
            json.Append(", \"content\": ");
            PythonJson.WriteString(json, message.Content);
            json.Append('}');
        }

        return json.Append(']').ToString();
    }

    private void CheckVariables(IReadOnlyDictionary<string, object?> variables, bool allowPartial)
    {
        var missing = Variables.Where(v => !variables.ContainsKey(v)).ToList();
        if (missing.Count > 0 && !allowPartial)
        {
            throw new PromptVariablesMissingException(Uri, missing);
        }
    }

    private static List<PromptMessage> ParseMessages(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return [.. document.RootElement.EnumerateArray().Select(m => new PromptMessage(
                m.TryGetProperty("role", out var role) ? role.GetString() ?? "" : "",
                m.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String ? content.GetString() ?? "" : content.ToString()))];
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"The chat prompt's stored messages are not a JSON list of {{\"role\", \"content\"}}: {ex.Message}", innerException: ex);
        }
    }
}
