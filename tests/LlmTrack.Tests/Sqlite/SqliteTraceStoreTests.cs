using System.Text.Json.Nodes;
using LlmTrack.Stores;
using LlmTrack.Stores.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace LlmTrack.Tests.Sqlite;

public sealed class SqliteTraceStoreTests : IDisposable
{
    private const string First = "tr-0123456789abcdef0123456789abcdef";
    private const string Second = "tr-11111111111111112222222222222222";
    private const string Third = "tr-33333333333333334444444444444444";
    private const string RunId = "0f0e0d0c0b0a09080706050403020100";
    private static readonly DateTimeOffset s_now = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(s_now);
    private readonly SqliteTrackingStore _store;
    private readonly SqliteConnection _db;

    public SqliteTraceStoreTests()
    {
        _store = SqliteTrackingStore.Open(_folder.TrackingUri, _time);
        _db = _folder.OpenConnection();
        TraceRowSeeder.Trace(_db, First, 0, 1_000, "OK", new Dictionary<string, string> { ["mlflow.traceName"] = "chat", ["team"] = "nlp" }, new Dictionary<string, string> { ["mlflow.sourceRun"] = RunId });
        TraceRowSeeder.Span(_db, First, 0, "aaaaaaaaaaaaaaaa", null, "chat", "CHAIN", 1_000_000_000, 1_120_000_000);
        TraceRowSeeder.Span(_db, First, 0, "bbbbbbbbbbbbbbbb", "aaaaaaaaaaaaaaaa", "llm", "CHAT_MODEL", 1_010_000_000, 1_100_000_000);
        TraceRowSeeder.Trace(_db, Second, 0, 2_000, "ERROR", new Dictionary<string, string> { ["mlflow.traceName"] = "tool" });
        TraceRowSeeder.Span(_db, Second, 0, "cccccccccccccccc", null, "tool", "TOOL", 2_000_000_000, 2_050_000_000, "ERROR");
        TraceRowSeeder.Trace(_db, Third, 0, 3_000, "OK");
    }

    public void Dispose()
    {
        _db.Dispose();
        _store.Dispose();
        _folder.Dispose();
    }

    private async Task<List<string>> IdsAsync(string? filter, IReadOnlyList<string>? orderBy = null) =>
        (await _store.SearchTracesAsync(new TraceSearch(["0"], filter, 100, orderBy), default)).Items.Select(t => t.TraceId).ToList();

    [Fact]
    public async Task SearchOrdersByTimestampDescendingAndReadsTheInfoColumns()
    {
        var page = await _store.SearchTracesAsync(new TraceSearch(["0"]), default);
        Assert.Equal([Third, Second, First], page.Items.Select(t => t.TraceId));
        Assert.Null(page.NextPageToken);
        var first = page.Items[2];
        Assert.Equal("0", first.ExperimentId);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_000), first.RequestTime);
        Assert.Equal(TimeSpan.FromMilliseconds(120), first.ExecutionDuration);
        Assert.Equal(TraceState.Ok, first.State);
        Assert.Equal("chat", first.Name);
        Assert.Equal(RunId, first.SourceRunId);
        Assert.Equal("{\"q\": \"hi\"}", first.RequestPreview);
        Assert.Equal(TraceState.Error, page.Items[1].State);
    }

    [Theory]
    [InlineData("attributes.status = 'OK'", new[] { Third, First })]
    [InlineData("trace.status = 'ERROR'", new[] { Second })]
    [InlineData("tags.`mlflow.traceName` = 'chat'", new[] { First })]
    [InlineData("tags.team LIKE 'n%'", new[] { First })]
    [InlineData("metadata.`mlflow.sourceRun` = '" + RunId + "'", new[] { First })]
    [InlineData("trace.timestamp_ms > 1500", new[] { Third, Second })]
    [InlineData("trace.timestamp_ms <= 2000 AND trace.status = 'OK'", new[] { First })]
    [InlineData("trace.name = 'tool'", new[] { Second })]
    [InlineData("span.name = 'llm'", new[] { First })]
    [InlineData("span.type = 'TOOL'", new[] { Second })]
    [InlineData("attribute.run_id = '" + RunId + "'", new[] { First })]
    [InlineData("trace.status IN ('ERROR', 'IN_PROGRESS')", new[] { Second })]
    public async Task SearchUnderstandsEachFilterForm(string filter, string[] expected) =>
        Assert.Equal(expected, await IdsAsync(filter));

    [Theory]
    [InlineData("foo.bar = 'x'")]
    [InlineData("trace.color = 'red'")]
    [InlineData("span.kind = 'x'")]
    [InlineData("trace.status = 'OK' OR trace.status = 'ERROR'")]
    [InlineData("trace.status 'OK'")]
    [InlineData("tags.x = 'unterminated")]
    public async Task BadFiltersAreInvalidParameterValue(string filter)
    {
        var error = await Assert.ThrowsAsync<MlflowException>(() => IdsAsync(filter));
        Assert.Equal(MlflowErrorCode.InvalidParameterValue, error.ErrorCode);
    }

    [Fact]
    public async Task OrderByAscendingAndPagingWithTokens()
    {
        Assert.Equal([First, Second, Third], await IdsAsync(null, ["timestamp_ms ASC"]));
        var firstPage = await _store.SearchTracesAsync(new TraceSearch(["0"], MaxResults: 2), default);
        Assert.Equal([Third, Second], firstPage.Items.Select(t => t.TraceId));
        Assert.NotNull(firstPage.NextPageToken);
        var secondPage = await _store.SearchTracesAsync(new TraceSearch(["0"], MaxResults: 2, PageToken: firstPage.NextPageToken), default);
        Assert.Equal([First], secondPage.Items.Select(t => t.TraceId));
        Assert.Null(secondPage.NextPageToken);
        var empty = await _store.SearchTracesAsync(new TraceSearch([]), default);
        Assert.Empty(empty.Items);
        await Assert.ThrowsAsync<MlflowException>(() => IdsAsync(null, ["color DESC"]));
    }

    [Fact]
    public async Task LinkedTracesAreFoundByRunId()
    {
        await _store.LinkTracesToRunAsync([Third], RunId, default);
        Assert.Equal([Third, First], await IdsAsync("attribute.run_id = '" + RunId + "'"));
        Assert.Equal(1L, _db.Scalar($"SELECT COUNT(*) FROM entity_associations WHERE source_type = 'trace' AND source_id = '{Third}' AND destination_type = 'run' AND destination_id = '{RunId}'"));
    }

    [Fact]
    public async Task GetTracesReadsSpansFromTheirContentJson()
    {
        var traces = await _store.GetTracesAsync([First, "tr-missing", Second], default);
        Assert.Equal([First, Second], traces.Select(t => t.Info.TraceId));
        var spans = traces[0].Spans;
        Assert.Equal(["chat", "llm"], spans.Select(s => s.Name));
        var root = Assert.Single(traces[0].RootSpans);
        Assert.Equal("aaaaaaaaaaaaaaaa", root.SpanId);
        Assert.Equal("0123456789abcdef0123456789abcdef", root.TraceId);
        var llm = Assert.Single(traces[0].ChildrenOf(root));
        Assert.Equal("CHAT_MODEL", llm.SpanType);
        Assert.Equal("hi", llm.Inputs!["q"]!.GetValue<string>());
        Assert.Equal(new LlmTrack.Metrics.Tokens.TokenUsage(3, 4), llm.TokenUsage);
        Assert.Equal(SpanStatusCode.Ok, llm.StatusCode);
        Assert.Equal(1_100_000_000, llm.EndTimeUnixNano);

        var failed = Assert.Single(traces[1].Spans);
        Assert.Equal(SpanStatusCode.Error, failed.StatusCode);
        Assert.Equal("boom", failed.StatusMessage);
        Assert.Equal("exception", Assert.Single(failed.Events).Name);
    }

    [Fact]
    public async Task UnknownTraceIsResourceDoesNotExist()
    {
        var error = await Assert.ThrowsAsync<MlflowException>(() => _store.GetTraceInfoAsync("tr-missing", default));
        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, error.ErrorCode);
        error = await Assert.ThrowsAsync<MlflowException>(() => _store.SetTraceTagAsync("tr-missing", "k", "v", default));
        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, error.ErrorCode);
    }

    [Fact]
    public async Task TagsAreSetReplacedAndDeleted()
    {
        await _store.SetTraceTagAsync(First, "team", "vision", default);
        await _store.SetTraceTagAsync(First, "new", "1", default);
        var info = await _store.GetTraceInfoAsync(First, default);
        Assert.Equal("vision", info.Tags["team"]);
        Assert.Equal("1", info.Tags["new"]);
        await _store.DeleteTraceTagAsync(First, "new", default);
        Assert.Null(_db.Scalar($"SELECT value FROM trace_tags WHERE request_id = '{First}' AND \"key\" = 'new'"));
        var error = await Assert.ThrowsAsync<MlflowException>(() => _store.DeleteTraceTagAsync(First, "new", default));
        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, error.ErrorCode);
    }

    [Fact]
    public async Task DeleteByIdsAndByMaxTimestampRemoveEveryRowOfTheTrace()
    {
        Assert.Equal(1, await _store.DeleteTracesAsync("0", [First, "tr-missing"], null, null, default));
        foreach (var sql in new[] { "trace_info WHERE request_id", "trace_tags WHERE request_id", "trace_request_metadata WHERE request_id", "spans WHERE trace_id" })
        {
            Assert.Equal(0L, _db.Scalar($"SELECT COUNT(*) FROM {sql} = '{First}'"));
        }

        Assert.Equal(1, await _store.DeleteTracesAsync("0", null, 5_000, 1, default));
        Assert.Equal([Third], await IdsAsync(null));
        Assert.Equal(0, await _store.DeleteTracesAsync("0", null, 2_999, null, default));
        await Assert.ThrowsAsync<MlflowException>(() => _store.DeleteTracesAsync("0", null, null, null, default));
    }

    [Fact]
    public async Task FeedbackFilterMatchesTheStoredJsonValue()
    {
        await _store.CreateAssessmentAsync(new Assessment { Name = "relevance", TraceId = First, Feedback = new Feedback(JsonValue.Create(0.3)), Source = AssessmentSource.DefaultFeedback }, default);
        await _store.CreateAssessmentAsync(new Assessment { Name = "tone", TraceId = Second, Feedback = new Feedback(JsonValue.Create("polite")), Source = AssessmentSource.DefaultFeedback }, default);
        Assert.Equal([First], await IdsAsync("feedback.relevance = '0.3'"));
        Assert.Equal([Second], await IdsAsync("feedback.tone = 'polite'"));
        Assert.Empty(await IdsAsync("feedback.tone = 'rude'"));
    }
}
