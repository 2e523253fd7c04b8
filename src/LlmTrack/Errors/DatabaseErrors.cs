namespace LlmTrack.Errors;

/// <summary>How the tracking server reports database errors in its messages.</summary>
internal static class DatabaseErrors
{
    /// <summary>Whether an error is a database unique-constraint violation (SQLAlchemy <c>IntegrityError</c>).</summary>
    public static bool IsUniqueConstraintError(MlflowException exception) =>
        exception.Message.Contains("IntegrityError", StringComparison.OrdinalIgnoreCase)
        || exception.Message.Contains("UNIQUE constraint", StringComparison.OrdinalIgnoreCase)
        || exception.Message.Contains("duplicate key", StringComparison.OrdinalIgnoreCase)
        || exception.Message.Contains("Duplicate entry", StringComparison.OrdinalIgnoreCase);
}
