namespace LlmTrack;

/// <summary>Options of <see cref="RunModelExtensions.LogModelAsync"/>.</summary>
public sealed record LogModelOptions
{
    /// <summary>The model's name (the store generates one when <see langword="null"/>).</summary>
    public string? Name { get; init; }

    /// <summary>A free-form type such as <c>agent</c> or <c>classifier</c>.</summary>
    public string? ModelType { get; init; }

    /// <summary>Tags of the model (besides <c>mlflow.user</c> and <c>mlflow.source.*</c>, copied from the run as MLflow's client does).</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>Params of the model, added to the run's params (which are copied, as MLflow's client does).</summary>
    public IReadOnlyDictionary<string, string>? Params { get; init; }

    /// <summary>The signature written to MLmodel.</summary>
    public ModelSignature? Signature { get; init; }

    /// <summary>An input example as a JSON document, saved as <c>input_example.json</c>.</summary>
    public string? InputExampleJson { get; init; }

    /// <summary>The run step that produced the model (<c>runs/outputs</c>).</summary>
    public long Step { get; init; }

    /// <summary>
    /// When set, the model is also registered as a new version of this registered model (created when missing), as
    /// MLflow's <c>log_model(registered_model_name=…)</c> does: the version's source is <c>models:/&lt;model id&gt;</c>
    /// and the logged model gets the tag <c>mlflow.modelVersions</c>. The version is on <see cref="LoggedModel.Tags"/>
    /// of the returned model.
    /// </summary>
    public string? RegisteredModelName { get; init; }
}

/// <summary>
/// A logged model's file upload failed: the model was finalized as <see cref="LoggedModelStatus.UploadFailed"/>
/// (when the store could still be reached) and the upload's error is the inner exception.
/// </summary>
public sealed class LoggedModelUploadException : MlflowException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="modelId">The model whose upload failed.</param>
    /// <param name="artifactPath">The file that failed.</param>
    /// <param name="innerException">The upload's error.</param>
    public LoggedModelUploadException(string modelId, string artifactPath, Exception innerException)
        : base(innerException is MlflowException m ? m.ErrorCode : MlflowErrorCode.InternalError, $"Uploading '{artifactPath}' of the logged model '{modelId}' failed: {innerException.Message}", (innerException as MlflowException)?.StatusCode, innerException)
    {
        ModelId = modelId;
        ArtifactPath = artifactPath;
    }

    /// <summary>The model whose upload failed (now in state UPLOAD_FAILED).</summary>
    public string ModelId { get; }

    /// <summary>The file that failed.</summary>
    public string ArtifactPath { get; }
}
