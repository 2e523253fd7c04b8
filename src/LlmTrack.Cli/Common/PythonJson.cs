using System.Globalization;
using System.Text;
using LibraryJson = LlmTrack.Metrics.Text.PythonJson;

namespace LlmTrack.Cli.Common;

/// <summary>An ordered JSON object for <see cref="PythonJson"/>: keys keep their insertion order, like a Python dict.</summary>
internal sealed class PythonJsonObject : List<KeyValuePair<string, object?>>
{
    /// <summary>Appends a member.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">A string, double, int, long, bool, null, <see cref="PythonJsonObject"/> or <see cref="IEnumerable{T}"/> of these.</param>
    public void Add(string key, object? value) => Add(new KeyValuePair<string, object?>(key, value));
}

/// <summary>
/// Writes JSON byte for byte as Python's <c>json.dumps(value, indent=…, ensure_ascii=False)</c> does, so the
/// output of sacreBLEU and of the official SQuAD scripts can be reproduced exactly: floats as Python's
/// <c>repr</c> (<c>46.6</c>, <c>50.0</c>, <c>1e-05</c>), <c>", "</c>/<c>": "</c> separators without indent,
/// one member per line with indent.
/// </summary>
internal static class PythonJson
{
    /// <summary>Serializes <paramref name="value"/>.</summary>
    /// <param name="value">A string, double, int, long, bool, null, <see cref="PythonJsonObject"/> or sequence.</param>
    /// <param name="indent">Python's <c>indent</c>; null for a single line.</param>
    /// <returns>The JSON text.</returns>
    public static string Dumps(object? value, int? indent = null)
    {
        var builder = new StringBuilder();
        Write(builder, value, indent, 0);
        return builder.ToString();
    }

    /// <summary>Python's <c>repr(float)</c> as <c>json</c> writes it (<c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c> for non-finite values).</summary>
    /// <param name="value">The value.</param>
    /// <returns>The shortest round-trip representation in Python's notation.</returns>
    public static string FormatFloat(double value) => LibraryJson.FormatFloat(value);

    private static void Write(StringBuilder builder, object? value, int? indent, int level)
    {
        switch (value)
        {
            case null:
                builder.Append("null");
                break;
            case string s:
                WriteString(builder, s);
                break;
            case bool b:
                builder.Append(b ? "true" : "false");
                break;
            case double d:
                builder.Append(FormatFloat(d));
                break;
            case int i:
                builder.Append(i.ToString(CultureInfo.InvariantCulture));
                break;
            case long l:
                builder.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case PythonJsonObject obj:
                WriteContainer(builder, obj, '{', '}', indent, level, (b, member, lvl) =>
                {
                    WriteString(b, member.Key);
                    b.Append(": ");
                    Write(b, member.Value, indent, lvl);
                });
                break;
            case System.Collections.IEnumerable sequence:
                WriteContainer(builder, sequence.Cast<object?>().ToList(), '[', ']', indent, level, (b, item, lvl) => Write(b, item, indent, lvl));
                break;
            default:
                throw new ArgumentException($"Unsupported JSON value type {value.GetType().Name}.", nameof(value));
        }
    }

    private static void WriteContainer<T>(StringBuilder builder, IReadOnlyList<T> items, char open, char close, int? indent, int level, Action<StringBuilder, T, int> writeItem)
    {
        builder.Append(open);
        if (items.Count == 0)
        {
            builder.Append(close);
            return;
        }

        for (int i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(indent is null ? ", " : ",");
            }

            if (indent is int width)
            {
                builder.Append('\n').Append(' ', width * (level + 1));
            }

            writeItem(builder, items[i], level + 1);
        }

        if (indent is int closingWidth)
        {
            builder.Append('\n').Append(' ', closingWidth * level);
        }

        builder.Append(close);
    }

    private static void WriteString(StringBuilder builder, string text) => LibraryJson.WriteString(builder, text, ensureAscii: false);
}
