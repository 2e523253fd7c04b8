using LlmTrack.Tracking;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LlmTrack.Evaluation.Datasets;
using LlmTrack.Evaluation.Figures;
using LlmTrack.Evaluation.Tables;
using LlmTrack.Model;
using LlmTrack.Stores;
using LlmTrack.Validation;

namespace LlmTrack;

/// <summary>Tables, JSON documents, figures and data set inputs of a <see cref="Run"/>.</summary>
public static class RunArtifactLoggingExtensions
{
    private static readonly JsonSerializerOptions s_indentedJson = new() { WriteIndented = true };

    /// <summary>
    /// Logs a table as MLflow's <c>log_table</c> does: the pandas "split" JSON artifact at <paramref name="artifactFile"/>
    /// and the run tag <c>mlflow.loggedArtifacts</c> listing it. When the file exists already the rows are appended
    /// (the existing table is downloaded, merged as <c>pd.concat</c> does and uploaded again). Blocks the calling thread.
    /// </summary>
    /// <param name="run">The run.</param>
    /// <param name="table">The rows to log.</param>
    /// <param name="artifactFile">The file's path under the artifact root, e.g. <c>tables/eval.json</c>.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    public static void LogTable(this Run run, EvaluationTable table, string artifactFile, CancellationToken cancellationToken = default) => SyncOverAsync.Run(ct => run.LogTableAsync(table, artifactFile, cancellationToken: ct), cancellationToken);

    /// <summary>
    /// Logs a table as MLflow's <c>log_table</c> does (artifact plus <c>mlflow.loggedArtifacts</c> tag), appending to
    /// an existing table file. Tables logged concurrently to one run are written one after the other, so neither the
    /// files nor the tag lose an update.
    /// </summary>
    /// <param name="run">The run.</param>
    /// <param name="table">The rows to log.</param>
    /// <param name="artifactFile">The file's path under the artifact root, e.g. <c>tables/eval.json</c>.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>A task that completes when the file and the tag are stored.</returns>
    public static async Task LogTableAsync(this Run run, EvaluationTable table, string artifactFile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(table);
        var path = ArtifactPaths.NormalizeFile(artifactFile, nameof(artifactFile));
        run.ThrowIfEnded();
        await run.TableGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var repository = run.Artifacts;
            if (await ArtifactExistsAsync(repository, path, cancellationToken).ConfigureAwait(false))
            {
                using var existing = new MemoryStream();
                await repository.DownloadAsync(path, existing, cancellationToken).ConfigureAwait(false);
                var merged = TableMerge.Append(Encoding.UTF8.GetString(existing.GetBuffer(), 0, (int)existing.Length), table);
                var bytes = new UTF8Encoding(false).GetBytes(merged);
                await run.UploadArtifactBytesAsync(path, bytes, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await UploadTableAsync(run, table, path, cancellationToken).ConfigureAwait(false);
            }

            // The official client reads the run's tag back and sets it with runs/set-tag when the table is new.
            var snapshot = await run.Store.GetRunAsync(run.RunId, cancellationToken).ConfigureAwait(false);
            var current = snapshot.Data.Tags.Where(t => t.Key == LoggedArtifactsTag.Key).Select(t => (string?)t.Value).FirstOrDefault();
            if (LoggedArtifactsTag.TryAdd(current, path, out var value))
            {
                await run.Store.SetTagAsync(run.RunId, LoggedArtifactsTag.Key, value, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            run.TableGate.Release();
        }
    }

    /// <summary>Logs a table given as columns (like MLflow's <c>log_table(data=dict)</c>). Blocks the calling thread.</summary>
    /// <param name="run">The run.</param>
    /// <param name="columns">Column name → values; every column has the same number of values.</param>
    /// <param name="artifactFile">The file's path under the artifact root.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    public static void LogTable(this Run run, IReadOnlyDictionary<string, IReadOnlyList<object?>> columns, string artifactFile, CancellationToken cancellationToken = default) =>
        SyncOverAsync.Run(ct => run.LogTableAsync(columns, artifactFile, cancellationToken: ct), cancellationToken);

    /// <summary>Logs a table given as columns (like MLflow's <c>log_table(data=dict)</c>), appending to an existing file.</summary>
    /// <param name="run">The run.</param>
    /// <param name="columns">Column name → values; every column has the same number of values.</param>
    /// <param name="artifactFile">The file's path under the artifact root.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>A task that completes when the file and the tag are stored.</returns>
    /// <exception cref="ArgumentException">When the columns have different lengths.</exception>
    public static async Task LogTableAsync(this Run run, IReadOnlyDictionary<string, IReadOnlyList<object?>> columns, string artifactFile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(columns);
        var names = columns.Keys.ToArray();
        var lists = names.Select(n => columns[n] ?? throw new ArgumentException($"Column '{n}' has no values.", nameof(columns))).ToArray();
        var rows = lists.Length == 0 ? 0 : lists[0].Count;
        if (lists.Any(l => l.Count != rows))
        {
            throw new ArgumentException("All columns must have the same number of values.", nameof(columns));
        }

        using var table = new EvaluationTable(names);
        var row = new object?[names.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < names.Length; c++)
            {
                row[c] = lists[c][r];
            }

            table.AddRow(row);
        }

        await run.LogTableAsync(table, artifactFile, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stores a JSON document as an artifact file (indented, UTF-8). Blocks the calling thread.</summary>
    /// <param name="run">The run.</param>
    /// <param name="document">The JSON value.</param>
    /// <param name="artifactFile">The file's path under the artifact root, e.g. <c>config.json</c>.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    public static void LogJson(this Run run, JsonElement document, string artifactFile, CancellationToken cancellationToken = default) => SyncOverAsync.Run(ct => run.LogJsonAsync(document, artifactFile, ct), cancellationToken);

    /// <summary>Stores a JSON document as an artifact file (indented, UTF-8).</summary>
    /// <param name="run">The run.</param>
    /// <param name="document">The JSON value.</param>
    /// <param name="artifactFile">The file's path under the artifact root, e.g. <c>config.json</c>.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>A task that completes when the file is stored.</returns>
    public static Task LogJsonAsync(this Run run, JsonElement document, string artifactFile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            document.WriteTo(writer);
        }

        return run.LogBytesAsync(buffer.ToArray(), artifactFile, cancellationToken);
    }

    /// <summary>
    /// Serialises a value with source-generated (trimming- and AOT-safe) metadata and stores it as a JSON artifact file.
    /// Blocks the calling thread.
    /// </summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="run">The run.</param>
    /// <param name="value">The value.</param>
    /// <param name="typeInfo">Its metadata, e.g. <c>MyJsonContext.Default.MyReport</c>.</param>
    /// <param name="artifactFile">The file's path under the artifact root.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    public static void LogJson<T>(this Run run, T value, JsonTypeInfo<T> typeInfo, string artifactFile, CancellationToken cancellationToken = default) => SyncOverAsync.Run(ct => run.LogJsonAsync(value, typeInfo, artifactFile, ct), cancellationToken);

    /// <summary>Serialises a value with source-generated metadata and stores it as a JSON artifact file.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="run">The run.</param>
    /// <param name="value">The value.</param>
    /// <param name="typeInfo">Its metadata, e.g. <c>MyJsonContext.Default.MyReport</c>.</param>
    /// <param name="artifactFile">The file's path under the artifact root.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>A task that completes when the file is stored.</returns>
    public static Task LogJsonAsync<T>(this Run run, T value, JsonTypeInfo<T> typeInfo, string artifactFile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(typeInfo);
        return run.LogBytesAsync(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo), artifactFile, cancellationToken);
    }

    /// <summary>
    /// Serialises any value with <see cref="JsonSerializer"/> (reflection; indented unless <paramref name="options"/> say
    /// otherwise) and stores it as a JSON artifact file, like MLflow's <c>log_dict</c>. Blocks the calling thread.
    /// </summary>
    /// <param name="run">The run.</param>
    /// <param name="value">The value (dictionaries, lists, records, anonymous objects …).</param>
    /// <param name="artifactFile">The file's path under the artifact root.</param>
    /// <param name="options">Serializer options, or <see langword="null"/> for indented defaults.</param>
    [System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode("Reflection-based serialisation; use the JsonTypeInfo<T> overload when trimming.")]
    [System.Diagnostics.CodeAnalysis.RequiresDynamicCode("Reflection-based serialisation; use the JsonTypeInfo<T> overload for native AOT.")]
    public static void LogJson(this Run run, object? value, string artifactFile, JsonSerializerOptions? options = null) =>
        SyncOverAsync.Run(ct => run.LogJsonAsync(value, artifactFile, options, ct), CancellationToken.None);

    /// <summary>Serialises any value with <see cref="JsonSerializer"/> and stores it as a JSON artifact file.</summary>
    /// <param name="run">The run.</param>
    /// <param name="value">The value.</param>
    /// <param name="artifactFile">The file's path under the artifact root.</param>
    /// <param name="options">Serializer options, or <see langword="null"/> for indented defaults.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>A task that completes when the file is stored.</returns>
    [System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode("Reflection-based serialisation; use the JsonTypeInfo<T> overload when trimming.")]
    [System.Diagnostics.CodeAnalysis.RequiresDynamicCode("Reflection-based serialisation; use the JsonTypeInfo<T> overload for native AOT.")]
    public static Task LogJsonAsync(this Run run, object? value, string artifactFile, JsonSerializerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var bytes = value is JsonElement element
            ? null
            : JsonSerializer.SerializeToUtf8Bytes(value, value?.GetType() ?? typeof(object), options ?? s_indentedJson);
        return bytes is null ? run.LogJsonAsync((JsonElement)value!, artifactFile, cancellationToken) : run.LogBytesAsync(bytes, artifactFile, cancellationToken);
    }

    /// <summary>Stores a figure (SVG) as an artifact file. Blocks the calling thread.</summary>
    /// <param name="run">The run.</param>
    /// <param name="figure">The figure, e.g. from <see cref="SvgFigures.ConfusionMatrix"/>.</param>
    /// <param name="artifactFile">The file's path, default <c>plots/</c> + the figure's <see cref="Figure.FileName"/>.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    public static void LogFigure(this Run run, Figure figure, string? artifactFile = null, CancellationToken cancellationToken = default) => SyncOverAsync.Run(ct => run.LogFigureAsync(figure, artifactFile, ct), cancellationToken);

    /// <summary>Stores a figure (SVG) as an artifact file.</summary>
    /// <param name="run">The run.</param>
    /// <param name="figure">The figure, e.g. from <see cref="SvgFigures.ConfusionMatrix"/>.</param>
    /// <param name="artifactFile">The file's path, default <c>plots/</c> + the figure's <see cref="Figure.FileName"/>.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>A task that completes when the file is stored.</returns>
    public static Task LogFigureAsync(this Run run, Figure figure, string? artifactFile = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(figure);
        return run.LogTextAsync(figure.Svg, artifactFile ?? "plots/" + figure.FileName, cancellationToken);
    }

    /// <summary>Records a data set as an input of the run (<c>runs/log-inputs</c>). Blocks the calling thread.</summary>
    /// <param name="run">The run.</param>
    /// <param name="dataset">The data set.</param>
    /// <param name="context">What it was used for (tag <c>mlflow.data.context</c>): <c>eval</c>, <c>training</c>, …</param>
    /// <param name="tags">More input tags.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public static void LogInput(this Run run, EvaluationDataset dataset, string context = "eval", IEnumerable<KeyValuePair<string, string>>? tags = null, CancellationToken cancellationToken = default) =>
        SyncOverAsync.Run(ct => run.LogInputAsync(dataset, context, tags, cancellationToken: ct), cancellationToken);

    /// <summary>Records a data set as an input of the run (<c>runs/log-inputs</c>).</summary>
    /// <param name="run">The run.</param>
    /// <param name="dataset">The data set.</param>
    /// <param name="context">What it was used for (tag <c>mlflow.data.context</c>): <c>eval</c>, <c>training</c>, …</param>
    /// <param name="tags">More input tags.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the store has the input.</returns>
    public static Task LogInputAsync(this Run run, EvaluationDataset dataset, string context = "eval", IEnumerable<KeyValuePair<string, string>>? tags = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(dataset);
        return run.LogInputAsync(dataset.ToMlflowDataset(), context, tags, cancellationToken);
    }

    /// <summary>Records a data set as an input of the run (<c>runs/log-inputs</c>). Blocks the calling thread.</summary>
    /// <param name="run">The run.</param>
    /// <param name="dataset">The data set record.</param>
    /// <param name="context">What it was used for (tag <c>mlflow.data.context</c>).</param>
    /// <param name="tags">More input tags.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public static void LogInput(this Run run, Dataset dataset, string context = "eval", IEnumerable<KeyValuePair<string, string>>? tags = null, CancellationToken cancellationToken = default) =>
        SyncOverAsync.Run(ct => run.LogInputAsync(dataset, context, tags, cancellationToken: ct), cancellationToken);

    /// <summary>Records a data set as an input of the run (<c>runs/log-inputs</c>).</summary>
    /// <param name="run">The run.</param>
    /// <param name="dataset">The data set record.</param>
    /// <param name="context">What it was used for (tag <c>mlflow.data.context</c>).</param>
    /// <param name="tags">More input tags.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the store has the input.</returns>
    public static Task LogInputAsync(this Run run, Dataset dataset, string context = "eval", IEnumerable<KeyValuePair<string, string>>? tags = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentException.ThrowIfNullOrEmpty(context);
        run.ThrowIfEnded();
        var inputTags = new List<Tag> { new(MlflowTags.DatasetContext, context) };
        foreach (var tag in tags ?? [])
        {
            TrackingNames.ValidateKey(tag.Key, KeyKind.Tag);
            inputTags.Add(new Tag(tag.Key, tag.Value));
        }

        return run.Store.LogInputsAsync(run.RunId, [new DatasetInput(dataset, inputTags)], cancellationToken);
    }

    private static async Task<bool> ArtifactExistsAsync(IArtifactRepository repository, string path, CancellationToken cancellationToken)
    {
        var slash = path.LastIndexOf('/');
        var folder = slash < 0 ? null : path[..slash];
        var files = await repository.ListAsync(folder, cancellationToken).ConfigureAwait(false);
        return files.Any(f => !f.IsDirectory && f.Path == path);
    }

    private static async Task UploadTableAsync(Run run, EvaluationTable table, string path, CancellationToken cancellationToken)
    {
        // Spooled tables can be large: write the JSON to a temporary file and stream it from there.
        var temp = Path.Combine(Path.GetTempPath(), "llmtrack-table-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: false))
            {
                table.WriteTo(file);
            }

            await run.UploadArtifactFileAsync(new FileInfo(temp), path, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
