using LlmTrack.Stores;
using LlmTrack.Stores.Sqlite;
using LlmTrack.Tests.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace LlmTrack.Tests.Registry;

/// <summary>The SQLite model registry: MLflow's rows, error codes and messages, alias/stage semantics, prompt hiding, paging.</summary>
public sealed class SqliteRegistryTests : IDisposable
{
    private const string RunId = "131ac8666e5b49af8aeda009262f0395";
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 4, 22, 40, TimeSpan.Zero));
    private readonly SqliteTrackingStore _store;

    public SqliteRegistryTests() => _store = SqliteTrackingStore.Open(_folder.TrackingUri, _time);

    public void Dispose()
    {
        _store.Dispose();
        _folder.Dispose();
    }

    private IModelRegistryStore Registry => _store;

    private long Ms => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private Task<ModelVersion> NewVersionAsync(string name, string? source = null, string? runId = RunId, IReadOnlyList<Tag>? tags = null, string? description = null) =>
        Registry.CreateModelVersionAsync(new ModelVersionRequest(name, source ?? $"runs:/{RunId}/model", runId, tags ?? [], description, null), default);

    [Fact]
    public async Task CreateModelWritesMlflowsRowsAndReadsBack()
    {
        var model = await Registry.CreateRegisteredModelAsync("reg-demo-a", [new Tag("team", "x"), new Tag("stage", "dev")], "first model", default);

        Assert.Equal(Ms, model.CreationTime);
        Assert.Equal(Ms, model.LastUpdatedTime);
        Assert.Equal([new Tag("stage", "dev"), new Tag("team", "x")], model.Tags);
        Assert.Equal(["reg-demo-a|" + Ms + "|" + Ms + "|first model|default"], Rows("SELECT name, creation_time, last_updated_time, description, workspace FROM registered_models"));
        Assert.Equal(["stage|dev|reg-demo-a|default", "team|x|reg-demo-a|default"], Rows("SELECT key, value, name, workspace FROM registered_model_tags ORDER BY key"));
    }

    [Fact]
    public async Task CreatingADuplicateModelThrowsAlreadyExists()
    {
        await Registry.CreateRegisteredModelAsync("m", [], null, default);

        var ex = await Assert.ThrowsAsync<MlflowException>(() => Registry.CreateRegisteredModelAsync("m", [], null, default));

        Assert.Equal(MlflowErrorCode.ResourceAlreadyExists, ex.ErrorCode);
        Assert.Equal("Registered Model (name=m) already exists.", ex.Message);
    }

    [Fact]
    public async Task AnEmptyNameIsRefusedAndAMissingModelIsNotFound()
    {
        var empty = await Assert.ThrowsAsync<MlflowException>(() => Registry.CreateRegisteredModelAsync("", [], null, default));
        Assert.Equal(MlflowErrorCode.InvalidParameterValue, empty.ErrorCode);

        var missing = await Assert.ThrowsAsync<MlflowException>(() => Registry.GetRegisteredModelAsync("no-such-model", default));
        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, missing.ErrorCode);
        Assert.Equal("Registered Model with name=no-such-model not found", missing.Message);
    }

    [Fact]
    public async Task RenameMovesVersionsTagsAndAliasesAndRefusesAnExistingName()
    {
        await Registry.CreateRegisteredModelAsync("a", [new Tag("k", "v")], null, default);
        await NewVersionAsync("a", tags: [new Tag("t", "1")]);
        await Registry.SetRegisteredModelAliasAsync("a", "champion", 1, default);
        await Registry.CreateRegisteredModelAsync("c", [], null, default);
        _time.Advance(TimeSpan.FromSeconds(1));

        var renamed = await Registry.RenameRegisteredModelAsync("a", "b", default);

        Assert.Equal("b", renamed.Name);
        Assert.Equal(Ms, renamed.LastUpdatedTime);
        Assert.Equal([new ModelAlias("champion", 1)], renamed.Aliases);
        Assert.Equal([new Tag("k", "v")], renamed.Tags);
        var version = await Registry.GetModelVersionAsync("b", 1, default);
        Assert.Equal([new Tag("t", "1")], version.Tags);
        Assert.Equal(Ms, version.LastUpdatedTime);
        await Assert.ThrowsAsync<MlflowException>(() => Registry.GetRegisteredModelAsync("a", default));
        var taken = await Assert.ThrowsAsync<MlflowException>(() => Registry.RenameRegisteredModelAsync("c", "b", default));
        Assert.Equal(MlflowErrorCode.ResourceAlreadyExists, taken.ErrorCode);
    }

    [Fact]
    public async Task UpdateAndTagsChangeTheModel()
    {
        await Registry.CreateRegisteredModelAsync("m", [new Tag("stage", "dev")], "d", default);
        _time.Advance(TimeSpan.FromSeconds(1));

        var updated = await Registry.UpdateRegisteredModelAsync("m", "renamed and updated", default);
        await Registry.SetRegisteredModelTagAsync("m", "owner", "alice", default);
        await Registry.SetRegisteredModelTagAsync("m", "owner", "bob", default);
        await Registry.DeleteRegisteredModelTagAsync("m", "stage", default);
        await Registry.DeleteRegisteredModelTagAsync("m", "nope", default);

        Assert.Equal("renamed and updated", updated.Description);
        Assert.Equal(Ms, updated.LastUpdatedTime);
        Assert.Equal([new Tag("owner", "bob")], (await Registry.GetRegisteredModelAsync("m", default)).Tags);
    }

    [Fact]
    public async Task VersionsAreNumberedReadyAndWrittenAsMlflowWritesThem()
    {
        await Registry.CreateRegisteredModelAsync("m", [], null, default);
        _time.Advance(TimeSpan.FromSeconds(1));

        var first = await NewVersionAsync("m", tags: [new Tag("k", "v")], description: "v1 desc");
        var second = await NewVersionAsync("m", $"mlflow-artifacts:/1/{RunId}/artifacts/model", runId: null);

        Assert.Equal((1, 2), (first.Version, second.Version));
        Assert.Equal(ModelStage.None, first.Stage);
        Assert.Equal("READY", first.Status);
        Assert.Null(second.RunId);
        Assert.Equal(
            [$"1|{Ms}|{Ms}|v1 desc||None|runs:/{RunId}/model|{RunId}|READY|||runs:/{RunId}/model", $"2|{Ms}|{Ms}|||None|mlflow-artifacts:/1/{RunId}/artifacts/model||READY|||mlflow-artifacts:/1/{RunId}/artifacts/model"],
            Rows("SELECT version, creation_time, last_updated_time, description, user_id, current_stage, source, run_id, status, status_message, run_link, storage_location FROM model_versions ORDER BY version"));
        Assert.Equal(Ms, (await Registry.GetRegisteredModelAsync("m", default)).LastUpdatedTime);
        Assert.Equal(["k|v|m|1"], Rows("SELECT key, value, name, version FROM model_version_tags"));
    }

    [Fact]
    public async Task ADeletedVersionKeepsARedactedRowAndItsNumberIsNotReused()
    {
        await Registry.CreateRegisteredModelAsync("m", [], null, default);
        await NewVersionAsync("m");
        await NewVersionAsync("m");
        await Registry.SetRegisteredModelAliasAsync("m", "champion", 2, default);

        await Registry.DeleteModelVersionAsync("m", 2, default);
        var third = await NewVersionAsync("m");

        Assert.Equal(3, third.Version);
        Assert.Equal(["Deleted_Internal|REDACTED-SOURCE-PATH|REDACTED-RUN-ID|REDACTED-RUN-LINK"], Rows("SELECT current_stage, source, run_id, run_link FROM model_versions WHERE version = 2"));
        Assert.Empty(Rows("SELECT alias FROM registered_model_aliases"));
        var missing = await Assert.ThrowsAsync<MlflowException>(() => Registry.GetModelVersionAsync("m", 2, default));
        Assert.Equal("Model Version (name=m, version=2) not found", missing.Message);
        await Assert.ThrowsAsync<MlflowException>(() => Registry.DeleteModelVersionAsync("m", 2, default));
    }

    [Fact]
    public async Task AliasesMoveAndReservedOrMalformedAliasesAreRefused()
    {
        await Registry.CreateRegisteredModelAsync("m", [], null, default);
        await NewVersionAsync("m");
        await NewVersionAsync("m");

        await Registry.SetRegisteredModelAliasAsync("m", "champion", 1, default);
        await Registry.SetRegisteredModelAliasAsync("m", "challenger", 2, default);
        await Registry.SetRegisteredModelAliasAsync("m", "champion", 2, default);

        var model = await Registry.GetRegisteredModelAsync("m", default);
        Assert.Equal([new ModelAlias("challenger", 2), new ModelAlias("champion", 2)], model.Aliases);
        Assert.Equal(["challenger", "champion"], (await Registry.GetModelVersionByAliasAsync("m", "champion", default)).Aliases);
        Assert.Equal(2, (await Registry.GetModelVersionByAliasAsync("m", "latest", default)).Version);
        Assert.Equal("Registered model alias nope not found.", (await Assert.ThrowsAsync<MlflowException>(() => Registry.GetModelVersionByAliasAsync("m", "nope", default))).Message);
        Assert.Equal("'latest' alias name (case insensitive) is reserved.", (await Assert.ThrowsAsync<MlflowException>(() => Registry.SetRegisteredModelAliasAsync("m", "Latest", 1, default))).Message);
        Assert.Equal("Version alias name 'v3' is reserved.", (await Assert.ThrowsAsync<MlflowException>(() => Registry.SetRegisteredModelAliasAsync("m", "v3", 1, default))).Message);
        Assert.StartsWith("Invalid alias name: 'bad alias!'.", (await Assert.ThrowsAsync<MlflowException>(() => Registry.SetRegisteredModelAliasAsync("m", "bad alias!", 1, default))).Message, StringComparison.Ordinal);
        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, (await Assert.ThrowsAsync<MlflowException>(() => Registry.SetRegisteredModelAliasAsync("m", "x", 42, default))).ErrorCode);
        await Registry.DeleteRegisteredModelAliasAsync("m", "ghost", default);
        await Registry.DeleteRegisteredModelAliasAsync("m", "challenger", default);
        Assert.Equal(["champion|2|m|default"], Rows("SELECT alias, version, name, workspace FROM registered_model_aliases"));
    }

    [Fact]
    public async Task StagesAreCanonicalAndArchivingMovesTheOthersInTheTargetStage()
    {
        await Registry.CreateRegisteredModelAsync("m", [], null, default);
        for (var i = 0; i < 3; i++)
        {
            await NewVersionAsync("m");
        }

        await Registry.TransitionModelVersionStageAsync("m", 1, "staging", false, default);
        await Registry.TransitionModelVersionStageAsync("m", 2, "Production", true, default);
        var third = await Registry.TransitionModelVersionStageAsync("m", 3, "PRODUCTION", true, default);

        Assert.Equal(ModelStage.Production, third.Stage);
        Assert.Equal(["1|Staging", "2|Archived", "3|Production"], Rows("SELECT version, current_stage FROM model_versions ORDER BY version"));
        Assert.Equal([1, 3], (await Registry.GetLatestVersionsAsync("m", ["Production", "Staging"], default)).Select(v => v.Version).Order());
        Assert.Equal([1, 2, 3], (await Registry.GetLatestVersionsAsync("m", null, default)).Select(v => v.Version));
        var bogus = await Assert.ThrowsAsync<MlflowException>(() => Registry.TransitionModelVersionStageAsync("m", 1, "Bogus", false, default));
        Assert.Equal("Invalid Model Version stage: Bogus. Value must be one of None, Staging, Production, Archived.", bogus.Message);
    }

    [Fact]
    public async Task LatestVersionsHoldTheNewestVersionPerStageInFirstSeenOrder()
    {
        await Registry.CreateRegisteredModelAsync("m", [], null, default);
        for (var i = 0; i < 5; i++)
        {
            await NewVersionAsync("m");
        }

        await Registry.TransitionModelVersionStageAsync("m", 1, "Archived", false, default);
        await Registry.TransitionModelVersionStageAsync("m", 2, "Archived", false, default);
        await Registry.TransitionModelVersionStageAsync("m", 3, "Production", false, default);

        var model = await Registry.GetRegisteredModelAsync("m", default);

        Assert.Equal(["2|Archived", "3|Production", "5|None"], model.LatestVersions.Select(v => $"{v.Version}|{v.Stage}"));
    }

    [Fact]
    public async Task SearchModelsFiltersOrdersAndPagesWithMlflowsTokens()
    {
        foreach (var name in new[] { "xray-1", "xray-2", "xray-3", "xylo", "other-model" })
        {
            await Registry.CreateRegisteredModelAsync(name, name == "xylo" ? [new Tag("owner", "alice")] : [], null, default);
            _time.Advance(TimeSpan.FromMilliseconds(50));
        }

        var first = await Registry.SearchRegisteredModelsAsync("name LIKE 'x%' AND tag.`mlflow.prompt.is_prompt` != 'true'", 2, ["name DESC"], null, default);
        var second = await Registry.SearchRegisteredModelsAsync("name LIKE 'x%' AND tag.`mlflow.prompt.is_prompt` != 'true'", 2, ["name DESC"], first.NextPageToken, default);

        Assert.Equal(["xylo", "xray-3"], first.Items.Select(m => m.Name));
        Assert.Equal("eyJvZmZzZXQiOiAyfQ==", first.NextPageToken);
        Assert.Equal(["xray-2", "xray-1"], second.Items.Select(m => m.Name));
        Assert.Null(second.NextPageToken);
        Assert.Equal(["xray-3", "xray-2", "xray-1"], (await Registry.SearchRegisteredModelsAsync("name ILIKE 'XRAY%'", 10, ["last_updated_timestamp DESC"], null, default)).Items.Select(m => m.Name));
        Assert.Equal(["xylo"], (await Registry.SearchRegisteredModelsAsync("tags.owner = 'alice'", 10, null, null, default)).Items.Select(m => m.Name));
        Assert.Empty((await Registry.SearchRegisteredModelsAsync("name LIKE 'X%'", 10, null, null, default)).Items);
        Assert.Equal(["other-model", "xray-1"], (await Registry.SearchRegisteredModelsAsync(null, 2, null, null, default)).Items.Select(m => m.Name));
        Assert.Contains("Invalid attribute key 'description' specified.", (await Assert.ThrowsAsync<MlflowException>(() => Registry.SearchRegisteredModelsAsync("description = 'x'", 10, null, null, default))).Message, StringComparison.Ordinal);
        Assert.Equal(MlflowErrorCode.InvalidParameterValue, (await Assert.ThrowsAsync<MlflowException>(() => Registry.SearchRegisteredModelsAsync(null, 100_000, null, null, default))).ErrorCode);
        Assert.Equal(MlflowErrorCode.InvalidParameterValue, (await Assert.ThrowsAsync<MlflowException>(() => Registry.SearchRegisteredModelsAsync(null, 10, null, "garbage", default))).ErrorCode);
    }

    [Fact]
    public async Task PromptsAreHiddenFromModelSearchUnlessTheFilterAsksForThem()
    {
        await Registry.CreateRegisteredModelAsync("plain-model", [], null, default);
        await Registry.CreateRegisteredModelAsync("qa-prompt", [new Tag("mlflow.prompt.is_prompt", "true")], null, default);

        Assert.Equal(["plain-model"], (await Registry.SearchRegisteredModelsAsync(null, 10, null, null, default)).Items.Select(m => m.Name));
        Assert.Equal(["plain-model"], (await Registry.SearchRegisteredModelsAsync("tag.`mlflow.prompt.is_prompt` != 'true'", 10, null, null, default)).Items.Select(m => m.Name));
        Assert.Equal(["qa-prompt"], (await Registry.SearchRegisteredModelsAsync("tags.`mlflow.prompt.is_prompt` = 'true'", 10, null, null, default)).Items.Select(m => m.Name));
        Assert.Empty((await Registry.SearchRegisteredModelsAsync("tags.`mlflow.prompt.is_prompt` = 'true' AND name LIKE 'zz%'", 10, null, null, default)).Items);
    }

    [Fact]
    public async Task SearchVersionsUsesMlflowsKeysDefaultOrderAndPaging()
    {
        await Registry.CreateRegisteredModelAsync("m", [], null, default);
        await NewVersionAsync("m", tags: [new Tag("validated", "true")]);
        _time.Advance(TimeSpan.FromSeconds(1));
        await NewVersionAsync("m", $"mlflow-artifacts:/1/{RunId}/artifacts/model");
        _time.Advance(TimeSpan.FromSeconds(1));
        await NewVersionAsync("m", runId: "0123456789abcdef0123456789abcdef");

        var all = await Registry.SearchModelVersionsAsync("name='m'", 2, null, null, default);
        var rest = await Registry.SearchModelVersionsAsync("name='m'", 2, null, all.NextPageToken, default);

        Assert.Equal([3, 2], all.Items.Select(v => v.Version));
        Assert.Equal([1], rest.Items.Select(v => v.Version));
        Assert.Null(rest.NextPageToken);
        Assert.Equal([1, 2], (await Registry.SearchModelVersionsAsync($"run_id = '{RunId}'", 10, ["version_number ASC"], null, default)).Items.Select(v => v.Version));
        Assert.Equal([1], (await Registry.SearchModelVersionsAsync("tags.validated = 'true'", 10, null, null, default)).Items.Select(v => v.Version));
        Assert.Equal([2], (await Registry.SearchModelVersionsAsync("source_path LIKE 'mlflow-artifacts%'", 10, null, null, default)).Items.Select(v => v.Version));
        Assert.Equal([3], (await Registry.SearchModelVersionsAsync("version_number = 3", 10, null, null, default)).Items.Select(v => v.Version));
        Assert.Equal(
            "Invalid attribute key 'versionx' specified. Valid keys are '{'run_id', 'name', 'version_number', 'source_path'}'",
            (await Assert.ThrowsAsync<MlflowException>(() => Registry.SearchModelVersionsAsync("versionx = 1", 10, null, null, default))).Message);
    }

    [Fact]
    public async Task DownloadUriIsTheStorageLocationAndAModelsSourceIsResolved()
    {
        await Registry.CreateRegisteredModelAsync("m", [], null, default);
        await NewVersionAsync("m", $"mlflow-artifacts:/1/{RunId}/artifacts/model");
        await Registry.CreateRegisteredModelAsync("copy", [], null, default);

        var copy = await NewVersionAsync("copy", "models:/m/1", runId: null);

        Assert.Equal("models:/m/1", copy.Source);
        Assert.Equal($"mlflow-artifacts:/1/{RunId}/artifacts/model", await Registry.GetModelVersionDownloadUriAsync("copy", 1, default));
        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, (await Assert.ThrowsAsync<MlflowException>(() => NewVersionAsync("no-such-model"))).ErrorCode);
    }

    [Fact]
    public async Task DeletingAModelDeletesItsVersionsTagsAndAliases()
    {
        await Registry.CreateRegisteredModelAsync("m", [new Tag("k", "v")], null, default);
        await NewVersionAsync("m", tags: [new Tag("t", "1")]);
        await Registry.SetRegisteredModelAliasAsync("m", "champion", 1, default);

        await Registry.DeleteRegisteredModelAsync("m", default);

        foreach (var table in new[] { "registered_models", "registered_model_tags", "registered_model_aliases", "model_versions", "model_version_tags" })
        {
            Assert.Empty(Rows($"SELECT * FROM {table}"));
        }

        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, (await Assert.ThrowsAsync<MlflowException>(() => Registry.DeleteRegisteredModelAsync("m", default))).ErrorCode);
    }

    private List<string> Rows(string sql)
    {
        using var connection = _folder.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return rows;
    }
}
