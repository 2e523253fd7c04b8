using System.Globalization;
using LlmTrack.Evaluation;
using LlmTrack.Evaluation.Tracing;
using LlmTrack.Tests.Rest;
using LlmTrack.Tests.Traces;
using static LlmTrack.Tests.Traces.TraceServer;

namespace LlmTrack.Tests.Evaluation;

/// <summary>The assessments an evaluation builds, sent through the REST store, are the bodies <c>mlflow.genai.evaluate</c> sent.</summary>
public sealed class EvaluationAssessmentWireTests : IDisposable
{
    private const string File = "genai-evaluate.out";
    private const string EvalRun = "67872df477574c6ab71ce92a4dd7b1cc";
    private const string Paris = "tr-a0a32cd0921b6e5be8e13004482d10b4";
    private const string ParisSpan = "e14e8b17f6319de3";
    private const string Sky = "tr-bcc900b2807cf6135c0df52cab8b63aa";
    private const string SkySpan = "47f270ad712fe15c";
    private readonly TraceServer _server = new();

    public void Dispose() => _server.Dispose();

    private static Assessment Stamp(Assessment draft, string traceId, string spanId, string at)
    {
        var time = DateTimeOffset.Parse(at, CultureInfo.InvariantCulture);
        return draft with { TraceId = traceId, SpanId = spanId, CreateTime = time, LastUpdateTime = time };
    }

    private async Task<Rest.RecordedExchange> SendAsync(string traceId, string bodyMarker, Assessment assessment)
    {
        var recorded = _server.Replay(V3($"traces/{traceId}/assessments", "POST"), Recordings.PythonWhere(File, $">>> POST http://127.0.0.1:5010/api/3.0/mlflow/traces/{traceId}/assessments", bodyMarker));
        await ((Stores.ITraceStore)_server.Mlflow.Store).CreateAssessmentAsync(assessment, CancellationToken.None);
        return recorded;
    }

    [Fact]
    public async Task AScorersBooleanFeedbackIsTheRecordedRequest()
    {
        var assessments = new ExampleAssessments(EvalRun, "root");
        assessments.AddFeedback("exact_match", ScorerFeedback.Of(true) with { Source = new AssessmentSource(AssessmentSourceType.Code, "exact_match") });

        var recorded = await SendAsync(Paris, "\"exact_match\"", Stamp(assessments.Items[0], Paris, ParisSpan, "2026-12-04T04:24:08.290Z"));

        JsonAssert.Equal(recorded.RequestJson, _server.Mlflow.SingleBody($"traces/{Paris}/assessments"));
    }

    [Fact]
    public async Task TheExpectedOutputIsTheRecordedExpectationFromTheUser()
    {
        var assessments = new ExampleAssessments(EvalRun, "root");
        assessments.AddExpectation(["Paris"]);

        var recorded = await SendAsync(Paris, "\"expected_response\"", Stamp(assessments.Items[0], Paris, ParisSpan, "2026-12-04T04:24:08.291Z"));

        JsonAssert.Equal(recorded.RequestJson, _server.Mlflow.SingleBody($"traces/{Paris}/assessments"));
    }

    [Fact]
    public async Task AFailedScorerIsTheRecordedScorerErrorFeedback()
    {
        var recordedBody = Recordings.PythonWhere(File, $">>> POST http://127.0.0.1:5010/api/3.0/mlflow/traces/{Sky}/assessments", "SCORER_ERROR").RequestJson;
        var stack = (string)recordedBody["assessment"]!["feedback"]!["error"]!["stack_trace"]!;
        var assessments = new ExampleAssessments(EvalRun, "root");
        assessments.AddFeedback("equivalence", ScorerFeedback.Failed("SCORER_ERROR", "No module named 'openai'", stack) with { Source = new AssessmentSource(AssessmentSourceType.Code, "equivalence") });

        var recorded = await SendAsync(Sky, "SCORER_ERROR", Stamp(assessments.Items[0], Sky, SkySpan, "2026-12-04T04:24:09.460Z"));

        JsonAssert.Equal(recorded.RequestJson, _server.Mlflow.SingleBody($"traces/{Sky}/assessments"));
    }
}
