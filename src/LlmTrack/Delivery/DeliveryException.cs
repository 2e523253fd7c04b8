namespace LlmTrack;

/// <summary>
/// Thrown by <c>Run.Flush</c>/<c>Run.FlushAsync</c> when the store refused some of the values logged before the
/// flush. <see cref="Report"/> lists them; <see cref="MlflowException.ErrorCode"/> is the code of the first failure.
/// </summary>
public sealed class DeliveryException : MlflowException
{
    /// <summary>Creates the exception from a report that holds failures.</summary>
    /// <param name="report">The flush's report.</param>
    public DeliveryException(DeliveryReport report)
        : base(CodeOf(report), Describe(report), StatusOf(report), FirstError(report))
    {
        Report = report;
    }

    /// <summary>What was sent and what failed.</summary>
    public DeliveryReport Report { get; }

    private static Exception? FirstError(DeliveryReport report) => report.Failures.Count > 0 ? report.Failures[0].Error : null;

    private static string CodeOf(DeliveryReport report) =>
        FirstError(report) is MlflowException m ? m.ErrorCode : MlflowErrorCode.InternalError;

    private static int? StatusOf(DeliveryReport report) => FirstError(report) is MlflowException m ? m.StatusCode : null;

    private static string Describe(DeliveryReport report)
    {
        var first = FirstError(report);
        return $"{report.FailedCount} logged value(s) were not stored in {report.Failures.Count + (report.FailuresNotListed > 0 ? 1 : 0)} failed batch(es)" +
            (first is null ? "." : $"; first error: {first.Message}");
    }
}
