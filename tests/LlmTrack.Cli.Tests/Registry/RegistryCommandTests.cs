using System.Text.Json;

namespace LlmTrack.Cli.Tests.Registry;

/// <summary><c>llmtrack models …</c> and <c>llmtrack prompts …</c> against a local SQLite store.</summary>
public sealed class RegistryCommandTests : IDisposable
{
    private readonly TempFolder _files = new();

    private string TrackingUri => "sqlite:///" + _files.PathOf("mlflow.db");

    public void Dispose() => _files.Dispose();

    private async Task SeedModelAsync()
    {
        await using var tracker = new Tracker(new LlmTrackOptions { TrackingUri = TrackingUri });
        await tracker.Models.CreateModelAsync("fraud", "the fraud model");
        await tracker.Models.RegisterAsync("runs:/131ac8666e5b49af8aeda009262f0395/model", "fraud");
        await tracker.Models.RegisterAsync("runs:/131ac8666e5b49af8aeda009262f0395/model", "fraud");
        await tracker.Models.TransitionStageAsync("fraud", 1, "Production");
    }

    [Fact]
    public async Task ModelsLsAndVersionsListTheRegistry()
    {
        await SeedModelAsync();

        var table = await CliRun.RunAsync("models", "ls", "--tracking-uri", TrackingUri);
        var json = await CliRun.RunAsync("models", "versions", "fraud", "--tracking-uri", TrackingUri, "--format", "json");

        Assert.Equal(0, table.ExitCode);
        Assert.StartsWith("NAME ", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("fraud", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("the fraud model", table.Stdout, StringComparison.Ordinal);
        using var versions = JsonDocument.Parse(json.Stdout);
        Assert.Equal([2, 1], versions.RootElement.EnumerateArray().Select(v => v.GetProperty("version").GetInt32()));
        Assert.Equal("Production", versions.RootElement[1].GetProperty("stage").GetString());
    }

    [Fact]
    public async Task PromoteSetsChampionByDefaultAndMovesStagesWhenAsked()
    {
        await SeedModelAsync();

        var promote = await CliRun.RunAsync("models", "promote", "fraud", "2", "--tracking-uri", TrackingUri);
        var staged = await CliRun.RunAsync("models", "promote", "fraud", "2", "--stage", "production", "--archive-existing", "--tracking-uri", TrackingUri);
        var alias = await CliRun.RunAsync("models", "alias", "fraud", "challenger", "1", "--tracking-uri", TrackingUri);

        Assert.Equal((0, "fraud@champion → version 2\n"), (promote.ExitCode, promote.Stdout));
        Assert.Equal((0, "fraud version 2 → stage Production\n"), (staged.ExitCode, staged.Stdout));
        Assert.Equal(0, alias.ExitCode);
        await using var tracker = new Tracker(new LlmTrackOptions { TrackingUri = TrackingUri });
        Assert.Equal(ModelStage.Archived, (await tracker.Models.GetVersionAsync("fraud", 1)).Stage);
        Assert.Equal([new ModelAlias("challenger", 1), new ModelAlias("champion", 2)], (await tracker.Models.GetModelAsync("fraud")).Aliases);
    }

    [Fact]
    public async Task RegistryErrorsExitWithOneAndNameTheErrorCode()
    {
        await SeedModelAsync();

        var missing = await CliRun.RunAsync("models", "versions", "nope", "--tracking-uri", TrackingUri);
        var reserved = await CliRun.RunAsync("models", "alias", "fraud", "latest", "1", "--tracking-uri", TrackingUri);

        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("RESOURCE_DOES_NOT_EXIST", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, reserved.ExitCode);
        Assert.Contains("'latest' alias name (case insensitive) is reserved.", reserved.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PromptsRegisterShowAndLs()
    {
        var file = _files.Write("qa.txt", "Answer {{question}} in a {{style}} style.");

        var first = await CliRun.RunAsync("prompts", "register", "qa", "--template", file, "-m", "first", "--tracking-uri", TrackingUri);
        var second = await CliRun.RunAsync("prompts", "register", "qa", "--template", "Answer {{question}}.", "--tracking-uri", TrackingUri);
        var show = await CliRun.RunAsync("prompts", "show", "qa/1", "--tracking-uri", TrackingUri);
        var json = await CliRun.RunAsync("prompts", "show", "qa", "--tracking-uri", TrackingUri, "--format", "json");
        var ls = await CliRun.RunAsync("prompts", "ls", "--tracking-uri", TrackingUri);
        var models = await CliRun.RunAsync("models", "ls", "--tracking-uri", TrackingUri);

        Assert.Equal((0, "Registered prompts:/qa/1 (variables: question, style)\n"), (first.ExitCode, first.Stdout));
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("message:   first", show.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("---\nAnswer {{question}} in a {{style}} style.\n", show.Stdout, StringComparison.Ordinal);
        using var latest = JsonDocument.Parse(json.Stdout);
        Assert.Equal(2, latest.RootElement.GetProperty("version").GetInt32());
        Assert.Contains("qa", ls.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("qa", models.Stdout, StringComparison.Ordinal);
    }
}
