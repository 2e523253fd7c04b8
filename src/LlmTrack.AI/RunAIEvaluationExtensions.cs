using System.Globalization;
using System.Text.Json;
using LlmTrack.Evaluation;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;
using MeaiEvaluationResult = Microsoft.Extensions.AI.Evaluation.EvaluationResult;

namespace LlmTrack.AI;

/// <summary>Logs Microsoft.Extensions.AI.Evaluation results to a run.</summary>
public static class RunAIEvaluationExtensions
{
    /// <summary>
    /// Logs an evaluation result: a <see cref="NumericMetric"/> becomes a metric, a <see cref="BooleanMetric"/> a 0/1
    /// metric, a <see cref="StringMetric"/> value the tag <c>&lt;name&gt;</c>; each interpretation sets the tags
    /// <c>&lt;name&gt;.rating</c> and <c>&lt;name&gt;.failed</c>; reasons, interpretation reasons and diagnostics of every
    /// metric go to one JSON artifact (default <c>evaluation/results.json</c>). Metric names are sanitised into MLflow's
    /// key characters.
    /// </summary>
    /// <param name="run">The run.</param>
    /// <param name="result">The result of one or more <c>IEvaluator</c>s.</param>
    /// <param name="artifactFile">Where the reasons and diagnostics go.</param>
    /// <param name="step">The metric step (e.g. the example index).</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>A task that completes when the artifact is stored.</returns>
    public static async Task LogEvaluationResultAsync(this Run run, MeaiEvaluationResult result, string artifactFile = "evaluation/results.json", long step = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(result);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            foreach (var metric in result.Metrics.Values)
            {
                var key = RunMetricLoggingExtensions.SanitizeKey(metric.Name);
                switch (metric)
                {
                    case NumericMetric { Value: { } number }:
                        run.LogMetric(key, number, step);
                        break;
                    case BooleanMetric { Value: { } flag }:
                        run.LogMetric(key, flag ? 1 : 0, step);
                        break;
                    case StringMetric { Value: { } text }:
                        run.SetTag(key, text);
                        break;
                }

                if (metric.Interpretation is { } interpretation)
                {
                    run.SetTag(key + ".rating", interpretation.Rating.ToString());
                    run.SetTag(key + ".failed", interpretation.Failed ? "true" : "false");
                }

                json.WriteStartObject(metric.Name);
                json.WriteString("type", metric.GetType().Name);
                switch (metric)
                {
                    case NumericMetric { Value: { } n }:
                        json.WriteNumber("value", n);
                        break;
                    case BooleanMetric { Value: { } b }:
                        json.WriteBoolean("value", b);
                        break;
                    case StringMetric { Value: { } s }:
                        json.WriteString("value", s);
                        break;
                }

                if (metric.Reason is not null)
                {
                    json.WriteString("reason", metric.Reason);
                }

                if (metric.Interpretation is { } i)
                {
                    json.WriteStartObject("interpretation");
                    json.WriteString("rating", i.Rating.ToString());
                    json.WriteBoolean("failed", i.Failed);
                    if (i.Reason is not null)
                    {
                        json.WriteString("reason", i.Reason);
                    }

                    json.WriteEndObject();
                }

                json.WriteStartArray("diagnostics");
                foreach (var diagnostic in metric.Diagnostics ?? [])
                {
                    json.WriteStartObject();
                    json.WriteString("severity", diagnostic.Severity.ToString());
                    json.WriteString("message", diagnostic.Message);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                if (metric.Metadata is { Count: > 0 } metadata)
                {
                    json.WriteStartObject("metadata");
                    foreach (var (name, value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
                    {
                        json.WriteString(name, value);
                    }

                    json.WriteEndObject();
                }

                json.WriteEndObject();
            }

            json.WriteString("step", step.ToString(CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }

        await run.LogBytesAsync(buffer.ToArray(), artifactFile, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Evaluates a registered prompt version with a chat client: links the version to the run (tag
    /// <c>mlflow.linkedPrompts</c>, so the MLflow UI shows which prompt the run evaluated), then runs
    /// <see cref="RunEvaluationExtensions.EvaluateAsync{TExample, TPrediction}(Run, IReadOnlyList{TExample}, Func{TExample, CancellationToken, Task{TPrediction}}, EvaluationOptions{TExample, TPrediction}, CancellationToken)"/>
    /// with <see cref="ChatClientPredictor.Create{TExample}(IChatClient, PromptVersion, Func{TExample, IReadOnlyDictionary{string, object}}, ChatOptions)"/>.
    /// </summary>
    /// <typeparam name="TExample">The example type.</typeparam>
    /// <param name="run">The evaluation run.</param>
    /// <param name="examples">The examples.</param>
    /// <param name="client">The chat client.</param>
    /// <param name="prompt">The prompt version.</param>
    /// <param name="variables">The variable values of an example.</param>
    /// <param name="options">Targets, metrics and limits.</param>
    /// <param name="chatOptions">Chat options for every call.</param>
    /// <param name="cancellationToken">Stops the evaluation.</param>
    /// <returns>The metrics and intervals.</returns>
    public static async Task<EvaluationSummary> EvaluatePromptAsync<TExample>(
        this Run run,
        IReadOnlyList<TExample> examples,
        IChatClient client,
        PromptVersion prompt,
        Func<TExample, IReadOnlyDictionary<string, object?>> variables,
        EvaluationOptions<TExample, TextPrediction> options,
        ChatOptions? chatOptions = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(prompt);
        await run.LinkPromptsAsync([prompt], cancellationToken).ConfigureAwait(false);
        return await run.EvaluateAsync(examples, ChatClientPredictor.Create(client, prompt, variables, chatOptions), options, cancellationToken).ConfigureAwait(false);
    }
}
