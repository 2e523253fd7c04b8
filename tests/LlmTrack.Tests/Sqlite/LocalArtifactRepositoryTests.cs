using LlmTrack.Artifacts;

namespace LlmTrack.Tests.Sqlite;

public sealed class LocalArtifactRepositoryTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly LocalArtifactRepository _repository;

    public LocalArtifactRepositoryTests()
    {
        _repository = new LocalArtifactRepository(Path.Combine(_folder.Path, "artifacts"));
    }

    public void Dispose() => _folder.Dispose();

    private static Func<CancellationToken, Task<Stream>> Content(string text) =>
        _ => Task.FromResult<Stream>(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)));

    [Fact]
    public async Task UploadListAndDownloadRoundTrip()
    {
        await _repository.UploadAsync("tables/t.json", Content("{\"columns\":[]}"), null, default);
        await _repository.UploadAsync("a.txt", Content("hello"), 5, default);
        await _repository.UploadAsync("a.txt", Content("hello!"), 6, default); // overwrite

        var root = await _repository.ListAsync(null, default);
        Assert.Equal([new ArtifactFile("a.txt", false, 6), new ArtifactFile("tables", true, null)], root);
        var tables = await _repository.ListAsync("tables", default);
        Assert.Equal([new ArtifactFile("tables/t.json", false, 14)], tables);
        Assert.Empty(await _repository.ListAsync("missing", default));

        using var destination = new MemoryStream();
        await _repository.DownloadAsync("a.txt", destination, default);
        Assert.Equal("hello!", System.Text.Encoding.UTF8.GetString(destination.ToArray()));
        Assert.Equal(["a.txt", "tables"], Directory.GetFileSystemEntries(_repository.RootPath).Select(Path.GetFileName).Order());
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("a/../../escape.txt")]
    [InlineData("/etc/passwd")]
    [InlineData("a//b")]
    [InlineData("a\\b")]
    [InlineData("")]
    public async Task UnsafePathsAreRefused(string path)
    {
        var ex = await Assert.ThrowsAsync<MlflowException>(() => _repository.UploadAsync(path, Content("x"), 1, default));
        Assert.Equal(MlflowErrorCode.InvalidParameterValue, ex.ErrorCode);
        Assert.False(File.Exists(Path.Combine(_folder.Path, "escape.txt")));
    }

    [Fact]
    public async Task FailedUploadLeavesNoFileAndCanBeRetried()
    {
        var attempts = 0;
        Task<Stream> Open(CancellationToken _)
        {
            attempts++;
            return Task.FromResult<Stream>(attempts == 1 ? new FailingStream() : new MemoryStream("ok"u8.ToArray()));
        }

        await Assert.ThrowsAsync<IOException>(() => _repository.UploadAsync("f.bin", Open, null, default));
        Assert.Empty(Directory.GetFiles(_repository.RootPath));
        await _repository.UploadAsync("f.bin", Open, null, default);
        Assert.Equal("ok", File.ReadAllText(Path.Combine(_repository.RootPath, "f.bin")));
    }

    [Fact]
    public async Task MissingFileDownloadIsResourceDoesNotExist()
    {
        var ex = await Assert.ThrowsAsync<MlflowException>(() => _repository.DownloadAsync("nope.txt", Stream.Null, default));
        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, ex.ErrorCode);
    }

    [Fact]
    public void FileUrisAndAbsolutePathsAreLocal()
    {
        Assert.Equal("/tmp/x/artifacts", LocalArtifactRepository.FromUri("file:///tmp/x/artifacts").RootPath);
        Assert.Equal("/tmp/x/artifacts", LocalArtifactRepository.FromUri("/tmp/x/artifacts").RootPath);
        Assert.False(LocalArtifactRepository.IsLocal("mlflow-artifacts:/1/abc/artifacts"));
        Assert.False(LocalArtifactRepository.IsLocal("relative/path"));
        Assert.Throws<MlflowException>(() => LocalArtifactRepository.FromUri("s3://bucket/x"));
    }

    private sealed class FailingStream : Stream
    {
        private int _reads;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => 0; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_reads++ == 0)
            {
                buffer[offset] = 1;
                return 1;
            }

            throw new IOException("connection dropped");
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
