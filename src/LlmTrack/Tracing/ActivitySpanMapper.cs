using LlmTrack.Model;
using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LlmTrack.Model.Tracing;

namespace LlmTrack.Tracing;

/// <summary>
/// Turns a finished <see cref="Activity"/> into the span MLflow stores: the OTLP fields plus MLflow's attributes
/// (<c>mlflow.traceRequestId</c>, <c>mlflow.spanType</c> from <c>gen_ai.operation.name</c>, <c>mlflow.spanInputs</c> /
/// <c>mlflow.spanOutputs</c> as typed values, <c>mlflow.chat.tokenUsage</c> from <c>gen_ai.usage.*</c>). Without content
/// capture, the GenAI message attributes (prompts and completions) are left out.
/// </summary>
internal static class ActivitySpanMapper
{
    private const long UnixEpochTicks = 621355968000000000L;

    /// <summary>The span of <paramref name="activity"/>; <paramref name="tokens"/> gets its token usage, if any.</summary>
    public static SpanRecord ToSpan(Activity activity, bool captureContent, out TokenTotals tokens)
    {
        var traceId = activity.TraceId.ToHexString();
        // A span whose parent is in another process is this process's root of the trace: MLflow completes a trace
        // when a span without parent arrives, so the remote parent is not named.
        var parentHex = activity.ParentSpanId.ToHexString();
        string? parent = activity.ParentSpanId == default || parentHex == "0000000000000000" || (activity.Parent is null && activity.HasRemoteParent) ? null : parentHex;
        object? inputs = null;
        object? outputs = null;
        string? spanType = null;
        string? operation = null;
        object? tokenUsage = null;
        long? inputTokens = null;
        long? outputTokens = null;
        var rest = new List<SpanAttribute>();
        foreach (var (key, value) in activity.TagObjects)
        {
            switch (key)
            {
                case MlflowTraceKeys.TraceRequestId:
                    continue;
                case MlflowTags.SpanType:
                    spanType = value as string;
                    continue;
                case MlflowTags.SpanInputs:
                    inputs = Structured(value);
                    continue;
                case MlflowTags.SpanOutputs:
                    outputs = Structured(value);
                    continue;
                case MlflowTags.SpanTokenUsage:
                    tokenUsage = Structured(value);
                    continue;
                case MlflowTraceKeys.GenAiInputMessages or MlflowTraceKeys.GenAiOutputMessages or MlflowTraceKeys.GenAiSystemInstructions when !captureContent:
                    continue;
                case MlflowTraceKeys.GenAiOperationName:
                    operation = value as string;
                    break;
                case MlflowTraceKeys.GenAiInputTokens:
                    inputTokens = AsLong(value);
                    break;
                case MlflowTraceKeys.GenAiOutputTokens:
                    outputTokens = AsLong(value);
                    break;
                case MlflowTraceKeys.GenAiInputMessages:
                    inputs ??= Structured(value);
                    break;
                case MlflowTraceKeys.GenAiOutputMessages:
                    outputs ??= Structured(value);
                    break;
                default:
                    break;
            }

            rest.Add(new SpanAttribute(key, Value(value)));
        }

        tokens = new TokenTotals(inputTokens ?? 0, outputTokens ?? 0, inputTokens is not null || outputTokens is not null);
        if (tokenUsage is null && tokens.Any)
        {
            tokenUsage = TokenUsage(tokens.Input, tokens.Output);
        }

        var attributes = new List<SpanAttribute>(rest.Count + 5)
        {
            new(MlflowTraceKeys.TraceRequestId, TraceIds.ToMlflow(traceId)),
            new(MlflowTags.SpanType, spanType ?? MlflowTraceKeys.SpanTypeOfOperation(operation)),
        };
        if (inputs is not null)
        {
            attributes.Add(new(MlflowTags.SpanInputs, inputs));
        }

        if (tokenUsage is not null)
        {
            attributes.Add(new(MlflowTags.SpanTokenUsage, tokenUsage));
        }

        attributes.AddRange(rest);
        if (outputs is not null)
        {
            attributes.Add(new(MlflowTags.SpanOutputs, outputs));
        }

        var events = new List<SpanEventRecord>();
        foreach (var e in activity.Events)
        {
            var eventAttributes = new List<SpanAttribute>();
            foreach (var (key, value) in e.Tags)
            {
                eventAttributes.Add(new SpanAttribute(key, Value(value)));
            }

            events.Add(new SpanEventRecord(e.Name, UnixNanos(e.Timestamp.UtcDateTime), eventAttributes));
        }

        var start = UnixNanos(activity.StartTimeUtc);
        var isError = activity.Status == ActivityStatusCode.Error;
        return new SpanRecord(
            traceId,
            activity.SpanId.ToHexString(),
            parent,
            activity.DisplayName,
            start,
            start + (activity.Duration.Ticks * 100),
            attributes,
            events,
            isError,
            isError ? activity.StatusDescription : null);
    }

    /// <summary>The <c>{input_tokens, output_tokens, total_tokens}</c> kvlist value.</summary>
    public static IReadOnlyList<SpanAttribute> TokenUsage(long input, long output) =>
        [new("input_tokens", input), new("output_tokens", output), new("total_tokens", input + output)];

    /// <summary>Nanoseconds since the Unix epoch of a UTC time.</summary>
    public static long UnixNanos(DateTime utc) => (utc.Ticks - UnixEpochTicks) * 100;

    /// <summary>A JSON text parsed into a structured value (kept as a string when it is not JSON).</summary>
    public static object? Structured(object? value)
    {
        if (value is not string text)
        {
            return Value(value);
        }

        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return text;
        }
    }

    /// <summary>A tag value in the types <see cref="SpanAttribute"/> allows.</summary>
    public static object? Value(object? value) => value switch
    {
        null => null,
        string or bool or long or double or JsonElement => value,
        int i => (long)i,
        short s => (long)s,
        byte b => (long)b,
        sbyte sb => (long)sb,
        uint u => (long)u,
        ushort us => (long)us,
        ulong ul when ul <= long.MaxValue => (long)ul,
        float f => (double)f,
        decimal d => (double)d,
        IEnumerable list and not string => ListOf(list),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    private static List<object?> ListOf(IEnumerable list)
    {
        var items = new List<object?>();
        foreach (var item in list)
        {
            items.Add(Value(item));
        }

        return items;
    }

    private static long? AsLong(object? value) => Value(value) switch
    {
        long l => l,
        double d => (long)d,
        string s when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
        _ => null,
    };
}

/// <summary>Token counts of a span or a trace.</summary>
/// <param name="Input">Input (prompt) tokens.</param>
/// <param name="Output">Output (completion) tokens.</param>
/// <param name="Any">Whether any count was reported.</param>
internal readonly record struct TokenTotals(long Input, long Output, bool Any)
{
    /// <summary>The sum of two counts.</summary>
    public TokenTotals Add(TokenTotals other) => new(Input + other.Input, Output + other.Output, Any || other.Any);
}
