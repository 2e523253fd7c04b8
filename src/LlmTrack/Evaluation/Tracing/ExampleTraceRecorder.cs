using LlmTrack.Model;
using System.Collections.Concurrent;
using System.Diagnostics;
using LlmTrack.Model.Tracing;
using LlmTrack.Stores;
using LlmTrack.Tracing;
using LlmTrack.Metrics.Tokens;

namespace LlmTrack.Evaluation.Tracing;

/// <summary>
/// Records every evaluated example as an MLflow trace linked to the evaluation run, as <c>mlflow.genai.evaluate</c>
/// does: a root span <c>predict</c> around the predictor call (inputs, prediction, expected output, latency, tokens,
/// error) with the spans the predictor's calls made inside it (a chat client's <c>chat</c> span), trace metadata
/// <c>mlflow.sourceRun</c>, tag <c>mlflow.eval.requestId</c>, and at the end <c>traces/link-to-run</c>. It listens only
/// to the traces it started itself; the traces are written by it, never also by a <see cref="TracingSession"/>.
/// Each trace's assessments (see <see cref="ExampleAssessments"/>) are created once the trace is stored, a few at a
/// time, when the store keeps assessments. Failures to store traces or assessments never fail the evaluation: they
/// are counted in run tags.
/// </summary>
internal sealed class ExampleTraceRecorder : IDisposable
{
    /// <summary>The ActivitySource of the per-example root spans.</summary>
    public const string SourceName = TracingOptions.LlmTrackSourceName + ".Evaluation";

    /// <summary>The per-example table's column with the trace id (as in <c>mlflow.genai.evaluate</c>'s result table).</summary>
    public const string TraceIdColumn = "trace_id";

    /// <summary>The run tag that says how many example traces were not stored, and why.</summary>
    public const string WarningTag = "llmtrack.evaluation.traceWarning";

    /// <summary>The run tag that says how many example assessments were not stored, and why.</summary>
    public const string AssessmentWarningTag = "llmtrack.evaluation.assessmentWarning";

    private const int ChunkSize = 50;
    private const int AssessmentConcurrency = 4;
    private static readonly ActivitySource Source = new(SourceName);

    private readonly ITraceSink _sink;
    private readonly ITraceStore? _assessments;
    private readonly Run _run;
    private readonly TraceContext _context;
    private readonly IReadOnlyList<Tag> _sourceTags;
    private readonly ActivityListener _listener;
    private readonly object _gate = new();
    // Read on every activity any source starts while the evaluation runs (Sample), so lock-free.
    private readonly ConcurrentDictionary<ActivityTraceId, ExampleTrace> _open = new();
    private readonly List<PendingTrace> _pending = [];
    private readonly List<string> _traceIds = [];
    private Task _sending = Task.CompletedTask;
    private int _failed;
    private string? _lastError;
    private int _assessmentCount;
    private int _failedAssessments;
    private string? _lastAssessmentError;

    private ExampleTraceRecorder(ITraceSink sink, ITraceStore? assessments, Run run)
    {
        _sink = sink;
        _assessments = assessments;
        _run = run;
        _context = new TraceContext(run.ExperimentId, run.RunId, RecordedByEvaluation: true);
        _sourceTags = run.Tracker.TraceSourceTags;
        _listener = new ActivityListener
        {
            ShouldListenTo = static _ => true,
            Sample = Sample,
            ActivityStopped = OnStopped,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>A recorder for <paramref name="run"/>, or <see langword="null"/> when its store keeps no traces.</summary>
    public static ExampleTraceRecorder? TryCreate(Run run) =>
        run.Store.GetCapability<ITraceSink>() is { } sink ? new ExampleTraceRecorder(sink, run.Store.GetCapability<ITraceStore>(), run) : null;

    /// <summary>Whether the store keeps assessments, so the examples' feedback and expectations are stored on their traces.</summary>
    public bool StoresAssessments => _assessments is not null;

    /// <summary>Starts an example's root span (current in the calling flow, so the predictor's spans become its children).</summary>
    public ExampleTrace Start()
    {
        Activity.Current = null; // each example is a trace of its own, whatever span the evaluation runs in
        var activity = Source.StartActivity("predict", ActivityKind.Internal)!;
        TraceContext.Attach(activity, _context);
        var trace = new ExampleTrace(activity);
        _open[activity.TraceId] = trace;

        return trace;
    }

    /// <summary>Builds the example's trace and queues it (with its assessments, if any) for sending; returns its MLflow trace id.</summary>
    public string Complete(ExampleTrace trace, string input, string? prediction, string? target, string? error, TokenUsage? usage, IReadOnlyList<Assessment>? assessments = null)
    {
        var root = trace.Root;
        _open.TryRemove(root.TraceId, out _);
        Activity[] children;
        lock (trace.Children)
        {
            children = [.. trace.Children];
        }

        var spans = new List<SpanRecord>(children.Length + 1);
        var tokens = default(TokenTotals);
        foreach (var child in children)
        {
            spans.Add(ActivitySpanMapper.ToSpan(child, captureContent: true, out var childTokens));
            tokens = tokens.Add(childTokens);
        }

        root.SetTag(MlflowTags.SpanType, "UNKNOWN");
        root.SetTag(MlflowTraceKeys.SpanFunctionName, "predict");
        root.SetTag(MlflowTags.SpanInputs, TraceInfoBuilder.PythonJsonOf(input));
        root.SetTag("llmtrack.target", target);
        if (prediction is not null)
        {
            root.SetTag(MlflowTags.SpanOutputs, TraceInfoBuilder.PythonJsonOf(prediction));
        }

        if (!tokens.Any && usage is { } u)
        {
            root.SetTag(MlflowTraceKeys.GenAiInputTokens, u.PromptTokens);
            root.SetTag(MlflowTraceKeys.GenAiOutputTokens, u.CompletionTokens);
            tokens = new TokenTotals(u.PromptTokens, u.CompletionTokens, true);
        }

        if (error is not null)
        {
            root.SetStatus(ActivityStatusCode.Error, error);
            root.AddEvent(new ActivityEvent("exception", tags: new ActivityTagsCollection { ["exception.message"] = error }));
        }

        var rootSpan = ActivitySpanMapper.ToSpan(root, captureContent: true, out _);
        spans.Insert(0, rootSpan);
        var info = TraceInfoBuilder.Build(rootSpan, _context.ExperimentId, _context.RunId, tokens, _sourceTags, new Dictionary<string, string>
        {
            [MlflowTraceKeys.EvalRequestId] = Guid.NewGuid().ToString(),
        });
        var stamped = StampAssessments(assessments, info.TraceId, rootSpan.SpanId);
        lock (_gate)
        {
            _pending.Add(new PendingTrace(spans, info, stamped));
            _traceIds.Add(info.TraceId);
            if (_pending.Count >= ChunkSize)
            {
                SendPendingLocked();
            }
        }

        return info.TraceId;
    }

    /// <summary>Sends what is left, links every trace to the run, and notes failures in a run tag. Never throws.</summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        List<string> ids;
        lock (_gate)
        {
            SendPendingLocked();
            ids = [.. _traceIds];
        }

        await _sending.ConfigureAwait(false);
        for (var i = 0; i < ids.Count && !cancellationToken.IsCancellationRequested; i += ChunkSize)
        {
            var chunk = ids.GetRange(i, Math.Min(ChunkSize, ids.Count - i));
            await GuardAsync(() => _sink.LinkTracesToRunAsync(chunk, _run.RunId, cancellationToken), 0).ConfigureAwait(false);
        }

        if (_failed > 0)
        {
            _run.SetTag(WarningTag, $"{_failed} of {ids.Count} example traces were not stored completely: {_lastError}");
        }

        if (_failedAssessments > 0)
        {
            _run.SetTag(AssessmentWarningTag, $"{_failedAssessments} of {_assessmentCount} example assessments were not stored: {_lastAssessmentError}");
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _listener.Dispose();

    private void SendPendingLocked()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var chunk = _pending.ToArray();
        _pending.Clear();
        var previous = _sending;
        _sending = SendChunkAsync(previous, chunk);
    }

    private async Task SendChunkAsync(Task previous, PendingTrace[] chunk)
    {
        await previous.ConfigureAwait(false);
        var spans = chunk.SelectMany(c => c.Spans).ToList();
        if (!await GuardAsync(() => _sink.LogSpansAsync(_context.ExperimentId, spans, CancellationToken.None), chunk.Length).ConfigureAwait(false))
        {
            AssessmentsFailed(chunk.Sum(c => c.Assessments.Count), _lastError);
            return;
        }

        var stored = new List<Assessment>();
        foreach (var pending in chunk)
        {
            if (await GuardAsync(() => _sink.StartTraceAsync(pending.Info, CancellationToken.None), 1).ConfigureAwait(false))
            {
                stored.AddRange(pending.Assessments);
            }
            else
            {
                AssessmentsFailed(pending.Assessments.Count, "its trace was not stored: " + _lastError);
            }
        }

        if (_assessments is { } store && stored.Count > 0)
        {
            await Parallel.ForEachAsync(stored, new ParallelOptions { MaxDegreeOfParallelism = AssessmentConcurrency }, async (assessment, _) =>
            {
                try
                {
                    await store.CreateAssessmentAsync(assessment, CancellationToken.None).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // Assessment storage never fails the evaluation; it is reported in a run tag.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    AssessmentsFailed(1, ex.Message);
                }
            }).ConfigureAwait(false);
        }
    }

    private IReadOnlyList<Assessment> StampAssessments(IReadOnlyList<Assessment>? assessments, string traceId, string spanId)
    {
        if (_assessments is null || assessments is not { Count: > 0 })
        {
            return [];
        }

        var now = DateTimeOffset.FromUnixTimeMilliseconds(_run.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        Interlocked.Add(ref _assessmentCount, assessments.Count);
        return [.. assessments.Select(a => a with { TraceId = traceId, SpanId = spanId, CreateTime = now, LastUpdateTime = now })];
    }

    private void AssessmentsFailed(int count, string? error)
    {
        if (count > 0)
        {
            Interlocked.Add(ref _failedAssessments, count);
            Volatile.Write(ref _lastAssessmentError, error);
        }
    }

    private async Task<bool> GuardAsync(Func<Task> send, int traces)
    {
        try
        {
            await send().ConfigureAwait(false);
            return true;
        }
#pragma warning disable CA1031 // Trace storage never fails the evaluation; it is reported in a run tag.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Interlocked.Add(ref _failed, traces);
            Volatile.Write(ref _lastError, ex.Message);
            return false;
        }
    }

    private ActivitySamplingResult Sample(ref ActivityCreationOptions<ActivityContext> options)
    {
        if (options.Source == Source)
        {
            return ActivitySamplingResult.AllDataAndRecorded;
        }

        return options.Parent != default && _open.ContainsKey(options.Parent.TraceId) ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None;
    }

    private void OnStopped(Activity activity)
    {
        if (activity.Source == Source)
        {
            return;
        }

        if (_open.TryGetValue(activity.TraceId, out var trace))
        {
            lock (trace.Children)
            {
                trace.Children.Add(activity);
            }
        }
    }
}

/// <summary>One example's trace while it is being recorded: the root activity and the child spans that ended in it.</summary>
/// <param name="Root">The root span.</param>
internal sealed record ExampleTrace(Activity Root)
{
    /// <summary>The child spans, in end order.</summary>
    public List<Activity> Children { get; } = [];

    /// <summary>Ends the root span.</summary>
    public void Stop() => Root.Stop();
}

/// <summary>A built trace waiting to be sent, with the assessments to create once it is stored.</summary>
/// <param name="Spans">Its spans.</param>
/// <param name="Info">Its info.</param>
/// <param name="Assessments">Its assessments (trace and span ids filled in).</param>
internal sealed record PendingTrace(IReadOnlyList<SpanRecord> Spans, TraceInfoRecord Info, IReadOnlyList<Assessment> Assessments);
