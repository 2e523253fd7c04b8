using LlmTrack.Artifacts;
using LlmTrack.Rest;
using LlmTrack.Stores;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace LlmTrack.Tests.Rest;

/// <summary>The mlflow-artifacts HTTP repository against WireMock with the recorded artifact exchanges.</summary>
public sealed class ArtifactRepositoryTests : IDisposable
{
    private const string RunId = "4f637ae228d84558ac6c543429351775";
    private const string ArtifactUri = "mlflow-artifacts:/1/" + RunId + "/artifacts";
    private const string FilePath = "/api/2.0/mlflow-artifacts/artifacts/1/" + RunId + "/artifacts/dir/hello.txt";
    private readonly MlflowServerFixture _mlflow = new(o => o.Token = "artifact-token");

    public void Dispose() => _mlflow.Dispose();

    private IArtifactRepository Repository => _mlflow.Store.GetArtifactRepository(ArtifactUri);

    private static Func<CancellationToken, Task<Stream>> Content(byte[] bytes) => _ => Task.FromResult<Stream>(new MemoryStream(bytes));

    [Fact]
    public async Task UploadPutsBytesToRecordedProxyPath()
    {
        var recorded = Recordings.Curl("artifacts.out", "-X PUT --data-binary @hello.txt http://");
        Assert.Contains(FilePath, recorded.Command);
        _mlflow.Server.Given(Request.Create().WithPath(FilePath).UsingPut()).RespondWith(Response.Create().WithBody(recorded.ResponseBody));
        var bytes = "hello artifact\n"u8.ToArray();

        await Repository.UploadAsync("dir/hello.txt", Content(bytes), bytes.Length, CancellationToken.None);

        var entry = Assert.Single(_mlflow.Server.LogEntries);
        Assert.Equal("PUT", entry.RequestMessage.Method);
        Assert.Equal(bytes, entry.RequestMessage.BodyAsBytes);
        Assert.Equal("15", entry.RequestMessage.Headers!["Content-Length"].Single());
        Assert.Equal("Bearer artifact-token", entry.RequestMessage.Headers!["Authorization"].Single());
    }

    [Fact]
    public async Task UploadEscapesPathSegments()
    {
        _mlflow.Server.Given(Request.Create().UsingPut()).RespondWith(Response.Create().WithBody("{}"));

        await Repository.UploadAsync("my dir/ü#?%.txt", Content([1]), 1, CancellationToken.None);

        var uri = Assert.Single(_mlflow.Faults.Seen);
        Assert.Equal($"/api/2.0/mlflow-artifacts/artifacts/1/{RunId}/artifacts/my%20dir/%C3%BC%23%3F%25.txt", uri.AbsolutePath);
        Assert.Equal("", uri.Query);
    }

    [Theory]
    [InlineData("../x.txt")]
    [InlineData("a/../../x.txt")]
    [InlineData("..")]
    [InlineData("/etc/passwd")]
    [InlineData("\\server\\share")]
    [InlineData("C:/x.txt")]
    [InlineData("a//b")]
    [InlineData("a/./b")]
    [InlineData("dir/")]
    [InlineData("a\\..\\b")]
    [InlineData("")]
    public async Task UnsafePathsAreRejectedBeforeAnyRequest(string path)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Repository.UploadAsync(path, Content([1]), 1, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => Repository.DownloadAsync(path, new MemoryStream(), CancellationToken.None));
        Assert.Empty(_mlflow.Server.LogEntries);
    }

    [Fact]
    public async Task UploadServerRejectsTraversalRecordedErrorMapped()
    {
        var recorded = Recordings.Curl("artifacts.out", "..%2f..%2fx.txt");
        _mlflow.Server.Given(Request.Create().UsingPut()).RespondWith(Response.Create().WithStatusCode(recorded.Status).WithBody(recorded.ResponseBody));

        var ex = await Assert.ThrowsAsync<MlflowException>(() => Repository.UploadAsync("a..b.txt", Content([1]), 1, CancellationToken.None));

        Assert.Equal(MlflowErrorCode.InvalidParameterValue, ex.ErrorCode);
        Assert.Equal("Invalid path", ex.Message);
    }

    [Fact]
    public async Task UploadTransientFailureRetriesFromTheStartOpeningContentAgain()
    {
        _mlflow.Server.Given(Request.Create().UsingPut()).InScenario("u").WillSetStateTo("ok").RespondWith(Response.Create().WithStatusCode(503).WithBody("busy"));
        _mlflow.Server.Given(Request.Create().UsingPut()).InScenario("u").WhenStateIs("ok").RespondWith(Response.Create().WithBody("{}"));
        var bytes = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        var opens = 0;

        await Repository.UploadAsync("big.bin", _ => { Interlocked.Increment(ref opens); return Task.FromResult<Stream>(new MemoryStream(bytes)); }, bytes.Length, CancellationToken.None);

        Assert.Equal(2, opens);
        Assert.Equal(2, _mlflow.Server.LogEntries.Count);
        Assert.Equal(bytes, _mlflow.Server.LogEntries[^1].RequestMessage.BodyAsBytes);
    }

    [Fact]
    public async Task UploadStalledContentIdleTimeoutRetriesWithFakeTime()
    {
        var time = new FakeTimeProvider();
        using var mlflow = new MlflowServerFixture(o => o.Http.AttemptTimeout = TimeSpan.FromSeconds(30), time: time);
        mlflow.Server.Given(Request.Create().UsingPut()).RespondWith(Response.Create().WithBody("{}"));
        var opens = 0;
        var repository = mlflow.Store.GetArtifactRepository(ArtifactUri);
        var stalling = new StallingStream();

        var upload = repository.UploadAsync(
            "f.bin",
            _ => Task.FromResult<Stream>(Interlocked.Increment(ref opens) == 1 ? stalling : new MemoryStream([1, 2, 3])),
            3,
            CancellationToken.None);
        await FakeTime.RunAsync(time, upload, TimeSpan.FromSeconds(1), () => stalling.Reading);

        Assert.Equal(2, opens);
        Assert.IsType<Polly.Timeout.TimeoutRejectedException>(Assert.Single(mlflow.RetryQueue).Exception);
        Assert.Equal([1, 2, 3], Assert.Single(mlflow.Server.LogEntries).RequestMessage.BodyAsBytes);
    }

    [Fact]
    public async Task DownloadCopiesRecordedFile()
    {
        var recorded = Recordings.Curl("artifacts.out", "curl -i http://");
        _mlflow.Server.Given(Request.Create().WithPath(FilePath).UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "text/plain").WithBody(recorded.ResponseBody + "\n"));
        var destination = new MemoryStream();

        await Repository.DownloadAsync("dir/hello.txt", destination, CancellationToken.None);

        Assert.Equal("hello artifact\n"u8.ToArray(), destination.ToArray());
        Assert.Equal(15, destination.Length); // the recorded listing's file_size
    }

    [Fact]
    public async Task DownloadMissingIsResourceDoesNotExist()
    {
        _mlflow.Server.Given(Request.Create().UsingGet()).RespondWith(Response.Create().WithStatusCode(404).WithBody("""{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "File not found"}"""));

        var ex = await Assert.ThrowsAsync<MlflowException>(() => Repository.DownloadAsync("nope.txt", new MemoryStream(), CancellationToken.None));

        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, ex.ErrorCode);
    }

    [Fact]
    public async Task ListRootAndFolderWithRecordedListings()
    {
        var root = Recordings.Curl("artifacts.out", $"artifacts?path=1/{RunId}/artifacts'");
        var dir = Recordings.Curl("artifacts.out", $"artifacts?path=1/{RunId}/artifacts/dir'");
        _mlflow.Server.Given(Request.Create().WithPath("/api/2.0/mlflow-artifacts/artifacts").WithParam("path", $"1/{RunId}/artifacts").UsingGet())
            .RespondWith(Response.Create().WithBody(root.ResponseBody));
        _mlflow.Server.Given(Request.Create().WithPath("/api/2.0/mlflow-artifacts/artifacts").WithParam("path", $"1/{RunId}/artifacts/dir").UsingGet())
            .RespondWith(Response.Create().WithBody(dir.ResponseBody));

        var top = await Repository.ListAsync(null, CancellationToken.None);
        var inner = await Repository.ListAsync("dir", CancellationToken.None);

        Assert.Equal([new ArtifactFile("dir", true, null)], top);
        Assert.Equal([new ArtifactFile("dir/hello.txt", false, 15)], inner);
    }

    [Fact]
    public async Task ListEmptyFolderRecordedEmptyObject()
    {
        _mlflow.Server.Given(Request.Create().WithPath("/api/2.0/mlflow-artifacts/artifacts").UsingGet()).RespondWith(Response.Create().WithBody("{}"));

        Assert.Empty(await Repository.ListAsync("", CancellationToken.None));
    }

    [Fact]
    public async Task MlflowArtifactsUriWithHostGoesToThatHostWithoutCredentials()
    {
        using var other = WireMock.Server.WireMockServer.Start();
        other.Given(Request.Create().UsingPut()).RespondWith(Response.Create().WithBody("{}"));
        var port = new Uri(other.Urls[0]).Port;

        var repository = _mlflow.Store.GetArtifactRepository($"mlflow-artifacts://127.0.0.1:{port}/5/{RunId}/artifacts");
        await repository.UploadAsync("a.txt", Content([7]), 1, CancellationToken.None);

        var entry = Assert.Single(other.LogEntries);
        Assert.Equal($"/api/2.0/mlflow-artifacts/artifacts/5/{RunId}/artifacts/a.txt", entry.RequestMessage.Path);
        Assert.False(entry.RequestMessage.Headers!.ContainsKey("Authorization"));
        Assert.Empty(_mlflow.Server.LogEntries);
    }

    [Fact]
    public async Task HttpArtifactUriUsedAsIsAndListsThroughItsRoute()
    {
        _mlflow.Server.Given(Request.Create().UsingPut()).RespondWith(Response.Create().WithBody("{}"));
        _mlflow.Server.Given(Request.Create().WithPath("/api/2.0/mlflow-artifacts/artifacts").UsingGet())
            .RespondWith(Response.Create().WithBody("""{"files":[{"path":"a.txt","is_dir":false,"file_size":1}]}"""));
        var repository = _mlflow.Store.GetArtifactRepository($"{_mlflow.BaseUrl}/api/2.0/mlflow-artifacts/artifacts/1/{RunId}/artifacts");

        await repository.UploadAsync("sub/a.txt", Content([7]), 1, CancellationToken.None);
        var files = await repository.ListAsync("sub", CancellationToken.None);

        var put = _mlflow.Server.LogEntries[0];
        Assert.Equal($"/api/2.0/mlflow-artifacts/artifacts/1/{RunId}/artifacts/sub/a.txt", put.RequestMessage.Path);
        Assert.Equal("Bearer artifact-token", put.RequestMessage.Headers!["Authorization"].Single()); // same origin as the tracking server
        Assert.Equal($"1/{RunId}/artifacts/sub", _mlflow.Server.LogEntries[^1].RequestMessage.Query!["path"].Single());
        Assert.Equal([new ArtifactFile("sub/a.txt", false, 1)], files);
    }

    [Fact]
    public void UnsupportedSchemeThrowsOrUsesFallback()
    {
        var ex = Assert.Throws<MlflowException>(() => _mlflow.Store.GetArtifactRepository("s3://bucket/1/run/artifacts"));
        Assert.Equal(MlflowErrorCode.InvalidParameterValue, ex.ErrorCode);

        var fallback = new FallbackRepository();
        using var client = new HttpClient();
        using var store = new MlflowRestStore(client, new LlmTrackOptions { TrackingUri = "http://127.0.0.1:1" }, new() { OtherArtifactRepositories = uri => uri.StartsWith('/') ? fallback : null });
        Assert.Same(fallback, store.GetArtifactRepository("/srv/mlruns/1/run/artifacts"));
    }

    private sealed class FallbackRepository : IArtifactRepository
    {
        public Task UploadAsync(string relativePath, Func<CancellationToken, Task<Stream>> openContent, long? length, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<ArtifactFile>> ListAsync(string? relativePath, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<ArtifactFile>>([]);

        public Task DownloadAsync(string relativePath, Stream destination, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>A stream whose reads never complete until cancelled.</summary>
    private sealed class StallingStream : Stream
    {
        private int _reading;

        public bool Reading => Volatile.Read(ref _reading) != 0;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => 0; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Volatile.Write(ref _reading, 1);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
                return 0;
            }
            finally
            {
                Volatile.Write(ref _reading, 0);
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

[CollectionDefinition(nameof(MemoryMeasurementCollection), DisableParallelization = true)]
public sealed class MemoryMeasurementCollection
{
}

/// <summary>Uploads stream: memory use does not grow with the file size.</summary>
[Collection(nameof(MemoryMeasurementCollection))]
public sealed class ArtifactStreamingMemoryTests
{
    private const long Size = 200L * 1024 * 1024;

    private static byte Pattern(long i) => (byte)((i * 31) + 7);

    [Fact]
    public async Task Upload200MBFromGeneratedStreamAllocatesLittle()
    {
        using var server = new RawHttpServer(resetFirst: 0, "{}", Pattern);
        var options = new LlmTrackOptions { TrackingUri = server.Url };
        using var store = MlflowRestStore.CreateStandalone(options);
        var repository = store.GetArtifactRepository("mlflow-artifacts:/1/run/artifacts");

        // Warm up the connection and code paths, then measure.
        await repository.UploadAsync("warm.bin", _ => Task.FromResult<Stream>(new GeneratedStream(1024, Pattern)), 1024, CancellationToken.None);
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);

        await repository.UploadAsync("big.bin", _ => Task.FromResult<Stream>(new GeneratedStream(Size, Pattern)), Size, CancellationToken.None);

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Equal(Size, server.BodyBytes);
        Assert.True(server.BodyMatched);
        Assert.True(allocated < 16L * 1024 * 1024, $"allocated {allocated:N0} bytes for a {Size:N0}-byte upload");
    }

    /// <summary>Produces <c>length</c> bytes of a pattern on demand; never holds them.</summary>
    private sealed class GeneratedStream(long length, Func<long, byte> pattern) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, length - _position);
            for (var i = 0; i < n; i++)
            {
                buffer[i] = pattern(_position + i);
            }

            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
