using System.Globalization;
using System.Text;
using LlmTrack.Evaluation;
using LlmTrack.Metrics.Tokens;
using Microsoft.Extensions.AI;

namespace LlmTrack.AI;

/// <summary>
/// Turns an <see cref="IChatClient"/> into a predictor for <c>run.EvaluateAsync</c>: the example fills a prompt
/// template's <c>{placeholders}</c>, the prompt is sent with <see cref="IChatClient.GetResponseAsync"/>, and the response
/// text becomes a <see cref="TextPrediction"/> carrying <see cref="ChatResponse.Usage"/> when the client reports it
/// (otherwise the evaluation counts tokens locally). When someone listens (an evaluation recording its per-example
/// traces, or a <see cref="TracingSession"/>), each call is also a GenAI <c>chat</c> span (source <c>LlmTrack.AI</c>)
/// unless the client makes its own (<c>UseOpenTelemetry()</c>).
/// </summary>
public static class ChatClientPredictor
{
    /// <summary>Creates the predictor.</summary>
    /// <typeparam name="TExample">The example type.</typeparam>
    /// <param name="client">The chat client.</param>
    /// <param name="promptTemplate">The user prompt, e.g. <c>"Classify the sentiment: {text}"</c>; <c>{{</c> and <c>}}</c> write braces.</param>
    /// <param name="placeholders">The placeholder values of an example.</param>
    /// <param name="systemPrompt">An optional system message.</param>
    /// <param name="options">Chat options (model, temperature …) for every call.</param>
    /// <returns>The predictor.</returns>
    public static Func<TExample, CancellationToken, Task<TextPrediction>> Create<TExample>(
        IChatClient client,
        string promptTemplate,
        Func<TExample, IReadOnlyDictionary<string, object?>> placeholders,
        string? systemPrompt = null,
        ChatOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(promptTemplate);
        ArgumentNullException.ThrowIfNull(placeholders);
        var template = PromptTemplate.Parse(promptTemplate);
        return async (example, cancellationToken) =>
        {
            var messages = new List<ChatMessage>(2);
            if (systemPrompt is not null)
            {
                messages.Add(new ChatMessage(ChatRole.System, systemPrompt));
            }

            messages.Add(new ChatMessage(ChatRole.User, template.Render(placeholders(example))));
            return await SendAsync(client, messages, options, cancellationToken).ConfigureAwait(false);
        };
    }

    /// <summary>
    /// Creates a predictor from a registered prompt version (<c>tracker.Prompts</c>): each example fills the prompt's
    /// <c>{{variables}}</c> through <see cref="PromptVersion.FormatMessages"/> (a text prompt becomes one user message, a
    /// chat prompt its messages). Use <see cref="RunAIEvaluationExtensions.EvaluatePromptAsync"/> to also link the
    /// prompt version to the evaluation run.
    /// </summary>
    /// <typeparam name="TExample">The example type.</typeparam>
    /// <param name="client">The chat client.</param>
    /// <param name="prompt">The prompt version.</param>
    /// <param name="variables">The variable values of an example.</param>
    /// <param name="options">Chat options (model, temperature …) for every call.</param>
    /// <returns>The predictor.</returns>
    public static Func<TExample, CancellationToken, Task<TextPrediction>> Create<TExample>(
        IChatClient client,
        PromptVersion prompt,
        Func<TExample, IReadOnlyDictionary<string, object?>> variables,
        ChatOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(variables);
        return async (example, cancellationToken) =>
        {
            var messages = prompt.FormatMessages(variables(example)).Select(m => new ChatMessage(new ChatRole(m.Role), m.Content)).ToList();
            return await SendAsync(client, messages, options, cancellationToken).ConfigureAwait(false);
        };
    }

    // One chat call inside its chat span (unless the client traces itself), as a prediction with its token usage.
    private static async Task<TextPrediction> SendAsync(IChatClient client, List<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var span = ChatSpan.Start(client, messages, options);
        ChatResponse response;
        try
        {
            response = await client.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ChatSpan.End(span, null, ex);
            throw;
        }

        ChatSpan.End(span, response, null);
        return ToPrediction(response);
    }

    private static TextPrediction ToPrediction(ChatResponse response)
    {
        TokenUsage? usage = response.Usage is { InputTokenCount: { } input, OutputTokenCount: { } output } ? new TokenUsage(input, output) : null;
        return new TextPrediction(response.Text, usage);
    }
}

/// <summary>A prompt template with <c>{name}</c> placeholders (<c>{{</c>/<c>}}</c> for literal braces).</summary>
public sealed class PromptTemplate
{
    private readonly List<(string Text, bool IsPlaceholder)> _parts;

    private PromptTemplate(List<(string, bool)> parts) => _parts = parts;

    /// <summary>The placeholder names in order of appearance.</summary>
    public IReadOnlyList<string> Placeholders => [.. _parts.Where(p => p.IsPlaceholder).Select(p => p.Text).Distinct()];

    /// <summary>Parses a template.</summary>
    /// <param name="template">The template text.</param>
    /// <returns>The template.</returns>
    /// <exception cref="FormatException">On an unclosed or empty placeholder or a lone <c>}</c>.</exception>
    public static PromptTemplate Parse(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var parts = new List<(string, bool)>();
        var text = new StringBuilder();
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c == '{' && i + 1 < template.Length && template[i + 1] == '{')
            {
                text.Append('{');
                i++;
            }
            else if (c == '}' && i + 1 < template.Length && template[i + 1] == '}')
            {
                text.Append('}');
                i++;
            }
            else if (c == '{')
            {
                var end = template.IndexOf('}', i + 1);
                if (end < 0 || end == i + 1)
                {
                    throw new FormatException($"Unclosed or empty placeholder at position {i} of the prompt template.");
                }

                parts.Add((text.ToString(), false));
                text.Clear();
                parts.Add((template[(i + 1)..end].Trim(), true));
                i = end;
            }
            else if (c == '}')
            {
                throw new FormatException($"Lone '}}' at position {i} of the prompt template (write '}}}}').");
            }
            else
            {
                text.Append(c);
            }
        }

        parts.Add((text.ToString(), false));
        return new PromptTemplate(parts);
    }

    /// <summary>Fills the placeholders.</summary>
    /// <param name="values">Placeholder values (formatted with the invariant culture; null as empty).</param>
    /// <returns>The prompt.</returns>
    /// <exception cref="KeyNotFoundException">When a placeholder has no value.</exception>
    public string Render(IReadOnlyDictionary<string, object?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sb = new StringBuilder();
        foreach (var (text, isPlaceholder) in _parts)
        {
            if (!isPlaceholder)
            {
                sb.Append(text);
            }
            else if (values.TryGetValue(text, out var value))
            {
                sb.Append(value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value?.ToString());
            }
            else
            {
                throw new KeyNotFoundException($"The prompt template's placeholder '{{{text}}}' has no value.");
            }
        }

        return sb.ToString();
    }
}
