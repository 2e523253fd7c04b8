using LlmTrack.Tests.Rest;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;

namespace LlmTrack.Tests.Traces;

/// <summary>A WireMock MLflow server with a tracker over it, clocked at the recording's assessment time.</summary>
internal sealed class TraceServer : IDisposable
{
    public const string TraceId = "tr-c9d98760344a5bd0a6b2cc7b31720adc";
    public const string RunId = "6788c757aeaa40bc9e954ee1764d49ae";
    public const string Recording = "traces.out";

    public TraceServer()
    {
        Mlflow = new MlflowServerFixture();
        Time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-04T04:26:57.737Z", System.Globalization.CultureInfo.InvariantCulture));
        Tracker = new Tracker(Mlflow.Options, Mlflow.Store, Time, null) { Environment = _ => null };
    }

    public MlflowServerFixture Mlflow { get; }

    public FakeTimeProvider Time { get; }

    public Tracker Tracker { get; }

    public TraceClient Traces => Tracker.Traces;

    public static IRequestBuilder V3(string path, string method) => Request.Create().WithPath("/api/3.0/mlflow/" + path).UsingMethod(method);

    public static IRequestBuilder V2(string path, string method) => Request.Create().WithPath("/api/2.0/mlflow/" + path).UsingMethod(method);

    /// <summary>Answers <paramref name="request"/> with the recorded exchange's status and body.</summary>
    public RecordedExchange Replay(IRequestBuilder request, RecordedExchange recorded)
    {
        Mlflow.Respond(request, recorded.Status, recorded.ResponseBody);
        return recorded;
    }

    public void Dispose()
    {
        Tracker.Dispose();
        Mlflow.Dispose();
    }
}
