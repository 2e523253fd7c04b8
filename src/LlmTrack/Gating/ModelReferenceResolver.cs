namespace LlmTrack.Gating;

/// <summary>
/// Resolves <c>models:/name@alias</c> to the run of the model version the alias points at (through the tracker's model
/// registry): the version's run, or — for a version registered from an MLflow 3 logged model — the logged model's source
/// run.
/// </summary>
internal static class ModelReferenceResolver
{
    /// <summary>The run id behind <paramref name="reference"/> (a <see cref="RunReferenceKind.ModelAlias"/>).</summary>
    /// <exception cref="MlflowException">
    /// The model or alias does not exist (MLflow's codes), or the version has no run (<c>INVALID_PARAMETER_VALUE</c>).
    /// </exception>
    public static async Task<string> ResolveRunIdAsync(Tracker tracker, RunReference reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.ModelName is not { Length: > 0 } name || reference.Alias is not { Length: > 0 } alias)
        {
            throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"'{reference.Text}' is not a models:/name@alias reference.");
        }

        ModelVersion version = await tracker.Models.GetVersionByAliasAsync(name, alias, cancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(version.RunId))
        {
            return version.RunId;
        }

        if (!string.IsNullOrEmpty(version.ModelId)
            && (await tracker.GetLoggedModelAsync(version.ModelId, cancellationToken).ConfigureAwait(false)).SourceRunId is { Length: > 0 } sourceRun)
        {
            return sourceRun;
        }

        throw new MlflowException(
            MlflowErrorCode.InvalidParameterValue,
            $"'{reference.Text}' is version {version.Version} of '{name}', which has no run to compare with (source '{version.Source}').");
    }
}
