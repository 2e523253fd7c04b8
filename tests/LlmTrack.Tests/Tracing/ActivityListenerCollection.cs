namespace LlmTrack.Tests.Tracing;

/// <summary>
/// Tests that add process-wide ActivityListeners (tracing sessions, evaluations recording example traces) or assert
/// that none listens: they run alone, since a listener of one test is seen by the sources of another.
/// </summary>
[CollectionDefinition(nameof(ActivityListenerCollection), DisableParallelization = true)]
public sealed class ActivityListenerCollection;
