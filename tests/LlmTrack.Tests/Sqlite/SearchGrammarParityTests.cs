using LlmTrack.Stores.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace LlmTrack.Tests.Sqlite;

/// <summary>
/// The local store answers every filter and order_by of search.out (TestData/mlflow) with the runs, order and error
/// messages the real MLflow 3.6 server gave. The five runs are the recording's: r1..r4 and x5 with metric acc, param
/// model, tag team, start times 1700000000000 + 1000·i, statuses FINISHED/FINISHED/FAILED/FINISHED/RUNNING.
/// </summary>
public sealed class SearchGrammarParityTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private readonly SqliteTrackingStore _store;
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private string _experimentId = "";

    public SearchGrammarParityTests()
    {
        _store = SqliteTrackingStore.Open(_folder.TrackingUri, new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000)));
    }

    public async Task InitializeAsync()
    {
        _experimentId = await _store.CreateExperimentAsync("search-demo", null, [new Tag("k", "v"), new Tag("team", "x")], default);
        (string Name, double Acc, string Model, string Team, RunStatus? Status)[] runs =
        [
            ("r1", 0.9, "a", "x", RunStatus.Finished),
            ("r2", 0.4, "a", "y", RunStatus.Finished),
            ("r3", 0.7, "b", "x", RunStatus.Failed),
            ("r4", 0.6, "b", "x", RunStatus.Finished),
            ("x5", 0.95, "a", "x", null),
        ];
        for (var i = 0; i < runs.Length; i++)
        {
            var (name, acc, model, team, status) = runs[i];
            var start = 1_700_000_000_000 + (1000L * i);
            var run = await _store.CreateRunAsync(_experimentId, name, start, [new Tag("team", team), new Tag("mlflow.runName", name)], default);
            await _store.LogBatchAsync(run.Info.RunId, [new Metric("acc", acc, start, 0)], [new Param("model", model)], [], default);
            if (status is { } finished)
            {
                await _store.UpdateRunAsync(run.Info.RunId, finished, start + 500, null, default);
            }

            _names[run.Info.RunId] = name;
        }
    }

    public Task DisposeAsync()
    {
        _store.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }

    private async Task<string[]> NamesAsync(string? filter, params string[] orderBy)
    {
        var page = await _store.SearchRunsAsync([_experimentId], filter, ViewType.ActiveOnly, 1000, orderBy.Length == 0 ? null : orderBy, null, default);
        return [.. page.Items.Select(r => _names[r.Info.RunId])];
    }

    private string IdOf(string name) => _names.Single(p => p.Value == name).Key;

    private async Task<string> ErrorAsync(string? filter, params string[] orderBy)
    {
        var error = await Assert.ThrowsAsync<MlflowException>(() => NamesAsync(filter, orderBy));
        Assert.Equal(MlflowErrorCode.InvalidParameterValue, error.ErrorCode);
        return error.Message;
    }

    [Fact]
    public async Task MetricGreaterThanMatchesAsRecorded() => Assert.Equal(["x5", "r4", "r3", "r1"], await NamesAsync("metrics.acc > 0.5"));

    [Fact]
    public async Task MetricComparatorsEachSelectTheirRuns()
    {
        Assert.Equal(["r3"], await NamesAsync("metrics.acc = 0.7"));
        Assert.Equal(["x5", "r4", "r2", "r1"], await NamesAsync("metrics.acc != 0.7"));
        Assert.Equal(["r4", "r2"], await NamesAsync("metrics.acc < 0.7"));
        Assert.Equal(["r4", "r3", "r2"], await NamesAsync("metrics.acc <= 0.7"));
        Assert.Equal(["x5", "r3", "r1"], await NamesAsync("metrics.acc >= 0.7"));
    }

    [Fact]
    public async Task ParamEqualityMatchesAsRecorded() => Assert.Equal(["x5", "r2", "r1"], await NamesAsync("params.model = 'a'"));

    [Fact]
    public async Task ParamInequalityAndDoubleQuotesWork()
    {
        Assert.Equal(["r4", "r3"], await NamesAsync("params.model != 'a'"));
        Assert.Equal(["r4", "r3"], await NamesAsync("params.model = \"b\""));
    }

    [Fact]
    public async Task TagEqualityMatchesAsRecorded() => Assert.Equal(["x5", "r4", "r3", "r1"], await NamesAsync("tags.team = 'x'"));

    [Fact]
    public async Task StatusAttributeMatchesAsRecorded() => Assert.Equal(["r4", "r2", "r1"], await NamesAsync("attributes.status = 'FINISHED'"));

    [Fact]
    public async Task RunNameLikeMatchesAsRecorded() => Assert.Equal(["r4", "r3", "r2", "r1"], await NamesAsync("attributes.run_name LIKE 'r%'"));

    [Fact]
    public async Task LikeIsCaseSensitiveAndIlikeIsNot()
    {
        Assert.Empty(await NamesAsync("attributes.run_name LIKE 'R%'"));
        Assert.Equal(["r4", "r3", "r2", "r1"], await NamesAsync("tags.`mlflow.runName` ILIKE 'R%'"));
        Assert.Equal(["r4", "r3", "r2", "r1"], await NamesAsync("tags.\"mlflow.runName\" ILIKE 'R%'"));
    }

    [Fact]
    public async Task StartTimeAttributeMatchesAsRecorded() => Assert.Equal(["x5", "r4", "r3"], await NamesAsync("attributes.start_time >= 1700000002000"));

    [Fact]
    public async Task ClausesJoinedByAndAllApply() =>
        Assert.Equal(["r4", "r3"], await NamesAsync("metrics.acc > 0.5 AND params.model = 'b' AND tags.team = 'x'"));

    [Fact]
    public async Task RunIdEqualityAndInMatchAsRecorded()
    {
        Assert.Equal(["r1"], await NamesAsync($"attributes.run_id = '{IdOf("r1")}'"));
        Assert.Equal(["r3", "r1"], await NamesAsync($"attributes.run_id IN ('{IdOf("r1")}', '{IdOf("r3")}')"));
        Assert.Equal(["x5", "r4", "r2"], await NamesAsync($"attributes.run_id NOT IN ('{IdOf("r1")}', '{IdOf("r3")}')"));
    }

    [Fact]
    public async Task AMissingMetricMatchesNothing() => Assert.Empty(await NamesAsync("metrics.missing_metric > 0"));

    [Fact]
    public async Task DefaultOrderIsStartTimeDescending() => Assert.Equal(["x5", "r4", "r3", "r2", "r1"], await NamesAsync(null));

    [Fact]
    public async Task OrderByMetricDescendingAsRecorded() => Assert.Equal(["x5", "r1", "r3", "r4", "r2"], await NamesAsync(null, "metrics.acc DESC"));

    [Fact]
    public async Task OrderByStartTimeIsAscendingByDefault() => Assert.Equal(["r1", "r2", "r3", "r4", "x5"], await NamesAsync(null, "attributes.start_time"));

    [Fact]
    public async Task SeveralOrderKeysApplyInTurn() => Assert.Equal(["x5", "r1", "r2", "r3", "r4"], await NamesAsync(null, "params.model ASC", "metrics.acc DESC"));

    [Fact]
    public async Task OrderByRunNameDescendingAsRecorded() => Assert.Equal(["x5", "r4", "r3", "r2", "r1"], await NamesAsync(null, "attributes.run_name DESC"));

    [Fact]
    public async Task PagesFollowTheOffsetTokensOfTheServer()
    {
        var first = await _store.SearchRunsAsync([_experimentId], null, ViewType.ActiveOnly, 2, ["attributes.start_time ASC"], null, default);
        Assert.Equal("eyJvZmZzZXQiOiAyfQ==", first.NextPageToken);
        var second = await _store.SearchRunsAsync([_experimentId], null, ViewType.ActiveOnly, 2, ["attributes.start_time ASC"], first.NextPageToken, default);
        Assert.Equal(["r3", "r4"], second.Items.Select(r => _names[r.Info.RunId]));
        Assert.Equal("eyJvZmZzZXQiOiA0fQ==", second.NextPageToken);
    }

    [Fact]
    public async Task InOnANonRunIdAttributeFailsWithTheServersMessage() =>
        Assert.Equal("Only the 'run_id' attribute supports comparison with a list of quoted string values.", await ErrorAsync("attributes.status IN ('FAILED', 'RUNNING')"));

    [Fact]
    public async Task AnUnknownComparatorFailsWithTheServersMessage() =>
        Assert.Equal("Invalid comparator '>>' not one of '{'!=', '>=', '<=', '>', '<', '='}'", await ErrorAsync("metrics.acc >> 1"));

    [Fact]
    public async Task AnUnknownEntityFailsWithTheServersMessage() =>
        Assert.Equal("Invalid entity type 'foo'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']", await ErrorAsync("foo.bar = 1"));

    [Fact]
    public async Task AQuotedMetricValueFailsWithTheServersMessage() =>
        Assert.Equal("Expected numeric value type for metric. Found 'x'", await ErrorAsync("metrics.acc > 'x'"));

    [Fact]
    public async Task AnUnknownOrderKeyFailsWithTheServersMessage() =>
        Assert.Equal(
            "Invalid attribute key 'bogus' specified. Valid keys are '{'end_time', 'Created', 'status', 'start_time', 'user_id', 'run_id', 'artifact_uri', 'run_name', 'created'}'",
            await ErrorAsync(null, "bogus DESC"));

    [Fact]
    public async Task AGarbagePageTokenFailsWithTheServersMessage()
    {
        var error = await Assert.ThrowsAsync<MlflowException>(() => _store.SearchRunsAsync([_experimentId], null, ViewType.ActiveOnly, 10, null, "garbage", default));
        Assert.Equal("Invalid page token, could not base64-decode", error.Message);
    }

    [Fact]
    public async Task AnUnquotedParamValueAndAStringComparatorOnANumberFail()
    {
        Assert.Contains("not quoted", await ErrorAsync("params.model = 1"), StringComparison.Ordinal);
        Assert.Contains("Invalid comparator 'LIKE'", await ErrorAsync("metrics.acc LIKE 0.5"), StringComparison.Ordinal);
        Assert.Contains("Invalid comparator '>'", await ErrorAsync("params.model > 'a'"), StringComparison.Ordinal);
    }
}
