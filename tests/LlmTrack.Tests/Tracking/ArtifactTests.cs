using LlmTrack.Tests.Fakes;

namespace LlmTrack.Tests.Tracking;

public sealed class ArtifactTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "llmtrack-artifacts-" + Guid.NewGuid().ToString("N"));

    public ArtifactTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task UploadsFilesFoldersStreamsTextAndBytes()
    {
        using var t = new TestTracker();
        await using var run = await t.Tracker.StartRunAsync();
        Directory.CreateDirectory(Path.Combine(_folder, "dir", "sub"));
        await File.WriteAllTextAsync(Path.Combine(_folder, "dir", "a.txt"), "A");
        await File.WriteAllTextAsync(Path.Combine(_folder, "dir", "sub", "b.txt"), "BB");

        await run.LogArtifactsAsync(Path.Combine(_folder, "dir"), "outputs");
        run.LogArtifacts(Path.Combine(_folder, "dir"));
        await run.LogTextAsync("héllo", "notes/readme.md");
        run.LogBytes(new byte[] { 1, 2, 3 }, "raw.bin");
        using var stream = new MemoryStream("skip-stream"u8.ToArray());
        stream.Position = 5;
        run.LogArtifact(stream, "streams/s.txt");
        Assert.True(stream.CanRead); // not closed

        var root = run.ArtifactUri;
        Assert.Equal("A"u8.ToArray(), t.Store.Artifacts[$"{root}/outputs/a.txt"]);
        Assert.Equal("BB"u8.ToArray(), t.Store.Artifacts[$"{root}/outputs/sub/b.txt"]);
        Assert.Equal("BB"u8.ToArray(), t.Store.Artifacts[$"{root}/sub/b.txt"]);
        Assert.Equal("héllo"u8.ToArray(), t.Store.Artifacts[$"{root}/notes/readme.md"]);
        Assert.Equal(new byte[] { 1, 2, 3 }, t.Store.Artifacts[$"{root}/raw.bin"]);
        Assert.Equal("stream"u8.ToArray(), t.Store.Artifacts[$"{root}/streams/s.txt"]);
    }

    [Fact]
    public async Task ASeekableStreamIsRewoundForARetriedUpload()
    {
        using var t = new TestTracker();
        t.Store.ArtifactFailure = (_, attempt) => attempt == 1 ? new MlflowException(MlflowErrorCode.Unavailable, "flaky", 503) : null;
        await using var run = await t.Tracker.StartRunAsync();
        using var stream = new MemoryStream("content"u8.ToArray());
        await run.LogArtifactAsync(stream, "a.txt");
        Assert.Equal(2, t.Store.UploadAttempts);
        Assert.Equal("content"u8.ToArray(), t.Store.Artifacts[$"{run.ArtifactUri}/a.txt"]);
    }

    [Fact]
    public async Task ANonSeekableStreamCannotBeRetried()
    {
        using var t = new TestTracker();
        t.Store.ArtifactFailure = (_, attempt) => attempt == 1 ? new MlflowException(MlflowErrorCode.Unavailable, "flaky", 503) : null;
        await using var run = await t.Tracker.StartRunAsync();
        using var stream = new NonSeekableStream("content"u8.ToArray());
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => run.LogArtifactAsync(stream, "a.txt"));
        Assert.Contains("cannot be retried", ex.Message);

        t.Store.ArtifactFailure = null;
        using var once = new NonSeekableStream("once"u8.ToArray());
        await run.LogArtifactAsync(once, "b.txt");
        Assert.Equal("once"u8.ToArray(), t.Store.Artifacts[$"{run.ArtifactUri}/b.txt"]);
    }

    private sealed class NonSeekableStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;
    }

    [Fact]
    public async Task UploadFailuresAndBadPathsThrowAtTheCall()
    {
        using var t = new TestTracker();
        t.Store.ArtifactFailure = (_, _) => new MlflowException(MlflowErrorCode.PermissionDenied, "no", 403);
        await using var run = await t.Tracker.StartRunAsync();
        var ex = await Assert.ThrowsAsync<MlflowException>(() => run.LogTextAsync("x", "x.txt"));
        Assert.Equal(MlflowErrorCode.PermissionDenied, ex.ErrorCode);

        var file = Path.Combine(_folder, "f.txt");
        await File.WriteAllTextAsync(file, "f");
        Assert.Throws<ArgumentException>(() => run.LogArtifact(file, "../escape"));
        Assert.Throws<ArgumentException>(() => run.LogArtifact(file, "/abs"));
        Assert.Throws<ArgumentException>(() => run.LogText("x", "a/../../b.txt"));
        Assert.Throws<FileNotFoundException>(() => run.LogArtifact(Path.Combine(_folder, "missing.txt")));
        Assert.Throws<DirectoryNotFoundException>(() => run.LogArtifacts(Path.Combine(_folder, "missing")));
    }
}
