using System.Globalization;
using System.Text;
using System.Text.Json;
using LlmTrack.Metrics.Text;
using LlmTrack.Model;
using LlmTrack.Stores;

namespace LlmTrack;

/// <summary>
/// MLflow's prompt registry of the tracker's store (<c>tracker.Prompts</c>). A prompt is a registered model tagged
/// <c>mlflow.prompt.is_prompt=true</c>; each version is a model version with source <c>dummy-source</c> whose tags hold
/// the template (exactly as MLflow 3.6 stores them, so <c>mlflow.genai.load_prompt</c> and the MLflow UI read them).
/// </summary>
public sealed class PromptRegistry
{
    private const string Source = "dummy-source";
    private const int PageSize = 1000;
    private const string IsPromptFilter = "tags.`mlflow.prompt.is_prompt` = 'true'";
    private readonly IModelRegistryStore _registry;

    internal PromptRegistry(IModelRegistryStore registry) => _registry = registry;

    /// <summary>Registers a new version of a text prompt (creating the prompt on its first version).</summary>
    /// <param name="name">The prompt's name.</param>
    /// <param name="template">The template, with <c>{{variable}}</c> placeholders.</param>
    /// <param name="commitMessage">What changed (stored as the version's description).</param>
    /// <param name="tags">Version tags; MLflow also writes them as prompt tags.</param>
    /// <param name="responseFormat">An optional JSON schema of the expected response.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new version.</returns>
    public Task<PromptVersion> RegisterAsync(string name, string template, string? commitMessage = null, IReadOnlyDictionary<string, string>? tags = null, string? responseFormat = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(template);
        return RegisterVersionAsync(name, "text", template, commitMessage, tags, responseFormat, cancellationToken);
    }

    /// <summary>Registers a new version of a chat prompt (a list of messages with <c>{{variable}}</c> placeholders).</summary>
    /// <param name="name">The prompt's name.</param>
    /// <param name="messages">The messages.</param>
    /// <param name="commitMessage">What changed (stored as the version's description).</param>
    /// <param name="tags">Version tags; MLflow also writes them as prompt tags.</param>
    /// <param name="responseFormat">An optional JSON schema of the expected response.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new version.</returns>
    public Task<PromptVersion> RegisterChatAsync(string name, IReadOnlyList<PromptMessage> messages, string? commitMessage = null, IReadOnlyDictionary<string, string>? tags = null, string? responseFormat = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            throw new ArgumentException("A chat prompt needs at least one message.", nameof(messages));
        }

        return RegisterVersionAsync(name, "chat", PromptVersion.MessagesJson(messages), commitMessage, tags, responseFormat, cancellationToken);
    }

    /// <summary>Loads a prompt version: <c>prompts:/name@alias</c>, <c>prompts:/name/2</c>, <c>prompts:/name@latest</c> or a bare name (its newest version).</summary>
    /// <param name="uri">The prompt URI or name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The version.</returns>
    public Task<PromptVersion> LoadAsync(string uri, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var path = uri.StartsWith("prompts:/", StringComparison.Ordinal) ? uri["prompts:/".Length..].Trim('/') : uri;
        var at = path.LastIndexOf('@');
        if (at > 0)
        {
            return LoadByAliasAsync(path[..at], path[(at + 1)..], cancellationToken);
        }

        var slash = path.LastIndexOf('/');
        if (slash > 0 && int.TryParse(path[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return LoadAsync(path[..slash], version, cancellationToken);
        }

        if (uri.StartsWith("prompts:/", StringComparison.Ordinal) && slash > 0)
        {
            throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"Invalid prompt URI '{uri}': expected prompts:/<name>/<version> or prompts:/<name>@<alias>.");
        }

        return LoadByAliasAsync(path, "latest", cancellationToken);
    }

    /// <summary>Loads a prompt version by number.</summary>
    /// <param name="name">The prompt's name.</param>
    /// <param name="version">The version number.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The version.</returns>
    public async Task<PromptVersion> LoadAsync(string name, int version, CancellationToken cancellationToken = default) =>
        ToPrompt(await _registry.GetModelVersionAsync(name, version, cancellationToken).ConfigureAwait(false));

    /// <summary>Every prompt (newest registered-model view, with tags and aliases), optionally filtered.</summary>
    /// <param name="filter">An extra filter, e.g. <c>name LIKE 'qa%'</c>.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The prompts.</returns>
    public IAsyncEnumerable<RegisteredModel> SearchAsync(string? filter = null, CancellationToken cancellationToken = default)
    {
        var query = string.IsNullOrWhiteSpace(filter) ? IsPromptFilter : IsPromptFilter + " AND " + filter;
        return TrackingStoreExtensions.FollowPagesAsync((token, ct) => _registry.SearchRegisteredModelsAsync(query, PageSize, null, token, ct), cancellationToken);
    }

    /// <summary>Points an alias (e.g. <c>production</c>) at a version.</summary>
    /// <param name="name">The prompt's name.</param>
    /// <param name="alias">The alias.</param>
    /// <param name="version">The version number.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the alias is set.</returns>
    public Task SetAliasAsync(string name, string alias, int version, CancellationToken cancellationToken = default) =>
        _registry.SetRegisteredModelAliasAsync(name, alias, version, cancellationToken);

    /// <summary>Deletes an alias.</summary>
    /// <param name="name">The prompt's name.</param>
    /// <param name="alias">The alias.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the alias is gone.</returns>
    public Task DeleteAliasAsync(string name, string alias, CancellationToken cancellationToken = default) =>
        _registry.DeleteRegisteredModelAliasAsync(name, alias, cancellationToken);

    /// <summary>Deletes one version of a prompt.</summary>
    /// <param name="name">The prompt's name.</param>
    /// <param name="version">The version number.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the version is deleted.</returns>
    public Task DeleteVersionAsync(string name, int version, CancellationToken cancellationToken = default) =>
        _registry.DeleteModelVersionAsync(name, version, cancellationToken);

    /// <summary>Deletes a prompt with all its versions.</summary>
    /// <param name="name">The prompt's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the prompt is deleted.</returns>
    public Task DeleteAsync(string name, CancellationToken cancellationToken = default) =>
        _registry.DeleteRegisteredModelAsync(name, cancellationToken);

    private async Task<PromptVersion> LoadByAliasAsync(string name, string alias, CancellationToken cancellationToken) =>
        ToPrompt(await _registry.GetModelVersionByAliasAsync(name, alias, cancellationToken).ConfigureAwait(false));

    private async Task<PromptVersion> RegisterVersionAsync(string name, string type, string text, string? commitMessage, IReadOnlyDictionary<string, string>? tags, string? responseFormat, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var userTags = tags is null ? [] : tags.Select(t => new Tag(t.Key, t.Value)).ToList();
        RegisteredModel? existing = null;
        try
        {
            existing = await _registry.GetRegisteredModelAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (MlflowException ex) when (ex.ErrorCode == MlflowErrorCode.ResourceDoesNotExist)
        {
        }

        if (existing is null)
        {
            await _registry.CreateRegisteredModelAsync(name, [new Tag(MlflowTags.IsPrompt, "true"), .. userTags], commitMessage, cancellationToken).ConfigureAwait(false);
        }
        else if (!existing.Tags.Any(t => t.Key == MlflowTags.IsPrompt && t.Value == "true"))
        {
            throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"Registered model '{name}' exists and is not a prompt; choose another prompt name.");
        }
        else
        {
            foreach (var tag in userTags)
            {
                await _registry.SetRegisteredModelTagAsync(name, tag.Key, tag.Value, cancellationToken).ConfigureAwait(false);
            }
        }

        List<Tag> versionTags = [.. userTags, new Tag(MlflowTags.IsPrompt, "true"), new Tag(MlflowTags.PromptType, type), new Tag(MlflowTags.PromptText, text)];
        if (responseFormat is not null)
        {
            versionTags.Add(new Tag(MlflowTags.PromptResponseFormat, PythonJsonText(responseFormat)));
        }

        var version = await _registry.CreateModelVersionAsync(new ModelVersionRequest(name, Source, null, versionTags, commitMessage, null), cancellationToken).ConfigureAwait(false);
        return new PromptVersion(version);
    }

    /// <summary>Re-writes JSON with Python <c>json.dumps</c> spacing, as MLflow stores the response format.</summary>
    private static string PythonJsonText(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var text = new StringBuilder();
            PythonJson.WriteElement(text, document.RootElement);
            return text.ToString();
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"The response format is not JSON: {ex.Message}", nameof(json), ex);
        }
    }

    private static PromptVersion ToPrompt(ModelVersion version) =>
        version.Tags.Any(t => t.Key == MlflowTags.PromptText)
            ? new PromptVersion(version)
            : throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"Version {version.Version} of '{version.Name}' is a model version, not a prompt.");
}
