using System.Text;

namespace LlmTrack;

/// <summary>Logs an HTML report (<see cref="RunReport"/>) as an artifact of a run.</summary>
public static class RunReportLoggingExtensions
{
    /// <summary>The default artifact file of a report: <c>report.html</c>.</summary>
    public const string DefaultFile = "report.html";

    /// <summary>
    /// Builds the report of <paramref name="runIds"/> (read from this run's store; this run's own id may be among them,
    /// but only what is already stored shows) and logs it as the artifact <paramref name="artifactFile"/>.
    /// </summary>
    /// <param name="run">The run that receives the report.</param>
    /// <param name="runIds">The runs the report compares.</param>
    /// <param name="options">What to show.</param>
    /// <param name="artifactFile">The artifact path (default <c>report.html</c>).</param>
    /// <param name="cancellationToken">Cancels the reads and the upload.</param>
    /// <returns>A task that completes when the file is stored.</returns>
    public static async Task LogReportAsync(this Run run, IReadOnlyList<string> runIds, RunReportOptions? options = null, string artifactFile = DefaultFile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        string html = await RunReport.BuildAsync(run.Owner, runIds, options, cancellationToken).ConfigureAwait(false);
        await run.LogTextAsync(html, artifactFile, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Renders a report of <paramref name="input"/> and logs it as the artifact <paramref name="artifactFile"/>.</summary>
    /// <param name="run">The run that receives the report.</param>
    /// <param name="input">What the report shows.</param>
    /// <param name="options">What to show.</param>
    /// <param name="artifactFile">The artifact path (default <c>report.html</c>).</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>A task that completes when the file is stored.</returns>
    public static Task LogReportAsync(this Run run, ReportInput input, RunReportOptions? options = null, string artifactFile = DefaultFile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.LogBytesAsync(new UTF8Encoding(false).GetBytes(RunReport.Render(input, options, run.TimeProvider)), artifactFile, cancellationToken);
    }
}
