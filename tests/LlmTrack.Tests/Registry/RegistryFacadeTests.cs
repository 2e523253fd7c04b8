using LlmTrack.Tests.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace LlmTrack.Tests.Registry;

/// <summary><c>tracker.Models</c> and <c>tracker.Prompts</c> over the local SQLite store: paging, URIs, downloads, prompts, links.</summary>
public sealed class RegistryFacadeTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly Tracker _tracker;

    public RegistryFacadeTests() =>
        _tracker = new Tracker(new LlmTrackOptions { TrackingUri = _folder.TrackingUri }, timeProvider: new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 4, 22, 40, TimeSpan.Zero)));

    public void Dispose()
    {
        _tracker.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task SearchFollowsEveryPage()
    {
        for (var i = 0; i < 1005; i += 201)
        {
            await _tracker.Models.CreateModelAsync($"m-{i:D4}");
        }

        var names = new List<string>();
        await foreach (var model in _tracker.Models.SearchModelsAsync())
        {
            names.Add(model.Name);
        }

        Assert.Equal(["m-0000", "m-0201", "m-0402", "m-0603", "m-0804"], names);
    }

    [Fact]
    public async Task RegisterCreatesTheModelOnceAndRecordsTheRunOfARunsSource()
    {
        var first = await _tracker.Models.RegisterAsync("runs:/131ac8666e5b49af8aeda009262f0395/model", "m");
        var second = await _tracker.Models.RegisterAsync("runs:/131ac8666e5b49af8aeda009262f0395/model", "m", "second");

        Assert.Equal((1, 2), (first.Version, second.Version));
        Assert.Equal("131ac8666e5b49af8aeda009262f0395", second.RunId);
        Assert.Equal("second", second.Description);
    }

    [Fact]
    public async Task ModelUrisResolveToVersionsAndDownloadTheRunsFiles()
    {
        await using var run = await _tracker.StartRunAsync("exp", "train");
        var modelFolder = Path.Combine(_folder.Path, "model-src");
        Directory.CreateDirectory(Path.Combine(modelFolder, "data"));
        await File.WriteAllTextAsync(Path.Combine(modelFolder, "MLmodel"), "artifact_path: model\nflavors: {}\n");
        await File.WriteAllTextAsync(Path.Combine(modelFolder, "data", "weights.txt"), "w=1\n");
        await run.LogArtifactsAsync(modelFolder, "model");
        await _tracker.Models.RegisterAsync($"runs:/{run.RunId}/model", "m");
        await _tracker.Models.RegisterAsync($"runs:/{run.RunId}/model", "m");
        await _tracker.Models.SetAliasAsync("m", "champion", 1);
        await _tracker.Models.TransitionStageAsync("m", 2, "Staging");

        Assert.Equal(1, (await _tracker.Models.ResolveAsync("models:/m@champion")).Version);
        Assert.Equal(2, (await _tracker.Models.ResolveAsync("models:/m/latest")).Version);
        Assert.Equal(2, (await _tracker.Models.ResolveAsync("models:/m/Staging")).Version);
        Assert.Equal(1, (await _tracker.Models.ResolveAsync("models:/m/1")).Version);

        var target = Path.Combine(_folder.Path, "download");
        var files = await _tracker.Models.DownloadAsync("models:/m@champion", target);

        Assert.Equal(2, files.Count);
        Assert.Equal("w=1\n", await File.ReadAllTextAsync(Path.Combine(target, "data", "weights.txt")));
        Assert.StartsWith("artifact_path: model", await File.ReadAllTextAsync(Path.Combine(target, "MLmodel")), StringComparison.Ordinal);
        var single = await _tracker.Models.DownloadAsync($"runs:/{run.RunId}/model/data/weights.txt", Path.Combine(_folder.Path, "one"));
        Assert.Equal("w=1\n", await File.ReadAllTextAsync(Assert.Single(single)));
    }

    [Fact]
    public async Task ALoggedModelSourceResolvesThroughTheLoggedModelSeam()
    {
        var root = Path.Combine(_folder.Path, "logged");
        Directory.CreateDirectory(root);
        await File.WriteAllTextAsync(Path.Combine(root, "MLmodel"), "x");
        using var store = LlmTrack.Stores.Sqlite.SqliteTrackingStore.Open("sqlite:///" + Path.Combine(_folder.Path, "other.db"), TimeProvider.System);
        var registry = new ModelRegistry(store, store);
        var seamed = new ModelRegistry(store, store)
        {
            LoggedModelArtifactUri = (id, _) => Task.FromResult(id == "m-0123456789abcdef0123456789abcdef" ? root : throw new InvalidOperationException(id)),
        };

        var files = await seamed.DownloadAsync("models:/m-0123456789abcdef0123456789abcdef", Path.Combine(_folder.Path, "out"));

        Assert.Equal("x", await File.ReadAllTextAsync(Assert.Single(files)));
        Assert.Equal(MlflowErrorCode.InvalidParameterValue, (await Assert.ThrowsAsync<MlflowException>(() => registry.DownloadAsync("models:/m-0123456789abcdef0123456789abcdef", Path.Combine(_folder.Path, "none")))).ErrorCode);
    }
}
