namespace LlmTrack.Gating;

/// <summary>
/// Resolves <c>models:/name@alias</c> to the run of the model version the alias points at. The model registry is not part
/// of this build, so resolution fails with <c>INVALID_PARAMETER_VALUE</c> (the CLI's usage error) naming what to give
/// instead; wiring the registry replaces only <see cref="ResolveRunIdAsync"/>.
/// </summary>
internal static class ModelReferenceResolver
{
    /// <summary>The run id behind <paramref name="reference"/> (a <see cref="RunReferenceKind.ModelAlias"/>).</summary>
    public static Task<string> ResolveRunIdAsync(Tracker tracker, RunReference reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        cancellationToken.ThrowIfCancellationRequested();
        throw new MlflowException(
            MlflowErrorCode.InvalidParameterValue,
            $"'{reference.Text}' names a registered model alias, but this LlmTrack build cannot resolve models:/ references yet (no model registry); give the baseline as a run id or a search filter.");
    }
}
