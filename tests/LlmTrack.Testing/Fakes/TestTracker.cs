using Microsoft.Extensions.Time.Testing;

namespace LlmTrack.Tests.Fakes;

/// <summary>A tracker over an in-memory store and a fake clock.</summary>
internal sealed class TestTracker : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public TestTracker(Action<LlmTrackOptions>? configure = null, Func<string, string?>? environment = null, IReadOnlyList<Tag>? contextTags = null)
    {
        Options = new LlmTrackOptions();
        configure?.Invoke(Options);
        Time = new FakeTimeProvider(Start);
        Store = new InMemoryTrackingStore();
        Tracker = new Tracker(Options, Store, Time, null)
        {
            Environment = environment ?? (_ => null),
            ContextTags = contextTags ?? [new Tag("mlflow.user", "tester"), new Tag("mlflow.source.name", "/app/eval.dll"), new Tag("mlflow.source.type", "LOCAL")],
        };
    }

    public LlmTrackOptions Options { get; }

    public FakeTimeProvider Time { get; }

    public InMemoryTrackingStore Store { get; }

    public Tracker Tracker { get; }

    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    public void Dispose() => Tracker.Dispose();
}
