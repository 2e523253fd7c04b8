using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace LlmTrack.Tests.Rest;

internal static partial class Recordings
{
    /// <summary>The query parameters of a Python-client request line (<c>params={…}</c>), each as its list of values.</summary>
    public static Dictionary<string, List<string>> QueryParams(RecordedExchange exchange)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var match = PythonParams().Match(exchange.Command);
        if (!match.Success)
        {
            return result;
        }

        foreach (var (key, value) in JsonNode.Parse(match.Groups[1].Value)!.AsObject())
        {
            result[key] = value is JsonArray array ? [.. array.Select(v => v!.ToString())] : [value!.ToString()];
        }

        return result;
    }

    [GeneratedRegex(@" params=(\{.*\}) \{")]
    private static partial Regex PythonParams();
}
