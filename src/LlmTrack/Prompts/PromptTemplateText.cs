using System.Globalization;
using System.Text.RegularExpressions;
using LlmTrack.Metrics.Text;

namespace LlmTrack.Prompts;

/// <summary>
/// MLflow's <c>{{variable}}</c> prompt templates: variables are identifiers (dotted paths allowed) in double braces
/// with optional spaces; formatting replaces the variables it is given with Python's <c>str()</c> of the value
/// and leaves the others (and any other text) untouched, like MLflow's <c>format_prompt</c>.
/// </summary>
internal static partial class PromptTemplateText
{
    /// <summary>The distinct variables of <paramref name="template"/>, in order of first appearance.</summary>
    public static IReadOnlyList<string> Variables(string template) =>
        [.. VariablePattern().Matches(template).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal)];

    /// <summary>Replaces the variables present in <paramref name="values"/>; extra values are ignored.</summary>
    public static string Format(string template, IReadOnlyDictionary<string, object?> values) =>
        VariablePattern().Replace(template, m => values.TryGetValue(m.Groups[1].Value, out var value) ? PythonStr(value) : m.Value);

    /// <summary>Python's <c>str(value)</c> for the usual .NET values (booleans <c>True</c>/<c>False</c>, null <c>None</c>, floats as <c>repr</c>).</summary>
    public static string PythonStr(object? value) => value switch
    {
        null => "None",
        string text => text,
        bool flag => flag ? "True" : "False",
        double number => PythonJson.FormatFloat(number),
        float number => PythonJson.FormatFloat(number),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    [GeneratedRegex(@"\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*(?:\.[a-zA-Z_][a-zA-Z0-9_]*)*)\s*\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex VariablePattern();
}
