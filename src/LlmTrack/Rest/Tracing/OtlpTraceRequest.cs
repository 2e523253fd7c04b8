using System.Globalization;
using System.Text.Json;
using LlmTrack.Model.Tracing;

namespace LlmTrack.Rest.Tracing;

/// <summary>
/// Encodes spans as an OTLP <c>ExportTraceServiceRequest</c> (opentelemetry-proto trace/v1, field numbers of the
/// published .proto), in the shape MLflow's Python client sends: one ResourceSpans without resource attributes, one
/// ScopeSpans without scope, spans without kind (MLflow drops resource, scope and kind anyway).
/// </summary>
internal static class OtlpTraceRequest
{
    /// <summary>The request body for <paramref name="spans"/>.</summary>
    public static byte[] Encode(IReadOnlyList<SpanRecord> spans)
    {
        var scopeSpans = new ProtobufWriter();
        foreach (var span in spans)
        {
            scopeSpans.WriteBytes(2, EncodeSpan(span).WrittenSpan); // ScopeSpans.spans = 2
        }

        var resourceSpans = new ProtobufWriter();
        resourceSpans.WriteBytes(2, scopeSpans.WrittenSpan); // ResourceSpans.scope_spans = 2
        var request = new ProtobufWriter();
        request.WriteBytes(1, resourceSpans.WrittenSpan); // ExportTraceServiceRequest.resource_spans = 1
        return request.ToArray();
    }

    private static ProtobufWriter EncodeSpan(SpanRecord span)
    {
        var w = new ProtobufWriter();
        w.WriteHexBytes(1, span.TraceId);
        w.WriteHexBytes(2, span.SpanId);
        if (span.ParentSpanId is not null)
        {
            w.WriteHexBytes(4, span.ParentSpanId);
        }

        w.WriteString(5, span.Name);
        w.WriteFixed64(7, (ulong)span.StartTimeUnixNano);
        w.WriteFixed64(8, (ulong)span.EndTimeUnixNano);
        foreach (var attribute in span.Attributes)
        {
            w.WriteBytes(9, EncodeKeyValue(attribute.Key, attribute.Value).WrittenSpan);
        }

        foreach (var e in span.Events)
        {
            var ev = new ProtobufWriter();
            ev.WriteFixed64(1, (ulong)e.TimeUnixNano);
            ev.WriteString(2, e.Name);
            foreach (var attribute in e.Attributes)
            {
                ev.WriteBytes(3, EncodeKeyValue(attribute.Key, attribute.Value).WrittenSpan);
            }

            w.WriteBytes(11, ev.WrittenSpan);
        }

        var status = new ProtobufWriter();
        if (span.IsError && !string.IsNullOrEmpty(span.StatusMessage))
        {
            status.WriteString(2, span.StatusMessage);
        }

        status.WriteVarint(3, span.IsError ? 2UL : 1UL); // STATUS_CODE_ERROR = 2, STATUS_CODE_OK = 1
        w.WriteBytes(15, status.WrittenSpan);
        return w;
    }

    private static ProtobufWriter EncodeKeyValue(string key, object? value)
    {
        var kv = new ProtobufWriter();
        kv.WriteString(1, key);
        kv.WriteBytes(2, EncodeAnyValue(value).WrittenSpan);
        return kv;
    }

    /// <summary>An OTLP AnyValue: string 1, bool 2, int 3, double 4, array 5, kvlist 6; nothing set for null.</summary>
    private static ProtobufWriter EncodeAnyValue(object? value)
    {
        var w = new ProtobufWriter();
        switch (value)
        {
            case null:
                break;
            case string s:
                w.WriteString(1, s);
                break;
            case bool b:
                w.WriteVarint(2, b ? 1UL : 0UL);
                break;
            case long l:
                w.WriteVarint(3, unchecked((ulong)l));
                break;
            case double d:
                w.WriteFixed64(4, BitConverter.DoubleToUInt64Bits(d));
                break;
            case JsonElement element:
                WriteJson(w, element);
                break;
            case IReadOnlyList<object?> list:
                var array = new ProtobufWriter();
                foreach (var item in list)
                {
                    array.WriteBytes(1, EncodeAnyValue(item).WrittenSpan);
                }

                w.WriteBytes(5, array.WrittenSpan);
                break;
            default:
                w.WriteString(1, Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);
                break;
        }

        return w;
    }

    private static void WriteJson(ProtobufWriter w, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                w.WriteString(1, element.GetString()!);
                break;
            case JsonValueKind.True or JsonValueKind.False:
                w.WriteVarint(2, element.GetBoolean() ? 1UL : 0UL);
                break;
            case JsonValueKind.Number when element.TryGetInt64(out var l):
                w.WriteVarint(3, unchecked((ulong)l));
                break;
            case JsonValueKind.Number:
                w.WriteFixed64(4, BitConverter.DoubleToUInt64Bits(element.GetDouble()));
                break;
            case JsonValueKind.Array:
                var array = new ProtobufWriter();
                foreach (var item in element.EnumerateArray())
                {
                    array.WriteBytes(1, EncodeAnyValue(item).WrittenSpan);
                }

                w.WriteBytes(5, array.WrittenSpan);
                break;
            case JsonValueKind.Object:
                var kvlist = new ProtobufWriter();
                foreach (var property in element.EnumerateObject())
                {
                    kvlist.WriteBytes(1, EncodeKeyValue(property.Name, property.Value).WrittenSpan);
                }

                w.WriteBytes(6, kvlist.WrittenSpan);
                break;
            default:
                break; // null: an AnyValue with nothing set
        }
    }
}
