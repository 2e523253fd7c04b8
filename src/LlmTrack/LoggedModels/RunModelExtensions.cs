using System.Runtime.CompilerServices;
using System.Text;
using LlmTrack.Model;
using LlmTrack.Stores;
using LlmTrack.LoggedModels;
using LlmTrack.Tracking;

namespace LlmTrack;

/// <summary>MLflow 3 logged models of a <see cref="Run"/>: logging a model, and metrics that belong to a model.</summary>
public static class RunModelExtensions
{
    // The models each run has already declared as inputs (runs/log-inputs {models}), so it is sent once per model.
    private static readonly ConditionalWeakTable<Run, HashSet<string>> s_modelInputs = new();

    /// <summary>Logs a model produced by the run (see <see cref="LogModelAsync"/>). Blocks the calling thread.</summary>
    /// <param name="run">The run that produced the model.</param>
    /// <param name="flavor">What the model's files are.</param>
    /// <param name="options">Name, type, tags, params, signature, input example, step.</param>
    /// <param name="cancellationToken">Cancels the logging.</param>
    /// <returns>The model, in state READY.</returns>
    public static LoggedModel LogModel(this Run run, ModelFlavor flavor, LogModelOptions? options = null, CancellationToken cancellationToken = default) =>
        SyncOverAsync.Run(ct => run.LogModelAsync(flavor, options, ct), cancellationToken);

    /// <summary>
    /// Logs a model produced by the run, in the order MLflow's client uses: the run's pending data is flushed and the run
    /// read; the logged model is created (the run's params copied, the tags <c>mlflow.user</c> and <c>mlflow.source.*</c>
    /// copied, plus <paramref name="options"/>' tags); the model is recorded as an output of the run (<c>runs/outputs</c>);
    /// the flavor's files, <c>MLmodel</c> and <c>input_example.json</c> are uploaded to the model's artifact location; and
    /// the model is finalized READY. When an upload fails the model is finalized UPLOAD_FAILED and a
    /// <see cref="LoggedModelUploadException"/> is thrown.
    /// </summary>
    /// <param name="run">The run that produced the model.</param>
    /// <param name="flavor">What the model's files are.</param>
    /// <param name="options">Name, type, tags, params, signature, input example, step.</param>
    /// <param name="cancellationToken">Cancels the logging.</param>
    /// <returns>The model, in state READY.</returns>
    /// <exception cref="LoggedModelUploadException">A file could not be uploaded.</exception>
    public static async Task<LoggedModel> LogModelAsync(this Run run, ModelFlavor flavor, LogModelOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(flavor);
        options ??= new LogModelOptions();
        run.ThrowIfEnded();
        var store = StoreOf(run);
        await run.FlushAsync(cancellationToken).ConfigureAwait(false);
        var snapshot = await run.Store.GetRunAsync(run.RunId, cancellationToken).ConfigureAwait(false);
        var parameters = snapshot.Data.Params.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        foreach (var (key, value) in options.Params ?? new Dictionary<string, string>())
        {
            parameters[key] = value;
        }

        var tags = snapshot.Data.Tags.Where(t => t.Key is MlflowTags.User or MlflowTags.SourceName or MlflowTags.SourceType).ToList();
        tags.AddRange((options.Tags ?? new Dictionary<string, string>()).Select(t => new Tag(t.Key, t.Value)));
        var model = await store.CreateLoggedModelAsync(run.ExperimentId, options.Name, run.RunId, options.ModelType, [.. parameters.Select(p => new Param(p.Key, p.Value))], tags, cancellationToken).ConfigureAwait(false);
        await store.LogOutputsAsync(run.RunId, [new LoggedModelOutput(model.ModelId, options.Step)], cancellationToken).ConfigureAwait(false);
        await UploadFilesAsync(run, model, flavor, options, cancellationToken).ConfigureAwait(false);
        model = await store.FinalizeLoggedModelAsync(model.ModelId, LoggedModelStatus.Ready, cancellationToken).ConfigureAwait(false);
        return options.RegisteredModelName is { Length: > 0 } registeredName
            ? await RegisterAsync(run, store, model, registeredName, cancellationToken).ConfigureAwait(false)
            : model;
    }

    // log_model(registered_model_name=…): the registered model (created when missing), a version from models:/<id>, and
    // the logged model's mlflow.modelVersions tag (a JSON list of {"name", "version"}, appended).
    private static async Task<LoggedModel> RegisterAsync(Run run, ILoggedModelStore store, LoggedModel model, string registeredName, CancellationToken cancellationToken)
    {
        var registry = run.Owner.Models;
        try
        {
            await registry.CreateModelAsync(registeredName, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (MlflowException ex) when (ex.ErrorCode == MlflowErrorCode.ResourceAlreadyExists)
        {
        }

        var version = await registry.CreateVersionAsync(registeredName, "models:/" + model.ModelId, run.RunId, loggedModelId: model.ModelId, cancellationToken: cancellationToken).ConfigureAwait(false);
        var existing = model.Tags.FirstOrDefault(t => t.Key == MlflowTags.ModelVersions).Value;
        var tag = new Tag(MlflowTags.ModelVersions, ModelVersionsTag.Append(existing, registeredName, version.Version));
        await store.SetLoggedModelTagsAsync(model.ModelId, [tag], cancellationToken).ConfigureAwait(false);
        return model with { Tags = [.. model.Tags.Where(t => t.Key != MlflowTags.ModelVersions), tag] };
    }

    /// <summary>
    /// Logs metric points of the run that belong to <paramref name="model"/> (MLflow's <c>log_metric(..., model_id=,
    /// dataset=)</c>): before the first one for that model the run declares the model as an input
    /// (<c>runs/log-inputs {models}</c>), then the points go in one <c>runs/log-batch</c> carrying <c>model_id</c> (and
    /// <c>dataset_name</c>/<c>dataset_digest</c> when <paramref name="dataset"/> is given). They are sent at once, not
    /// through the run's queue or durable journal.
    /// </summary>
    /// <param name="run">The run.</param>
    /// <param name="model">The model the values belong to.</param>
    /// <param name="metrics">Key → value.</param>
    /// <param name="step">The step.</param>
    /// <param name="dataset">The data set the values were computed on, if any (log it as an input of the run too).</param>
    /// <param name="cancellationToken">Cancels the logging.</param>
    /// <returns>A task that completes when the points are stored.</returns>
    public static async Task LogModelMetricsAsync(this Run run, LoggedModel model, IEnumerable<KeyValuePair<string, double>> metrics, long step = 0, Dataset? dataset = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metrics);
        run.ThrowIfEnded();
        var store = StoreOf(run);
        var timestamp = run.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var points = metrics.Select(m => new LoggedModelMetric(m.Key, m.Value, timestamp, step)
        {
            ModelId = model.ModelId,
            RunId = run.RunId,
            DatasetName = dataset?.Name,
            DatasetDigest = dataset?.Digest,
        }).ToArray();
        foreach (var point in points)
        {
            Validation.TrackingNames.ValidateKey(point.Key, Validation.KeyKind.Metric);
        }

        var declared = s_modelInputs.GetOrCreateValue(run);
        bool first;
        lock (declared)
        {
            first = !declared.Contains(model.ModelId);
        }

        if (first)
        {
            await store.LogModelInputsAsync(run.RunId, [model.ModelId], cancellationToken).ConfigureAwait(false);
            lock (declared)
            {
                declared.Add(model.ModelId);
            }
        }

        await store.LogModelMetricsAsync(run.RunId, points, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Logs one metric point of the run that belongs to <paramref name="model"/> (see <see cref="LogModelMetricsAsync"/>).</summary>
    /// <param name="run">The run.</param>
    /// <param name="model">The model the value belongs to.</param>
    /// <param name="key">The metric key.</param>
    /// <param name="value">The value.</param>
    /// <param name="step">The step.</param>
    /// <param name="dataset">The data set the value was computed on, if any.</param>
    /// <param name="cancellationToken">Cancels the logging.</param>
    /// <returns>A task that completes when the point is stored.</returns>
    public static Task LogModelMetricAsync(this Run run, LoggedModel model, string key, double value, long step = 0, Dataset? dataset = null, CancellationToken cancellationToken = default) =>
        run.LogModelMetricsAsync(model, [new KeyValuePair<string, double>(key, value)], step, dataset, cancellationToken);

    private static ILoggedModelStore StoreOf(Run run) =>
        run.Store.GetCapability<ILoggedModelStore>() ?? throw new MlflowException(MlflowErrorCode.InvalidParameterValue, "The run's tracking store does not support logged models.");

    private static async Task UploadFilesAsync(Run run, LoggedModel model, ModelFlavor flavor, LogModelOptions options, CancellationToken cancellationToken)
    {
        var files = new List<ModelFile>(flavor.ModelFiles);
        var size = files.Sum(f => f.Length);
        if (options.InputExampleJson is not null)
        {
            files.Add(ModelFile.FromBytes(MlModelFile.InputExampleFile, new UTF8Encoding(false).GetBytes(options.InputExampleJson)));
        }

        var mlmodel = MlModelFile.Write(model, run.RunId, flavor, options.Signature, options.InputExampleJson is not null, size, run.TimeProvider.GetUtcNow());
        files.Insert(0, ModelFile.FromBytes(MlModelFile.FileName, new UTF8Encoding(false).GetBytes(mlmodel)));
        var repository = run.Store.GetArtifactRepository(model.ArtifactUri);
        foreach (var file in files)
        {
            try
            {
                await repository.UploadAsync(file.ArtifactPath, _ => file.OpenAsync(), file.Length, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                try
                {
                    await StoreOf(run).FinalizeLoggedModelAsync(model.ModelId, LoggedModelStatus.UploadFailed, cancellationToken).ConfigureAwait(false);
                }
                catch (MlflowException)
                {
                    // The store is unreachable too; the model stays PENDING and the upload error is what matters.
                }

                throw new LoggedModelUploadException(model.ModelId, file.ArtifactPath, ex);
            }
        }
    }
}
