using System.Text.Json.Nodes;
using LlmTrack.Stores.Sqlite;
using LlmTrack.Tests.Rest;
using LlmTrack.Tests.Sqlite;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;

namespace LlmTrack.Tests.Registry;

/// <summary>The prompt registry: stored exactly as MLflow 3.6 stores prompts (prompts.out), loading, formatting and run links.</summary>
public sealed class PromptRegistryTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly Tracker _tracker;

    public PromptRegistryTests() =>
        _tracker = new Tracker(new LlmTrackOptions { TrackingUri = _folder.TrackingUri }, timeProvider: new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 4, 23, 21, TimeSpan.Zero)));

    public void Dispose()
    {
        _tracker.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task RegisteringSendsThePythonClientsRequests()
    {
        using var mlflow = new MlflowServerFixture();
        var get = Recordings.Python("prompts.out", "registered-models/get params={\"name\": \"qa-prompt\"}");
        var create = Recordings.Python("prompts.out", "registered-models/create");
        var version = Recordings.Python("prompts.out", "model-versions/create");
        mlflow.Respond(Request.Create().WithPath("/api/2.0/mlflow/registered-models/get").UsingGet(), get.Status, get.ResponseBody);
        mlflow.Respond(Request.Create().WithPath("/api/2.0/mlflow/registered-models/create").UsingPost(), create.Status, create.ResponseBody);
        mlflow.Respond(Request.Create().WithPath("/api/2.0/mlflow/model-versions/create").UsingPost(), version.Status, version.ResponseBody);
        var prompts = new PromptRegistry(mlflow.Store);

        var prompt = await prompts.RegisterAsync("qa-prompt", "Answer the question {{question}} in a {{style}} style.", "first version", new Dictionary<string, string> { ["author"] = "alice" });

        JsonAssert.Equal(create.RequestJson, mlflow.SingleBody("registered-models/create"));
        JsonAssert.Equal(version.RequestJson, mlflow.SingleBody("model-versions/create"));
        Assert.Equal("prompts:/qa-prompt/1", prompt.Uri);
        Assert.Equal(["question", "style"], prompt.Variables);
        Assert.Equal(new Dictionary<string, string> { ["author"] = "alice" }, prompt.Tags);
        Assert.Equal("first version", prompt.CommitMessage);
    }

    [Fact]
    public async Task AChatPromptIsStoredAsPythonJsonWithItsResponseFormat()
    {
        var recorded = Recordings.Python("prompts.out", "model-versions/create", occurrence: 2);
        var sentTags = recorded.RequestJson["tags"]!.AsArray().ToDictionary(t => (string)t!["key"]!, t => (string)t!["value"]!);

        var prompt = await _tracker.Prompts.RegisterChatAsync(
            "chat-prompt",
            [new PromptMessage("system", "You are a {{style}} assistant."), new PromptMessage("user", "{{question}}")],
            "chat v1",
            responseFormat: """{"type":"object","properties":{"answer":{"type":"string"}}}""");

        var stored = (await _tracker.Models.GetVersionAsync("chat-prompt", 1)).Tags.ToDictionary(t => t.Key, t => t.Value);
        Assert.Equal(sentTags, stored);
        Assert.True(prompt.IsChat);
        Assert.Equal(
            [new PromptMessage("system", "You are a terse assistant."), new PromptMessage("user", "2+2?")],
            prompt.FormatMessages(new Dictionary<string, object?> { ["style"] = "terse", ["question"] = "2+2?" }));
    }

    [Fact]
    public async Task PromptsAreRegisteredModelsWithMlflowsRowsAndVersionTagsBecomePromptTags()
    {
        await _tracker.Prompts.RegisterAsync("qa-prompt", "Answer the question {{question}} in a {{style}} style.", "first version", new Dictionary<string, string> { ["author"] = "alice" });
        await _tracker.Prompts.RegisterAsync("qa-prompt", "Answer {{question}}. Be {{style}} and brief.", "shorter", new Dictionary<string, string> { ["author"] = "bob" });

        var model = await _tracker.Models.GetModelAsync("qa-prompt");
        var v2 = await _tracker.Models.GetVersionAsync("qa-prompt", 2);
        Assert.Equal([new Tag("author", "bob"), new Tag("mlflow.prompt.is_prompt", "true")], model.Tags);
        Assert.Equal("first version", model.Description);
        Assert.Equal("dummy-source", v2.Source);
        Assert.Equal("shorter", v2.Description);
        Assert.Equal(
            [new Tag("_mlflow_prompt_type", "text"), new Tag("author", "bob"), new Tag("mlflow.prompt.is_prompt", "true"), new Tag("mlflow.prompt.text", "Answer {{question}}. Be {{style}} and brief.")],
            v2.Tags);
        Assert.Empty(await ToListAsync(_tracker.Models.SearchModelsAsync()));
        Assert.Equal(["qa-prompt"], (await ToListAsync(_tracker.Prompts.SearchAsync("name LIKE 'qa%'"))).Select(m => m.Name));
    }

    [Fact]
    public async Task LoadsByAliasVersionLatestAndName()
    {
        await _tracker.Prompts.RegisterAsync("qa", "v1 {{x}}");
        await _tracker.Prompts.RegisterAsync("qa", "v2 {{x}}");
        await _tracker.Prompts.SetAliasAsync("qa", "production", 1);

        Assert.Equal(1, (await _tracker.Prompts.LoadAsync("prompts:/qa@production")).Version);
        Assert.Equal(2, (await _tracker.Prompts.LoadAsync("prompts:/qa/2")).Version);
        Assert.Equal(2, (await _tracker.Prompts.LoadAsync("prompts:/qa@latest")).Version);
        Assert.Equal(2, (await _tracker.Prompts.LoadAsync("qa")).Version);
        Assert.Equal(1, (await _tracker.Prompts.LoadAsync("qa", 1)).Version);
        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, (await Assert.ThrowsAsync<MlflowException>(() => _tracker.Prompts.LoadAsync("prompts:/qa/9"))).ErrorCode);
        Assert.Equal(MlflowErrorCode.InvalidParameterValue, (await Assert.ThrowsAsync<MlflowException>(() => _tracker.Prompts.LoadAsync("prompts:/qa@nope"))).ErrorCode);

        await _tracker.Prompts.DeleteVersionAsync("qa", 2);
        Assert.Equal(1, (await _tracker.Prompts.LoadAsync("qa")).Version);
        await _tracker.Prompts.DeleteAsync("qa");
        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, (await Assert.ThrowsAsync<MlflowException>(() => _tracker.Prompts.LoadAsync("qa", 1))).ErrorCode);
    }

    [Fact]
    public async Task FormatFillsVariablesLikePythonAndNamesTheMissingOnes()
    {
        var prompt = await _tracker.Prompts.RegisterAsync("qa", "Answer {{question}}. Be {{ style }} and brief. {{n}} {{flag}} {{none}}");

        Assert.Equal(
            "Answer why?. Be polite and brief. 1.5 True None",
            prompt.Format(new Dictionary<string, object?> { ["question"] = "why?", ["style"] = "polite", ["n"] = 1.5, ["flag"] = true, ["none"] = null, ["extra"] = "ignored" }));
        var missing = Assert.Throws<PromptVariablesMissingException>(() => prompt.Format(new Dictionary<string, object?> { ["question"] = "why?" }));
        Assert.Equal(["style", "n", "flag", "none"], missing.MissingVariables);
        Assert.Equal(MlflowErrorCode.InvalidParameterValue, missing.ErrorCode);
        Assert.Contains("style", missing.Message, StringComparison.Ordinal);
        Assert.Equal("Answer x. Be {{ style }} and brief. {{n}} {{flag}} {{none}}", prompt.Format(new Dictionary<string, object?> { ["question"] = "x" }, allowPartial: true));
    }

    [Fact]
    public async Task LinkingAppendsToTheRunTagWithPythonSpacingAndNoDuplicates()
    {
        var qa = await _tracker.Prompts.RegisterAsync("qa-prompt", "{{q}}");
        var chat = await _tracker.Prompts.RegisterChatAsync("chat-prompt", [new PromptMessage("user", "{{q}}")]);
        var recorded = Recordings.Python("prompts.out", "runs/set-tag", occurrence: 1).RequestJson["value"]!.GetValue<string>();
        await using var run = await _tracker.StartRunAsync("exp", "uses-prompt");

        await run.LinkPromptsAsync(qa);
        await run.LinkPromptsAsync(chat, qa);

        var snapshot = await run.Store.GetRunAsync(run.RunId, default);
        Assert.Equal(recorded, snapshot.Data.Tags.Single(t => t.Key == "mlflow.linkedPrompts").Value);
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
