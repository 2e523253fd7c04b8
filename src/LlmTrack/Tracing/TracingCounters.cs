namespace LlmTrack;

/// <summary>
/// What a <see cref="TracingSession"/> did with the spans it saw. Export problems are counted here (and warned about
/// when the session ends), never thrown into the application. Thread-safe; values only grow.
/// </summary>
public sealed class TracingCounters
{
    private long _exported;
    private long _dropped;
    private long _failed;
    private long _ambiguous;
    private long _traces;
    private long _traceFailures;
    private long _pending;
    private string? _lastError;

    internal TracingCounters()
    {
    }

    /// <summary>Spans the tracking server acknowledged.</summary>
    public long SpansExported => Interlocked.Read(ref _exported);

    /// <summary>Spans dropped because <see cref="TracingOptions.MaxQueueSize"/> spans were already waiting.</summary>
    public long SpansDropped => Interlocked.Read(ref _dropped);

    /// <summary>Spans the server refused (4xx) or that could not be sent at all (server unreachable).</summary>
    public long SpansFailed => Interlocked.Read(ref _failed);

    /// <summary>
    /// Spans whose send ended without a clear answer (a lost response, a timeout, a 5xx): the server may have stored
    /// them. They were not sent again, because a re-sent span adds its token usage to the trace a second time.
    /// </summary>
    public long SpansMaybeExported => Interlocked.Read(ref _ambiguous);

    /// <summary>Traces whose trace info (state, previews, run link) the server acknowledged.</summary>
    public long TracesCompleted => Interlocked.Read(ref _traces);

    /// <summary>Traces whose trace info could not be sent.</summary>
    public long TraceInfoFailures => Interlocked.Read(ref _traceFailures);

    /// <summary>Spans ended and not yet through the exporter (bounded by <see cref="TracingOptions.MaxQueueSize"/>).</summary>
    public long SpansPending => Interlocked.Read(ref _pending);

    /// <summary>The last export error's message, or <see langword="null"/>.</summary>
    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>Whether nothing failed, was dropped or is in doubt.</summary>
    public bool AllDelivered => SpansDropped == 0 && SpansFailed == 0 && SpansMaybeExported == 0 && TraceInfoFailures == 0;

    /// <inheritdoc/>
    public override string ToString() =>
        $"spans exported {SpansExported}, dropped {SpansDropped}, failed {SpansFailed}, maybe exported {SpansMaybeExported}; traces completed {TracesCompleted}, trace info failures {TraceInfoFailures}";

    internal bool TryEnqueue(int maxQueueSize)
    {
        if (Interlocked.Increment(ref _pending) > maxQueueSize)
        {
            Interlocked.Decrement(ref _pending);
            Interlocked.Increment(ref _dropped);
            return false;
        }

        return true;
    }

    internal void Dequeued(int count) => Interlocked.Add(ref _pending, -count);

    internal void AddExported(int count) => Interlocked.Add(ref _exported, count);

    internal void AddFailed(int count, string error)
    {
        Interlocked.Add(ref _failed, count);
        Volatile.Write(ref _lastError, error);
    }

    internal void AddAmbiguous(int count, string error)
    {
        Interlocked.Add(ref _ambiguous, count);
        Volatile.Write(ref _lastError, error);
    }

    internal void AddTraceCompleted() => Interlocked.Increment(ref _traces);

    internal void AddTraceInfoFailure(string error)
    {
        Interlocked.Increment(ref _traceFailures);
        Volatile.Write(ref _lastError, error);
    }
}
