namespace LlmTrack;

/// <summary>
/// <see cref="PromptVersion.Format"/> was not given a value for every variable of the template
/// (<c>INVALID_PARAMETER_VALUE</c>, as MLflow's <c>PromptVersion.format</c>).
/// </summary>
public sealed class PromptVariablesMissingException : MlflowException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="prompt">The prompt's URI, e.g. <c>prompts:/qa/2</c>.</param>
    /// <param name="missingVariables">The variables without a value.</param>
    public PromptVariablesMissingException(string prompt, IReadOnlyList<string> missingVariables)
        : base(MlflowErrorCode.InvalidParameterValue, $"Missing variables for {prompt}: {string.Join(", ", missingVariables)}. Pass a value for each, or format with allowPartial: true.")
    {
        MissingVariables = missingVariables;
    }

    /// <summary>The variables without a value.</summary>
    public IReadOnlyList<string> MissingVariables { get; }
}
