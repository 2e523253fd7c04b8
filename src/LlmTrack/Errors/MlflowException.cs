namespace LlmTrack;

/// <summary>
/// The one exception family of LlmTrack: a tracking operation failed. Carries MLflow's
/// <c>error_code</c> (see <see cref="MlflowErrorCode"/>) and, for remote stores, the HTTP status.
/// Messages never contain credentials.
/// </summary>
public class MlflowException : Exception
{
    /// <summary>Creates an exception with MLflow's error code.</summary>
    /// <param name="errorCode">MLflow's <c>error_code</c>, e.g. <c>INVALID_PARAMETER_VALUE</c>.</param>
    /// <param name="message">A message that says what failed.</param>
    /// <param name="statusCode">The HTTP status, when the error came from a server.</param>
    /// <param name="innerException">The cause, if any.</param>
    public MlflowException(string errorCode, string message, int? statusCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
        StatusCode = statusCode;
    }

    /// <summary>MLflow's <c>error_code</c>, e.g. <c>RESOURCE_DOES_NOT_EXIST</c>.</summary>
    public string ErrorCode { get; }

    /// <summary>The HTTP status code, when the error came from a tracking server.</summary>
    public int? StatusCode { get; }
}

/// <summary>MLflow's <c>error_code</c> values that LlmTrack produces or handles.</summary>
public static class MlflowErrorCode
{
    /// <summary>A value in the request is invalid.</summary>
    public const string InvalidParameterValue = "INVALID_PARAMETER_VALUE";

    /// <summary>The entity does not exist.</summary>
    public const string ResourceDoesNotExist = "RESOURCE_DOES_NOT_EXIST";

    /// <summary>The entity already exists.</summary>
    public const string ResourceAlreadyExists = "RESOURCE_ALREADY_EXISTS";

    /// <summary>An internal server error, or a non-JSON error body.</summary>
    public const string InternalError = "INTERNAL_ERROR";

    /// <summary>The request hit a limit.</summary>
    public const string ResourceLimitExceeded = "RESOURCE_LIMIT_EXCEEDED";

    /// <summary>The server could not be reached, or the request timed out (client-side code).</summary>
    public const string Unavailable = "TEMPORARILY_UNAVAILABLE";

    /// <summary>The request was rate-limited (HTTP 429).</summary>
    public const string RequestLimitExceeded = "REQUEST_LIMIT_EXCEEDED";

    /// <summary>Authentication failed (HTTP 401).</summary>
    public const string Unauthenticated = "UNAUTHENTICATED";

    /// <summary>Not allowed (HTTP 403).</summary>
    public const string PermissionDenied = "PERMISSION_DENIED";

    /// <summary>The local store's schema is older or unknown; run <c>mlflow db upgrade</c>.</summary>
    public const string BadSchema = "BAD_SCHEMA";
}
