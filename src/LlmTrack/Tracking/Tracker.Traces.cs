namespace LlmTrack;

public sealed partial class Tracker
{
    /// <summary>
    /// The traces of the tracking store: search, read with spans, tags, deletion, linking to runs, and assessments
    /// (feedback and expectations). Needs a store with MLflow 3's trace API (a 3.x tracking server).
    /// </summary>
    public TraceClient Traces => new(this, _timeProvider);
}
