namespace LlmTrack.Evaluation;

/// <summary>Thrown when more examples failed than <c>MaxErrors</c>/<c>MaxErrorRate</c> allow; the run ends FAILED.</summary>
public sealed class EvaluationFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EvaluationFailedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public EvaluationFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public EvaluationFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Examples that failed.</summary>
    public long Errors { get; init; }

    /// <summary>Examples completed when the evaluation stopped.</summary>
    public long Completed { get; init; }
}
