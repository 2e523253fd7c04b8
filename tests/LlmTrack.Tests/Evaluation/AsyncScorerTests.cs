using System.Text;
using System.Text.Json.Nodes;
using LlmTrack.Evaluation;
using LlmTrack.Tests.Fakes;

namespace LlmTrack.Tests.Evaluation;

[Collection(nameof(LlmTrack.Tests.Tracing.ActivityListenerCollection))]
public sealed class AsyncScorerTests
{
    private static readonly string[] Questions = ["Capital of France?", "Capital of Italy?", "Color of the sky?", "boom"];
    private static readonly AssessmentSource Judge = new(AssessmentSourceType.LlmJudge, "judge-model");

    private static string Answer(string q) => q.Contains("France", StringComparison.Ordinal) ? "Paris" : q.Contains("Italy", StringComparison.Ordinal) ? "Rome" : "Blue, mostly";

    private static string Expected(string q) => q.Contains("sky", StringComparison.Ordinal) ? "blue" : Answer(q);

    private static EvaluationOptions<string, string> Options(int maxConcurrency = 4) => new()
    {
        Target = Expected,
        InputText = q => q,
        MaxConcurrency = maxConcurrency,
        Scorers = [new ExampleScorer<string, string>("answer_length", (_, p) => p.Length)],
        AsyncScorers =
        [
            new AsyncExampleScorer<string, string>("exact_match", (q, p, _) => ValueTask.FromResult(ScorerFeedback.Of(p == Expected(q)))),
            new AsyncExampleScorer<string, string>("equivalence", async (q, p, ct) =>
            {
                await Task.Yield();
                return q.Contains("sky", StringComparison.Ordinal) ? throw new InvalidOperationException("judge unreachable") : ScorerFeedback.Of("yes", "Exact string match");
            }) { Source = Judge },
        ],
    };

    private static async Task<(InMemoryTrackingStore Store, string RunId, EvaluationSummary Summary)> EvaluateAsync(EvaluationOptions<string, string> options, RecordingAssessmentStore? assessments = null, RecordingTraceSink? sink = null)
    {
        var store = new InMemoryTrackingStore { TraceSink = sink ?? new RecordingTraceSink(), AssessmentStore = assessments ?? new RecordingAssessmentStore() };
        using var tracker = new Tracker(new LlmTrackOptions(), store, TimeProvider.System, null) { Environment = _ => null, ContextTags = [new Tag("mlflow.user", "tester")] };
        await using var run = await tracker.StartRunAsync("eval");
        var summary = await run.EvaluateAsync(Questions, (q, _) => q == "boom" ? throw new InvalidOperationException("model down") : Task.FromResult(Answer(q)), options);
        return (store, run.RunId, summary);
    }

    [Fact]
    public async Task AsyncScorersLogTheirMeanAsMlflowGenaiEvaluateDoesLeavingErrorsOut()
    {
        var (store, _, summary) = await EvaluateAsync(Options());

        var run = store.SingleRun();
        Assert.Equal(2.0 / 3, run.Latest["exact_match/mean"].Value, 12);
        Assert.Equal(1.0, run.Latest["equivalence/mean"].Value); // "yes" twice; the failed judge call is left out
        Assert.Equal(2.0 / 3, summary.Metrics["exact_match/mean"], 12);
        Assert.True(run.Latest.ContainsKey("answer_length")); // the sync scorer's key is unchanged
        Assert.Equal("true", run.Tags["mlflow.run.isEval"]);
    }

    [Fact]
    public async Task EveryScorerResultAndTheExpectationAreAssessmentsOnTheExamplesTrace()
    {
        var assessments = new RecordingAssessmentStore();
        var sink = new RecordingTraceSink();
        var (_, runId, _) = await EvaluateAsync(Options(), assessments, sink);

        var created = assessments.Created.ToList();
        var paris = sink.TraceInfos.Single(i => i.RequestPreview == "\"Capital of France?\"");
        var parisRoot = sink.Spans.Single(s => s.MlflowTraceId == paris.TraceId && s.ParentSpanId is null);
        var onParis = created.Where(a => a.TraceId == paris.TraceId).ToDictionary(a => a.Name);
        Assert.Equal(["answer_length", "equivalence", "exact_match", "expected_response"], onParis.Keys.Order(StringComparer.Ordinal));
        Assert.All(onParis.Values, a =>
        {
            Assert.Equal(parisRoot.SpanId, a.SpanId);
            Assert.Equal(runId, a.Metadata["mlflow.assessment.sourceRunId"]);
            Assert.NotEqual(default, a.CreateTime);
        });
        Assert.Equal(new AssessmentSource(AssessmentSourceType.Code, "answer_length"), onParis["answer_length"].Source);
        Assert.Equal(5.0, (double)onParis["answer_length"].Feedback!.Value!);
        Assert.Equal(new AssessmentSource(AssessmentSourceType.Code, "exact_match"), onParis["exact_match"].Source);
        Assert.True((bool)onParis["exact_match"].Feedback!.Value!);
        Assert.Equal(Judge, onParis["equivalence"].Source);
        Assert.Equal("yes", (string)onParis["equivalence"].Feedback!.Value!);
        Assert.Equal("Exact string match", onParis["equivalence"].Rationale);
        Assert.Equal(new AssessmentSource(AssessmentSourceType.Human, "tester"), onParis["expected_response"].Source);
        Assert.Equal("Paris", (string)onParis["expected_response"].Expectation!.Value!);
    }

    [Fact]
    public async Task AScorerThatThrowsIsScorerErrorFeedbackAndTheEvaluationGoesOn()
    {
        var assessments = new RecordingAssessmentStore();
        var sink = new RecordingTraceSink();
        var (store, _, summary) = await EvaluateAsync(Options(), assessments, sink);

        Assert.Equal(4, summary.Total);
        Assert.Equal(1, summary.Errors); // only the failed prediction
        var sky = sink.TraceInfos.Single(i => i.RequestPreview == "\"Color of the sky?\"").TraceId;
        var failed = assessments.Created.Single(a => a.TraceId == sky && a.Name == "equivalence");
        Assert.Null(failed.Feedback!.Value);
        Assert.Equal("SCORER_ERROR", failed.Feedback.Error!.Code);
        Assert.Equal("judge unreachable", failed.Feedback.Error.Message);
        Assert.Contains("InvalidOperationException", failed.Feedback.Error.StackTrace, StringComparison.Ordinal);
        Assert.Equal(Judge, failed.Source);

        // The failed prediction has only its expectation; its scorers did not run.
        var boom = sink.TraceInfos.Single(i => i.RequestPreview == "\"boom\"").TraceId;
        Assert.Equal("expected_response", Assert.Single(assessments.CreatedOn(boom)).Name);

        var table = JsonNode.Parse(Encoding.UTF8.GetString(store.Artifacts.Single(a => a.Key.EndsWith("/eval_results_table.json", StringComparison.Ordinal)).Value))!;
        var columns = table["columns"]!.AsArray().Select(c => (string?)c).ToList();
        var skyRow = table["data"]!.AsArray().Single(r => (string?)r![0] == "Color of the sky?")!.AsArray();
        Assert.False((bool)skyRow[columns.IndexOf("exact_match")]!);
        Assert.Null(skyRow[columns.IndexOf("equivalence")]);
        var parisRow = table["data"]!.AsArray().Single(r => (string?)r![0] == "Capital of France?")!.AsArray();
        Assert.Equal("yes", (string?)parisRow[columns.IndexOf("equivalence")]);
    }

    [Fact]
    public async Task AsyncScorerCallsStayWithinMaxConcurrency()
    {
        var inFlight = 0;
        var most = 0;
        var options = new EvaluationOptions<string, string>
        {
            MaxConcurrency = 2,
            AsyncScorers = [.. Enumerable.Range(0, 3).Select(i => new AsyncExampleScorer<string, string>("s" + i, async (_, _, _) =>
            {
                var now = Interlocked.Increment(ref inFlight);
                InterlockedMax(ref most, now);
                await Task.Yield();
                await Task.Yield();
                Interlocked.Decrement(ref inFlight);
                return ScorerFeedback.Of(1.0);
            }))],
        };

        await EvaluateAsync(options);

        Assert.InRange(most, 1, 2);
    }

    [Fact]
    public async Task FailingAssessmentWritesAreCountedInARunTagNeverFatal()
    {
        var assessments = new RecordingAssessmentStore { Fail = a => a.Name == "exact_match" };
        var (store, _, summary) = await EvaluateAsync(Options(), assessments);

        Assert.Equal(4, summary.Total);
        Assert.Equal("3 of 13 example assessments were not stored: assessment store down", store.SingleRun().Tags["llmtrack.evaluation.assessmentWarning"]);
        Assert.DoesNotContain(assessments.Created, a => a.Name == "exact_match");
        Assert.Equal(10, assessments.Created.Count);
    }

    [Fact]
    public async Task CancellingDuringAScorerEndsTheRunKilled()
    {
        using var cts = new CancellationTokenSource();
        var store = new InMemoryTrackingStore();
        using var tracker = new Tracker(new LlmTrackOptions(), store, TimeProvider.System, null) { Environment = _ => null };
        await using var run = await tracker.StartRunAsync("eval");
        var options = new EvaluationOptions<string, string>
        {
            AsyncScorers = [new AsyncExampleScorer<string, string>("slow", async (_, _, ct) =>
            {
                await cts.CancelAsync();
                await Task.Delay(Timeout.Infinite, ct);
                return ScorerFeedback.Of(1.0);
            })],
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.EvaluateAsync(Questions, (q, _) => Task.FromResult(q), options, cts.Token));

        Assert.Equal(RunStatus.Killed, store.SingleRun().Info.Status);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}

internal static class RecordingAssessmentStoreExtensions
{
    public static IEnumerable<Assessment> CreatedOn(this RecordingAssessmentStore store, string traceId) => store.Created.Where(a => a.TraceId == traceId);
}
