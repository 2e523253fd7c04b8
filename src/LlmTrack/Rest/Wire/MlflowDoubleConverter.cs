using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmTrack.Rest.Wire;

/// <summary>
/// Reads and writes metric values as MLflow's protobuf JSON does: finite values as JSON numbers in
/// shortest round-trip form, NaN and ±∞ as the strings <c>"NaN"</c>, <c>"Infinity"</c> and
/// <c>"-Infinity"</c>. A bare <c>NaN</c> token or an overflowing literal such as <c>1e400</c> is
/// accepted by the server and silently stored as 0, so it is never written.
/// </summary>
internal sealed class MlflowDoubleConverter : JsonConverter<double>
{
    /// <summary>The string MLflow uses for NaN.</summary>
    public const string NaNText = "NaN";

    /// <summary>The string MLflow uses for +∞.</summary>
    public const string PositiveInfinityText = "Infinity";

    /// <summary>The string MLflow uses for −∞.</summary>
    public const string NegativeInfinityText = "-Infinity";

    /// <inheritdoc />
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                if (reader.TryGetDouble(out var number))
                {
                    return number;
                }

                throw new JsonException("A metric value is not a valid double.");
            case JsonTokenType.String:
                var text = reader.GetString() ?? string.Empty;
                if (TryParseText(text, out var parsed))
                {
                    return parsed;
                }

                throw new JsonException("A metric value string is not a number.");
            case JsonTokenType.True:
                return 1.0;
            case JsonTokenType.False:
                return 0.0;
            default:
                throw new JsonException($"Unexpected JSON token {reader.TokenType} for a metric value.");
        }
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (double.IsNaN(value))
        {
            writer.WriteStringValue(NaNText);
        }
        else if (double.IsPositiveInfinity(value))
        {
            writer.WriteStringValue(PositiveInfinityText);
        }
        else if (double.IsNegativeInfinity(value))
        {
            writer.WriteStringValue(NegativeInfinityText);
        }
        else
        {
            // Utf8JsonWriter writes the shortest string that parses back to the same double.
            writer.WriteNumberValue(value);
        }
    }

    /// <summary>Parses MLflow's string forms of a double (<c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c>, <c>"1.5"</c>).</summary>
    internal static bool TryParseText(string text, out double value)
    {
        var trimmed = text.Trim();
        if (trimmed.Equals(NaNText, StringComparison.OrdinalIgnoreCase))
        {
            value = double.NaN;
            return true;
        }

        if (trimmed.Equals(PositiveInfinityText, StringComparison.OrdinalIgnoreCase)
            || trimmed.Equals("+Infinity", StringComparison.OrdinalIgnoreCase)
            || trimmed.Equals("inf", StringComparison.OrdinalIgnoreCase)
            || trimmed.Equals("+inf", StringComparison.OrdinalIgnoreCase))
        {
            value = double.PositiveInfinity;
            return true;
        }

        if (trimmed.Equals(NegativeInfinityText, StringComparison.OrdinalIgnoreCase)
            || trimmed.Equals("-inf", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NegativeInfinity;
            return true;
        }

        return double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }
}
