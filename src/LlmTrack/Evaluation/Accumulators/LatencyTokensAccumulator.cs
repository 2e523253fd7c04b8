using LlmTrack.Metrics.Tokens;

namespace LlmTrack.Evaluation.Accumulators;

/// <summary>
/// Latency of every example (mean, p50, p95) and, when counting tokens, the prompt/completion token totals: reported by
/// the model (<see cref="TextPrediction.Usage"/> or the options' usage function) or counted locally.
/// </summary>
/// <typeparam name="TPrediction">The prediction type.</typeparam>
internal sealed class LatencyTokensAccumulator<TPrediction>
    where TPrediction : notnull
{
    private readonly Func<TPrediction, TokenUsage?>? _usage;
    private readonly List<double> _latencies = [];
    private TokenCounter? _tokenCounter;
    private int _latencyColumn = -1;
    private long _promptTokens;
    private long _completionTokens;

    /// <summary>Creates the accumulator.</summary>
    /// <param name="countTokens">Whether tokens are counted.</param>
    /// <param name="tokenCounter">The local counter, or <see langword="null"/> for the <c>gpt-4o</c> one when needed.</param>
    /// <param name="usage">Reads the reported usage of a prediction, or <see langword="null"/> for the default.</param>
    public LatencyTokensAccumulator(bool countTokens, TokenCounter? tokenCounter, Func<TPrediction, TokenUsage?>? usage)
    {
        CountTokens = countTokens;
        _tokenCounter = tokenCounter;
        _usage = usage;
    }

    /// <summary>Whether tokens are counted.</summary>
    public bool CountTokens { get; }

    /// <summary>Adds the table columns (<c>latency_ms</c>, then the token columns).</summary>
    /// <param name="columns">The table's columns so far.</param>
    public void AddColumns(List<string> columns)
    {
        _latencyColumn = columns.Count;
        columns.Add(EvaluationMetricKeys.Latency.Column);
        if (CountTokens)
        {
            columns.Add(EvaluationMetricKeys.Tokens.Prompt);
            columns.Add(EvaluationMetricKeys.Tokens.Completion);
        }
    }

    /// <summary>Records the latency of one example (failed or not).</summary>
    /// <param name="latencyMs">The latency in milliseconds.</param>
    /// <param name="row">The table row.</param>
    public void AddLatency(double latencyMs, object?[] row)
    {
        _latencies.Add(latencyMs);
        row[_latencyColumn] = latencyMs;
    }

    /// <summary>Records the token usage of one successful example (when counting tokens).</summary>
    /// <param name="prediction">The prediction.</param>
    /// <param name="input">The input text (counted locally without reported usage).</param>
    /// <param name="predictionText">The prediction text (counted locally without reported usage).</param>
    /// <param name="row">The table row.</param>
    public void AddTokens(TPrediction prediction, string input, string predictionText, object?[] row)
    {
        if (!CountTokens)
        {
            return;
        }

        var usage = (_usage ?? DefaultUsage)(prediction);
        if (usage is null)
        {
            _tokenCounter ??= TokenCounter.ForModel("gpt-4o");
            usage = new TokenUsage(_tokenCounter.CountTokens(input), _tokenCounter.CountTokens(predictionText));
        }

        _promptTokens += usage.PromptTokens;
        _completionTokens += usage.CompletionTokens;
        row[_latencyColumn + 1] = usage.PromptTokens;
        row[_latencyColumn + 2] = usage.CompletionTokens;
    }

    /// <summary>Adds the latency and token metrics.</summary>
    /// <param name="sink">Where the metrics go.</param>
    public void Log(EvaluationMetricSink sink)
    {
        if (_latencies.Count > 0)
        {
            var sorted = _latencies.ToArray();
            Array.Sort(sorted);
            sink.Add(EvaluationMetricKeys.Latency.MeanMs, sorted.Average());
            sink.Add(EvaluationMetricKeys.Latency.P50Ms, Percentile(sorted, 0.50));
            sink.Add(EvaluationMetricKeys.Latency.P95Ms, Percentile(sorted, 0.95));
        }

        if (CountTokens)
        {
            sink.Add(EvaluationMetricKeys.Tokens.Prompt, _promptTokens);
            sink.Add(EvaluationMetricKeys.Tokens.Completion, _completionTokens);
            sink.Add(EvaluationMetricKeys.Tokens.Total, _promptTokens + _completionTokens);
        }
    }

    private static TokenUsage? DefaultUsage(TPrediction prediction) => prediction is TextPrediction t ? t.Usage : null;

    private static double Percentile(double[] sorted, double q)
    {
        // NumPy's default (linear interpolation between closest ranks).
        var position = q * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }
}
