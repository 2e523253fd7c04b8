using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmTrack.Evaluation.Accumulators;

/// <summary>
/// The caller's <see cref="AsyncExampleScorer{TExample, TPrediction}"/>s: runs them for an example (at most a bounded
/// number of calls in flight; a scorer that throws gives <c>SCORER_ERROR</c> feedback), fills one table column each,
/// and logs <c>&lt;name&gt;/mean</c> over the feedback that has a numeric score, as <c>mlflow.genai.evaluate</c> does.
/// </summary>
/// <typeparam name="TExample">The example type.</typeparam>
/// <typeparam name="TPrediction">The prediction type.</typeparam>
internal sealed class AsyncScorerAccumulator<TExample, TPrediction> : IDisposable
{
    /// <summary>The error code of feedback whose scorer threw (MLflow's).</summary>
    public const string ScorerError = "SCORER_ERROR";

    private readonly IReadOnlyList<AsyncExampleScorer<TExample, TPrediction>> _scorers;
    private readonly SemaphoreSlim _calls;
    private readonly List<double>[] _scores;

    /// <summary>Creates the accumulator.</summary>
    /// <param name="scorers">The scorers.</param>
    /// <param name="maxConcurrency">The most scorer calls in flight at once.</param>
    public AsyncScorerAccumulator(IReadOnlyList<AsyncExampleScorer<TExample, TPrediction>> scorers, int maxConcurrency)
    {
        _scorers = scorers;
        _calls = new SemaphoreSlim(maxConcurrency, maxConcurrency);
        _scores = [.. scorers.Select(_ => new List<double>())];
    }

    /// <summary>The scorers.</summary>
    public IReadOnlyList<AsyncExampleScorer<TExample, TPrediction>> Scorers => _scorers;

    /// <summary>Adds the table columns (the scorers' names).</summary>
    /// <param name="columns">The table's columns so far.</param>
    public void AddColumns(List<string> columns) => columns.AddRange(_scorers.Select(s => s.Name));

    /// <summary>Runs every scorer on one example; never throws except for cancellation of the evaluation.</summary>
    /// <param name="example">The example.</param>
    /// <param name="prediction">Its prediction.</param>
    /// <param name="cancellationToken">Stops the evaluation.</param>
    /// <returns>One feedback per scorer, in scorer order, each with its source filled in.</returns>
    public async Task<ScorerFeedback[]> ScoreAsync(TExample example, TPrediction prediction, CancellationToken cancellationToken)
    {
        if (_scorers.Count == 0)
        {
            return [];
        }

        var calls = new Task<ScorerFeedback>[_scorers.Count];
        for (var i = 0; i < calls.Length; i++)
        {
            calls[i] = ScoreOneAsync(_scorers[i], example, prediction, cancellationToken);
        }

        return await Task.WhenAll(calls).ConfigureAwait(false);
    }

    /// <summary>Adds an example's feedback to the means and the table row.</summary>
    /// <param name="feedback">The feedback from <see cref="ScoreAsync"/> (empty when the prediction failed).</param>
    /// <param name="row">The table row.</param>
    /// <param name="column">The next column to fill; advanced past this accumulator's columns.</param>
    public void Add(ScorerFeedback[] feedback, object?[] row, ref int column)
    {
        for (var i = 0; i < _scorers.Count; i++)
        {
            var one = i < feedback.Length ? feedback[i] : null;
            if (one?.Score is { } score)
            {
                _scores[i].Add(score);
            }

            row[column++] = one is null ? null : CellOf(one);
        }
    }

    /// <summary>Adds each scorer's <c>&lt;name&gt;/mean</c>.</summary>
    /// <param name="sink">Where the metrics go.</param>
    public void Log(EvaluationMetricSink sink)
    {
        for (var i = 0; i < _scorers.Count; i++)
        {
            if (_scores[i].Count > 0)
            {
                sink.Add(_scorers[i].Name + "/mean", _scores[i].Average());
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _calls.Dispose();

    private static object? CellOf(ScorerFeedback feedback) => feedback.Value switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>(),
        var other => other.ToJsonString(),
    };

    private async Task<ScorerFeedback> ScoreOneAsync(AsyncExampleScorer<TExample, TPrediction> scorer, TExample example, TPrediction prediction, CancellationToken cancellationToken)
    {
        var source = scorer.Source ?? new AssessmentSource(AssessmentSourceType.Code, scorer.Name);
        await _calls.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var feedback = await scorer.Score(example, prediction, cancellationToken).ConfigureAwait(false)
                ?? ScorerFeedback.Failed(ScorerError, $"The scorer '{scorer.Name}' returned no feedback.");
            return feedback.Source is null ? feedback with { Source = source } : feedback;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A failing scorer is recorded as SCORER_ERROR feedback, never fatal (as in MLflow).
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ScorerFeedback.Failed(ScorerError, ex.Message, ex.ToString()) with { Source = source };
        }
        finally
        {
            _calls.Release();
        }
    }
}
