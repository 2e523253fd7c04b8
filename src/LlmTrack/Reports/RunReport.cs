using LlmTrack.Reports;

namespace LlmTrack;

/// <summary>
/// Builds one self-contained HTML page comparing runs: the side-by-side table (params that differ, metrics with their
/// bootstrap intervals), metric bars with interval whiskers, metrics over steps, confusion matrices, a scatter of two
/// metrics and the examples where the runs disagree most. CSS and SVG are inline; the page has no script and loads
/// nothing from the network. It reads well on a phone and prints.
/// </summary>
public static class RunReport
{
    /// <summary>Reads what a report of <paramref name="runIds"/> shows from the tracker's store.</summary>
    /// <param name="tracker">The tracker whose store holds the runs.</param>
    /// <param name="runIds">The runs, in the order they are shown.</param>
    /// <param name="options">What to show; default <see cref="RunReportOptions"/>.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The report's input.</returns>
    /// <exception cref="MlflowException"><c>RESOURCE_DOES_NOT_EXIST</c> when a run does not exist.</exception>
    public static Task<ReportInput> LoadAsync(Tracker tracker, IReadOnlyList<string> runIds, RunReportOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(runIds);
        return ReportLoader.LoadAsync(tracker, runIds, options ?? new RunReportOptions(), cancellationToken);
    }

    /// <summary>Renders a report's HTML.</summary>
    /// <param name="input">What the report shows.</param>
    /// <param name="options">What to show; default <see cref="RunReportOptions"/> (its title is not used: the input's is).</param>
    /// <param name="timeProvider">The clock of the "generated" line; default the system clock.</param>
    /// <returns>The HTML document.</returns>
    public static string Render(ReportInput input, RunReportOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        return ReportHtml.Render(input, options ?? new RunReportOptions(), (timeProvider ?? TimeProvider.System).GetUtcNow());
    }

    /// <summary>Reads the runs and renders their report (<see cref="LoadAsync"/> then <see cref="Render"/>).</summary>
    /// <param name="tracker">The tracker whose store holds the runs.</param>
    /// <param name="runIds">The runs, in the order they are shown.</param>
    /// <param name="options">What to show.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The HTML document.</returns>
    public static async Task<string> BuildAsync(Tracker tracker, IReadOnlyList<string> runIds, RunReportOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new RunReportOptions();
        ReportInput input = await LoadAsync(tracker, runIds, options, cancellationToken).ConfigureAwait(false);
        return Render(input, options);
    }
}
