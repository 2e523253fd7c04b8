using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmTrack.AI;

/// <summary>
/// The <c>chat</c> span of one <see cref="ChatClientPredictor"/> call, with OpenTelemetry's GenAI attributes
/// (<c>gen_ai.operation.name</c>, <c>gen_ai.request.model</c>, <c>gen_ai.usage.*</c>, and the messages), so that the
/// call appears in the example's MLflow trace as a CHAT_MODEL span. Made only when someone listens to the
/// <c>LlmTrack.AI</c> source, and not when the client already makes its own span (<c>UseOpenTelemetry()</c>), so a
/// call is never counted twice.
/// </summary>
internal static class ChatSpan
{
    /// <summary>The ActivitySource name.</summary>
    public const string SourceName = "LlmTrack.AI";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>Starts the span, or returns <see langword="null"/> when nobody listens or the client traces itself.</summary>
    public static Activity? Start(IChatClient client, IList<ChatMessage> messages, ChatOptions? options)
    {
        if (!Source.HasListeners() || client.GetService(typeof(ActivitySource)) is not null)
        {
            return null;
        }

        var model = options?.ModelId;
        var activity = Source.StartActivity(model is null ? "chat" : "chat " + model, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("gen_ai.operation.name", "chat");
            if (model is not null)
            {
                activity.SetTag("gen_ai.request.model", model);
            }

            activity.SetTag("gen_ai.input.messages", MessagesJson(messages));
        }

        return activity;
    }

    /// <summary>Adds the response (model, usage, output message) and ends the span.</summary>
    public static void End(Activity? activity, ChatResponse? response, Exception? error)
    {
        if (activity is null)
        {
            return;
        }

        if (activity.IsAllDataRequested && response is not null)
        {
            if (response.ModelId is { } model)
            {
                activity.SetTag("gen_ai.response.model", model);
            }

            if (response.Usage?.InputTokenCount is { } input)
            {
                activity.SetTag("gen_ai.usage.input_tokens", input);
            }

            if (response.Usage?.OutputTokenCount is { } output)
            {
                activity.SetTag("gen_ai.usage.output_tokens", output);
            }

            activity.SetTag("gen_ai.output.messages", MessagesJson(response.Messages));
        }

        if (error is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, error.Message);
            activity.SetTag("error.type", error.GetType().FullName);
        }

        activity.Stop();
    }

    /// <summary>The GenAI conventions' message JSON: <c>[{"role":"user","parts":[{"type":"text","content":"…"}]}]</c>.</summary>
    public static string MessagesJson(IEnumerable<ChatMessage> messages)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartArray();
            foreach (var message in messages)
            {
                w.WriteStartObject();
                w.WriteString("role", message.Role.Value);
                w.WriteStartArray("parts");
                w.WriteStartObject();
                w.WriteString("type", "text");
                w.WriteString("content", message.Text);
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
