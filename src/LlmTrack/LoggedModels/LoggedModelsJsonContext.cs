using System.Text.Json.Serialization;

namespace LlmTrack;

/// <summary>Source-generated JSON metadata of the files a logged model writes (endpoint.json).</summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(Dictionary<string, object?>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class LoggedModelsJsonContext : JsonSerializerContext;
