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
    [ThreadStatic]
    private static Stack<ProtobufWriter>? t_writers;

    /// <summary>The request body for <paramref name="spans"/>.</summary>
    public static byte[] Encode(IReadOnlyList<SpanRecord> spans)
    {
        var scopeSpans = Rent();
        foreach (var span in spans)
        {
            WriteSpan(scopeSpans, 2, span); // ScopeSpans.spans = 2
        }

        var resourceSpans = Rent();
        resourceSpans.WriteBytes(2, scopeSpans.WrittenSpan); // ResourceSpans.scope_spans = 2
        var request = Rent();
        request.WriteBytes(1, resourceSpans.WrittenSpan); // ExportTraceServiceRequest.resource_spans = 1
        var bytes = request.ToArray();
        Return(request);
        Return(resourceSpans);
        Return(scopeSpans);
        return bytes;
    }

    private static ProtobufWriter Rent() => (t_writers ??= new Stack<ProtobufWriter>()).TryPop(out var w) ? w : new ProtobufWriter();

    private static void Return(ProtobufWriter writer)
    {
        writer.Clear();
        t_writers!.Push(writer);
    }

    /// <summary>Writes <paramref name="nested"/>'s bytes as field <paramref name="field"/> of <paramref name="parent"/> and returns it to the pool.</summary>
    private static void Embed(ProtobufWriter parent, int field, ProtobufWriter nested)
    {
        parent.WriteBytes(field, nested.WrittenSpan);
        Return(nested);
    }

    private static void WriteSpan(ProtobufWriter parent, int field, SpanRecord span)
    {
        var w = Rent();
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
            WriteKeyValue(w, 9, attribute.Key, attribute.Value);
        }

        foreach (var e in span.Events)
        {
            var ev = Rent();
            ev.WriteFixed64(1, (ulong)e.TimeUnixNano);
            ev.WriteString(2, e.Name);
            foreach (var attribute in e.Attributes)
            {
                WriteKeyValue(ev, 3, attribute.Key, attribute.Value);
            }

            Embed(w, 11, ev);
        }

        var status = Rent();
        if (span.IsError && !string.IsNullOrEmpty(span.StatusMessage))
        {
            status.WriteString(2, span.StatusMessage);
        }

        status.WriteVarint(3, span.IsError ? 2UL : 1UL); // STATUS_CODE_ERROR = 2, STATUS_CODE_OK = 1
        Embed(w, 15, status);
        Embed(parent, field, w);
    }

    private static void WriteKeyValue(ProtobufWriter parent, int field, string key, object? value)
    {
        var kv = Rent();
        kv.WriteString(1, key);
        WriteAnyValue(kv, 2, value);
        Embed(parent, field, kv);
    }

    /// <summary>An OTLP AnyValue: string 1, bool 2, int 3, double 4, array 5, kvlist 6; nothing set for null.</summary>
    private static void WriteAnyValue(ProtobufWriter parent, int field, object? value)
    {
        var w = Rent();
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
            case IReadOnlyList<SpanAttribute> kvlist:
                var values = Rent();
                foreach (var item in kvlist)
                {
                    WriteKeyValue(values, 1, item.Key, item.Value);
                }

                Embed(w, 6, values);
                break;
            case IReadOnlyList<object?> list:
                var array = Rent();
                foreach (var item in list)
                {
                    WriteAnyValue(array, 1, item);
                }

                Embed(w, 5, array);
                break;
            default:
                w.WriteString(1, Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);
                break;
        }

        Embed(parent, field, w);
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
                var array = Rent();
                foreach (var item in element.EnumerateArray())
                {
                    WriteAnyValue(array, 1, item);
                }

                Embed(w, 5, array);
                break;
            case JsonValueKind.Object:
                var kvlist = Rent();
                foreach (var property in element.EnumerateObject())
                {
                    WriteKeyValue(kvlist, 1, property.Name, property.Value);
                }

                Embed(w, 6, kvlist);
                break;
            default:
                break; // null: an AnyValue with nothing set
        }
    }
}
