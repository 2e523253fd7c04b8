using System.Text;
using System.Text.Json;
using LlmTrack.Validation;

namespace LlmTrack;

/// <summary>
/// How a logged model's files are to be read, written to MLmodel's <c>flavors</c>. Only flavors that describe what
/// the files really are: ONNX (MLflow's own <c>onnx</c> flavor, loadable with <c>mlflow.onnx.load_model</c>), an ML.NET
/// zip, an LLM endpoint configuration and plain files (LlmTrack's documented custom flavors, which MLflow lists but
/// cannot load). None claims <c>python_function</c>, since none is loadable by <c>mlflow.pyfunc</c>.
/// </summary>
public sealed class ModelFlavor
{
    /// <summary>The flavor name of an ML.NET model zip.</summary>
    public const string MlNetFlavorName = "llmtrack.mlnet";

    /// <summary>The flavor name of an LLM endpoint configuration.</summary>
    public const string LlmEndpointFlavorName = "llmtrack.llm_endpoint";

    private static readonly string[] s_cpuProvider = ["CPUExecutionProvider"];

    private ModelFlavor(string? name, IReadOnlyList<KeyValuePair<string, object?>> configuration, IReadOnlyList<ModelFile> files)
    {
        Name = name;
        Configuration = configuration;
        ModelFiles = files;
    }

    /// <summary>The flavor's name in MLmodel (<see langword="null"/> for plain files: <c>flavors: {}</c>).</summary>
    public string? Name { get; }

    /// <summary>The flavor's keys in MLmodel.</summary>
    internal IReadOnlyList<KeyValuePair<string, object?>> Configuration { get; }

    /// <summary>The files uploaded with the model.</summary>
    internal IReadOnlyList<ModelFile> ModelFiles { get; }

    /// <summary>An ONNX model file, as MLflow's <c>onnx</c> flavor (<c>data</c> = the file name, CPU execution provider).</summary>
    /// <param name="onnxFile">The local <c>.onnx</c> file.</param>
    /// <returns>The flavor.</returns>
    public static ModelFlavor Onnx(string onnxFile)
    {
        var file = ModelFile.FromPath(onnxFile, "model.onnx");
        return new ModelFlavor("onnx", [new("code", null), new("data", file.ArtifactPath), new("providers", s_cpuProvider)], [file]);
    }

    /// <summary>An ML.NET model zip (saved with <c>MLContext.Model.Save</c>); custom flavor <see cref="MlNetFlavorName"/>.</summary>
    /// <param name="modelZip">The local <c>.zip</c> file.</param>
    /// <returns>The flavor.</returns>
    public static ModelFlavor MlNet(string modelZip)
    {
        var file = ModelFile.FromPath(modelZip, "model.zip");
        return new ModelFlavor(MlNetFlavorName, [new("data", file.ArtifactPath), new("format", "mlnet-zip")], [file]);
    }

    /// <summary>
    /// The configuration of a model served behind an endpoint (provider, model id, system prompt, generation
    /// parameters), written to <c>endpoint.json</c>; custom flavor <see cref="LlmEndpointFlavorName"/>.
    /// </summary>
    /// <param name="provider">The provider, e.g. <c>openai</c>, <c>azure-openai</c>, <c>ollama</c>.</param>
    /// <param name="modelId">The provider's model id, e.g. <c>gpt-4o-mini</c>.</param>
    /// <param name="systemPrompt">The system prompt, if any.</param>
    /// <param name="parameters">Generation parameters such as <c>temperature</c> or <c>max_tokens</c>.</param>
    /// <returns>The flavor.</returns>
    public static ModelFlavor LlmEndpoint(string provider, string modelId, string? systemPrompt = null, IReadOnlyDictionary<string, string>? parameters = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        var document = new Dictionary<string, object?>
        {
            ["provider"] = provider,
            ["model_id"] = modelId,
            ["system_prompt"] = systemPrompt,
            ["parameters"] = parameters ?? new Dictionary<string, string>(),
        };
        var json = JsonSerializer.SerializeToUtf8Bytes(document, LoggedModelsJsonContext.Default.DictionaryStringObject);
        var config = new List<KeyValuePair<string, object?>> { new("config", "endpoint.json"), new("model_id", modelId), new("provider", provider) };
        return new ModelFlavor(LlmEndpointFlavorName, config, [ModelFile.FromBytes("endpoint.json", json)]);
    }

    /// <summary>Plain files with no flavor (<c>flavors: {}</c>, like MLflow's external models), or under a custom flavor name.</summary>
    /// <param name="files">The local files; each is uploaded under its file name.</param>
    /// <param name="flavorName">A custom flavor name (documented by you), or <see langword="null"/> for none.</param>
    /// <param name="configuration">The custom flavor's keys.</param>
    /// <returns>The flavor.</returns>
    public static ModelFlavor Files(IEnumerable<string> files, string? flavorName = null, IReadOnlyDictionary<string, string>? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        var list = files.Select(f => ModelFile.FromPath(f, null)).ToArray();
        var config = configuration?.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new KeyValuePair<string, object?>(p.Key, p.Value)).ToArray() ?? [];
        return new ModelFlavor(flavorName, config, list);
    }

    /// <summary>In-memory files (e.g. a serialized model) with no flavor or a custom one.</summary>
    /// <param name="files">Artifact path → content.</param>
    /// <param name="flavorName">A custom flavor name, or <see langword="null"/> for none.</param>
    /// <param name="configuration">The custom flavor's keys.</param>
    /// <returns>The flavor.</returns>
    public static ModelFlavor Contents(IReadOnlyDictionary<string, string> files, string? flavorName = null, IReadOnlyDictionary<string, string>? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        var list = files.Select(f => ModelFile.FromBytes(ArtifactPaths.NormalizeFile(f.Key, nameof(files)), Encoding.UTF8.GetBytes(f.Value))).ToArray();
        var config = configuration?.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new KeyValuePair<string, object?>(p.Key, p.Value)).ToArray() ?? [];
        return new ModelFlavor(flavorName, config, list);
    }
}

/// <summary>One file of a logged model: a local file or bytes, and its path under the model's artifact root.</summary>
internal sealed record ModelFile(string ArtifactPath, FileInfo? Local, byte[]? Bytes)
{
    public static ModelFile FromPath(string path, string? artifactName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new FileNotFoundException($"The model file '{path}' does not exist.", path);
        }

        return new ModelFile(artifactName ?? file.Name, file, null);
    }

    public static ModelFile FromBytes(string artifactPath, byte[] bytes) => new(artifactPath, null, bytes);

    public long Length => Local?.Length ?? Bytes!.Length;

    public Task<Stream> OpenAsync() => Task.FromResult<Stream>(Local is not null ? Local.OpenRead() : new MemoryStream(Bytes!, writable: false));
}
