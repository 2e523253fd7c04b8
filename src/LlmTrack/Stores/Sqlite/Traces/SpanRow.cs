using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmTrack.Rest.Traces;

namespace LlmTrack.Stores.Sqlite.Traces;

/// <summary>
/// Reads one row of MLflow's <c>spans</c> table: ids, name, times and status from its columns (hex span ids, the
/// <c>tr-</c> trace id), attributes, events and the status message from <c>content</c> — the JSON of MLflow's
/// <c>Span.to_dict()</c>, whose attribute values are themselves JSON text (<c>"\"CHAT_MODEL\""</c>).
/// </summary>
internal static class SpanRow
{
    /// <summary>The span of a row.</summary>
    public static Span Read(string traceId, string spanId, string? parentSpanId, string? name, string status, long start, long? end, string content)
    {
        using var document = JsonDocument.Parse(content);
        var root = document.RootElement;
        var statusMessage = root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Object
            && s.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() ?? "" : "";
        return new Span
        {
            TraceId = traceId.StartsWith("tr-", StringComparison.Ordinal) ? traceId[3..] : traceId,
            SpanId = TraceWireMapping.IdToHex(spanId) ?? spanId,
            ParentSpanId = TraceWireMapping.IdToHex(parentSpanId),
            Name = name ?? "",
            StartTimeUnixNano = start,
            EndTimeUnixNano = end,
            StatusCode = ParseStatus(status),
            StatusMessage = statusMessage,
            Attributes = root.TryGetProperty("attributes", out var attributes) ? ReadAttributes(attributes) : new Dictionary<string, JsonNode?>(),
            Events = root.TryGetProperty("events", out var events) && events.ValueKind == JsonValueKind.Array ? ReadEvents(events) : [],
        };
    }

    /// <summary>A span status of the <c>status</c> column (<c>OK</c>) or of span JSON (<c>STATUS_CODE_OK</c>).</summary>
    public static SpanStatusCode ParseStatus(string? status) => status switch
    {
        "OK" or "STATUS_CODE_OK" => SpanStatusCode.Ok,
        "ERROR" or "STATUS_CODE_ERROR" => SpanStatusCode.Error,
        _ => SpanStatusCode.Unset,
    };

    private static Dictionary<string, JsonNode?> ReadAttributes(JsonElement attributes)
    {
        var result = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (attributes.ValueKind != JsonValueKind.Object)
        {
            return result;
        }

        foreach (var attribute in attributes.EnumerateObject())
        {
            result[attribute.Name] = ReadAttributeValue(attribute.Value);
        }

        return result;
    }

    /// <summary>MLflow keeps attribute values JSON-serialized; text that is not JSON is a plain string value.</summary>
    private static JsonNode? ReadAttributeValue(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return JsonNode.Parse(value.GetRawText());
        }

        var text = value.GetString()!;
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    private static List<SpanEvent> ReadEvents(JsonElement events)
    {
        var result = new List<SpanEvent>();
        foreach (var e in events.EnumerateArray())
        {
            var name = e.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() ?? "" : "";
            long time = 0;
            if (e.TryGetProperty("time_unix_nano", out var t))
            {
                time = t.ValueKind == JsonValueKind.Number ? t.GetInt64()
                    : t.ValueKind == JsonValueKind.String && long.TryParse(t.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
            }

            var attributes = e.TryGetProperty("attributes", out var a) ? ReadAttributes(a) : new Dictionary<string, JsonNode?>();
            result.Add(new SpanEvent(name, time, attributes));
        }

        return result;
    }
}
