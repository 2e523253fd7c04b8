using System.Text.Json.Nodes;
using Google.Protobuf;

namespace LlmTrack.Tests.Tracing;

/// <summary>
/// Decodes an OTLP ExportTraceServiceRequest with Google.Protobuf's CodedInputStream (field numbers of
/// opentelemetry-proto trace/v1) into the OTLP/JSON form the recordings show: camelCase keys, hex ids, int64 as
/// strings, enum names. Independent of the writer under test.
/// </summary>
internal static class OtlpDecoder
{
    public static JsonObject Decode(byte[] request)
    {
        var resourceSpans = new JsonArray();
        Read(request, (field, input) =>
        {
            if (field == 1)
            {
                resourceSpans.Add(ResourceSpans(input.ReadBytes().ToByteArray()));
            }
            else
            {
                input.SkipLastField();
            }
        });
        return new JsonObject { ["resourceSpans"] = resourceSpans };
    }

    private static JsonObject ResourceSpans(byte[] bytes)
    {
        var scopeSpans = new JsonArray();
        var result = new JsonObject();
        Read(bytes, (field, input) =>
        {
            switch (field)
            {
                case 1: result["resource"] = new JsonObject { ["attributes"] = KeyValues(input.ReadBytes().ToByteArray(), 1) }; break;
                case 2: scopeSpans.Add(ScopeSpans(input.ReadBytes().ToByteArray())); break;
                default: input.SkipLastField(); break;
            }
        });
        result["scopeSpans"] = scopeSpans;
        return result;
    }

    private static JsonObject ScopeSpans(byte[] bytes)
    {
        var spans = new JsonArray();
        var result = new JsonObject();
        Read(bytes, (field, input) =>
        {
            switch (field)
            {
                case 1: input.SkipLastField(); result["scope"] = new JsonObject(); break;
                case 2: spans.Add(Span(input.ReadBytes().ToByteArray())); break;
                default: input.SkipLastField(); break;
            }
        });
        result["spans"] = spans;
        return result;
    }

    private static JsonObject Span(byte[] bytes)
    {
        var span = new JsonObject();
        var attributes = new JsonArray();
        var events = new JsonArray();
        Read(bytes, (field, input) =>
        {
            switch (field)
            {
                case 1: span["traceId"] = Hex(input); break;
                case 2: span["spanId"] = Hex(input); break;
                case 4: span["parentSpanId"] = Hex(input); break;
                case 5: span["name"] = input.ReadString(); break;
                case 6: span["kind"] = input.ReadEnum(); break;
                case 7: span["startTimeUnixNano"] = input.ReadFixed64().ToString(); break;
                case 8: span["endTimeUnixNano"] = input.ReadFixed64().ToString(); break;
                case 9: attributes.Add(KeyValue(input.ReadBytes().ToByteArray())); break;
                case 11: events.Add(Event(input.ReadBytes().ToByteArray())); break;
                case 15: span["status"] = Status(input.ReadBytes().ToByteArray()); break;
                default: input.SkipLastField(); break;
            }
        });
        if (attributes.Count > 0)
        {
            span["attributes"] = attributes;
        }

        if (events.Count > 0)
        {
            span["events"] = events;
        }

        if (span["status"] is JsonNode status)
        {
            span.Remove("status");
            span["status"] = status; // last, as in the recordings
        }

        return span;
    }

    private static JsonObject Event(byte[] bytes)
    {
        var e = new JsonObject();
        var attributes = new JsonArray();
        Read(bytes, (field, input) =>
        {
            switch (field)
            {
                case 1: e["timeUnixNano"] = input.ReadFixed64().ToString(); break;
                case 2: e["name"] = input.ReadString(); break;
                case 3: attributes.Add(KeyValue(input.ReadBytes().ToByteArray())); break;
                default: input.SkipLastField(); break;
            }
        });
        if (attributes.Count > 0)
        {
            e["attributes"] = attributes;
        }

        return e;
    }

    private static JsonObject Status(byte[] bytes)
    {
        var status = new JsonObject();
        Read(bytes, (field, input) =>
        {
            switch (field)
            {
                case 2: status["message"] = input.ReadString(); break;
                case 3: status["code"] = input.ReadEnum() switch { 1 => "STATUS_CODE_OK", 2 => "STATUS_CODE_ERROR", _ => "STATUS_CODE_UNSET" }; break;
                default: input.SkipLastField(); break;
            }
        });
        return status;
    }

    private static JsonArray KeyValues(byte[] bytes, int field)
    {
        var list = new JsonArray();
        Read(bytes, (f, input) =>
        {
            if (f == field)
            {
                list.Add(KeyValue(input.ReadBytes().ToByteArray()));
            }
            else
            {
                input.SkipLastField();
            }
        });
        return list;
    }

    private static JsonObject KeyValue(byte[] bytes)
    {
        var kv = new JsonObject();
        Read(bytes, (field, input) =>
        {
            switch (field)
            {
                case 1: kv["key"] = input.ReadString(); break;
                case 2:
                    var value = AnyValue(input.ReadBytes().ToByteArray());
                    if (value.Count > 0)
                    {
                        kv["value"] = value;
                    }

                    break;
                default: input.SkipLastField(); break;
            }
        });
        return kv;
    }

    private static JsonObject AnyValue(byte[] bytes)
    {
        var value = new JsonObject();
        Read(bytes, (field, input) =>
        {
            switch (field)
            {
                case 1: value["stringValue"] = input.ReadString(); break;
                case 2: value["boolValue"] = input.ReadBool(); break;
                case 3: value["intValue"] = input.ReadInt64().ToString(); break;
                case 4: value["doubleValue"] = input.ReadDouble(); break;
                case 5: value["arrayValue"] = new JsonObject { ["values"] = Values(input.ReadBytes().ToByteArray(), AnyValue) }; break;
                case 6: value["kvlistValue"] = new JsonObject { ["values"] = Values(input.ReadBytes().ToByteArray(), KeyValue) }; break;
                default: input.SkipLastField(); break;
            }
        });
        return value;
    }

    private static JsonArray Values(byte[] bytes, Func<byte[], JsonObject> item)
    {
        var list = new JsonArray();
        Read(bytes, (field, input) =>
        {
            if (field == 1)
            {
                list.Add(item(input.ReadBytes().ToByteArray()));
            }
            else
            {
                input.SkipLastField();
            }
        });
        return list;
    }

    private static string Hex(CodedInputStream input) => Convert.ToHexString(input.ReadBytes().ToByteArray()).ToLowerInvariant();

    private static void Read(byte[] bytes, Action<int, CodedInputStream> onField)
    {
        var input = new CodedInputStream(bytes);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            onField(WireFormat.GetTagFieldNumber(tag), input);
        }
    }
}
