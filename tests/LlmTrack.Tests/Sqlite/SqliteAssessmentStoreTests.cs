using System.Text.Json.Nodes;
using LlmTrack.Stores.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace LlmTrack.Tests.Sqlite;

public sealed class SqliteAssessmentStoreTests : IDisposable
{
    private const string TraceId = "tr-0123456789abcdef0123456789abcdef";
    private static readonly DateTimeOffset s_now = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(s_now);
    private readonly SqliteTrackingStore _store;
    private readonly SqliteConnection _db;

    public SqliteAssessmentStoreTests()
    {
        _store = SqliteTrackingStore.Open(_folder.TrackingUri, _time);
        _db = _folder.OpenConnection();
        TraceRowSeeder.Trace(_db, TraceId, 0, 1_000);
    }

    public void Dispose()
    {
        _db.Dispose();
        _store.Dispose();
        _folder.Dispose();
    }

    private object?[] Row(string assessmentId) =>
        _db.Rows($"SELECT name, assessment_type, value, error, created_timestamp, last_updated_timestamp, source_type, source_id, run_id, span_id, rationale, overrides, valid, assessment_metadata FROM assessments WHERE assessment_id = '{assessmentId}'").Single();

    private Task<Assessment> CreateFeedbackAsync(JsonNode? value, AssessmentError? error = null, string? overrides = null) =>
        _store.CreateAssessmentAsync(new Assessment
        {
            Name = "relevance",
            TraceId = TraceId,
            SpanId = "aaaaaaaaaaaaaaaa",
            Source = new AssessmentSource(AssessmentSourceType.LlmJudge, "gpt-4o"),
            Feedback = new Feedback(value, error),
            Rationale = "on topic",
            Metadata = new Dictionary<string, string> { ["k"] = "v" },
            Overrides = overrides,
            RunId = "0f0e0d0c0b0a09080706050403020100",
        }, default);

    [Fact]
    public async Task FeedbackIsStoredAsMlflowWritesItAndReadsBack()
    {
        var created = await CreateFeedbackAsync(JsonValue.Create(1));
        Assert.StartsWith("a-", created.AssessmentId, StringComparison.Ordinal);
        Assert.Equal(34, created.AssessmentId.Length);
        var ms = s_now.ToUnixTimeMilliseconds();
        Assert.Equal(
            new object?[] { "relevance", "feedback", "1.0", null, ms, ms, "LLM_JUDGE", "gpt-4o", "0f0e0d0c0b0a09080706050403020100", "aaaaaaaaaaaaaaaa", "on topic", null, 1L, "{\"k\": \"v\"}" },
            Row(created.AssessmentId));
        Assert.Equal(1.0, created.Value!.GetValue<double>());
        Assert.Equal(new AssessmentSource(AssessmentSourceType.LlmJudge, "gpt-4o"), created.Source);
        Assert.Equal("v", created.Metadata["k"]);
        Assert.True(created.Valid);
        Assert.Equal(created, await _store.GetAssessmentAsync(TraceId, created.AssessmentId, default), new AssessmentComparer());
        Assert.Single((await _store.GetTraceInfoAsync(TraceId, default)).Assessments);
    }

    [Theory]
    [InlineData("true", "true")]
    [InlineData("\"yes\"", "\"yes\"")]
    [InlineData("{\"a\":[1,2]}", "{\"a\": [1, 2]}")]
    [InlineData("0.25", "0.25")]
    public async Task EveryFeedbackValueKindIsPythonJsonText(string value, string stored)
    {
        var created = await CreateFeedbackAsync(JsonNode.Parse(value));
        Assert.Equal(stored, Row(created.AssessmentId)[2]);
        Assert.Equal(JsonNode.Parse(stored)!.ToJsonString(), created.Value!.ToJsonString());
    }

    [Fact]
    public async Task FeedbackErrorsAndExpectationsAreStoredInTheirColumns()
    {
        var failed = await CreateFeedbackAsync(null, new AssessmentError("SCORER_ERROR", "timeout"));
        var row = Row(failed.AssessmentId);
        Assert.Equal("null", row[2]);
        Assert.Equal("{\"error_code\": \"SCORER_ERROR\", \"error_message\": \"timeout\", \"stack_trace\": null}", row[3]);
        Assert.Equal(new AssessmentError("SCORER_ERROR", "timeout"), failed.Feedback!.Error);

        var expectation = await _store.CreateAssessmentAsync(new Assessment
        {
            Name = "expected_facts",
            TraceId = TraceId,
            Source = AssessmentSource.DefaultExpectation,
            Expectation = new Expectation(JsonNode.Parse("[\"a\", \"b\"]")),
        }, default);
        row = Row(expectation.AssessmentId);
        Assert.Equal("expectation", row[1]);
        Assert.Equal("[\"a\", \"b\"]", row[2]);
        Assert.Equal("HUMAN", row[6]);
        Assert.Null(row[13]);
        Assert.Equal("[\"a\",\"b\"]", expectation.Value!.ToJsonString());

        var error = await Assert.ThrowsAsync<MlflowException>(() => _store.CreateAssessmentAsync(new Assessment { Name = "x", TraceId = TraceId }, default));
        Assert.Equal(MlflowErrorCode.InvalidParameterValue, error.ErrorCode);
    }

    [Fact]
    public async Task OverrideInvalidatesTheOldOneAndDeletingItRestoresIt()
    {
        var old = await CreateFeedbackAsync(JsonValue.Create(0.2));
        var replacement = await CreateFeedbackAsync(JsonValue.Create(0.9), overrides: old.AssessmentId);
        Assert.Equal(0L, Row(old.AssessmentId)[12]);
        Assert.Equal(old.AssessmentId, Row(replacement.AssessmentId)[11]);
        Assert.False((await _store.GetAssessmentAsync(TraceId, old.AssessmentId, default)).Valid);

        await _store.DeleteAssessmentAsync(TraceId, replacement.AssessmentId, default);
        Assert.True((await _store.GetAssessmentAsync(TraceId, old.AssessmentId, default)).Valid);
        var error = await Assert.ThrowsAsync<MlflowException>(() => _store.GetAssessmentAsync(TraceId, replacement.AssessmentId, default));
        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, error.ErrorCode);
        error = await Assert.ThrowsAsync<MlflowException>(() => CreateFeedbackAsync(JsonValue.Create(1), overrides: "a-missing"));
        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, error.ErrorCode);
    }

    [Fact]
    public async Task UpdateChangesTheMaskedFieldsAndTheUpdateTime()
    {
        var created = await CreateFeedbackAsync(JsonValue.Create(0.2));
        _time.Advance(TimeSpan.FromSeconds(5));
        var updated = await _store.UpdateAssessmentAsync(
            created with { Name = "relevance2", Feedback = new Feedback(JsonValue.Create(0.7)), Rationale = "better" },
            ["assessmentName", "feedback"],
            default);
        Assert.Equal("relevance2", updated.Name);
        Assert.Equal(0.7, updated.Value!.GetValue<double>());
        Assert.Equal("on topic", updated.Rationale);
        Assert.Equal(s_now.AddSeconds(5), updated.LastUpdateTime);
        Assert.Equal(s_now, updated.CreateTime);

        var error = await Assert.ThrowsAsync<MlflowException>(() => _store.UpdateAssessmentAsync(
            created with { Feedback = null, Expectation = new Expectation(JsonValue.Create("x")) }, ["expectation"], default));
        Assert.Equal(MlflowErrorCode.InvalidParameterValue, error.ErrorCode);
        error = await Assert.ThrowsAsync<MlflowException>(() => _store.UpdateAssessmentAsync(created with { AssessmentId = "a-missing" }, ["feedback"], default));
        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, error.ErrorCode);
    }

    [Fact]
    public async Task DeletingATraceDeletesItsAssessments()
    {
        await CreateFeedbackAsync(JsonValue.Create(1));
        Assert.Equal(1, await _store.DeleteTracesAsync("0", [TraceId], null, null, default));
        Assert.Equal(0L, _db.Scalar("SELECT COUNT(*) FROM assessments"));
    }

    private sealed class AssessmentComparer : IEqualityComparer<Assessment>
    {
        public bool Equals(Assessment? x, Assessment? y) =>
            x!.AssessmentId == y!.AssessmentId && x.Name == y.Name && x.Source == y.Source && x.CreateTime == y.CreateTime
            && x.Rationale == y.Rationale && x.Value!.ToJsonString() == y.Value!.ToJsonString() && x.Valid == y.Valid && x.SpanId == y.SpanId;

        public int GetHashCode(Assessment obj) => obj.AssessmentId.GetHashCode(StringComparison.Ordinal);
    }
}
