using System.Text.Json.Nodes;

namespace LlmTrack.Tests.Rest;

/// <summary>Readers for the OTLP exchanges of traces.out / genai-evaluate.out.</summary>
internal static partial class Recordings
{
    /// <summary>
    /// The decoded OTLP/JSON form of the <paramref name="occurrence"/>-th <c>POST /v1/traces</c> the Python client sent
    /// (the line after the <c>&lt;protobuf N bytes…&gt; decoded as…</c> line).
    /// </summary>
    public static JsonObject OtlpRequest(string file, int occurrence)
    {
        var lines = ReadAll(file).Split('\n');
        var seen = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith(">>> POST ", StringComparison.Ordinal) && lines[i].Contains("/v1/traces", StringComparison.Ordinal) && seen++ == occurrence)
            {
                return JsonNode.Parse(lines[i + 2].Trim())!.AsObject();
            }
        }

        throw new InvalidOperationException($"No POST /v1/traces number {occurrence} in {file}.");
    }

    /// <summary>The <paramref name="occurrence"/>-th v3 start-trace exchange (<c>POST /api/3.0/mlflow/traces</c>) of <paramref name="file"/>.</summary>
    public static RecordedExchange StartTrace(string file, int occurrence) => Python(file, "/api/3.0/mlflow/traces {'User-Agent'", occurrence);
}
