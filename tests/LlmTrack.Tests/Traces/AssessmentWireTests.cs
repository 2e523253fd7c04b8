using System.Text.Json.Nodes;
using LlmTrack.Tests.Rest;
using static LlmTrack.Tests.Traces.TraceServer;

namespace LlmTrack.Tests.Traces;

public sealed class AssessmentWireTests : IDisposable
{
    private const string Marker = "/api/3.0/mlflow/traces/" + TraceId + "/assessments";
    private readonly TraceServer _server = new();

    public void Dispose() => _server.Dispose();

    private RecordedExchange ReplayCreate(string bodyMarker, string? at = null)
    {
        var recorded = Recordings.PythonWhere(Recording, ">>> POST http://127.0.0.1:5010" + Marker, bodyMarker);
        if (at is not null)
        {
            _server.Time.SetUtcNow(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture));
        }

        return _server.Replay(V3($"traces/{TraceId}/assessments", "POST"), recorded);
    }

    private JsonNode SentBody() => _server.Mlflow.SingleBody($"traces/{TraceId}/assessments");

    [Fact]
    public async Task FeedbackWithSourceRationaleAndMetadataSendsTheClientsBody()
    {
        var recorded = ReplayCreate("\"relevance\"");

        var created = await _server.Traces.LogFeedbackAsync(TraceId, "relevance", 0.8, "mostly relevant", new AssessmentSource(AssessmentSourceType.Human, "alice"), new Dictionary<string, string> { ["note"] = "first pass" });

        JsonAssert.Equal(recorded.RequestJson, SentBody());
        Assert.Equal("a-2f13b35a867245f485bc9cef11d295ba", created.AssessmentId);
        Assert.Equal(0.8, (double)created.Value!);
        Assert.Equal("mostly relevant", created.Rationale);
        Assert.Equal(new AssessmentSource(AssessmentSourceType.Human, "alice"), created.Source);
        Assert.True(created.Valid);
    }

    [Fact]
    public async Task BooleanFeedbackFromAJudge()
    {
        var recorded = ReplayCreate("\"is_correct\"", "2026-12-04T04:26:57.754Z");

        var created = await _server.Traces.LogFeedbackAsync(TraceId, "is_correct", true, source: new AssessmentSource(AssessmentSourceType.LlmJudge, "judge-1"));

        JsonAssert.Equal(recorded.RequestJson, SentBody());
        Assert.True((bool)created.Feedback!.Value!);
        Assert.Equal(AssessmentSourceType.LlmJudge, created.Source.Type);
    }

    [Fact]
    public async Task ObjectFeedbackDefaultsToTheCodeSource()
    {
        var recorded = ReplayCreate("\"labels\"", "2026-12-04T04:26:57.807Z");

        var created = await _server.Traces.LogFeedbackAsync(TraceId, "labels", new JsonObject { ["tone"] = "neutral", ["score"] = 3.0 });

        JsonAssert.Equal(recorded.RequestJson, SentBody());
        Assert.Equal(AssessmentSource.DefaultFeedback, created.Source);
        JsonAssert.Equal("""{"tone":"neutral","score":3.0}""", created.Value);
    }

    [Fact]
    public async Task AStringExpectationIsSentAsAPlainValueWithoutValid()
    {
        var recorded = ReplayCreate("\"expected_answer\"", "2026-12-04T04:26:57.978Z");

        var created = await _server.Traces.LogExpectationAsync(TraceId, "expected_answer", "MLflow manages the ML lifecycle.", new AssessmentSource(AssessmentSourceType.Human, "bob"));

        JsonAssert.Equal(recorded.RequestJson, SentBody());
        Assert.NotNull(created.Expectation);
        Assert.Null(created.Feedback);
        Assert.Equal("MLflow manages the ML lifecycle.", (string?)created.Value);
    }

    [Fact]
    public async Task AListExpectationOnASpanIsSentAsSerializedJsonWithTheDefaultHumanSource()
    {
        var recorded = ReplayCreate("\"expected_facts\"", "2026-12-04T04:26:58.035Z");

        var created = await _server.Traces.LogExpectationAsync(TraceId, "expected_facts", new JsonArray("open source", "lifecycle"), spanId: "31bfd51e468e87ec");

        JsonAssert.Equal(recorded.RequestJson, SentBody());
        JsonAssert.Equal("""["open source","lifecycle"]""", created.Value);
        Assert.Equal("31bfd51e468e87ec", created.SpanId);
        Assert.Equal(AssessmentSource.DefaultExpectation, created.Source);
    }

    [Fact]
    public async Task AFailedFeedbackSendsANullValueWithTheError()
    {
        var recorded = ReplayCreate("\"judge_failed\"", "2026-12-04T04:26:58.091Z");

        var created = await _server.Traces.LogFeedbackErrorAsync(TraceId, "judge_failed", new AssessmentError("ValueError", "judge timeout", "ValueError('judge timeout')ValueError: judge timeout"));

        JsonAssert.Equal(recorded.RequestJson, SentBody());
        Assert.Null(created.Value);
        Assert.Equal(new AssessmentError("ValueError", "judge timeout", "ValueError('judge timeout')ValueError: judge timeout"), created.Feedback!.Error);
    }

    [Fact]
    public async Task AnIntegerFeedbackComesBackAsADoubleAndAMissingSourceAsUnspecified()
    {
        ReplayCreate("\"no_source\"");

        var created = await _server.Traces.LogFeedbackAsync(TraceId, "no_source", 1);

        Assert.Equal(1.0, (double)created.Value!);
        Assert.Equal(AssessmentSourceType.Unspecified, created.Source.Type);
    }

    [Fact]
    public async Task FeedbackOnAnUnknownTraceThrowsResourceDoesNotExist()
    {
        const string missing = "tr-00000000000000000000000000000000";
        var recorded = Recordings.PythonWhere(Recording, $"traces/{missing}/assessments", "\"x\"");
        _server.Replay(V3($"traces/{missing}/assessments", "POST"), recorded);

        var ex = await Assert.ThrowsAsync<MlflowException>(() => _server.Traces.LogFeedbackAsync(missing, "x", 1));

        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, ex.ErrorCode);
    }

    [Fact]
    public async Task GetReadsTheRecordedAssessmentAndAnUnknownOneThrows()
    {
        const string id = "a-2f13b35a867245f485bc9cef11d295ba";
        _server.Replay(V3($"traces/{TraceId}/assessments/{id}", "GET"), Recordings.PythonWhere(Recording, $"assessments/{id}", id));
        _server.Replay(V3($"traces/{TraceId}/assessments/a-00000000000000000000000000000000", "GET"), Recordings.PythonWhere(Recording, "assessments/a-00000000000000000000000000000000", "a-0"));

        var assessment = await _server.Traces.GetAssessmentAsync(TraceId, id);
        var ex = await Assert.ThrowsAsync<MlflowException>(() => _server.Traces.GetAssessmentAsync(TraceId, "a-00000000000000000000000000000000"));

        Assert.Equal("relevance", assessment.Name);
        Assert.Equal(new Dictionary<string, string> { ["note"] = "first pass" }, assessment.Metadata);
        Assert.Equal(DateTimeOffset.Parse("2026-12-04T04:26:57.737Z", System.Globalization.CultureInfo.InvariantCulture), assessment.CreateTime);
        Assert.Equal(MlflowErrorCode.ResourceDoesNotExist, ex.ErrorCode);
    }

    [Fact]
    public async Task UpdateSendsTheNameAndValueWithTheClientsUpdateMask()
    {
        const string id = "a-d1d05e67b63a4ce2a4d9d894b87bc621";
        var recorded = _server.Replay(V3($"traces/{TraceId}/assessments/{id}", "PATCH"), Recordings.PythonWhere(Recording, ">>> PATCH", "update_mask"));
        var current = new Assessment { AssessmentId = id, Name = "expected_answer", TraceId = TraceId, Expectation = new Expectation("MLflow manages the ML lifecycle."), Source = new AssessmentSource(AssessmentSourceType.Human, "bob") };

        var updated = await _server.Traces.UpdateAssessmentAsync(current with { Expectation = new Expectation("MLflow: ML lifecycle.") });

        JsonAssert.Equal(recorded.RequestJson, _server.Mlflow.SingleBody($"assessments/{id}"));
        Assert.Equal("MLflow: ML lifecycle.", (string?)updated.Value);
        Assert.True(updated.LastUpdateTime > updated.CreateTime);
    }

    [Fact]
    public async Task OverrideCreatesANewFeedbackNamingTheOldOne()
    {
        const string old = "a-2f13b35a867245f485bc9cef11d295ba";
        _server.Replay(V3($"traces/{TraceId}/assessments/{old}", "GET"), Recordings.PythonWhere(Recording, $"assessments/{old}", old));
        var recorded = ReplayCreate("\"overrides\"", "2026-12-04T04:26:58.331Z");

        var created = await _server.Traces.OverrideFeedbackAsync(TraceId, old, 0.3, "re-judged");

        JsonAssert.Equal(recorded.RequestJson, SentBody());
        Assert.Equal(old, created.Overrides);
        Assert.Equal("a-44dc93e78d2b465caff54a6c695ace23", created.AssessmentId);
    }

    [Fact]
    public async Task DeleteSendsTheIdsInTheBody()
    {
        const string id = "a-0d742a59eb104079862c095383253d62";
        var recorded = _server.Replay(V3($"traces/{TraceId}/assessments/{id}", "DELETE"), Recordings.PythonWhere(Recording, ">>> DELETE", id));

        await _server.Traces.DeleteAssessmentAsync(TraceId, id);

        JsonAssert.Equal(recorded.RequestJson, _server.Mlflow.SingleBody($"assessments/{id}"));
    }

    [Fact]
    public async Task ListReadsTheAssessmentsOfTheTraceInfoWithOverriddenOnesInvalid()
    {
        var recorded = Recordings.PythonAnswering(Recording, "/api/3.0/mlflow/traces/" + TraceId + " {}", "a-44dc93e78d2b465caff54a6c695ace23");
        _server.Replay(V3("traces/" + TraceId, "GET"), recorded);

        var assessments = await _server.Traces.ListAssessmentsAsync(TraceId);

        Assert.Contains(assessments, a => a.AssessmentId == "a-2f13b35a867245f485bc9cef11d295ba" && !a.Valid);
        Assert.Contains(assessments, a => a.AssessmentId == "a-44dc93e78d2b465caff54a6c695ace23" && a.Valid && a.Overrides == "a-2f13b35a867245f485bc9cef11d295ba");
        Assert.DoesNotContain(assessments, a => a.AssessmentId == "a-0d742a59eb104079862c095383253d62");
        JsonAssert.Equal("""["open source","lifecycle"]""", assessments.Single(a => a.Name == "expected_facts").Value);
    }
}
