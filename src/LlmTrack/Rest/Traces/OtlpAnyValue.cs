using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmTrack.Rest.Traces;

/// <summary>
/// Decodes the OpenTelemetry <c>AnyValue</c>s of MLflow's v3 span JSON (proto JSON, snake_case keys such as
/// <c>string_value</c>, <c>kvlist_value</c>; camelCase accepted too) into plain JSON: key/value lists become
/// objects, arrays arrays, <c>int_value</c> (a number or, as proto JSON allows, a string) a number.
/// </summary>
internal static class OtlpAnyValue
{
    /// <summary>The plain JSON of one AnyValue; <see langword="null"/> for an empty one.</summary>
    public static JsonNode? Decode(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var property in value.EnumerateObject())
        {
            var v = property.Value;
            switch (property.Name)
            {
                case "string_value" or "stringValue":
                    return JsonValue.Create(v.GetString());
                case "bool_value" or "boolValue":
                    return JsonValue.Create(v.ValueKind == JsonValueKind.True);
                case "int_value" or "intValue":
                    return JsonValue.Create(v.ValueKind == JsonValueKind.String ? long.Parse(v.GetString()!, CultureInfo.InvariantCulture) : v.GetInt64());
                case "double_value" or "doubleValue":
                    return JsonValue.Create(v.ValueKind == JsonValueKind.String ? double.Parse(v.GetString()!, CultureInfo.InvariantCulture) : v.GetDouble());
                case "bytes_value" or "bytesValue":
                    return JsonValue.Create(v.GetString());
                case "array_value" or "arrayValue":
                    var array = new JsonArray();
                    foreach (var item in Values(v))
                    {
                        array.Add(Decode(item));
                    }

                    return array;
                case "kvlist_value" or "kvlistValue":
                    var obj = new JsonObject();
                    foreach (var item in Values(v))
                    {
                        if (item.TryGetProperty("key", out var key) && key.GetString() is { } name)
                        {
                            obj[name] = item.TryGetProperty("value", out var inner) ? Decode(inner) : null;
                        }
                    }

                    return obj;
            }
        }

        return null;
    }

    /// <summary>Decodes a list of <c>{key, value}</c> attributes; a repeated key keeps its last value.</summary>
    public static IReadOnlyDictionary<string, JsonNode?> DecodeAttributes(List<KeyValueWire>? attributes)
    {
        var result = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var attribute in attributes ?? [])
        {
            if (attribute.Key is { } key)
            {
                result[key] = Decode(attribute.Value);
            }
        }

        return result;
    }

    private static readonly JsonElement EmptyArray = JsonDocument.Parse("[]").RootElement;

    private static JsonElement.ArrayEnumerator Values(JsonElement container) =>
        (container.ValueKind == JsonValueKind.Object && container.TryGetProperty("values", out var values) && values.ValueKind == JsonValueKind.Array
            ? values
            : EmptyArray).EnumerateArray();
}
