using System.Runtime.CompilerServices;

namespace LlmTrack.Evaluation;

/// <summary>Evaluates a predictor over a data set and logs everything to a run.</summary>
public static class RunEvaluationExtensions
{
    /// <summary>
    /// Runs <paramref name="predictor"/> over <paramref name="examples"/> (at most
    /// <see cref="EvaluationOptions{TExample, TPrediction}.MaxConcurrency"/> calls in flight), then logs the metrics with
    /// bootstrap intervals, latency and token metrics, signatures as tags, the per-example table, the data set input and,
    /// for classification, the confusion matrix. A failing example is recorded and counted (<c>error_count</c>) and the
    /// metrics are computed over the examples that succeeded. Over the error limit the run ends FAILED and
    /// <see cref="EvaluationFailedException"/> is thrown; on cancellation the run ends KILLED after logging what was done.
    /// </summary>
    /// <typeparam name="TExample">The example type.</typeparam>
    /// <typeparam name="TPrediction">The prediction type (a label, a string, a <see cref="TextPrediction"/> …).</typeparam>
    /// <param name="run">The run to log to.</param>
    /// <param name="examples">The examples.</param>
    /// <param name="predictor">Produces a prediction; receives a token cancelled on timeout or cancellation.</param>
    /// <param name="options">Targets, metrics and limits.</param>
    /// <param name="cancellationToken">Stops the evaluation (the run ends KILLED).</param>
    /// <returns>The metrics and intervals.</returns>
    public static Task<EvaluationSummary> EvaluateAsync<TExample, TPrediction>(
        this Run run,
        IReadOnlyList<TExample> examples,
        Func<TExample, CancellationToken, Task<TPrediction>> predictor,
        EvaluationOptions<TExample, TPrediction> options,
        CancellationToken cancellationToken = default)
        where TPrediction : notnull
    {
        ArgumentNullException.ThrowIfNull(examples);
        return EvaluateAsync(run, ToAsync(examples, CancellationToken.None), predictor, options, examples.Count, cancellationToken);
    }

    /// <summary>Evaluates a streamed data set; see the <see cref="IReadOnlyList{T}"/> overload.</summary>
    /// <typeparam name="TExample">The example type.</typeparam>
    /// <typeparam name="TPrediction">The prediction type.</typeparam>
    /// <param name="run">The run to log to.</param>
    /// <param name="examples">The examples, read once.</param>
    /// <param name="predictor">Produces a prediction.</param>
    /// <param name="options">Targets, metrics and limits.</param>
    /// <param name="totalCount">The number of examples if known (for progress and the error rate).</param>
    /// <param name="cancellationToken">Stops the evaluation (the run ends KILLED).</param>
    /// <returns>The metrics and intervals.</returns>
    public static async Task<EvaluationSummary> EvaluateAsync<TExample, TPrediction>(
        this Run run,
        IAsyncEnumerable<TExample> examples,
        Func<TExample, CancellationToken, Task<TPrediction>> predictor,
        EvaluationOptions<TExample, TPrediction> options,
        long? totalCount = null,
        CancellationToken cancellationToken = default)
        where TPrediction : notnull
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrency, 1, nameof(options));
        var evaluation = new EvaluationRunner<TExample, TPrediction>(run, predictor, options, totalCount);
        using (evaluation)
        {
            return await evaluation.RunAsync(examples, cancellationToken).ConfigureAwait(false);
        }
    }

#pragma warning disable CS1998 // Adapts a list to the streamed overload without awaiting.
    private static async IAsyncEnumerable<T> ToAsync<T>(IReadOnlyList<T> items, [EnumeratorCancellation] CancellationToken cancellationToken = default)
#pragma warning restore CS1998
    {
        for (var i = 0; i < items.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return items[i];
        }
    }
}
