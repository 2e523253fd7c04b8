using System.Buffers;
using System.Net.Http.Headers;
using LlmTrack.Resilience;
using LlmTrack.Rest;
using LlmTrack.Rest.Wire;
using LlmTrack.Stores;

namespace LlmTrack.Artifacts;

/// <summary>
/// A run's artifacts on an MLflow tracking server that proxies artifacts (<c>mlflow-artifacts</c>):
/// <c>PUT</c>/<c>GET /api/2.0/mlflow-artifacts/artifacts/&lt;exp&gt;/&lt;run&gt;/artifacts/&lt;path&gt;</c>
/// and <c>GET /api/2.0/mlflow-artifacts/artifacts?path=…</c> to list. Uploads stream from the
/// caller's delegate (one call per attempt, so a transient failure retries from the start) and never
/// buffer the file; transfers have an idle timeout instead of a total one.
/// </summary>
internal sealed class MlflowArtifactRepository : IArtifactRepository
{
    /// <summary>The scheme of artifact URIs served by the tracking server.</summary>
    public const string Scheme = "mlflow-artifacts";

    /// <summary>The proxied artifact route, relative to the server root.</summary>
    public const string ArtifactsRoute = "api/2.0/mlflow-artifacts/artifacts";

    private const string RouteMarker = "/mlflow-artifacts/artifacts";
    private const int CopyBufferSize = 81920;
    private static readonly MediaTypeHeaderValue OctetStream = new("application/octet-stream");

    private readonly MlflowHttpTransport _transport;
    private readonly string _fileBase;
    private readonly Uri? _listEndpoint;
    private readonly string _listRoot;

    private MlflowArtifactRepository(MlflowHttpTransport transport, string artifactUri, string fileBase, Uri? listEndpoint, string listRoot)
    {
        _transport = transport;
        ArtifactUri = artifactUri;
        _fileBase = fileBase;
        _listEndpoint = listEndpoint;
        _listRoot = listRoot;
    }

    /// <summary>The run's artifact root URI.</summary>
    public string ArtifactUri { get; }

    /// <summary>The URL under which the files of this artifact root are read and written (ends in <c>/</c>).</summary>
    public Uri FileBase => new(_fileBase);

    /// <summary>Whether this repository handles <paramref name="artifactUri"/> (<c>mlflow-artifacts:</c>, <c>http:</c>, <c>https:</c>).</summary>
    public static bool CanHandle(string artifactUri) =>
        artifactUri.StartsWith(Scheme + ":", StringComparison.OrdinalIgnoreCase)
        || artifactUri.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
        || artifactUri.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Creates the repository for an artifact URI:
    /// <c>mlflow-artifacts:/&lt;path&gt;</c> resolves against the tracking server;
    /// <c>mlflow-artifacts://host:port/&lt;path&gt;</c> against that host with the tracking server's scheme;
    /// <c>http(s)://…</c> is used as the file base URL as it is, listing through its <c>mlflow-artifacts</c> route.
    /// </summary>
    public static MlflowArtifactRepository Create(MlflowHttpTransport transport, string artifactUri)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentException.ThrowIfNullOrWhiteSpace(artifactUri);
        if (artifactUri.StartsWith(Scheme + ":", StringComparison.OrdinalIgnoreCase))
        {
            var rest = artifactUri[(Scheme.Length + 1)..];
            string serverRoot;
            if (rest.StartsWith("//", StringComparison.Ordinal))
            {
                var slash = rest.IndexOf('/', 2);
                var authority = slash < 0 ? rest[2..] : rest[2..slash];
                rest = slash < 0 ? string.Empty : rest[slash..];
                serverRoot = authority.Length == 0
                    ? transport.BaseAddress.AbsoluteUri
                    : $"{transport.BaseAddress.Scheme}://{authority}/";
            }
            else
            {
                serverRoot = transport.BaseAddress.AbsoluteUri;
            }

            var root = TrimSlashes(rest);
            var rootSegments = root.Length == 0 ? [] : root.Split('/');
            var escapedRoot = RelativeArtifactPath.EscapeSegments(rootSegments);
            var endpoint = serverRoot + ArtifactsRoute;
            var fileBase = escapedRoot.Length == 0 ? endpoint + "/" : $"{endpoint}/{escapedRoot}/";
            return new MlflowArtifactRepository(transport, artifactUri, fileBase, new Uri(endpoint), root);
        }

        if (!Uri.TryCreate(artifactUri, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"The artifact URI '{artifactUri}' is not an mlflow-artifacts or HTTP(S) URI.");
        }

        var baseUri = uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/";
        var marker = uri.AbsolutePath.IndexOf(RouteMarker, StringComparison.Ordinal);
        Uri? listEndpoint = null;
        var listRoot = string.Empty;
        if (marker >= 0)
        {
            listEndpoint = new Uri(uri.GetLeftPart(UriPartial.Authority) + uri.AbsolutePath[..(marker + RouteMarker.Length)]);
            listRoot = Uri.UnescapeDataString(TrimSlashes(uri.AbsolutePath[(marker + RouteMarker.Length)..]));
        }

        return new MlflowArtifactRepository(transport, artifactUri, baseUri, listEndpoint, listRoot);
    }

    /// <inheritdoc />
    public async Task UploadAsync(string relativePath, Func<CancellationToken, Task<Stream>> openContent, long? length, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(openContent);
        if (length is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "The length must not be negative.");
        }

        var uri = FileUri(relativePath, nameof(relativePath));
        using var response = await _transport.SendAsync(
            HttpMethod.Put,
            uri,
            async (watchdog, token) =>
            {
                var stream = await openContent(token).ConfigureAwait(false);
                var content = new StreamContent(watchdog?.Watch(stream) ?? stream, CopyBufferSize);
                content.Headers.ContentType = OctetStream;
                if (length is { } l)
                {
                    content.Headers.ContentLength = l;
                }

                return content;
            },
            HttpCompletionOption.ResponseContentRead,
            observer: null,
            cancellationToken,
            transfer: true).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "PUT", uri, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ArtifactFile>> ListAsync(string? relativePath, CancellationToken cancellationToken)
    {
        string? folder = null;
        if (!string.IsNullOrEmpty(relativePath) && relativePath.TrimEnd('/').Length > 0)
        {
            folder = string.Join('/', RelativeArtifactPath.Split(relativePath.TrimEnd('/'), nameof(relativePath)));
        }

        if (_listEndpoint is null)
        {
            throw new MlflowException(
                MlflowErrorCode.InvalidParameterValue,
                $"Cannot list artifacts at '{ArtifactUri}': listing needs an mlflow-artifacts URI or an HTTP URI under '{RouteMarker}'.");
        }

        var path = folder is null ? _listRoot : _listRoot.Length == 0 ? folder : _listRoot + "/" + folder;
        var uri = new Uri(_listEndpoint.AbsoluteUri + "?path=" + Uri.EscapeDataString(path));
        using var response = await _transport.SendAsync(HttpMethod.Get, uri, null, HttpCompletionOption.ResponseContentRead, null, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "GET", uri, cancellationToken).ConfigureAwait(false);
        var listing = await MlflowHttpTransport.ReadJsonAsync(response, MlflowJsonContext.Default.ListArtifactsResponse, "GET", uri.AbsolutePath, cancellationToken).ConfigureAwait(false);
        if (listing.Files is not { Count: > 0 } files)
        {
            return [];
        }

        var result = new List<ArtifactFile>(files.Count);
        foreach (var file in files)
        {
            if (string.IsNullOrEmpty(file.Path))
            {
                continue;
            }

            // The server names entries relative to the listed folder; keep the last segment and prefix the folder.
            var trimmed = file.Path.TrimEnd('/');
            var name = trimmed[(trimmed.LastIndexOf('/') + 1)..];
            result.Add(new ArtifactFile(folder is null ? name : folder + "/" + name, file.IsDir, file.IsDir ? null : file.FileSize));
        }

        return result;
    }

    /// <inheritdoc />
    public async Task DownloadAsync(string relativePath, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var uri = FileUri(relativePath, nameof(relativePath));
        using var response = await _transport.SendAsync(HttpMethod.Get, uri, null, HttpCompletionOption.ResponseHeadersRead, null, cancellationToken, transfer: true).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "GET", uri, cancellationToken).ConfigureAwait(false);

        using var watchdog = new TransferWatchdog(_transport.Settings.AttemptTimeout, _transport.TimeProvider, cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            var source = await ReadBodyAsync(() => response.Content.ReadAsStreamAsync(watchdog.Token), uri, cancellationToken).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                while (true)
                {
                    var read = await ReadBodyAsync(() => source.ReadAsync(buffer.AsMemory(0, CopyBufferSize), watchdog.Token).AsTask(), uri, cancellationToken).ConfigureAwait(false);
                    watchdog.Touch();
                    if (read == 0)
                    {
                        break;
                    }

                    await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Reads from the response body; a stalled or broken body becomes TEMPORARILY_UNAVAILABLE.
    private async Task<T> ReadBodyAsync<T>(Func<Task<T>> read, Uri uri, CancellationToken cancellationToken)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MlflowException(MlflowErrorCode.Unavailable, $"Downloading {uri.AbsolutePath} stalled: no data for {_transport.Settings.AttemptTimeout}.", null, ex);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            throw new MlflowException(MlflowErrorCode.Unavailable, $"Downloading {uri.AbsolutePath} failed part-way ({ex.GetType().Name}).", null, ex);
        }
    }

    private Uri FileUri(string relativePath, string paramName) => new(_fileBase + RelativeArtifactPath.Escape(relativePath, paramName));

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string method, Uri uri, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var error = await MlflowErrorMapper.ReadAsync(response, method, uri.AbsolutePath, cancellationToken).ConfigureAwait(false);
        _transport.Counters.AddFailure();
        throw error.Exception;
    }

    private static string TrimSlashes(string path) => path.Trim('/');
}
