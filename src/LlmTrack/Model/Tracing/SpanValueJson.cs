using System.Globalization;
using System.Text;
using System.Text.Json;
using LlmTrack.Metrics.Text;

namespace LlmTrack.Model.Tracing;

/// <summary>
/// Python's <c>json.dumps</c> of a span attribute value as decoded from OTLP (string, bool, integer, double, JSON,
/// key/value list, array), the one writer of the trace previews and of the local store's span content.
/// </summary>
internal static class SpanValueJson
{
    /// <summary>Writes <paramref name="value"/> (<see langword="null"/> → <c>null</c>).</summary>
    /// <param name="sb">Where the text goes.</param>
    /// <param name="value">The value.</param>
    /// <param name="ensureAscii">Python's <c>ensure_ascii</c>.</param>
    public static void Write(StringBuilder sb, object? value, bool ensureAscii)
    {
        switch (value)
        {
            case null:
                sb.Append("null");
                break;
            case string s:
                PythonJson.WriteString(sb, s, ensureAscii);
                break;
            case bool b:
                sb.Append(b ? "true" : "false");
                break;
            case long l:
                sb.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case int n:
                sb.Append(n.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                sb.Append(PythonJson.FormatFloat(d));
                break;
            case JsonElement element:
                PythonJson.WriteElement(sb, element, ensureAscii);
                break;
            case IReadOnlyList<SpanAttribute> kvlist:
                sb.Append('{');
                for (var i = 0; i < kvlist.Count; i++)
                {
                    sb.Append(i == 0 ? string.Empty : ", ");
                    PythonJson.WriteString(sb, kvlist[i].Key, ensureAscii);
                    sb.Append(": ");
                    Write(sb, kvlist[i].Value, ensureAscii);
                }

                sb.Append('}');
                break;
            case IReadOnlyList<object?> list:
                sb.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    sb.Append(i == 0 ? string.Empty : ", ");
                    Write(sb, list[i], ensureAscii);
                }

                sb.Append(']');
                break;
            default:
                PythonJson.WriteString(sb, Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty, ensureAscii);
                break;
        }
    }
}
