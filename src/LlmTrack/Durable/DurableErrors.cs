using System.Net.Http;
using LlmTrack.Journal;

namespace LlmTrack.Durable;

/// <summary>How the shipper and run start treat an error of the tracking server.</summary>
internal static class DurableErrors
{
    /// <summary>
    /// Whether the error means "the server cannot take it now" (unreachable, overloaded, timed out, 5xx, 429, or not
    /// authorized yet): the data stays in the journal and is sent again later.
    /// </summary>
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        JournalException => false,
        MlflowException { ErrorCode: MlflowErrorCode.Unavailable or MlflowErrorCode.RequestLimitExceeded or MlflowErrorCode.Unauthenticated or MlflowErrorCode.PermissionDenied } => true,
        MlflowException { StatusCode: 401 or 403 or 408 or 429 or >= 500 } => true,
        MlflowException { StatusCode: null, ErrorCode: MlflowErrorCode.InternalError } => true,
        MlflowException => false,
        HttpRequestException or IOException or TimeoutException or OperationCanceledException => true,
        _ => false,
    };

    /// <summary>Whether the server refused the content of a request (a bad value): split the batch and dead-letter the bad item.</summary>
    public static bool IsContentRejection(Exception exception) =>
        exception is MlflowException { StatusCode: 400 } or MlflowException { ErrorCode: MlflowErrorCode.InvalidParameterValue or MlflowErrorCode.BadSchema }
        && !IsUnavailable(exception);

    /// <summary>Whether the error is a database unique-constraint violation (an identical point is stored already).</summary>
    public static bool IsUniqueConstraint(Exception exception) =>
        exception is MlflowException mlflow && Errors.DatabaseErrors.IsUniqueConstraintError(mlflow);
}
