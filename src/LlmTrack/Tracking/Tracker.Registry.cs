using LlmTrack.Stores;

namespace LlmTrack;

/// <summary>The tracker's entry points to MLflow's model registry and prompt registry.</summary>
public sealed partial class Tracker
{
    private ModelRegistry? _models;
    private PromptRegistry? _prompts;

    /// <summary>The model registry of the tracking store (registered models, versions, aliases, stages, downloads).</summary>
    /// <exception cref="MlflowException">When the tracking store has no model registry.</exception>
    public ModelRegistry Models => _models ??= new ModelRegistry(GetStoreCapability<IModelRegistryStore>("the model registry"), _store)
    {
        // A version whose source is an MLflow 3 logged model (models:/m-…) downloads from the logged model's artifacts.
        LoggedModelArtifactUri = _store.GetCapability<ILoggedModelStore>() is { } loggedModels
            ? async (modelId, cancellationToken) => (await loggedModels.GetLoggedModelAsync(modelId, cancellationToken).ConfigureAwait(false)).ArtifactUri
            : null,
    };

    /// <summary>The prompt registry of the tracking store (versioned prompt templates, stored as MLflow 3.6 stores them).</summary>
    /// <exception cref="MlflowException">When the tracking store has no model registry (prompts are registered models).</exception>
    public PromptRegistry Prompts => _prompts ??= new PromptRegistry(GetStoreCapability<IModelRegistryStore>("the prompt registry"));
}
