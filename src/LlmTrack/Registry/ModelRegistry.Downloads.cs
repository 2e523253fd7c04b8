using LlmTrack.Artifacts;
using LlmTrack.Stores;

namespace LlmTrack;

/// <summary>Model URIs: resolving <c>models:/…</c> to a version and downloading a model's files.</summary>
public sealed partial class ModelRegistry
{
    /// <summary>The registered version a <c>models:/name/…</c> URI names (a version, an alias, <c>latest</c> or a stage).</summary>
    /// <param name="modelUri"><c>models:/name/3</c>, <c>models:/name@champion</c>, <c>models:/name/latest</c>, <c>models:/name/Production</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The version.</returns>
    /// <exception cref="MlflowException"><c>INVALID_PARAMETER_VALUE</c> for a URI that names no registered version.</exception>
    public async Task<ModelVersion> ResolveAsync(string modelUri, CancellationToken cancellationToken = default)
    {
        var uri = ModelUri.Parse(modelUri);
        if (uri.Name is not { } name)
        {
            throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"'{modelUri}' does not name a registered model version.");
        }

        if (uri.Version is { } version)
        {
            return await _registry.GetModelVersionAsync(name, version, cancellationToken).ConfigureAwait(false);
        }

        if (uri.Alias is { } alias)
        {
            return await _registry.GetModelVersionByAliasAsync(name, alias, cancellationToken).ConfigureAwait(false);
        }

        var latest = await _registry.GetLatestVersionsAsync(name, uri.Stage is null ? null : [uri.Stage], cancellationToken).ConfigureAwait(false);
        return latest.MaxBy(v => v.Version) ?? throw new MlflowException(
            MlflowErrorCode.ResourceDoesNotExist,
            uri.Stage is null ? $"Registered model '{name}' has no versions." : $"Registered model '{name}' has no version in stage '{uri.Stage}'.");
    }

    /// <summary>
    /// Downloads a model's files into <paramref name="folder"/>: a <c>models:/</c> URI of a registered version (its
    /// source is followed: <c>runs:/</c>, artifact URIs, MLflow 3 logged models), a <c>models:/m-…</c> logged model or a
    /// <c>runs:/run_id/path</c> folder, through the run's artifact repository.
    /// </summary>
    /// <param name="modelUri">The model URI.</param>
    /// <param name="folder">The local folder (created when missing); files keep their relative paths.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>The local paths of the files written.</returns>
    public async Task<IReadOnlyList<string>> DownloadAsync(string modelUri, string folder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var (root, path) = await ResolveArtifactsAsync(modelUri, 0, cancellationToken).ConfigureAwait(false);
        var repository = _store.GetArtifactRepository(root);
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        await DownloadTreeAsync(repository, path, path, folder, written, cancellationToken).ConfigureAwait(false);
        if (written.Count == 0 && path is not null)
        {
            // Not a folder: the URI names one file.
            var target = Path.Combine(folder, path.Split('/')[^1]);
            await DownloadFileAsync(repository, path, target, cancellationToken).ConfigureAwait(false);
            written.Add(target);
        }

        return written;
    }

    /// <summary>The artifact root and the path under it that a model URI's files are at.</summary>
    private async Task<(string Root, string? Path)> ResolveArtifactsAsync(string modelUri, int depth, CancellationToken cancellationToken)
    {
        if (depth > 4)
        {
            throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"The model URI '{modelUri}' refers to itself through too many models:/ sources.");
        }

        if (!ModelUri.TryParse(modelUri, out var uri))
        {
            return (modelUri, null);
        }

        if (uri.RunId is { } runId)
        {
            var run = await _store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
            return (run.Info.ArtifactUri, string.IsNullOrEmpty(uri.ArtifactPath) ? null : uri.ArtifactPath);
        }

        if (uri.LoggedModelId is { } modelId)
        {
            var resolve = LoggedModelArtifactUri ?? throw new MlflowException(
                MlflowErrorCode.InvalidParameterValue,
                $"'{modelUri}' is an MLflow 3 logged model, and this tracking store cannot look logged models up.");
            return (await resolve(modelId, cancellationToken).ConfigureAwait(false), null);
        }

        var version = await ResolveAsync(modelUri, cancellationToken).ConfigureAwait(false);
        var source = await _registry.GetModelVersionDownloadUriAsync(version.Name, version.Version, cancellationToken).ConfigureAwait(false);
        return await ResolveArtifactsAsync(source, depth + 1, cancellationToken).ConfigureAwait(false);
    }

    private static async Task DownloadTreeAsync(IArtifactRepository repository, string? path, string? basePath, string folder, List<string> written, CancellationToken cancellationToken)
    {
        foreach (var file in await repository.ListAsync(path, cancellationToken).ConfigureAwait(false))
        {
            if (file.IsDirectory)
            {
                await DownloadTreeAsync(repository, file.Path, basePath, folder, written, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var relative = basePath is null ? file.Path : file.Path[(basePath.Length + 1)..];
            var target = Path.Combine(folder, string.Join('/', RelativeArtifactPath.Split(relative, nameof(path))).Replace('/', Path.DirectorySeparatorChar));
            await DownloadFileAsync(repository, file.Path, target, cancellationToken).ConfigureAwait(false);
            written.Add(target);
        }
    }

    private static async Task DownloadFileAsync(IArtifactRepository repository, string path, string target, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(target))!);
        var stream = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            await repository.DownloadAsync(path, stream, cancellationToken).ConfigureAwait(false);
        }
    }
}
