using LlmTrack.AI;
using LlmTrack.Evaluation;
using LlmTrack.Tests.Fakes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;
using MeaiEvaluationResult = Microsoft.Extensions.AI.Evaluation.EvaluationResult;

namespace LlmTrack.AI.Tests;

public sealed class AIEvaluatorScorerTests
{
    /// <summary>A deterministic evaluator: relevance (number, by the judge model), grounded (bool), tone (string), broken (no value, error).</summary>
    private sealed class FakeEvaluator : IEvaluator
    {
        public int Calls;

        public IReadOnlyCollection<string> EvaluationMetricNames { get; } = ["Relevance", "grounded", "tone", "broken"];

        public ValueTask<MeaiEvaluationResult> EvaluateAsync(IEnumerable<ChatMessage> messages, ChatResponse modelResponse, ChatConfiguration? chatConfiguration = null, IEnumerable<EvaluationContext>? additionalContext = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Calls);
            var answer = modelResponse.Text;
            var relevance = new NumericMetric("Relevance", answer == "Paris" ? 5 : 2, "The answer names the capital.")
            {
                Interpretation = new EvaluationMetricInterpretation(answer == "Paris" ? EvaluationRating.Exceptional : EvaluationRating.Poor, failed: answer != "Paris", "below 3"),
            };
            relevance.AddOrUpdateMetadata("eval-model", "judge-gpt");
            var broken = new NumericMetric("broken");
            broken.AddDiagnostics(EvaluationDiagnostic.Error("the judge returned no score"));
            return ValueTask.FromResult(new MeaiEvaluationResult(relevance, new BooleanMetric("grounded", true), new StringMetric("tone", "neutral", "plain"), broken));
        }
    }

    private static async Task<(InMemoryTrackingStore Store, RecordingTraceSink Sink, RecordingAssessmentStore Assessments)> EvaluateAsync(FakeEvaluator evaluator)
    {
        var store = new InMemoryTrackingStore { TraceSink = new RecordingTraceSink(), AssessmentStore = new RecordingAssessmentStore() };
        using var tracker = new Tracker(new LlmTrackOptions(), store, TimeProvider.System, null) { Environment = _ => null };
        await using var run = await tracker.StartRunAsync("qa");
        await run.EvaluateAsync(
            ["Capital of France?", "Capital of Italy?"],
            (q, _) => Task.FromResult(new TextPrediction(q.Contains("France", StringComparison.Ordinal) ? "Paris" : "Milan")),
            new EvaluationOptions<string, TextPrediction>
            {
                InputText = q => q,
                AsyncScorers = AIEvaluatorScorers.Create<string>(evaluator, q => [new ChatMessage(ChatRole.User, q)]),
            });
        return (store, store.TraceSink!, store.AssessmentStore!);
    }

    [Fact]
    public async Task EachMetricIsARunMeanAndTheEvaluatorRunsOncePerExample()
    {
        var evaluator = new FakeEvaluator();
        var (store, _, _) = await EvaluateAsync(evaluator);

        Assert.Equal(2, evaluator.Calls);
        var latest = store.SingleRun().Latest;
        Assert.Equal(3.5, latest["Relevance/mean"].Value);
        Assert.Equal(1.0, latest["grounded/mean"].Value);
        Assert.False(latest.ContainsKey("tone/mean")); // a category other than yes/no has no mean
        Assert.False(latest.ContainsKey("broken/mean"));
    }

    [Fact]
    public async Task EachMetricIsFeedbackOnTheExamplesTraceWithReasonInterpretationAndJudge()
    {
        var (_, sink, assessments) = await EvaluateAsync(new FakeEvaluator());

        var italy = sink.TraceInfos.Single(i => i.RequestPreview == "\"Capital of Italy?\"").TraceId;
        var onItaly = assessments.Created.Where(a => a.TraceId == italy).ToDictionary(a => a.Name);
        var relevance = onItaly["Relevance"];
        Assert.Equal(2.0, (double)relevance.Feedback!.Value!);
        Assert.Equal("The answer names the capital.", relevance.Rationale);
        Assert.Equal(new AssessmentSource(AssessmentSourceType.LlmJudge, "judge-gpt"), relevance.Source);
        Assert.Equal("Poor", relevance.Metadata["interpretation.rating"]);
        Assert.Equal("true", relevance.Metadata["interpretation.failed"]);
        Assert.Equal("below 3", relevance.Metadata["interpretation.reason"]);
        Assert.NotNull(relevance.Metadata["mlflow.assessment.sourceRunId"]);
        Assert.True((bool)onItaly["grounded"].Feedback!.Value!);
        Assert.Equal(new AssessmentSource(AssessmentSourceType.Code, nameof(FakeEvaluator)), onItaly["grounded"].Source);
        Assert.Equal("neutral", (string)onItaly["tone"].Feedback!.Value!);
        Assert.Equal("plain", onItaly["tone"].Rationale);
        Assert.Equal(new AssessmentError("SCORER_ERROR", "the judge returned no score"), onItaly["broken"].Feedback!.Error);
    }
}
