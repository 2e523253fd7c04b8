namespace LlmTrack;

/// <summary>
/// A key or value was refused at the call, before it was queued, because MLflow would reject it
/// (or silently truncate it). An <see cref="ArgumentException"/>, so it reads like any other bad argument;
/// <see cref="ArgumentException.ParamName"/> names the argument and <see cref="Key"/> the offending key.
/// </summary>
public sealed class MlflowValidationException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What rule the value broke.</param>
    /// <param name="paramName">The argument that held the value (e.g. <c>key</c>, <c>value</c>).</param>
    /// <param name="key">The key concerned, when there is one.</param>
    public MlflowValidationException(string message, string? paramName, string? key)
        : base(message, paramName)
    {
        Key = key;
    }

    /// <summary>MLflow's error code for this failure: always <c>INVALID_PARAMETER_VALUE</c>.</summary>
    public string ErrorCode { get; } = MlflowErrorCode.InvalidParameterValue;

    /// <summary>The key whose key or value was refused, when there is one.</summary>
    public string? Key { get; }
}
