using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using LlmTrack.Metrics.Text;

namespace LlmTrack;

/// <summary>
/// Writes the <c>MLmodel</c> YAML file MLflow reads for a logged model: keys sorted as MLflow's <c>yaml.safe_dump</c>
/// writes them; <c>artifact_path</c> the model's artifact URI; <c>model_id</c> and <c>model_uuid</c> both the m- id;
/// <c>run_id</c>; <c>utc_time_created</c> as <c>'YYYY-MM-DD HH:MM:SS.ffffff'</c>; <c>flavors</c>; <c>signature</c> inputs and
/// outputs as JSON strings of column specs; <c>saved_input_example_info</c>. Instead of <c>mlflow_version</c> (which
/// would claim an MLflow release wrote the file) it writes <c>llmtrack_version</c>; MLflow ignores unknown keys.
/// </summary>
internal static partial class MlModelFile
{
    /// <summary>The file name under the model's artifact root.</summary>
    public const string FileName = "MLmodel";

    /// <summary>The input example's file name.</summary>
    public const string InputExampleFile = "input_example.json";

    public static string Write(LoggedModel model, string? runId, ModelFlavor flavor, ModelSignature? signature, bool hasInputExample, long modelSizeBytes, DateTimeOffset createdUtc)
    {
        var root = new SortedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["artifact_path"] = model.ArtifactUri,
            ["flavors"] = flavor.Name is null
                ? new SortedDictionary<string, object?>(StringComparer.Ordinal)
                : new SortedDictionary<string, object?>(StringComparer.Ordinal) { [flavor.Name] = ToMap(flavor.Configuration) },
            ["llmtrack_version"] = WriterVersion,
            ["model_id"] = model.ModelId,
            ["model_size_bytes"] = modelSizeBytes,
            ["model_uuid"] = model.ModelId,
            ["run_id"] = runId ?? "",
            ["utc_time_created"] = createdUtc.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        };
        if (signature is not null)
        {
            root["signature"] = new SortedDictionary<string, object?>(StringComparer.Ordinal)
            {
                ["inputs"] = ColumnSpecs(signature.Inputs),
                ["outputs"] = ColumnSpecs(signature.Outputs),
                ["params"] = null,
            };
        }

        if (hasInputExample)
        {
            root["saved_input_example_info"] = new SortedDictionary<string, object?>(StringComparer.Ordinal)
            {
                ["artifact_path"] = InputExampleFile,
                ["type"] = "json_object",
            };
        }

        var yaml = new StringBuilder();
        WriteMap(yaml, root, 0);
        return yaml.ToString();
    }

    /// <summary>The writing library and version, e.g. <c>LlmTrack 0.1.0</c>.</summary>
    public static string WriterVersion { get; } = "LlmTrack " + (typeof(MlModelFile).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0");

    /// <summary>MLflow's column-spec JSON, as Python's <c>json.dumps</c> writes it.</summary>
    public static string ColumnSpecs(IReadOnlyList<ModelColumn> columns)
    {
        var json = new StringBuilder("[");
        for (var i = 0; i < columns.Count; i++)
        {
            json.Append(i == 0 ? "" : ", ").Append("{\"type\": ");
            PythonJson.WriteString(json, columns[i].Type);
            json.Append(", \"name\": ");
            PythonJson.WriteString(json, columns[i].Name);
            json.Append(", \"required\": ").Append(columns[i].Required ? "true" : "false").Append('}');
        }

        return json.Append(']').ToString();
    }

    private static SortedDictionary<string, object?> ToMap(IReadOnlyList<KeyValuePair<string, object?>> pairs)
    {
        var map = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            map[pair.Key] = pair.Value;
        }

        return map;
    }

    private static void WriteMap(StringBuilder yaml, SortedDictionary<string, object?> map, int indent)
    {
        foreach (var (key, value) in map)
        {
            yaml.Append(' ', indent).Append(key).Append(':');
            switch (value)
            {
                case SortedDictionary<string, object?> { Count: 0 }:
                    yaml.Append(" {}\n");
                    break;
                case SortedDictionary<string, object?> child:
                    yaml.Append('\n');
                    WriteMap(yaml, child, indent + 2);
                    break;
                case string[] items:
                    yaml.Append('\n');
                    foreach (var item in items)
                    {
                        yaml.Append(' ', indent).Append("- ").Append(Scalar(item)).Append('\n');
                    }

                    break;
                default:
                    yaml.Append(' ').Append(Scalar(value)).Append('\n');
                    break;
            }
        }
    }

    /// <summary>A YAML scalar: plain when it cannot be read as anything but that string, single-quoted otherwise.</summary>
    internal static string Scalar(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        long n => n.ToString(CultureInfo.InvariantCulture),
        int n => n.ToString(CultureInfo.InvariantCulture),
        string s when PlainScalar().IsMatch(s) && !IsReserved(s) => s,
        string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
        _ => throw new ArgumentException($"No YAML form for {value.GetType().Name}.", nameof(value)),
    };

    private static bool IsReserved(string s) =>
        s.ToLowerInvariant() is "null" or "~" or "true" or "false" or "yes" or "no" or "on" or "off" or "y" or "n";

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_.\-/]*(:[A-Za-z0-9_.\-/]+)*$")]
    private static partial Regex PlainScalar();
}
