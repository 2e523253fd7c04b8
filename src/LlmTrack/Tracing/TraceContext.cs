using System.Diagnostics;

namespace LlmTrack.Tracing;

/// <summary>
/// Where a trace goes, fixed when its root span starts: the experiment, the run it is linked to (metadata
/// <c>mlflow.sourceRun</c>), and whether an evaluation records it itself (then the exporter leaves it alone, so its
/// spans and token usage are not stored twice). Kept on the root <see cref="Activity"/> as a custom property.
/// </summary>
/// <param name="ExperimentId">The trace's experiment.</param>
/// <param name="RunId">The linked run, or <see langword="null"/>.</param>
/// <param name="RecordedByEvaluation">Whether an evaluation writes this trace itself.</param>
internal sealed record TraceContext(string ExperimentId, string? RunId, bool RecordedByEvaluation = false)
{
    private const string PropertyName = "LlmTrack.TraceContext";
    private static readonly AsyncLocal<TraceContext?> Ambient = new();

    /// <summary>The context of the current async flow (set by <see cref="TracingSession.LinkTo"/>), or <see langword="null"/>.</summary>
    public static TraceContext? Current => Ambient.Value;

    /// <summary>Makes <paramref name="context"/> current until the returned scope is disposed.</summary>
    public static IDisposable Use(TraceContext? context)
    {
        var previous = Ambient.Value;
        Ambient.Value = context;
        return new Scope(previous);
    }

    /// <summary>Keeps <paramref name="context"/> on a root activity.</summary>
    public static void Attach(Activity root, TraceContext context) => root.SetCustomProperty(PropertyName, context);

    /// <summary>The context kept on the local root of <paramref name="activity"/>, or <see langword="null"/>.</summary>
    public static TraceContext? Of(Activity activity)
    {
        var root = activity;
        while (root.Parent is { } parent)
        {
            root = parent;
        }

        return root.GetCustomProperty(PropertyName) as TraceContext;
    }

    private sealed class Scope(TraceContext? previous) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Ambient.Value = previous;
            }
        }
    }
}
